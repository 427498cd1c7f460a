// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

// BPF_PROG_TEST_RUN tests of DNS tracking (bpf/dns.h): queries and responses over UDP and TCP,
// IPv4 and IPv6, names (compressed, cut, the longest), malformed and truncated messages, and the
// counters of what could not be matched.

import (
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/dnsname"
)

const (
	flagsQuery    = 0x0100 // RD
	flagsNoError  = 0x8180 // QR RD RA, NOERROR
	flagsNXDomain = 0x8183
)

// wireName encodes a dotted name in DNS wire format.
func wireName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(name, ".") {
		if l != "" {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

// dnsMsg is a DNS message with one question (type A, class IN) whose name is in wire format,
// followed by extra bytes (answers...).
func dnsMsg(id, flags uint16, name []byte, extra ...byte) []byte {
	m := make([]byte, dnsname.HeaderLen)
	binary.BigEndian.PutUint16(m[0:], id)
	binary.BigEndian.PutUint16(m[2:], flags)
	binary.BigEndian.PutUint16(m[4:], 1)
	m = append(m, name...)
	m = append(m, 0, 1, 0, 1)
	return append(m, extra...)
}

// tcpDNS prefixes a message with its length, as DNS over TCP sends it.
func tcpDNS(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
}

var (
	dnsClient = net.ParseIP("192.0.2.10")
	dnsServer = net.ParseIP("192.0.2.53")
)

func dnsFrame(src, dst net.IP, sport, dport uint16, proto layers.IPProtocol, payload []byte) testutil.Frame {
	f := testutil.Frame{SrcMAC: macA, DstMAC: macB, Src: src, Dst: dst, Proto: proto,
		SrcPort: sport, DstPort: dport, Payload: payload}
	if proto == layers.IPProtocolTCP {
		f.TCPFlags = "PA"
	}
	return f
}

func query(proto layers.IPProtocol, sport uint16, msg []byte) testutil.Frame {
	return dnsFrame(dnsClient, dnsServer, sport, 53, proto, msg)
}

func response(proto layers.IPProtocol, sport uint16, msg []byte) testutil.Frame {
	return dnsFrame(dnsServer, dnsClient, 53, sport, proto, msg)
}

// dnsOf returns the DNS entry evicted for flow f.
func dnsOf(t *testing.T, feats map[Key]*Features, f testutil.Frame) *DNSStats {
	t.Helper()
	fs, ok := feats[keyOf(f)]
	require.True(t, ok, "no feature data for %+v", keyOf(f))
	require.NotNil(t, fs.DNS, "no DNS data for %+v", keyOf(f))
	return fs.DNS
}

func nameOf(d *DNSStats) (string, bool) { return dnsname.Decode(d.Name[:d.NameLen]) }

func TestProgDNSQueryResponse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		client   net.IP
		server   net.IP
		proto    layers.IPProtocol
		wrap     func([]byte) []byte
		overhead int // bytes before the DNS message in the frame
	}{
		{"udp4", dnsClient, dnsServer, layers.IPProtocolUDP, nil, 14 + 20 + 8},
		{"udp6", net.ParseIP("2001:db8::10"), net.ParseIP("2001:db8::53"), layers.IPProtocolUDP, nil, 14 + 40 + 8},
		{"tcp4", dnsClient, dnsServer, layers.IPProtocolTCP, tcpDNS, 14 + 20 + 20 + 2},
		{"tcp6", net.ParseIP("2001:db8::10"), net.ParseIP("2001:db8::53"), layers.IPProtocolTCP, tcpDNS, 14 + 40 + 20 + 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := load(t, Settings{DNSPorts: []uint16{53}})
			wrap := c.wrap
			if wrap == nil {
				wrap = func(b []byte) []byte { return b }
			}
			q := dnsFrame(c.client, c.server, 40000, 53, c.proto, wrap(dnsMsg(0x1234, flagsQuery, wireName("exists.flowlens.test"))))
			r := dnsFrame(c.server, c.client, 53, 40000, c.proto, wrap(dnsMsg(0x1234, flagsNoError, wireName("exists.flowlens.test"), 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3)))
			// Another query from another port: its own flow, its own id, never answered.
			q2 := dnsFrame(c.client, c.server, 40001, 53, c.proto, wrap(dnsMsg(0x4321, flagsQuery, wireName("missing.flowlens.test"))))
			other := dnsFrame(c.client, c.server, 40000, 54, c.proto, wrap(dnsMsg(0x1234, flagsQuery, wireName("x"))))

			before := monotonicNs(t)
			send(t, d.Egress(), q.Bytes(t), 1)
			time.Sleep(20 * time.Millisecond)
			send(t, d.Ingress(), r.Bytes(t), 1)
			elapsed := monotonicNs(t) - before
			send(t, d.Egress(), q2.Bytes(t), 1)
			send(t, d.Egress(), other.Bytes(t), 1)

			flows, feats := collectAll(t, d.Evict)
			require.Len(t, flows, 4)
			assert.Len(t, feats, 3, "the flow on port 54 has no DNS data")

			qd := dnsOf(t, feats, q)
			assert.Equal(t, uint16(0x1234), qd.Id)
			assert.Equal(t, uint16(flagsQuery), qd.Flags)
			assert.Zero(t, qd.LatencyNs, "a query has no latency")
			assert.Zero(t, qd.Errno)
			assert.Equal(t, uint8(1), qd.Dir, "egress")
			assert.Equal(t, uint32(loIfindex), qd.Ifindex)
			name, ok := nameOf(qd)
			assert.True(t, ok)
			assert.Equal(t, "exists.flowlens.test", name)

			rd := dnsOf(t, feats, r)
			assert.Equal(t, uint16(0x1234), rd.Id)
			assert.Equal(t, uint16(flagsNoError), rd.Flags)
			assert.GreaterOrEqual(t, rd.LatencyNs, uint64(20*time.Millisecond))
			assert.LessOrEqual(t, rd.LatencyNs, elapsed)
			assert.Equal(t, uint8(0), rd.Dir, "ingress")
			name, ok = nameOf(rd)
			assert.True(t, ok)
			assert.Equal(t, "exists.flowlens.test", name)
			// The name is copied up to the end of the message, never into the frame's padding.
			msgLen := len(r.Bytes(t)) - c.overhead
			assert.LessOrEqual(t, int(rd.NameLen), msgLen-dnsname.HeaderLen)

			q2d := dnsOf(t, feats, q2)
			assert.Equal(t, uint16(0x4321), q2d.Id)
			name, _ = nameOf(q2d)
			assert.Equal(t, "missing.flowlens.test", name)
			assert.Equal(t, Counters{}, counters(t, d))
		})
	}
}

// TestProgDNSResponseSightings: a response seen again on another hook of the node keeps the
// latency of its first sighting and is not counted as unmatched; a response whose query was
// never seen is counted.
func TestProgDNSResponseSightings(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{DNSPorts: []uint16{53}})
	msgQ := dnsMsg(7, flagsQuery, wireName("a.test"))
	msgR := dnsMsg(7, flagsNXDomain, wireName("a.test"))
	q, r := query(layers.IPProtocolUDP, 41000, msgQ), response(layers.IPProtocolUDP, 41000, msgR)

	before := monotonicNs(t)
	send(t, d.Egress(), q.Bytes(t), 1)
	time.Sleep(10 * time.Millisecond)
	send(t, d.Egress(), q.Bytes(t), 1) // the query again (another hook): timing starts at the first
	send(t, d.Ingress(), r.Bytes(t), 1)
	firstResponse := monotonicNs(t)
	time.Sleep(30 * time.Millisecond)
	send(t, d.Ingress(), r.Bytes(t), 1) // the response again: latency kept
	_, feats := collectAll(t, d.Evict)
	rd := dnsOf(t, feats, r)
	assert.GreaterOrEqual(t, rd.LatencyNs, uint64(10*time.Millisecond))
	assert.LessOrEqual(t, rd.LatencyNs, firstResponse-before, "measured from the first query to the first response")
	assert.Equal(t, uint16(flagsNXDomain), rd.Flags)
	assert.Equal(t, "NXDOMAIN", dnsname.Rcode(rd.Flags))
	assert.Equal(t, Counters{}, counters(t, d))

	// A response without a query (another id).
	orphan := response(layers.IPProtocolUDP, 41000, dnsMsg(8, flagsNoError, wireName("a.test")))
	send(t, d.Ingress(), orphan.Bytes(t), 1)
	_, feats = collectAll(t, d.Evict)
	od := dnsOf(t, feats, orphan)
	assert.Equal(t, uint16(8), od.Id)
	assert.Zero(t, od.LatencyNs)
	assert.Equal(t, Counters{DNSUnmatched: 1}, counters(t, d))
}

// TestProgDNSNames: what the kernel copies of the question name, decoded as the receiver does.
func TestProgDNSNames(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{DNSPorts: []uint16{53}})
	longest := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)
	require.Len(t, wireName(longest), 255)
	tooLong := longest + ".e" // 257 bytes: not a legal name; the first 256 are kept
	cases := []struct {
		name    string
		msg     []byte
		want    string
		ok      bool
		nameLen int
	}{
		{"longest legal name", dnsMsg(1, flagsQuery, wireName(longest)), longest, true, 256},
		{"longer than legal: cut at 256 bytes, before its end", dnsMsg(2, flagsQuery, wireName(tooLong)), tooLong, false, 256},
		{"root", dnsMsg(3, flagsQuery, []byte{0}), ".", true, 5},
		// The question "www" + pointer to "flowlens.test" written after the question.
		{"compressed", dnsMsg(4, flagsQuery, []byte{3, 'w', 'w', 'w', 0xc0, 12 + 10}, wireName("flowlens.test")...), "www.flowlens.test", true, 10 + 15},
		{"pointer loop", dnsMsg(5, flagsQuery, []byte{1, 'a', 0xc0, 12}), "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a", false, 8},
		{"pointer outside the message", dnsMsg(6, flagsQuery, []byte{1, 'a', 0xc0, 0xff}), "a", false, 8},
		{"label longer than the message", dnsMsg(7, flagsQuery, []byte{60, 'a', 'b'}), "", false, 7},
		{"no question", dnsMsg(8, flagsQuery, nil)[:dnsname.HeaderLen], "", false, 0},
	}
	var frames []testutil.Frame
	for i, c := range cases {
		f := query(layers.IPProtocolUDP, uint16(42000+i), c.msg)
		frames = append(frames, f)
		send(t, d.Egress(), f.Bytes(t), 1)
	}
	_, feats := collectAll(t, d.Evict)
	for i, c := range cases {
		dd := dnsOf(t, feats, frames[i])
		got, ok := nameOf(dd)
		assert.Equal(t, c.want, got, c.name)
		assert.Equal(t, c.ok, ok, c.name)
		assert.Equal(t, c.nameLen, int(dd.NameLen), c.name)
	}
	assert.Equal(t, Counters{}, counters(t, d))
}

// TestProgDNSMalformed: UDP messages shorter than a DNS header are counted and not recorded; TCP
// segments too short for a DNS header (an ACK, the 6 bytes of Ethernet padding of a SYN, the end
// of a longer message) are not DNS messages at all; truncated frames are cut where they end.
func TestProgDNSMalformed(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{DNSPorts: []uint16{53}})
	short := query(layers.IPProtocolUDP, 43000, []byte{1, 2, 3, 4, 5})
	shortTCP := query(layers.IPProtocolTCP, 43001, tcpDNS([]byte{1, 2, 3, 4, 5}))
	emptyTCP := dnsFrame(dnsClient, dnsServer, 43002, 53, layers.IPProtocolTCP, nil)
	emptyTCP.TCPFlags = "S"
	// The length prefix claims more than the segment holds: the segment's part is read.
	msg := dnsMsg(9, flagsQuery, wireName("partial.flowlens.test"))
	partial := query(layers.IPProtocolTCP, 43003, append(binary.BigEndian.AppendUint16(nil, 1000), msg...))
	// A frame cut inside the name (the UDP length says more): only the bytes present are read.
	cutFrame := query(layers.IPProtocolUDP, 43004, dnsMsg(10, flagsQuery, wireName("cut.flowlens.test")))
	cutBytes := cutFrame.Bytes(t)[:14+20+8+dnsname.HeaderLen+6]

	send(t, d.Egress(), short.Bytes(t), 1)
	send(t, d.Egress(), shortTCP.Bytes(t), 1)
	send(t, d.Egress(), emptyTCP.Bytes(t), 1)
	send(t, d.Egress(), partial.Bytes(t), 1)
	send(t, d.Egress(), cutBytes, 1)
	flows, feats := collectAll(t, d.Evict)
	assert.Len(t, flows, 5, "every packet is still a flow")
	for _, f := range []testutil.Frame{short, shortTCP, emptyTCP} {
		assert.Nil(t, feats[keyOf(f)], "no DNS data for %d", f.SrcPort)
	}
	name, ok := nameOf(dnsOf(t, feats, partial))
	assert.Equal(t, "partial.flowlens.test", name)
	assert.True(t, ok)
	cd := dnsOf(t, feats, cutFrame)
	assert.Equal(t, uint16(6), cd.NameLen)
	name, ok = nameOf(cd)
	assert.Equal(t, "cut", name)
	assert.False(t, ok)
	assert.Equal(t, Counters{DNSMalformed: 1}, counters(t, d), "the short UDP datagram")
}

// TestProgDNSPorts: only the configured ports are DNS.
func TestProgDNSPorts(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{DNSPorts: []uint16{5353, 8053}})
	msg := dnsMsg(11, flagsQuery, wireName("p.test"))
	on53 := query(layers.IPProtocolUDP, 44000, msg)
	on5353 := dnsFrame(dnsClient, dnsServer, 44001, 5353, layers.IPProtocolUDP, msg)
	from8053 := dnsFrame(dnsServer, dnsClient, 8053, 44002, layers.IPProtocolUDP, dnsMsg(11, flagsNoError, wireName("p.test")))
	for _, f := range []testutil.Frame{on53, on5353, from8053} {
		send(t, d.Egress(), f.Bytes(t), 1)
	}
	_, feats := collectAll(t, d.Evict)
	assert.Nil(t, feats[keyOf(on53)])
	assert.Equal(t, uint16(11), dnsOf(t, feats, on5353).Id)
	assert.Equal(t, uint16(11), dnsOf(t, feats, from8053).Id)
	assert.Equal(t, Counters{DNSUnmatched: 1}, counters(t, d))
}
