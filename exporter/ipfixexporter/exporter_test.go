// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter

import (
	"context"
	"encoding/binary"
	"math"
	"net"
	"testing"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/exporter/ipfixexporter/internal/metadata"
	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

var start = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// testFlows: an enriched IPv4 TCP flow with translation and RTT, an IPv6 UDP flow, and an ARP
// flow (no template: skipped and counted).
func testFlows() plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	v4 := lrs.AppendEmpty().Attributes()
	v4.PutStr(flow.AttrNetworkType, "ipv4")
	v4.PutStr(flow.AttrSrcAddress, "10.128.0.5")
	v4.PutStr(flow.AttrDstAddress, "10.96.0.10")
	v4.PutStr(flow.AttrXlatSrcAddress, "10.128.0.5")
	v4.PutStr(flow.AttrXlatDstAddress, "10.128.3.7")
	v4.PutInt(flow.AttrXlatSrcPort, 40000)
	v4.PutInt(flow.AttrXlatDstPort, 8080)
	v4.PutInt(flow.AttrProtocol, 6)
	v4.PutInt(flow.AttrSrcPort, 40000)
	v4.PutInt(flow.AttrDstPort, 80)
	v4.PutInt(flow.AttrBytes, 123456)
	v4.PutInt(flow.AttrPackets, 89)
	v4.PutInt(flow.AttrStart, start.UnixNano())
	v4.PutInt(flow.AttrEnd, start.Add(1500*time.Millisecond).UnixNano())
	v4.PutInt(flow.AttrTCPFlags, flow.TCPSyn|flow.TCPAck|flow.TCPSynAck)
	v4.PutStr(flow.AttrSrcMAC, "0A:58:0A:80:00:05")
	v4.PutStr(flow.AttrDstMAC, "0A:58:0A:80:00:01")
	v4.PutInt(flow.AttrDSCP, 46)
	v4.PutInt(flow.AttrEtherType, 0x0800)
	v4.PutStr(flow.AttrFlowDirection, flow.DirEgress)
	v4.PutStr(flow.AttrIfaceName, "veth1")
	v4.PutInt(flow.AttrSamplingRate, 50)
	v4.PutInt(flow.AttrRTT, 2_500_000)
	ifaces := v4.PutEmptySlice(flow.AttrIfaces)
	ifaces.AppendEmpty().SetStr("veth1")
	ifaces.AppendEmpty().SetStr("eth0")
	dirs := v4.PutEmptySlice(flow.AttrIfaceDirs)
	dirs.AppendEmpty().SetStr(flow.DirIngress)
	dirs.AppendEmpty().SetStr(flow.DirEgress)
	for k, v := range map[string]string{
		flow.AttrSrcNamespace: "shop", flow.AttrSrcPodName: "web-abc", flow.AttrSrcNodeName: "node-a",
		flow.AttrSrcOwnerName: "web", flow.AttrSrcOwnerType: "Deployment", flow.AttrSrcZone: "zone-1",
		flow.AttrDstNamespace: "shop", flow.AttrDstPodName: "api-xyz", flow.AttrDstNodeName: "node-b",
		flow.AttrDstOwnerName: "api", flow.AttrDstOwnerType: "StatefulSet", flow.AttrDstZone: "zone-2",
	} {
		v4.PutStr(k, v)
	}
	v6 := lrs.AppendEmpty().Attributes()
	v6.PutStr(flow.AttrNetworkType, "ipv6")
	v6.PutStr(flow.AttrSrcAddress, "fd00::5")
	v6.PutStr(flow.AttrDstAddress, "fd00::53")
	v6.PutInt(flow.AttrProtocol, 17)
	v6.PutInt(flow.AttrSrcPort, 5353)
	v6.PutInt(flow.AttrDstPort, 53)
	v6.PutInt(flow.AttrBytes, 300)
	v6.PutInt(flow.AttrPackets, 3)
	v6.PutInt(flow.AttrStart, start.UnixNano())
	v6.PutInt(flow.AttrEnd, start.Add(time.Second).UnixNano())
	v6.PutInt(flow.AttrEtherType, 0x86dd)
	v6.PutStr(flow.AttrIfaceDir, flow.DirIngress)
	v6.PutInt(flow.AttrSamplingRate, 1)
	arp := lrs.AppendEmpty().Attributes()
	arp.PutInt(flow.AttrEtherType, 0x0806)
	return ld
}

func startIPFIX(t *testing.T, edit func(*Config)) (exporter.Logs, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.BackOffConfig.InitialInterval = 20 * time.Millisecond
	edit(cfg)
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, exp.Shutdown(context.Background()))
		require.NoError(t, tel.Shutdown(context.Background()))
	})
	return exp, tel
}

func be16(b []byte) uint64 { return uint64(binary.BigEndian.Uint16(b)) }
func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// TestEveryElementDecodedByGoflow2: each IE of the v4 and v6 templates, over UDP and TCP, read
// back by goflow2; sequence numbers and observation domain checked too.
func TestEveryElementDecodedByGoflow2(t *testing.T) {
	for _, transport := range []string{TransportUDP, TransportTCP} {
		t.Run(transport, func(t *testing.T) {
			col := testutil.StartIPFIXCollector(t, transport)
			exp, _ := startIPFIX(t, func(c *Config) {
				c.Endpoint = col.Addr
				c.Transport = transport
				c.EnterpriseID = 4242
				c.ObservationDomainID = 7
			})
			require.NoError(t, exp.ConsumeLogs(context.Background(), testFlows()))
			require.NoError(t, exp.ConsumeLogs(context.Background(), testFlows()))
			var recs []map[testutil.IPFIXField][]byte
			var hdrs []netflow.IPFIXPacket
			require.Eventually(t, func() bool {
				var errs []error
				recs, hdrs, errs = col.Snapshot()
				require.Empty(t, errs)
				return len(recs) == 4
			}, 10*time.Second, 20*time.Millisecond)

			ie := func(r map[testutil.IPFIXField][]byte, id uint16) []byte {
				return r[testutil.IPFIXField{PEN: 0, ID: id}]
			}
			ent := func(r map[testutil.IPFIXField][]byte, id uint16) string {
				return string(r[testutil.IPFIXField{PEN: 4242, ID: id}])
			}
			var v4, v6 map[testutil.IPFIXField][]byte
			for _, r := range recs {
				if _, ok := r[testutil.IPFIXField{PEN: 0, ID: 8}]; ok {
					v4 = r
				} else {
					v6 = r
				}
			}
			require.NotNil(t, v4)
			require.NotNil(t, v6)
			assert.Equal(t, net.ParseIP("10.128.0.5").To4(), net.IP(ie(v4, 8)), "sourceIPv4Address")
			assert.Equal(t, net.ParseIP("10.96.0.10").To4(), net.IP(ie(v4, 12)), "destinationIPv4Address")
			assert.Equal(t, net.ParseIP("10.128.0.5").To4(), net.IP(ie(v4, 225)), "postNATSourceIPv4Address")
			assert.Equal(t, net.ParseIP("10.128.3.7").To4(), net.IP(ie(v4, 226)), "postNATDestinationIPv4Address")
			assert.EqualValues(t, 6, ie(v4, 4)[0], "protocolIdentifier")
			assert.EqualValues(t, 40000, be16(ie(v4, 7)), "sourceTransportPort")
			assert.EqualValues(t, 80, be16(ie(v4, 11)), "destinationTransportPort")
			assert.EqualValues(t, 40000, be16(ie(v4, 227)), "postNAPTSourceTransportPort")
			assert.EqualValues(t, 8080, be16(ie(v4, 228)), "postNAPTDestinationTransportPort")
			assert.EqualValues(t, 123456, be64(ie(v4, 1)), "octetDeltaCount")
			assert.EqualValues(t, 89, be64(ie(v4, 2)), "packetDeltaCount")
			assert.EqualValues(t, start.UnixMilli(), be64(ie(v4, 152)), "flowStartMilliseconds")
			assert.EqualValues(t, start.Add(1500*time.Millisecond).UnixMilli(), be64(ie(v4, 153)), "flowEndMilliseconds")
			assert.EqualValues(t, flow.TCPSyn|flow.TCPAck, be16(ie(v4, 6)), "tcpControlBits: header flags only")
			assert.Equal(t, []byte{0x0a, 0x58, 0x0a, 0x80, 0, 5}, ie(v4, 56), "sourceMacAddress")
			assert.Equal(t, []byte{0x0a, 0x58, 0x0a, 0x80, 0, 1}, ie(v4, 80), "destinationMacAddress")
			assert.EqualValues(t, 46, ie(v4, 195)[0], "ipDiffServCodePoint")
			assert.EqualValues(t, 0x0800, be16(ie(v4, 256)), "ethernetType")
			assert.EqualValues(t, 1, ie(v4, 61)[0], "flowDirection egress")
			assert.Equal(t, "veth1", string(ie(v4, 82)), "interfaceName")
			assert.EqualValues(t, 3, be16(ie(v4, 304)), "selectorAlgorithm")
			assert.InDelta(t, 0.02, math.Float64frombits(be64(ie(v4, 311))), 1e-12, "samplingProbability")
			assert.Equal(t, "shop", ent(v4, ieSourcePodNamespace))
			assert.Equal(t, "web-abc", ent(v4, ieSourcePodName))
			assert.Equal(t, "shop", ent(v4, ieDestinationPodNamespace))
			assert.Equal(t, "api-xyz", ent(v4, ieDestinationPodName))
			assert.Equal(t, "node-a", ent(v4, ieSourceNodeName))
			assert.Equal(t, "node-b", ent(v4, ieDestinationNodeName))
			assert.EqualValues(t, 2_500_000, be64(v4[testutil.IPFIXField{PEN: 4242, ID: ieTimeFlowRttNs}]), "timeFlowRttNs")
			assert.Equal(t, "veth1,eth0", ent(v4, ieInterfaces))
			assert.Equal(t, "0,1", ent(v4, ieDirections))
			assert.Equal(t, "web", ent(v4, ieSourceOwnerName))
			assert.Equal(t, "Deployment", ent(v4, ieSourceOwnerType))
			assert.Equal(t, "api", ent(v4, ieDestinationOwnerName))
			assert.Equal(t, "StatefulSet", ent(v4, ieDestinationOwnerType))
			assert.Equal(t, "zone-1", ent(v4, ieSourceZone))
			assert.Equal(t, "zone-2", ent(v4, ieDestinationZone))

			assert.Equal(t, net.ParseIP("fd00::5"), net.IP(ie(v6, 27)), "sourceIPv6Address")
			assert.Equal(t, net.ParseIP("fd00::53"), net.IP(ie(v6, 28)), "destinationIPv6Address")
			assert.EqualValues(t, 17, ie(v6, 4)[0])
			assert.EqualValues(t, 17, ie(v6, 193)[0], "nextHeaderIPv6")
			assert.EqualValues(t, 53, be16(ie(v6, 11)))
			assert.EqualValues(t, 300, be64(ie(v6, 1)))
			assert.EqualValues(t, 0, ie(v6, 61)[0], "flowDirection from the interface: ingress")
			assert.InDelta(t, 1.0, math.Float64frombits(be64(ie(v6, 311))), 1e-12)
			assert.Equal(t, net.IPv6zero, net.IP(ie(v6, 281)), "no translation: zero address")

			// RFC 7011: the sequence number counts the data records sent before the message.
			var dataRecords uint32
			for _, h := range hdrs {
				assert.EqualValues(t, 7, h.ObservationDomainId)
				assert.EqualValues(t, 10, h.Version)
				n := 0
				for _, fs := range h.FlowSets {
					if ds, ok := fs.(netflow.DataFlowSet); ok {
						n += len(ds.Records)
					}
				}
				if n > 0 {
					assert.Equal(t, dataRecords, h.SequenceNumber)
				}
				dataRecords += uint32(n)
			}
		})
	}
}

// TestTCPReconnects: the collector drops the connection; the next batch reconnects, resends the
// templates and arrives.
func TestTCPReconnects(t *testing.T) {
	col := testutil.StartIPFIXCollector(t, TransportTCP)
	exp, tel := startIPFIX(t, func(c *Config) {
		c.Endpoint = col.Addr
		c.Transport = TransportTCP
	})
	require.NoError(t, exp.ConsumeLogs(context.Background(), testFlows()))
	require.Eventually(t, func() bool { r, _, _ := col.Snapshot(); return len(r) == 2 }, 10*time.Second, 20*time.Millisecond)

	// Restart the collector side on the same address: existing connection gone.
	col.Close()
	col2 := testutil.NewIPFIXDecoder()
	ln, err := net.Listen("tcp", col.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go col2.ReadStream(conn)
		}
	}()
	require.Eventually(t, func() bool {
		_ = exp.ConsumeLogs(context.Background(), testFlows())
		r, _, _ := col2.Snapshot()
		return len(r) >= 2
	}, 15*time.Second, 200*time.Millisecond)
	m, err := tel.GetMetric("otelcol_exporter_ipfix_connects")
	require.NoError(t, err)
	assert.NotNil(t, m)
}

// TestUDPRespectsMTUAndRefreshesTemplates: many flows split into messages that fit the MTU,
// and templates come again every template_refresh.
func TestUDPRespectsMTUAndRefreshesTemplates(t *testing.T) {
	col := testutil.StartIPFIXCollector(t, TransportUDP)
	exp, _ := startIPFIX(t, func(c *Config) {
		c.Endpoint = col.Addr
		c.MTU = 1280
		c.TemplateRefresh = time.Second
		q := c.QueueSettings.Get()
		q.Batch = configoptional.None[exporterhelper.BatchConfig]()
	})
	ld := plog.NewLogs()
	for range 100 {
		testFlows().ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	}
	require.NoError(t, exp.ConsumeLogs(context.Background(), ld))
	var hdrs []netflow.IPFIXPacket
	require.Eventually(t, func() bool {
		var recs []map[testutil.IPFIXField][]byte
		recs, hdrs, _ = col.Snapshot()
		return len(recs) == 200 && templateMessages(hdrs) >= 2
	}, 10*time.Second, 50*time.Millisecond, "records and a template refresh")
	for _, h := range hdrs {
		assert.LessOrEqual(t, int(h.Length), 1280-20-8, "fits one IPv4 UDP datagram")
	}
}

func templateMessages(hdrs []netflow.IPFIXPacket) int {
	n := 0
	for _, h := range hdrs {
		for _, fs := range h.FlowSets {
			if _, ok := fs.(netflow.TemplateFlowSet); ok {
				n++
			}
		}
	}
	return n
}
