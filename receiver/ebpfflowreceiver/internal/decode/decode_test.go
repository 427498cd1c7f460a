// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

// Clock: the kernel's monotonic clock reads 1000s when the wall clock reads wallNow.
const (
	monoNow  = int64(1000e9)
	wallNow  = int64(1_700_000_000e9)
	observed = pcommon.Timestamp(1_700_000_001e9)
	dirIn    = 1 << 0 // IfDir bits, as in bpf/types.h
	dirOut   = 1 << 1
)

// wall converts a kernel timestamp to the unix ns the decoder should report.
func wall(mono uint64) int64 { return int64(mono) - monoNow + wallNow }

var ifaces = map[uint32]string{1: "lo", 2: "eth0", 3: "veth1", 4: "cni0", 5: "veth2", 6: "veth3", 7: "veth4", 8: "veth5"}

var localAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("10.0.0.1"): true,
	netip.MustParseAddr("10.0.0.2"): true,
	netip.MustParseAddr("fd00::1"):  true,
	netip.MustParseAddr("fd00::2"):  true,
}

func testEnv() Env {
	return Env{
		IfaceName: func(idx uint32) string { return ifaces[idx] },
		IsLocal:   func(a netip.Addr) bool { return localAddrs[a] },
	}
}

func ip(s string) [16]byte { return netip.MustParseAddr(s).As16() } // IPv4 comes out mapped, as in the kernel

var (
	macA = [6]byte{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
	macB = [6]byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}
)

const (
	macAStr = "0A:1B:2C:3D:4E:5F"
	macBStr = "DE:AD:BE:EF:00:01"
)

// stats is a flow first seen egress on eth0, 1.5s..0.5s before the clock reading.
func stats() datapath.Stats {
	return datapath.Stats{
		FirstSeenNs: uint64(monoNow - 1_500_000_000),
		LastSeenNs:  uint64(monoNow - 500_000_000),
		Bytes:       4242,
		Packets:     7,
		Sampling:    1,
		N_ifaces:    1,
		Ifindex:     [6]uint32{2},
		IfDir:       [6]uint8{dirOut},
		SrcMac:      macA,
		DstMac:      macB,
		Dscp:        46,
		FirstDir:    1,
	}
}

// common are the attributes every flow has, for the stats() above.
func common(extra map[string]any) map[string]any {
	m := map[string]any{
		flow.AttrSrcMAC:       macAStr,
		flow.AttrDstMAC:       macBStr,
		flow.AttrBytes:        int64(4242),
		flow.AttrPackets:      int64(7),
		flow.AttrStart:        wall(uint64(monoNow - 1_500_000_000)),
		flow.AttrEnd:          wall(uint64(monoNow - 500_000_000)),
		flow.AttrSamplingRate: int64(1),
		flow.AttrIfaceName:    "eth0",
		flow.AttrIfaceDir:     flow.DirEgress,
		flow.AttrIfaces:       []any{"eth0"},
		flow.AttrIfaceDirs:    []any{flow.DirEgress},
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

func decodeOne(t *testing.T, env Env, k datapath.Key, s datapath.Stats) plog.LogRecord {
	t.Helper()
	d := New(env)
	d.SetClock(monoNow, wallNow)
	sl := plog.NewLogRecordSlice()
	d.Append(sl, []datapath.Key{k}, []datapath.Stats{s}, nil, observed)
	require.Equal(t, 1, sl.Len())
	return sl.At(0)
}

func TestDecodeProtocols(t *testing.T) {
	t.Parallel()
	arpKey := datapath.Key{EthProto: 0x0806}
	copy(arpKey.SrcIp[:], macA[:]) // non-IP keys carry the MACs where the IPs would be
	copy(arpKey.DstIp[:], macB[:])

	tests := []struct {
		name  string
		key   datapath.Key
		stats func(*datapath.Stats)
		want  map[string]any
	}{{
		name: "ipv4 tcp egress",
		key: datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("93.184.216.34"), SrcPort: 43210, DstPort: 443,
			EthProto: 0x0800, Proto: 6},
		stats: func(s *datapath.Stats) { s.TcpFlags = flow.TCPSyn | flow.TCPAck | flow.TCPSynAck },
		want: common(map[string]any{
			flow.AttrSrcAddress: "10.0.0.1", flow.AttrDstAddress: "93.184.216.34",
			flow.AttrSrcPort: int64(43210), flow.AttrDstPort: int64(443),
			flow.AttrNetworkType: "ipv4", flow.AttrTransport: "tcp", flow.AttrProtocol: int64(6),
			flow.AttrEtherType: int64(0x0800), flow.AttrDSCP: int64(46),
			flow.AttrTCPFlags:      int64(flow.TCPSyn | flow.TCPAck | flow.TCPSynAck),
			flow.AttrFlowDirection: flow.DirEgress,
		}),
	}, {
		name: "ipv6 udp inner",
		key: datapath.Key{SrcIp: ip("fd00::1"), DstIp: ip("fd00::2"), SrcPort: 5353, DstPort: 53,
			EthProto: 0x86DD, Proto: 17},
		// Junk TCP flags must not leak into a UDP flow; sampling is reported as set.
		stats: func(s *datapath.Stats) { s.TcpFlags = 0x12; s.Sampling = 50; s.Dscp = 0 },
		want: common(map[string]any{
			flow.AttrSrcAddress: "fd00::1", flow.AttrDstAddress: "fd00::2",
			flow.AttrSrcPort: int64(5353), flow.AttrDstPort: int64(53),
			flow.AttrNetworkType: "ipv6", flow.AttrTransport: "udp", flow.AttrProtocol: int64(17),
			flow.AttrEtherType: int64(0x86DD), flow.AttrDSCP: int64(0), flow.AttrSamplingRate: int64(50),
			flow.AttrFlowDirection: flow.DirInner,
		}),
	}, {
		name: "icmp ingress",
		key: datapath.Key{SrcIp: ip("192.0.2.9"), DstIp: ip("10.0.0.2"), EthProto: 0x0800, Proto: 1,
			IcmpType: 8, IcmpCode: 0},
		want: common(map[string]any{
			flow.AttrSrcAddress: "192.0.2.9", flow.AttrDstAddress: "10.0.0.2",
			flow.AttrNetworkType: "ipv4", flow.AttrTransport: "icmp", flow.AttrProtocol: int64(1),
			flow.AttrICMPType: int64(8), flow.AttrICMPCode: int64(0),
			flow.AttrEtherType: int64(0x0800), flow.AttrDSCP: int64(46),
			flow.AttrFlowDirection: flow.DirIngress,
		}),
	}, {
		name: "icmpv6 neither end local",
		key: datapath.Key{SrcIp: ip("fe80::1"), DstIp: ip("ff02::1:ff00:2"), EthProto: 0x86DD, Proto: 58,
			IcmpType: 135, IcmpCode: 3},
		want: common(map[string]any{
			flow.AttrSrcAddress: "fe80::1", flow.AttrDstAddress: "ff02::1:ff00:2",
			flow.AttrNetworkType: "ipv6", flow.AttrTransport: "icmpv6", flow.AttrProtocol: int64(58),
			flow.AttrICMPType: int64(135), flow.AttrICMPCode: int64(3),
			flow.AttrEtherType: int64(0x86DD), flow.AttrDSCP: int64(46),
		}),
	}, {
		name: "sctp",
		key: datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("10.0.0.2"), SrcPort: 36412, DstPort: 36412,
			EthProto: 0x0800, Proto: 132},
		want: common(map[string]any{
			flow.AttrSrcAddress: "10.0.0.1", flow.AttrDstAddress: "10.0.0.2",
			flow.AttrSrcPort: int64(36412), flow.AttrDstPort: int64(36412),
			flow.AttrNetworkType: "ipv4", flow.AttrTransport: "sctp", flow.AttrProtocol: int64(132),
			flow.AttrEtherType: int64(0x0800), flow.AttrDSCP: int64(46),
			flow.AttrFlowDirection: flow.DirInner,
		}),
	}, {
		name: "gre: no transport, no ports",
		key: datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("198.51.100.7"), SrcPort: 1, DstPort: 2,
			EthProto: 0x0800, Proto: 47},
		want: common(map[string]any{
			flow.AttrSrcAddress: "10.0.0.1", flow.AttrDstAddress: "198.51.100.7",
			flow.AttrNetworkType: "ipv4", flow.AttrProtocol: int64(47),
			flow.AttrEtherType: int64(0x0800), flow.AttrDSCP: int64(46),
			flow.AttrFlowDirection: flow.DirEgress,
		}),
	}, {
		name: "arp",
		key:  arpKey,
		// The kernel leaves these zero for non-IP frames; set them to prove they are ignored.
		stats: func(s *datapath.Stats) { s.TcpFlags = 0x10; s.Sampling = 0 },
		want: common(map[string]any{
			flow.AttrProtocol:  int64(0),
			flow.AttrEtherType: int64(0x0806),
		}),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stats()
			if tt.stats != nil {
				tt.stats(&s)
			}
			lr := decodeOne(t, testEnv(), tt.key, s)
			assert.Equal(t, tt.want, lr.Attributes().AsRaw())
			assert.Equal(t, pcommon.Timestamp(wall(s.LastSeenNs)), lr.Timestamp(), "timestamp is the flow end")
			assert.Equal(t, observed, lr.ObservedTimestamp())
			assert.Equal(t, pcommon.ValueTypeEmpty, lr.Body().Type())
		})
	}
}

func TestDecodeNoIsLocal(t *testing.T) {
	t.Parallel()
	// Without IsLocal the direction is left to a later processor.
	k := datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("10.0.0.2"), EthProto: 0x0800, Proto: 6}
	lr := decodeOne(t, Env{}, k, stats())
	_, ok := lr.Attributes().Get(flow.AttrFlowDirection)
	assert.False(t, ok)
	// And without IfaceName, interfaces are named by index.
	v, _ := lr.Attributes().Get(flow.AttrIfaceName)
	assert.Equal(t, "if2", v.Str())
}

func TestDecodeIsLocalSeesUnmappedAddresses(t *testing.T) {
	t.Parallel()
	var seen []netip.Addr
	env := Env{IsLocal: func(a netip.Addr) bool { seen = append(seen, a); return false }}
	k := datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("fd00::2"), EthProto: 0x0800, Proto: 6}
	decodeOne(t, env, k, stats())
	// IPv4 arrives IPv4-mapped from the kernel; the host's address set holds plain IPv4.
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fd00::2")}, seen)
}

func TestDecodeClock(t *testing.T) {
	t.Parallel()
	d := New(testEnv())
	s := stats()
	k := datapath.Key{EthProto: 0x0806}
	sl := plog.NewLogRecordSlice()
	d.Append(sl, []datapath.Key{k}, []datapath.Stats{s}, nil, observed)
	// No SetClock yet: kernel times pass through unchanged.
	assert.Equal(t, pcommon.Timestamp(s.LastSeenNs), sl.At(0).Timestamp())

	d.SetClock(5e9, 7e9) // wall is 2s ahead of mono
	d.Append(sl, []datapath.Key{k}, []datapath.Stats{s}, nil, observed)
	require.Equal(t, 2, sl.Len(), "Append adds to what the slice holds")
	a := sl.At(1).Attributes().AsRaw()
	assert.Equal(t, int64(s.FirstSeenNs)+2e9, a[flow.AttrStart])
	assert.Equal(t, int64(s.LastSeenNs)+2e9, a[flow.AttrEnd])
	assert.Equal(t, pcommon.Timestamp(int64(s.LastSeenNs)+2e9), sl.At(1).Timestamp())
}

func TestDecodeInterfaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        uint32
		ifindex  []uint32
		ifdir    []uint8
		firstDir uint8
		counting string // network.interface.name
		names    []any
		dirs     []any
	}{{
		name: "one", n: 1, ifindex: []uint32{2}, ifdir: []uint8{dirOut}, firstDir: 1,
		counting: "eth0", names: []any{"eth0"}, dirs: []any{"egress"},
	}, {
		name: "pod to outside, counting interface first", n: 3,
		ifindex: []uint32{3, 4, 2}, ifdir: []uint8{dirIn, dirIn, dirOut},
		counting: "veth1", names: []any{"veth1", "cni0", "eth0"}, dirs: []any{"ingress", "ingress", "egress"},
	}, {
		name: "racing CPUs appended the same interface twice", n: 3,
		ifindex: []uint32{3, 2, 2}, ifdir: []uint8{dirIn, dirOut, dirOut},
		counting: "veth1", names: []any{"veth1", "eth0"}, dirs: []any{"ingress", "egress"},
	}, {
		name: "duplicates merge their direction bits", n: 3,
		ifindex: []uint32{3, 2, 2}, ifdir: []uint8{dirIn, dirIn, dirOut},
		counting: "veth1", names: []any{"veth1", "eth0", "eth0"}, dirs: []any{"ingress", "ingress", "egress"},
	}, {
		name: "duplicate of the counting interface", n: 2,
		ifindex: []uint32{3, 3}, ifdir: []uint8{dirIn, dirOut},
		counting: "veth1", names: []any{"veth1", "veth1"}, dirs: []any{"ingress", "egress"},
	}, {
		name: "hairpin: both directions on one interface", n: 2,
		ifindex: []uint32{3, 4}, ifdir: []uint8{dirIn, dirIn | dirOut},
		counting: "veth1", names: []any{"veth1", "cni0", "cni0"}, dirs: []any{"ingress", "ingress", "egress"},
	}, {
		// The counting direction comes first even when it is egress.
		name: "both directions on the counting interface", n: 1,
		ifindex: []uint32{4}, ifdir: []uint8{dirIn | dirOut}, firstDir: 1,
		counting: "cni0", names: []any{"cni0", "cni0"}, dirs: []any{"egress", "ingress"},
	}, {
		name: "unknown ifindex", n: 2, ifindex: []uint32{42, 2}, ifdir: []uint8{dirIn, dirOut},
		counting: "if42", names: []any{"if42", "eth0"}, dirs: []any{"ingress", "egress"},
	}, {
		// A slot reserved by a CPU that had not written it yet when the map was read.
		name: "reserved but unwritten slot", n: 2, ifindex: []uint32{2, 0}, ifdir: []uint8{dirIn, 0},
		counting: "eth0", names: []any{"eth0"}, dirs: []any{"ingress"},
	}, {
		name: "more interfaces than slots", n: 9,
		ifindex: []uint32{3, 4, 2, 5, 6, 7}, ifdir: []uint8{dirIn, dirIn, dirOut, dirOut, dirOut, dirOut},
		counting: "veth1", names: []any{"veth1", "cni0", "eth0", "veth2", "veth3", "veth4"},
		dirs: []any{"ingress", "ingress", "egress", "egress", "egress", "egress"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stats()
			s.N_ifaces = tt.n
			s.Ifindex = [6]uint32{}
			s.IfDir = [6]uint8{}
			copy(s.Ifindex[:], tt.ifindex)
			copy(s.IfDir[:], tt.ifdir)
			s.FirstDir = tt.firstDir
			k := datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("10.0.0.2"), EthProto: 0x0800, Proto: 6}
			a := decodeOne(t, testEnv(), k, s).Attributes().AsRaw()
			assert.Equal(t, tt.counting, a[flow.AttrIfaceName])
			assert.Equal(t, dirName(tt.firstDir), a[flow.AttrIfaceDir])
			assert.Equal(t, tt.names, a[flow.AttrIfaces])
			assert.Equal(t, tt.dirs, a[flow.AttrIfaceDirs])
		})
	}
}

func TestDecodeCachesStrings(t *testing.T) {
	t.Parallel()
	d := New(testEnv())
	k := datapath.Key{SrcIp: ip("10.0.0.1"), DstIp: ip("2001:db8::1"), EthProto: 0x86DD, Proto: 17}
	sl := plog.NewLogRecordSlice()
	d.Append(sl, []datapath.Key{k, k}, []datapath.Stats{stats(), stats()}, nil, observed)
	assert.Equal(t, sl.At(0).Attributes().AsRaw(), sl.At(1).Attributes().AsRaw())
	assert.Len(t, d.addrs.m, 2)
	assert.Len(t, d.macs.m, 2)
}

func TestStringCache(t *testing.T) {
	t.Parallel()
	c := newStringCache[int](2)
	c.store(1, "a")
	c.store(2, "b")
	s, ok := c.lookup(2)
	assert.True(t, ok)
	assert.Equal(t, "b", s)
	c.store(3, "c") // full: cleared, then stored
	_, ok = c.lookup(1)
	assert.False(t, ok)
	s, ok = c.lookup(3)
	assert.True(t, ok)
	assert.Equal(t, "c", s)
	assert.Len(t, c.m, 1)
}

func TestMACString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, macAStr, macString(macA))
	assert.Equal(t, "00:00:00:00:00:00", macString([6]byte{}))
	assert.Equal(t, "FF:FF:FF:FF:FF:FF", macString([6]byte{255, 255, 255, 255, 255, 255}))
}

func TestNodeDirection(t *testing.T) {
	t.Parallel()
	assert.Equal(t, flow.DirInner, nodeDirection(true, true))
	assert.Equal(t, flow.DirEgress, nodeDirection(true, false))
	assert.Equal(t, flow.DirIngress, nodeDirection(false, true))
	assert.Empty(t, nodeDirection(false, false))
}

// benchFlows are 1000 TCP/UDP flows between 64 local and 256 remote addresses, seen on two
// interfaces: the address cache is warm after the first op, as on a busy node.
func benchFlows() ([]datapath.Key, []datapath.Stats) {
	const n = 1000
	keys := make([]datapath.Key, n)
	vals := make([]datapath.Stats, n)
	for i := range keys {
		src := netip.AddrFrom4([4]byte{10, 1, 0, byte(i % 64)})
		dst := netip.AddrFrom4([4]byte{192, 0, byte(i % 2), byte(i % 256)})
		proto := uint8(6)
		if i%4 == 0 {
			proto = 17
		}
		keys[i] = datapath.Key{SrcIp: src.As16(), DstIp: dst.As16(), SrcPort: uint16(30000 + i),
			DstPort: 443, EthProto: 0x0800, Proto: proto}
		s := stats()
		s.N_ifaces = 2
		s.Ifindex = [6]uint32{3, 2}
		s.IfDir = [6]uint8{dirIn, dirOut}
		s.FirstDir = 0
		s.TcpFlags = flow.TCPAck | flow.TCPPsh
		s.SrcMac[5] = byte(i % 64)
		vals[i] = s
	}
	return keys, vals
}

func BenchmarkDecode(b *testing.B) {
	keys, vals := benchFlows()
	d := New(testEnv())
	d.SetClock(monoNow, wallNow)
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	ops := 0
	for b.Loop() {
		sl := plog.NewLogRecordSlice()
		d.Append(sl, keys, vals, nil, observed)
		ops++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms1)
	flows := float64(ops * len(keys))
	b.ReportMetric(float64(elapsed.Nanoseconds())/flows, "ns/flow")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/flows, "allocs/flow")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/flows, "B/flow")
}
