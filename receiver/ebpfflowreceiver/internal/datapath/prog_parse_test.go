// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/flowlens/flowlens/internal/testutil"
)

// Header lengths, to cut and patch crafted frames.
const (
	ethLen  = 14
	vlanLen = 4
	ipv4Len = 20
	ipv6Len = 40
)

func ipFrame(src, dst net.IP, proto layers.IPProtocol) testutil.Frame {
	f := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: src, Dst: dst, Proto: proto, SrcPort: 40000, DstPort: 8080}
	switch proto {
	case layers.IPProtocolTCP:
		f.TCPFlags = "PA"
	case layers.IPProtocolICMPv4:
		f.ICMPType, f.ICMPCode = 3, 1 // destination unreachable, host unreachable
	case layers.IPProtocolICMPv6:
		f.ICMPType, f.ICMPCode = 1, 4 // destination unreachable, port unreachable
	}
	return f
}

func TestProgParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    testutil.Frame
	}{
		{"ipv4/tcp", testutil.Frame{Src: v4A, Dst: v4B, Proto: layers.IPProtocolTCP, SrcPort: 40000, DstPort: 443, TCPFlags: "PA", TOS: 0xb8, Payload: make([]byte, 100)}},
		{"ipv4/udp", testutil.Frame{Src: v4A, Dst: v4B, Proto: layers.IPProtocolUDP, SrcPort: 5353, DstPort: 53, TOS: 0x28}},
		{"ipv4/icmp", testutil.Frame{Src: v4A, Dst: v4B, Proto: layers.IPProtocolICMPv4, ICMPType: 3, ICMPCode: 1, TOS: 0xc0}},
		{"ipv4/sctp", testutil.Frame{Src: v4A, Dst: v4B, Proto: layers.IPProtocolSCTP, SrcPort: 36412, DstPort: 38412, TOS: 0x20}},
		{"ipv6/tcp", testutil.Frame{Src: v6A, Dst: v6B, Proto: layers.IPProtocolTCP, SrcPort: 40000, DstPort: 443, TCPFlags: "S", TOS: 0xb8}},
		{"ipv6/udp", testutil.Frame{Src: v6A, Dst: v6B, Proto: layers.IPProtocolUDP, SrcPort: 4789, DstPort: 4789, TOS: 0x48, Payload: make([]byte, 300)}},
		{"ipv6/icmpv6", testutil.Frame{Src: v6A, Dst: v6B, Proto: layers.IPProtocolICMPv6, ICMPType: 1, ICMPCode: 4, TOS: 0x04}},
		{"ipv6/sctp", testutil.Frame{Src: v6A, Dst: v6B, Proto: layers.IPProtocolSCTP, SrcPort: 2905, DstPort: 2906}},
	}
	for _, c := range cases {
		c.f.SrcMAC, c.f.DstMAC = macA, macB
		for dir, dirName := range []string{"ingress", "egress"} {
			t.Run(c.name+"/"+dirName, func(t *testing.T) {
				t.Parallel()
				d := load(t, Settings{})
				prog := d.Ingress()
				if dir == 1 {
					prog = d.Egress()
				}
				frame := c.f.Bytes(t)
				since := monotonicNs(t)
				send(t, prog, frame, 3)
				s := onlyFlow(t, evictAll(t, d), keyOf(c.f))
				assert.Equal(t, statsOf(c.f, frame, 3, uint8(dir), loIfindex), withoutTimes(t, s, since))
				assert.Equal(t, Counters{}, counters(t, d))
			})
		}
	}
}

// TestProgKeyLayout spells out two keys and values byte by byte, so that keyOf and statsOf
// cannot share a misreading of types.h with the program.
func TestProgKeyLayout(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{})
	v4 := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: v4A, Dst: v4B, Proto: layers.IPProtocolTCP,
		SrcPort: 40000, DstPort: 443, TCPFlags: "SA", TOS: 0xb8 /* DSCP EF (46), ECN 0 */}
	v6 := testutil.Frame{SrcMAC: macB, DstMAC: macA, Src: v6A, Dst: v6B, Proto: layers.IPProtocolICMPv6,
		ICMPType: 128, TOS: 0x29 /* DSCP AF11 (10), ECN 1 */}
	send(t, d.Ingress(), v4.Bytes(t), 1)
	send(t, d.Egress(), v6.Bytes(t), 1)
	flows := evictAll(t, d)

	s4, ok := flows[Key{
		SrcIp:    [16]byte{10: 0xff, 11: 0xff, 12: 192, 13: 0, 14: 2, 15: 10},
		DstIp:    [16]byte{10: 0xff, 11: 0xff, 12: 198, 13: 51, 14: 100, 15: 20},
		SrcPort:  40000,
		DstPort:  443,
		EthProto: 0x0800,
		Proto:    6,
	}]
	require.True(t, ok, "IPv4 key not found in %+v", flows)
	assert.Equal(t, uint8(46), s4.Dscp)
	assert.Equal(t, uint32(0x112), s4.TcpFlags)
	assert.Equal(t, [6]byte{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, s4.SrcMac)
	assert.Equal(t, [6]byte{0x02, 0x66, 0x77, 0x88, 0x99, 0xaa}, s4.DstMac)
	assert.Equal(t, uint8(0), s4.FirstDir)
	assert.Equal(t, [MaxIfaces]uint8{1}, s4.IfDir)

	s6, ok := flows[Key{
		SrcIp:    [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x10},
		DstIp:    [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 15: 0x20},
		EthProto: 0x86dd,
		Proto:    58,
		IcmpType: 128,
	}]
	require.True(t, ok, "IPv6 key not found in %+v", flows)
	assert.Equal(t, uint8(10), s6.Dscp)
	assert.Equal(t, uint8(1), s6.FirstDir)
	assert.Equal(t, [MaxIfaces]uint8{2}, s6.IfDir)
	assert.Equal(t, [MaxIfaces]uint32{loIfindex}, s6.Ifindex)
}

func TestProgVLAN(t *testing.T) {
	t.Parallel()
	bases := map[string]testutil.Frame{
		"ipv4": ipFrame(v4A, v4B, layers.IPProtocolUDP),
		"ipv6": ipFrame(v6A, v6B, layers.IPProtocolTCP),
	}
	for name, f := range bases {
		f.Payload = make([]byte, 64) // longer than the 60-byte minimum: no padding to hide the tags
		bases[name] = f
	}
	tags := map[string]struct {
		vlans     []uint16
		ethertype uint16 // outermost
	}{
		"802.1Q": {[]uint16{100}, 0x8100},
		"QinQ":   {[]uint16{200, 100}, 0x88a8},
	}
	for bname, base := range bases {
		for tname, tag := range tags {
			t.Run(bname+"/"+tname, func(t *testing.T) {
				t.Parallel()
				d := load(t, Settings{})
				untagged := base.Bytes(t)
				tf := base
				tf.VLANs = tag.vlans
				tagged := tf.Bytes(t)
				require.Equal(t, tag.ethertype, binary.BigEndian.Uint16(tagged[12:]), "crafted frame")
				require.Len(t, tagged, len(untagged)+vlanLen*len(tag.vlans))

				send(t, d.Ingress(), untagged, 1)
				send(t, d.Ingress(), tagged, 2)
				// One flow: the tags are not part of the key.
				s := onlyFlow(t, evictAll(t, d), keyOf(base))
				assert.Equal(t, uint32(3), s.Packets)
				assert.Equal(t, uint64(len(untagged)+2*len(tagged)), s.Bytes)
				assert.Equal(t, [6]byte(macA), s.SrcMac)
				assert.Equal(t, [6]byte(macB), s.DstMac)
				assert.Equal(t, Counters{}, counters(t, d))
			})
		}
	}
}

func arpPayload(t *testing.T) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, (&layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: macA, SourceProtAddress: v4A.To4(),
		DstHwAddress: make([]byte, 6), DstProtAddress: v4B.To4(),
	}).SerializeTo(buf, gopacket.SerializeOptions{}))
	return buf.Bytes()
}

// Non-IP frames are flows too, keyed by ethertype and MACs.
func TestProgNonIP(t *testing.T) {
	t.Parallel()
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	cases := []struct {
		name string
		f    testutil.Frame
	}{
		{"arp", testutil.Frame{SrcMAC: macA, DstMAC: bcast, EtherType: layers.EthernetTypeARP, Payload: arpPayload(t)}},
		{"arp/802.1Q", testutil.Frame{SrcMAC: macA, DstMAC: bcast, VLANs: []uint16{7}, EtherType: layers.EthernetTypeARP, Payload: arpPayload(t)}},
		{"arp/QinQ", testutil.Frame{SrcMAC: macA, DstMAC: bcast, VLANs: []uint16{8, 7}, EtherType: layers.EthernetTypeARP, Payload: arpPayload(t)}},
		{"lldp", testutil.Frame{SrcMAC: macB, DstMAC: net.HardwareAddr{0x01, 0x80, 0xc2, 0, 0, 0x0e}, EtherType: layers.EthernetTypeLinkLayerDiscovery, Payload: []byte{2, 7, 4, 1, 2, 3, 4, 5, 6}}},
		// Only two tags are parsed: a third one stays, and 802.1Q is the flow's ethertype.
		{"three tags", testutil.Frame{SrcMAC: macA, DstMAC: macB, VLANs: []uint16{1, 2, 3}, EtherType: layers.EthernetTypeDot1Q, Payload: arpPayload(t)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := load(t, Settings{})
			frame := c.f.Bytes(t)
			since := monotonicNs(t)
			send(t, d.Ingress(), frame, 2)
			k := keyOf(c.f)
			// Spelled out rather than trusting keyOf alone.
			assert.Equal(t, uint16(c.f.EtherType), k.EthProto)
			assert.Equal(t, []byte(c.f.SrcMAC), k.SrcIp[:6])
			assert.Equal(t, []byte(c.f.DstMAC), k.DstIp[:6])
			s := onlyFlow(t, evictAll(t, d), k)
			assert.Equal(t, statsOf(c.f, frame, 2, 0, loIfindex), withoutTimes(t, s, since))
			assert.Equal(t, Counters{}, counters(t, d))
		})
	}
}

// patch returns a copy of frame with fn applied to it.
func patch(frame []byte, fn func(b []byte) []byte) []byte {
	return fn(append([]byte(nil), frame...))
}

func cut(frame []byte, n int) []byte { return append([]byte(nil), frame[:n]...) }

// TestProgEdgeFrames runs one frame per case and checks either the exact flow recorded or, for
// a malformed frame (want nil), that nothing is recorded and the malformed counter says 1.
func TestProgEdgeFrames(t *testing.T) {
	t.Parallel()
	tcp4f, udp4f := ipFrame(v4A, v4B, layers.IPProtocolTCP), ipFrame(v4A, v4B, layers.IPProtocolUDP)
	icmp4f, sctp4f := ipFrame(v4A, v4B, layers.IPProtocolICMPv4), ipFrame(v4A, v4B, layers.IPProtocolSCTP)
	tcp6f, udp6f := ipFrame(v6A, v6B, layers.IPProtocolTCP), ipFrame(v6A, v6B, layers.IPProtocolUDP)
	icmp6f := ipFrame(v6A, v6B, layers.IPProtocolICMPv6)
	tcp4, udp4, icmp4, sctp4 := tcp4f.Bytes(t), udp4f.Bytes(t), icmp4f.Bytes(t), sctp4f.Bytes(t)
	tcp6, udp6, icmp6 := tcp6f.Bytes(t), udp6f.Bytes(t), icmp6f.Bytes(t)
	q := udp4f
	q.VLANs = []uint16{100}
	tagged4 := q.Bytes(t)
	q.VLANs = []uint16{200, 100}
	qinq4 := q.Bytes(t)
	q6 := udp6f
	q6.VLANs = []uint16{100}
	tagged6 := q6.Bytes(t)
	q6.VLANs = []uint16{200, 100}
	qinq6 := q6.Bytes(t)

	noPorts := func(f testutil.Frame) *Key {
		k := keyOf(f)
		k.SrcPort, k.DstPort = 0, 0
		return &k
	}
	keyPtr := func(f testutil.Frame) *Key { k := keyOf(f); return &k }
	// fragOff sets the IPv4 flags+fragment offset field.
	fragOff := func(v uint16) func([]byte) []byte {
		return func(b []byte) []byte { binary.BigEndian.PutUint16(b[ethLen+6:], v); return b }
	}
	rng := rand.New(rand.NewPCG(7, 7))
	garbage := make([]byte, 64)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}

	cases := []struct {
		name    string
		frame   []byte
		want    *Key // nil: malformed
		refused bool // the kernel may refuse the frame (EINVAL) before running the program
	}{
		// Truncated headers. Linux 6.18 refuses untagged IPv4/IPv6 test-run frames shorter than
		// the IP header (older kernels ran them); behind a VLAN tag it does not look, so the
		// tagged variants are what exercise the program's IP header bounds checks.
		{"ethernet only, ipv4 ethertype", cut(tcp4, ethLen), nil, true},
		{"ethernet only, ipv6 ethertype", cut(tcp6, ethLen), nil, true},
		{"ipv4 header cut after 1 byte", cut(udp4, ethLen+1), nil, true},
		{"ipv4 header cut", cut(udp4, ethLen+ipv4Len-1), nil, true},
		{"ipv6 header cut", cut(udp6, ethLen+ipv6Len-1), nil, true},
		{"802.1Q then nothing, ipv4 ethertype", cut(tagged4, ethLen+vlanLen), nil, false},
		{"802.1Q then ipv4 header cut", cut(tagged4, ethLen+vlanLen+ipv4Len-1), nil, false},
		{"802.1Q then ipv6 header cut", cut(tagged6, ethLen+vlanLen+ipv6Len-1), nil, false},
		{"QinQ then ipv6 header cut", cut(qinq6, ethLen+2*vlanLen+10), nil, false},
		{"tcp header cut (ipv4)", cut(tcp4, ethLen+ipv4Len+19), nil, false},
		{"udp header cut (ipv4)", cut(udp4, ethLen+ipv4Len+7), nil, false},
		{"icmp header cut (ipv4)", cut(icmp4, ethLen+ipv4Len+1), nil, false},
		{"sctp ports cut (ipv4)", cut(sctp4, ethLen+ipv4Len+3), nil, false},
		{"tcp header cut (ipv6)", cut(tcp6, ethLen+ipv6Len+19), nil, false},
		{"udp header cut (ipv6)", cut(udp6, ethLen+ipv6Len+7), nil, false},
		{"icmpv6 header cut", cut(icmp6, ethLen+ipv6Len+1), nil, false},
		{"802.1Q tag missing", cut(tagged4, ethLen), nil, false},
		{"802.1Q tag cut", cut(tagged4, ethLen+2), nil, false},
		{"QinQ inner tag cut", cut(qinq4, ethLen+vlanLen+2), nil, false},
		// Headers that claim more than there is.
		{"ipv4 IHL below 5", patch(udp4, func(b []byte) []byte { b[ethLen] = 0x44; return b }), nil, false},
		{"ipv4 IHL 15 past a tcp frame's end", patch(tcp4, func(b []byte) []byte { b[ethLen] = 0x4f; return b }), nil, false},
		{"garbage with ipv4 ethertype", patch(garbage, func(b []byte) []byte {
			b[12], b[13], b[ethLen] = 0x08, 0x00, 0x40|b[ethLen]&0x03
			return b
		}), nil, false},

		// Exactly long enough.
		{"tcp header ends the frame", cut(tcp4, ethLen+ipv4Len+20), keyPtr(tcp4f), false},
		{"icmp type and code end the frame", cut(icmp6, ethLen+ipv6Len+2), keyPtr(icmp6f), false},
		{"sctp ports end the frame", cut(sctp4, ethLen+ipv4Len+4), keyPtr(sctp4f), false},
		// Fragments: only the first one carries ports.
		{"ipv4 first fragment", patch(udp4, fragOff(0x2000)), keyPtr(udp4f), false},
		{"ipv4 don't fragment", patch(udp4, fragOff(0x4000)), keyPtr(udp4f), false},
		{"ipv4 middle fragment", patch(udp4, fragOff(0x2000|185)), noPorts(udp4f), false},
		{"ipv4 last fragment", patch(tcp4, fragOff(185)), noPorts(tcp4f), false},
		{"ipv4 later fragment, ip header only", cut(patch(udp4, fragOff(1)), ethLen+ipv4Len), noPorts(udp4f), false},
		// IPv4 options are skipped by IHL.
		{"ipv4 options", patch(udp4, func(b []byte) []byte {
			b = append(b[:ethLen+ipv4Len:ethLen+ipv4Len], append([]byte{1, 1, 1, 1}, b[ethLen+ipv4Len:]...)...)
			b[ethLen] = 0x46
			binary.BigEndian.PutUint16(b[ethLen+2:], binary.BigEndian.Uint16(b[ethLen+2:])+4)
			return b
		}), keyPtr(udp4f), false},
		// Unknown protocols are flows without ports.
		{"ipv4 gre, ip header only", cut(patch(udp4, func(b []byte) []byte { b[ethLen+9] = 47; return b }), ethLen+ipv4Len),
			func() *Key { k := noPorts(udp4f); k.Proto = 47; return k }(), false},
		// IPv6 extension headers are walked (parse.h): the flow gets the transport protocol and
		// its ports behind them.
		{"ipv6 hop-by-hop walked", withExt6(udp6, 0, []byte{17, 0, 1, 4, 0, 0, 0, 0}), keyPtr(udp6f), false},
		{"ipv6 hop-by-hop then destination options", withExt6(withExt6(udp6, 60, []byte{17, 0, 1, 4, 0, 0, 0, 0}), 0,
			[]byte{60, 0, 1, 4, 0, 0, 0, 0}), keyPtr(udp6f), false},
		{"ipv6 routing header of 16 bytes", withExt6(udp6, 43, append([]byte{17, 1, 0, 0, 0, 0, 0, 0}, make([]byte, 8)...)), keyPtr(udp6f), false},
		{"ipv6 first fragment", withExt6(udp6, 44, []byte{17, 0, 0, 0, 0, 0, 0, 1}), keyPtr(udp6f), false},
		{"ipv6 later fragment", withExt6(udp6, 44, []byte{17, 0, 0, 8, 0, 0, 0, 1}), noPorts(udp6f), false},
		{"ipv6 extension header cut", cut(withExt6(udp6, 0, []byte{17, 0, 1, 4, 0, 0, 0, 0}), ethLen+ipv6Len+7), nil, false},
		{"ipv6 extension header longer than the frame", withExt6(udp6, 0, []byte{17, 30, 1, 4, 0, 0, 0, 0}), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := load(t, Settings{})
			err := runProg(d.Ingress(), c.frame, 0)
			refused := c.refused && errors.Is(err, unix.EINVAL)
			if !refused {
				require.NoError(t, err)
			}
			if c.refused {
				t.Logf("%d-byte frame refused by the kernel: %v", len(c.frame), refused)
			}
			flows := evictAll(t, d)
			if c.want == nil {
				assert.Empty(t, flows)
				want := Counters{Malformed: 1}
				if refused {
					want.Malformed = 0 // the program never ran
				}
				assert.Equal(t, want, counters(t, d))
				return
			}
			s := onlyFlow(t, flows, *c.want)
			assert.Equal(t, uint32(1), s.Packets)
			assert.Equal(t, uint64(len(c.frame)), s.Bytes)
			assert.Equal(t, Counters{}, counters(t, d))
		})
	}
}

// The kernel refuses test-run data shorter than an Ethernet header: the program never runs.
func TestProgShorterThanEthernet(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{})
	frame := ipFrame(v4A, v4B, layers.IPProtocolUDP).Bytes(t)
	for _, n := range []int{0, 1, ethLen - 1} {
		_, err := d.Ingress().Run(&ebpf.RunOptions{Data: cut(frame, n)})
		assert.ErrorIs(t, err, unix.EINVAL, "%d bytes", n)
	}
	assert.Empty(t, evictAll(t, d))
	assert.Equal(t, Counters{}, counters(t, d))
}

// Link-scoped packets (multicast or broadcast destination, unspecified source) get the
// interface and direction in their key; other packets do not.
func TestProgLinkScoped(t *testing.T) {
	t.Parallel()
	ip := net.ParseIP
	udp := func(src, dst string, sport, dport uint16) testutil.Frame {
		return testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: ip(src), Dst: ip(dst), Proto: layers.IPProtocolUDP, SrcPort: sport, DstPort: dport}
	}
	icmp6 := func(src, dst string, typ uint8) testutil.Frame {
		return testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: ip(src), Dst: ip(dst), Proto: layers.IPProtocolICMPv6, ICMPType: typ}
	}
	cases := []struct {
		name   string
		f      testutil.Frame
		scoped bool
	}{
		{"ipv4 unicast", udp("192.0.2.10", "198.51.100.20", 5000, 53), false},
		{"ipv4 mdns", udp("192.0.2.10", "224.0.0.251", 5353, 5353), true},
		{"ipv4 link-local multicast", udp("192.0.2.10", "224.0.0.251", 5353, 5353), true},
		{"ipv4 routable multicast 239/8", udp("192.0.2.10", "239.1.2.3", 5000, 5000), false},
		{"ipv4 dhcp discover", udp("0.0.0.0", "255.255.255.255", 68, 67), true},
		{"ipv4 unspecified source", udp("0.0.0.0", "198.51.100.20", 68, 67), true},
		{"ipv4 directed broadcast", udp("192.0.2.10", "192.0.2.255", 137, 137), false},
		{"ipv6 unicast", icmp6("2001:db8::1", "2001:db8::2", 128), false},
		{"ipv6 router advertisement", icmp6("fe80::1", "ff02::1", 134), true},
		{"ipv6 mld report from ::", icmp6("::", "ff02::16", 143), true},
		{"ipv6 site-local multicast", icmp6("2001:db8::1", "ff05::1:3", 128), false},
		{"ipv6 unspecified source", icmp6("::", "2001:db8::2", 135), true},
		{"arp broadcast", testutil.Frame{SrcMAC: macA, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
			EtherType: layers.EthernetTypeARP, Payload: arpPayload(t)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.scoped, linkScoped(keyOfFrame(c.f)), "test model of link_scoped()")
			d := load(t, Settings{})
			frame := c.f.Bytes(t)
			send(t, d.Ingress(), frame, 2)
			send(t, d.Egress(), frame, 1)
			flows := evictAll(t, d)
			if !c.scoped {
				// One flow, counted in the direction it was first seen.
				s := onlyFlow(t, flows, keyOfFrame(c.f))
				assert.Equal(t, uint32(2), s.Packets)
				assert.Equal(t, [MaxIfaces]uint8{3}, s.IfDir)
				return
			}
			// One flow per direction of the link, each counting its own packets.
			require.Len(t, flows, 2)
			in, ok := flows[keyOn(c.f, loIfindex, 0)]
			require.True(t, ok, "ingress key missing from %+v", flows)
			out, ok := flows[keyOn(c.f, loIfindex, 1)]
			require.True(t, ok, "egress key missing from %+v", flows)
			assert.Equal(t, statsOf(c.f, frame, 2, 0, loIfindex), withoutTimes(t, in, 0))
			assert.Equal(t, statsOf(c.f, frame, 1, 1, loIfindex), withoutTimes(t, out, 0))
		})
	}
}

// withExt6 inserts one IPv6 extension header (its first byte is the next header) right after the
// fixed header of an untagged frame, whose next header becomes typ.
func withExt6(frame []byte, typ byte, ext []byte) []byte {
	return patch(frame, func(b []byte) []byte {
		b = append(b[:ethLen+ipv6Len:ethLen+ipv6Len], append(append([]byte{}, ext...), b[ethLen+ipv6Len:]...)...)
		ext[0], b[ethLen+6] = b[ethLen+6], typ
		b[ethLen+ipv6Len] = ext[0]
		binary.BigEndian.PutUint16(b[ethLen+4:], binary.BigEndian.Uint16(b[ethLen+4:])+uint16(len(ext)))
		return b
	})
}
