// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

// BPF_PROG_TEST_RUN tests of bpf/flow.c through the datapath package. This file has the shared
// helpers and the TCP flag and sampling tests; prog_parse_test.go covers the parser and link
// scoping, prog_random_test.go compares the parser with a Go model on random frames,
// prog_map_test.go the double buffering and the overflow ring buffer, prog_iface_test.go the
// interface list.

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/flowlens/flowlens/internal/testutil"
)

// verdict is TC_ACT_UNSPEC (-1): the programs never change what happens to a packet.
const verdict = uint32(0xffffffff)

// loIfindex is the device BPF_PROG_TEST_RUN uses without a context: the caller's loopback.
const loIfindex = 1

var (
	macA = net.HardwareAddr{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}
	macB = net.HardwareAddr{0x02, 0x66, 0x77, 0x88, 0x99, 0xaa}
	v4A  = net.ParseIP("192.0.2.10")
	v4B  = net.ParseIP("198.51.100.20")
	v6A  = net.ParseIP("2001:db8::10")
	v6B  = net.ParseIP("2001:db8:1::20")
)

// skbContext mirrors struct __sk_buff (linux/bpf.h, 192 bytes). BPF_PROG_TEST_RUN takes it as
// context for SCHED_CLS programs but rejects (EINVAL) any non-zero field other than mark,
// priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp.
// The fields are laid out so that binary encoding needs no implicit padding.
type skbContext struct {
	Len, PktType, Mark, QueueMapping    uint32
	Protocol, VlanPresent, VlanTCI      uint32
	VlanProto, Priority, IngressIfidx   uint32
	Ifindex, TCIndex                    uint32
	CB                                  [5]uint32
	Hash, TCClassid, Data, DataEnd      uint32
	NapiID, Family, RemoteIP4, LocalIP4 uint32
	RemoteIP6, LocalIP6                 [4]uint32
	RemotePort, LocalPort, DataMeta     uint32
	FlowKeys                            uint64
	Tstamp                              uint64
	WireLen, GSOSegs                    uint32
	SK                                  uint64
	GSOSize                             uint32
	TstampType                          uint8
	_                                   [3]byte
	Hwtstamp                            uint64
}

// runProg runs prog once on frame, on device ifindex (0: the default, loopback), and checks the
// verdict. It returns errors instead of failing t so that it works on a namespaced goroutine.
func runProg(prog *ebpf.Program, frame []byte, ifindex uint32) error {
	opts := &ebpf.RunOptions{Data: frame}
	if ifindex != 0 {
		opts.Context = skbContext{Ifindex: ifindex}
	}
	ret, err := prog.Run(opts)
	if err != nil {
		return err
	}
	if ret != verdict {
		return fmt.Errorf("verdict %#x, want %#x (TC_ACT_UNSPEC)", ret, verdict)
	}
	return nil
}

// send runs prog n times on frame. One syscall per run (not RunOptions.Repeat) so that the count
// is exact: cilium/ebpf restarts an interrupted multi-run syscall from zero.
func send(t testing.TB, prog *ebpf.Program, frame []byte, n int) {
	t.Helper()
	for range n {
		require.NoError(t, runProg(prog, frame, 0))
	}
}

func counters(t testing.TB, d *Datapath) Counters {
	t.Helper()
	c, err := d.Counters()
	require.NoError(t, err)
	return c
}

func monotonicNs(t testing.TB) uint64 {
	t.Helper()
	var ts unix.Timespec
	require.NoError(t, unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts))
	return uint64(ts.Nano())
}

// keyOf is the flow key the program should build for f seen on loopback by the ingress program
// (VLAN tags play no part).
func keyOf(f testutil.Frame) Key { return keyOn(f, loIfindex, 0) }

// keyOn is the flow key the program should build for f seen on device ifindex in direction dir:
// only link-scoped packets have the interface and direction in their key.
func keyOn(f testutil.Frame, ifindex uint32, dir uint8) Key {
	k := keyOfFrame(f)
	if linkScoped(k) {
		k.LinkIfindex, k.LinkDir = ifindex, dir
	}
	return k
}

// linkScoped models link_scoped() from its comment in types.h: multicast or broadcast
// destination, or unspecified source; IP only.
func linkScoped(k Key) bool {
	switch k.EthProto {
	case 0x0800:
		return [3]byte(k.DstIp[12:15]) == [3]byte{224, 0, 0} || [4]byte(k.DstIp[12:]) == [4]byte{255, 255, 255, 255} ||
			[4]byte(k.SrcIp[12:]) == [4]byte{}
	case 0x86dd:
		return k.DstIp[0] == 0xff && k.DstIp[1]&0x0f <= 2 || k.SrcIp == [16]byte{}
	}
	return false
}

func keyOfFrame(f testutil.Frame) Key {
	var k Key
	if f.Src == nil {
		k.EthProto = uint16(f.EtherType)
		copy(k.SrcIp[:], f.SrcMAC)
		copy(k.DstIp[:], f.DstMAC)
		return k
	}
	copy(k.SrcIp[:], f.Src.To16()) // To16 of an IPv4 address is its IPv4-mapped form
	copy(k.DstIp[:], f.Dst.To16())
	k.EthProto = uint16(layers.EthernetTypeIPv6)
	if f.Src.To4() != nil {
		k.EthProto = uint16(layers.EthernetTypeIPv4)
	}
	k.Proto = uint8(f.Proto)
	switch f.Proto {
	case layers.IPProtocolTCP, layers.IPProtocolUDP, layers.IPProtocolSCTP:
		k.SrcPort, k.DstPort = f.SrcPort, f.DstPort
	case layers.IPProtocolICMPv4, layers.IPProtocolICMPv6:
		k.IcmpType, k.IcmpCode = f.ICMPType, f.ICMPCode
	}
	return k
}

// tcpFlags is what the program records for one packet with these flag letters: the header bits
// plus the combined SYN+ACK (0x100), FIN+ACK (0x200) and RST+ACK (0x400).
func tcpFlags(letters string) uint32 {
	bits := map[rune]uint32{'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, 'A': 0x10, 'U': 0x20, 'E': 0x40, 'C': 0x80}
	var f uint32
	for _, c := range letters {
		f |= bits[c]
	}
	if f&0x12 == 0x12 {
		f |= 0x100
	}
	if f&0x11 == 0x11 {
		f |= 0x200
	}
	if f&0x14 == 0x14 {
		f |= 0x400
	}
	return f
}

// statsOf is the value of a flow made of n copies of frame (built from f) seen by the program of
// direction dir (0 ingress, 1 egress) on device ifindex, timestamps left out.
func statsOf(f testutil.Frame, frame []byte, n int, dir uint8, ifindex uint32) Stats {
	s := Stats{
		Bytes:    uint64(n * len(frame)),
		Packets:  uint32(n),
		Sampling: 1,
		N_ifaces: 1,
		Dscp:     f.TOS >> 2,
		FirstDir: dir,
	}
	if f.Proto == layers.IPProtocolTCP {
		s.TcpFlags = tcpFlags(f.TCPFlags)
	}
	s.Ifindex[0] = ifindex
	s.IfDir[0] = 1 << dir
	copy(s.SrcMac[:], f.SrcMAC)
	copy(s.DstMac[:], f.DstMAC)
	return s
}

// withoutTimes checks that the timestamps of s lie in [since, now] (bpf_ktime_get_ns is
// CLOCK_MONOTONIC) and returns s with them zeroed, for comparison with statsOf.
func withoutTimes(t testing.TB, s Stats, since uint64) Stats {
	t.Helper()
	// The kernel's NMI-safe clock may trail CLOCK_MONOTONIC by a hair during an update.
	const slack = uint64(time.Millisecond)
	now := monotonicNs(t)
	assert.GreaterOrEqual(t, s.FirstSeenNs+slack, since, "first_seen_ns before the test sent anything")
	assert.GreaterOrEqual(t, s.LastSeenNs, s.FirstSeenNs, "last_seen_ns before first_seen_ns")
	assert.LessOrEqual(t, s.LastSeenNs, now+slack, "last_seen_ns in the future")
	s.FirstSeenNs, s.LastSeenNs = 0, 0
	return s
}

// onlyFlow asserts that flows holds exactly one flow, with key want, and returns its value.
func onlyFlow(t testing.TB, flows map[Key]Stats, want Key) Stats {
	t.Helper()
	require.Len(t, flows, 1, "flows: %+v", flows)
	s, ok := flows[want]
	require.True(t, ok, "want key %+v, got %+v", want, flows)
	return s
}

func tcpFrame(srcPort uint16, flags string) testutil.Frame {
	return testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: v4A, Dst: v4B, Proto: layers.IPProtocolTCP,
		SrcPort: srcPort, DstPort: 443, TCPFlags: flags}
}

func TestProgTCPFlags(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{})
	since := monotonicNs(t)

	// One packet per flow: each flag set alone, and the combined bits.
	single := []struct {
		flags string
		want  uint32
	}{
		{"", 0},
		{"S", 0x002},
		{"SA", 0x112},
		{"A", 0x010},
		{"PA", 0x018},
		{"FA", 0x211},
		{"RA", 0x414},
		{"R", 0x004},
		{"F", 0x001},
		{"FSRPAUEC", 0x7ff},
	}
	for i, c := range single {
		send(t, d.Ingress(), tcpFrame(uint16(1000+i), c.flags).Bytes(t), 1)
	}

	// One flow through a whole connection: the flags accumulate.
	sequence := []string{"S", "SA", "A", "PA", "FA", "RA"}
	var frames []testutil.Frame
	for _, flags := range sequence {
		f := tcpFrame(2000, flags)
		frames = append(frames, f)
		send(t, d.Ingress(), f.Bytes(t), 1)
	}

	flows := evictAll(t, d)
	require.Len(t, flows, len(single)+1)
	for i, c := range single {
		s, ok := flows[keyOf(tcpFrame(uint16(1000+i), c.flags))]
		require.True(t, ok, "flags %q: no flow", c.flags)
		assert.Equal(t, c.want, s.TcpFlags, "flags %q", c.flags)
		assert.Equal(t, c.want, tcpFlags(c.flags), "test helper disagrees for %q", c.flags)
	}
	s, ok := flows[keyOf(frames[0])]
	require.True(t, ok)
	assert.Equal(t, uint32(0x02|0x10|0x08|0x01|0x04|0x100|0x200|0x400), s.TcpFlags)
	assert.Equal(t, uint32(len(sequence)), s.Packets)
	_ = withoutTimes(t, s, since)
	assert.Equal(t, Counters{}, counters(t, d))
}

func TestProgSampling(t *testing.T) {
	t.Parallel()
	f := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: v4A, Dst: v4B, Proto: layers.IPProtocolUDP,
		SrcPort: 5353, DstPort: 53}

	// 0 and 1 both mean "every packet", and record sampling 1.
	for _, sampling := range []uint32{0, 1} {
		t.Run(fmt.Sprintf("every packet/%d", sampling), func(t *testing.T) {
			t.Parallel()
			d := load(t, Settings{Sampling: sampling})
			frame := f.Bytes(t)
			send(t, d.Egress(), frame, 1000)
			s := onlyFlow(t, evictAll(t, d), keyOf(f))
			assert.Equal(t, uint32(1000), s.Packets)
			assert.Equal(t, uint64(1000*len(frame)), s.Bytes)
			assert.Equal(t, uint32(1), s.Sampling)
		})
	}

	t.Run("1 in 10", func(t *testing.T) {
		t.Parallel()
		d := load(t, Settings{Sampling: 10})
		frame := f.Bytes(t)
		const n = 20000
		start := time.Now()
		send(t, d.Ingress(), frame, n)
		t.Logf("%d runs in %s", n, time.Since(start))
		s := onlyFlow(t, evictAll(t, d), keyOf(f))
		// Binomial(20000, 0.1): mean 2000, sd 42; ±25% is ±11 sd, never a flake.
		assert.InDelta(t, n/10, s.Packets, n/10*0.25)
		assert.Equal(t, uint64(s.Packets)*uint64(len(frame)), s.Bytes)
		// The recorded counts are the sampled ones; userspace scales them by sampling.
		assert.Equal(t, uint32(10), s.Sampling)
		assert.Equal(t, Counters{}, counters(t, d))
	})
}
