// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

func decodeFeatures(t *testing.T, k datapath.Key, s datapath.Stats, f *datapath.Features) map[string]any {
	t.Helper()
	env := testEnv()
	env.DropCause = func(r uint32) string { return map[uint32]string{12: "NETFILTER_DROP"}[r] }
	d := New(env)
	d.SetClock(monoNow, wallNow)
	sl := plog.NewLogRecordSlice()
	d.Append(sl, []datapath.Key{k}, []datapath.Stats{s}, []*datapath.Features{f}, observed)
	require.Equal(t, 1, sl.Len())
	return sl.At(0).Attributes().AsRaw()
}

func udpKey() datapath.Key {
	return datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("10.0.0.53"), SrcPort: 40000, DstPort: 53, EthProto: 0x0800, Proto: 17}
}

func TestDecodeFeatures(t *testing.T) {
	t.Parallel()
	dns := &datapath.DNSStats{Id: 0xbeef, Flags: 0x8183, LatencyNs: 21_000_000, NameLen: 13}
	copy(dns.Name[:], "\x07missing\x04test\x00\x00\x01")
	a := decodeFeatures(t, udpKey(), stats(), &datapath.Features{
		Drops: &datapath.DropStats{Bytes: 300, Packets: 3, LatestCause: 12, LatestFlags: 0x12, LatestState: 1},
		RTT:   &datapath.RTTStats{RttNs: 20_500_000},
		DNS:   dns,
		Xlat:  &datapath.XlatStats{SrcIp: ip("10.0.0.1"), DstIp: ip("10.244.1.7"), SrcPort: 40000, DstPort: 8080, ZoneId: 3},
	})
	want := map[string]any{
		flow.AttrDropBytes: int64(300), flow.AttrDropPackets: int64(3), flow.AttrDropCause: "NETFILTER_DROP",
		flow.AttrDropState: "TCP_ESTABLISHED", flow.AttrDropLatestFlags: int64(0x12),
		flow.AttrRTT:   int64(20_500_000),
		flow.AttrDNSID: int64(0xbeef), flow.AttrDNSFlags: int64(0x8183), flow.AttrDNSRcode: "NXDOMAIN",
		flow.AttrDNSLatency: int64(21_000_000), flow.AttrDNSErrno: int64(0), flow.AttrDNSName: "missing.test",
		flow.AttrXlatSrcAddress: "10.0.0.1", flow.AttrXlatSrcPort: int64(40000),
		flow.AttrXlatDstAddress: "10.244.1.7", flow.AttrXlatDstPort: int64(8080), flow.AttrXlatZoneID: int64(3),
	}
	for k, v := range want {
		assert.Equal(t, v, a[k], k)
	}
	// The flow's own attributes are all there.
	assert.Equal(t, "eth0", a[flow.AttrIfaceName])
	assert.Equal(t, macAStr, a[flow.AttrSrcMAC])
	assert.Equal(t, int64(7), a[flow.AttrPackets])
}

func TestDecodeFeaturesQueryAndUnknownCause(t *testing.T) {
	t.Parallel()
	q := &datapath.DNSStats{Id: 1, Flags: 0x0100, NameLen: 1, Errno: 7}
	a := decodeFeatures(t, udpKey(), stats(), &datapath.Features{
		DNS:   q,
		Drops: &datapath.DropStats{Packets: 1, LatestCause: 99},
	})
	assert.NotContains(t, a, flow.AttrDNSRcode, "a query has no response code")
	assert.NotContains(t, a, flow.AttrDNSLatency)
	assert.Equal(t, ".", a[flow.AttrDNSName])
	assert.Equal(t, int64(7), a[flow.AttrDNSErrno])
	assert.Equal(t, "99", a[flow.AttrDropCause], "a reason the kernel does not name")
	assert.NotContains(t, a, flow.AttrDropState, "no socket")
}

// TestDecodeNoTraffic: a record made of feature data only (a drop before any TC hook) has no
// MACs, DSCP or TCP flags, zero bytes and packets, and its interface when the drop knew it.
func TestDecodeNoTraffic(t *testing.T) {
	t.Parallel()
	k := udpKey()
	k.Proto, k.SrcPort, k.DstPort = 6, 40000, 80
	s := datapath.Stats{FirstSeenNs: uint64(monoNow - 1e9), LastSeenNs: uint64(monoNow - 1e9), Sampling: 1,
		N_ifaces: 1, Ifindex: [6]uint32{3}}
	a := decodeFeatures(t, k, s, &datapath.Features{NoTraffic: true,
		Drops: &datapath.DropStats{Bytes: 60, Packets: 1, LatestCause: 12, LatestFlags: 0x02}})
	for _, absent := range []string{flow.AttrSrcMAC, flow.AttrDstMAC, flow.AttrDSCP, flow.AttrTCPFlags,
		flow.AttrIfaceDir, flow.AttrIfaces, flow.AttrIfaceDirs} {
		assert.NotContains(t, a, absent)
	}
	assert.Equal(t, "veth1", a[flow.AttrIfaceName])
	assert.Equal(t, int64(0), a[flow.AttrPackets])
	assert.Equal(t, int64(1), a[flow.AttrDropPackets])
	assert.Equal(t, "10.0.0.1", a[flow.AttrSrcAddress])
	assert.Equal(t, int64(80), a[flow.AttrDstPort])
	assert.Equal(t, wall(uint64(monoNow-1e9)), a[flow.AttrStart])

	s.N_ifaces, s.Ifindex[0] = 0, 0 // an RTT sample: no interface at all
	a = decodeFeatures(t, k, s, &datapath.Features{NoTraffic: true, RTT: &datapath.RTTStats{RttNs: 1000}})
	assert.NotContains(t, a, flow.AttrIfaceName)
	assert.Equal(t, int64(1000), a[flow.AttrRTT])
}

func TestTCPStateName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", TCPStateName(0))
	assert.Equal(t, "TCP_SYN_SENT", TCPStateName(2))
	assert.Equal(t, "TCP_NEW_SYN_RECV", TCPStateName(12))
	assert.Equal(t, "TCP_STATE_42", TCPStateName(42))
}
