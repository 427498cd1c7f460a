// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

// BPF_PROG_TEST_RUN tests of the flow filter (bpf/filter.h): every kind of rule, with packets
// that match and packets that do not, Accept and Reject, longest-prefix precedence, per-rule
// sampling, and the counters.

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func u8(v uint8) *uint8 { return &v }

func pkt(src, dst string, proto layers.IPProtocol, sport, dport uint16) testutil.Frame {
	f := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: net.ParseIP(src), Dst: net.ParseIP(dst),
		Proto: proto, SrcPort: sport, DstPort: dport}
	if proto == layers.IPProtocolTCP {
		f.TCPFlags = "A"
	}
	return f
}

func withFlags(f testutil.Frame, flags string) testutil.Frame { f.TCPFlags = flags; return f }

func icmpPkt(src, dst string, typ, code uint8) testutil.Frame {
	return testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: net.ParseIP(src), Dst: net.ParseIP(dst),
		Proto: layers.IPProtocolICMPv4, ICMPType: typ, ICMPCode: code}
}

type filterStep struct {
	f      testutil.Frame
	egress bool
	want   bool // recorded
}

func in(f testutil.Frame, want bool) filterStep  { return filterStep{f, false, want} }
func out(f testutil.Frame, want bool) filterStep { return filterStep{f, true, want} }

const (
	tcp  = layers.IPProtocolTCP
	udp  = layers.IPProtocolUDP
	sctp = layers.IPProtocolSCTP
)

func TestProgFilterRules(t *testing.T) {
	t.Parallel()
	arp := testutil.Frame{SrcMAC: macA, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		EtherType: layers.EthernetTypeARP, Payload: make([]byte, 28)}
	cases := []struct {
		name    string
		rules   []FilterRule
		steps   []filterStep
		rejects uint64 // packets rejected by a Reject rule (the others not recorded match nothing)
	}{
		{"cidr, either end, IPv4 and IPv6", []FilterRule{
			{CIDR: pfx("10.1.0.0/16")}, {CIDR: pfx("fd00:1::/32")}}, []filterStep{
			in(pkt("10.1.2.3", "192.0.2.1", tcp, 1, 2), true),
			in(pkt("192.0.2.1", "10.1.2.3", tcp, 2, 1), true),
			in(pkt("10.2.2.3", "192.0.2.1", tcp, 1, 2), false),
			in(pkt("fd00:1::5", "2001:db8::1", udp, 1, 2), true),
			in(pkt("fd00:2::5", "2001:db8::1", udp, 1, 2), false),
			in(arp, false),
		}, 0},
		{"longest prefix wins: Reject inside Accept", []FilterRule{
			{CIDR: pfx("10.0.0.0/8")}, {CIDR: pfx("10.1.0.0/16"), Action: ActionReject}}, []filterStep{
			in(pkt("10.2.0.1", "192.0.2.1", udp, 1, 2), true),
			in(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), false),
			in(pkt("192.0.2.1", "10.1.0.1", udp, 2, 1), false),
		}, 2},
		{"source decides before destination", []FilterRule{
			{CIDR: pfx("10.1.0.0/16"), Action: ActionReject}, {CIDR: pfx("10.2.0.0/16")}}, []filterStep{
			in(pkt("10.1.0.1", "10.2.0.1", udp, 1, 2), false),
			in(pkt("10.2.0.1", "10.1.0.1", udp, 2, 1), true),
		}, 1},
		{"several rules with one cidr: the first that matches", []FilterRule{
			{CIDR: pfx("10.1.0.0/16"), Protocol: 6, Action: ActionReject}, {CIDR: pfx("10.1.0.0/16")}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 1, 2), false),
			in(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), true),
		}, 1},
		{"no cidr: every frame, non-IP ones too", []FilterRule{{Protocol: 0}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 1, 2), true),
			in(pkt("fd00::1", "fd00::2", tcp, 1, 2), true),
			in(arp, true),
		}, 0},
		{"peer_cidr", []FilterRule{{CIDR: pfx("10.1.0.0/16"), PeerCIDR: pfx("192.0.2.0/24")},
			{CIDR: pfx("10.2.0.0/16"), PeerCIDR: pfx("192.0.2.128/25")}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), true),
			in(pkt("192.0.2.200", "10.1.0.1", udp, 2, 1), true), // nested peer prefixes: both rules see it
			in(pkt("10.1.0.1", "198.51.100.1", udp, 1, 2), false),
			in(pkt("10.2.0.1", "192.0.2.200", udp, 1, 2), true),
			in(pkt("10.2.0.1", "192.0.2.1", udp, 1, 2), false),
		}, 0},
		{"protocol", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Protocol: 17}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 1, 2), false),
		}, 0},
		{"direction", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Direction: DirectionEgress}}, []filterStep{
			out(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), true),
			in(pkt("10.1.0.1", "192.0.2.1", udp, 3, 4), false),
		}, 0},
		{"ports: one port, either end", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Ports: []PortRange{{80, 80}}}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 80), true),
			in(pkt("192.0.2.1", "10.1.0.1", tcp, 80, 40000), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 81), false),
		}, 0},
		{"ports: range and list", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Ports: []PortRange{{8000, 8010}, {443, 443}, {53, 53}}}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 8000), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 8010), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 8011), false),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 443), true),
			in(pkt("10.1.0.1", "192.0.2.1", sctp, 53, 40000), true),
			in(pkt("10.1.0.1", "192.0.2.1", udp, 40000, 54), false),
		}, 0},
		{"source and destination ports", []FilterRule{{CIDR: pfx("10.1.0.0/16"), SrcPorts: []PortRange{{1000, 2000}}, DstPorts: []PortRange{{80, 80}, {443, 443}}}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 1500, 443), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 1500, 444), false),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 2001, 80), false),
			in(pkt("192.0.2.1", "10.1.0.1", tcp, 443, 1500), false),
		}, 0},
		{"icmp type and code", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Protocol: 1, ICMPType: u8(3), ICMPCode: u8(1)},
			{CIDR: pfx("10.2.0.0/16"), ICMPType: u8(8)}}, []filterStep{
			in(icmpPkt("10.1.0.1", "192.0.2.1", 3, 1), true),
			in(icmpPkt("10.1.0.1", "192.0.2.1", 3, 3), false),
			in(icmpPkt("10.1.0.1", "192.0.2.1", 0, 0), false),
			in(icmpPkt("10.2.0.1", "192.0.2.1", 8, 0), true),
			in(icmpPkt("10.2.0.1", "192.0.2.1", 0, 0), false),
			in(pkt("10.2.0.1", "192.0.2.1", udp, 8, 8), false),
		}, 0},
		{"tcp flags", []FilterRule{{CIDR: pfx("10.1.0.0/16"), TCPFlags: TCPSyn}, {CIDR: pfx("10.2.0.0/16"), TCPFlags: TCPSynAck}}, []filterStep{
			in(withFlags(pkt("10.1.0.1", "192.0.2.1", tcp, 1, 2), "S"), true),
			in(withFlags(pkt("10.1.0.1", "192.0.2.1", tcp, 3, 4), "SA"), true),
			in(withFlags(pkt("10.1.0.1", "192.0.2.1", tcp, 5, 6), "A"), false),
			in(withFlags(pkt("10.2.0.1", "192.0.2.1", tcp, 1, 2), "SA"), true),
			in(withFlags(pkt("10.2.0.1", "192.0.2.1", tcp, 3, 4), "S"), false),
			in(pkt("10.2.0.1", "192.0.2.1", udp, 5, 6), false),
		}, 0},
		{"drops only: no packet matches in TC", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Drops: true}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), false),
		}, 0},
		{"reject everything but one port", []FilterRule{{CIDR: pfx("10.1.0.0/16"), Ports: []PortRange{{22, 22}}}, {CIDR: pfx("10.1.0.0/16"), Action: ActionReject}}, []filterStep{
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 22), true),
			in(pkt("10.1.0.1", "192.0.2.1", tcp, 40000, 23), false),
		}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := load(t, Settings{Filter: c.rules})
			want := map[Key]bool{}
			var accepted uint64
			for _, s := range c.steps {
				prog, dir := d.Ingress(), uint8(0)
				if s.egress {
					prog, dir = d.Egress(), 1
				}
				send(t, prog, s.f.Bytes(t), 1)
				k := keyOn(s.f, loIfindex, dir)
				if s.want {
					want[k] = true
					accepted++
				}
			}
			flows := evictAll(t, d)
			got := map[Key]bool{}
			for k := range flows {
				got[k] = true
			}
			assert.Equal(t, want, got)
			n := uint64(len(c.steps))
			assert.Equal(t, Counters{FilterAccept: accepted, FilterReject: c.rejects,
				FilterNoMatch: n - accepted - c.rejects}, counters(t, d))
		})
	}
}

// TestProgFilterSampling: a rule's sampling replaces the global rate for the packets it accepts,
// and is recorded on their flow; other rules keep the global rate.
func TestProgFilterSampling(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{Sampling: 1, Filter: []FilterRule{
		{CIDR: pfx("10.1.0.0/16"), Sampling: 10},
		{CIDR: pfx("10.2.0.0/16")},
	}})
	sampled, all := pkt("10.1.0.1", "192.0.2.1", udp, 1, 2), pkt("10.2.0.1", "192.0.2.1", udp, 1, 2)
	const n = 20000
	send(t, d.Ingress(), sampled.Bytes(t), n)
	send(t, d.Ingress(), all.Bytes(t), 100)
	flows := evictAll(t, d)
	s := flows[keyOf(sampled)]
	// Binomial(20000, 0.1): mean 2000, sd 42; ±25% is ±11 sd.
	assert.InDelta(t, n/10, s.Packets, n/10*0.25)
	assert.Equal(t, uint32(10), s.Sampling)
	s = flows[keyOf(all)]
	assert.Equal(t, uint32(100), s.Packets)
	assert.Equal(t, uint32(1), s.Sampling)
	c := counters(t, d)
	assert.Equal(t, uint64(n+100), c.FilterAccept, "the filter sees every packet; sampling comes after")
}

// TestFilterTries checks the trie entries against the semantics they implement.
func TestFilterTries(t *testing.T) {
	t.Parallel()
	cidrs, peers := FilterTries([]FilterRule{
		{CIDR: pfx("10.0.0.0/8"), PeerCIDR: pfx("192.0.2.0/24")},
		{CIDR: pfx("10.0.0.0/8"), PeerCIDR: pfx("192.0.2.128/25")},
		{},
		{CIDR: pfx("fd00::/8"), PeerCIDR: pfx("::/0")},
	})
	assert.Equal(t, map[LPMKey]uint32{
		lpmKey(pfx("10.0.0.0/8")): 0b0011,
		lpmKey(anyPrefix):         0b0100,
		lpmKey(pfx("fd00::/8")):   0b1000,
	}, cidrs)
	assert.Equal(t, map[LPMKey]uint32{
		lpmKey(pfx("192.0.2.0/24")):   0b0001,
		lpmKey(pfx("192.0.2.128/25")): 0b0011,
		lpmKey(pfx("::/0")):           0b1000,
	}, peers)
	assert.Equal(t, uint32(96+8), lpmKey(pfx("10.0.0.0/8")).Prefixlen)
	assert.Equal(t, fmt.Sprint(netip.MustParseAddr("::ffff:10.0.0.0").As16()), fmt.Sprint(lpmKey(pfx("10.1.2.3/8")).Ip))
	require.Len(t, fullRules(), MaxFilterRules)
}
