// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// BenchmarkFeatures: the TC program's cost per packet of an existing flow with each feature on,
// next to all features off (which must cost what BenchmarkFlowHit/hash-prealloc costs), through
// BPF_PROG_TEST_RUN. Tracing hooks (drops, socket RTT, translation) add nothing to TC: their cost
// is measured on real traffic by BenchmarkTracingHooks.
func BenchmarkFeatures(b *testing.B) {
	testutil.RequireRoot(b)
	tcpPkt := benchFrame(b)
	dnsQ := testutil.Frame{Src: net.ParseIP("10.0.0.1"), Dst: net.ParseIP("10.0.0.53"), Proto: layers.IPProtocolUDP,
		SrcPort: 40000, DstPort: 53, Payload: dnsMsg(0x1234, flagsQuery, wireName("kubernetes.default.svc.cluster.local"))}.Bytes(b)
	dnsR := testutil.Frame{Src: net.ParseIP("10.0.0.53"), Dst: net.ParseIP("10.0.0.1"), Proto: layers.IPProtocolUDP,
		SrcPort: 53, DstPort: 40000, Payload: dnsMsg(0x1234, flagsNoError, wireName("kubernetes.default.svc.cluster.local"),
			0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 96, 0, 1)}.Bytes(b)
	// A filter of 16 rules on other addresses, then the one that accepts the benchmark's packets:
	// the packet's candidates are found by the trie, the other rules cost nothing.
	var many []FilterRule
	for i := range MaxFilterRules - 1 {
		many = append(many, FilterRule{CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(i), 0}), 24), Ports: []PortRange{{1, 2}}})
	}
	many = append(many, FilterRule{CIDR: netip.MustParsePrefix("10.0.0.0/8"), Protocol: 6, Ports: []PortRange{{80, 80}, {443, 443}}})
	cases := []struct {
		name string
		s    Settings
		pkt  []byte
	}{
		{"off", Settings{}, tcpPkt},
		{"PacketDrop (tracing only)", Settings{Drops: HookDropRawTP}, tcpPkt},
		{"FlowRTT raw tracepoint (tracing only)", Settings{RTT: HookRTTRawTP}, tcpPkt},
		{"FlowRTT TC handshake", Settings{RTT: HookRTTHandshake}, tcpPkt},
		{"DNSTracking, not DNS", Settings{DNSPorts: []uint16{53}}, tcpPkt},
		{"DNSTracking, query", Settings{DNSPorts: []uint16{53}}, dnsQ},
		{"DNSTracking, response", Settings{DNSPorts: []uint16{53}}, dnsR},
		{"DNSTracking off, query", Settings{}, dnsQ},
		{"filter, 1 rule", Settings{Filter: []FilterRule{{CIDR: netip.MustParsePrefix("10.0.0.0/8")}}}, tcpPkt},
		{"filter, 16 rules", Settings{Filter: many}, tcpPkt},
		{"filter, 1 rule with sampling 1", Settings{Filter: []FilterRule{{CIDR: netip.MustParsePrefix("10.0.0.0/8"), Sampling: 1}}}, tcpPkt},
		{"all TC features", Settings{DNSPorts: []uint16{53}, RTT: HookRTTHandshake, Filter: many}, tcpPkt},
	}
	b.Run("floor", func(b *testing.B) {
		_, per, err := floorProgram(b).Benchmark(tcpPkt, max(b.N, 1), b.ResetTimer)
		require.NoError(b, err)
		reportPerPacket(b, per)
	})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.s.MaxFlows = 1 << 16
			d, err := Load(c.s)
			require.NoError(b, err)
			defer d.Close()
			_, per, err := d.Ingress().Benchmark(c.pkt, max(b.N, 1), b.ResetTimer)
			require.NoError(b, err)
			reportPerPacket(b, per)
		})
	}
}

// BenchmarkDNSNewQuery: each run is a query with a new id (one run per syscall, like
// BenchmarkFlowInsert): the cost of remembering a query the first time it is seen, and of the
// response that matches it.
func BenchmarkDNSNewQuery(b *testing.B) {
	testutil.RequireRoot(b)
	name := wireName("kubernetes.default.svc.cluster.local")
	q := testutil.Frame{Src: net.ParseIP("10.0.0.1"), Dst: net.ParseIP("10.0.0.53"), Proto: layers.IPProtocolUDP,
		SrcPort: 40000, DstPort: 53, Payload: dnsMsg(0, flagsQuery, name)}.Bytes(b)
	r := testutil.Frame{Src: net.ParseIP("10.0.0.53"), Dst: net.ParseIP("10.0.0.1"), Proto: layers.IPProtocolUDP,
		SrcPort: 53, DstPort: 40000, Payload: dnsMsg(0, flagsNoError, name)}.Bytes(b)
	const idOff = 14 + 20 + 8 // Ethernet, IPv4, UDP
	for _, c := range []struct {
		name string
		on   bool
		mt   ebpf.MapType
	}{{"off", false, 0}, {"on, LRU hash", true, 0}, {"on, hash", true, ebpf.Hash}} {
		b.Run(c.name, func(b *testing.B) {
			s := Settings{MaxFlows: 1 << 16, dnsQueries: c.mt}
			if c.on {
				s.DNSPorts = []uint16{53}
			}
			d, err := Load(s)
			require.NoError(b, err)
			defer d.Close()
			var tq, tr time.Duration
			n := min(b.N, 1<<16)
			b.ResetTimer()
			for i := range n {
				binary.BigEndian.PutUint16(q[idOff:], uint16(i))
				binary.BigEndian.PutUint16(r[idOff:], uint16(i))
				_, per, err := d.Egress().Benchmark(q, 1, nil)
				require.NoError(b, err)
				tq += per
				_, per, err = d.Ingress().Benchmark(r, 1, nil)
				require.NoError(b, err)
				tr += per
			}
			b.ReportMetric(float64(tq.Nanoseconds())/float64(n), "query-ns/pkt")
			b.ReportMetric(float64(tr.Nanoseconds())/float64(n), "response-ns/pkt")
			b.ReportMetric(0, "ns/op")
		})
	}
}
