// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFeatureFlowFilter runs one collector with a rule of each kind, each on its own server
// address, and sends traffic that matches and traffic that does not to every address. Only what
// a rule accepts is recorded; Reject wins inside a broader Accept; per-rule sampling applies
// its rate and reports it; a drops-only rule records what the kernel dropped and nothing else.
func TestFeatureFlowFilter(t *testing.T) {
	testutil.RequireRoot(t)
	p := testutil.NewPair(t, 33)
	ip := func(last int) string { return fmt.Sprintf("10.199.33.%d", last) }
	for _, last := range []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 65, 70} {
		testutil.Exec(t, p.NS2, "ip", "addr", "add", ip(last)+"/24", "dev", p.If2)
	}
	other := ip(201) // a second client address, outside every peer_cidr
	testutil.Exec(t, p.NS1, "ip", "addr", "add", other+"/24", "dev", p.If1)
	out := filepath.Join(t.TempDir(), "flows.json")
	rules := fmt.Sprintf(`    flow_filter:
      rules:
        - {cidr: %[1]s.2/32, ports: 7000}
        - {cidr: %[1]s.3/32, destination_ports: "7000,7002"}
        - {cidr: %[1]s.4/32, protocol: UDP}
        - {cidr: %[1]s.5/32, direction: Egress}
        - {cidr: %[1]s.6/32, protocol: ICMP, icmp_type: 8, icmp_code: 0}
        - {cidr: %[1]s.7/32, protocol: TCP, tcp_flags: SYN}
        - {cidr: %[1]s.64/26, action: Accept}
        - {cidr: %[1]s.70/32, action: Reject}
        - {cidr: %[1]s.8/32, peer_cidr: %[1]s.1}
        - {cidr: %[1]s.9/32, sampling: 4}
        - {cidr: %[1]s.10/32, drops: true}`, "10.199.33")
	c := startCollector(t, p.NS1, featureConfig(out, []string{"PacketDrop"}, rules))
	c.waitLog(t, 15*time.Second, "Flow filter enabled", `"rules": 11`)
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	p.Up(t)
	testutil.Exec(t, p.NS2, "nft", `add table inet fldrop { chain in { type filter hook input priority 0; ip daddr 10.199.33.10 udp dport 7000 counter drop comment "drop"; }; }`)

	tcpServer := func(addr string) string { return testutil.ServeTCP(t, p.NS2, addr).Addr }
	udpSink := func(addr string) { testutil.ServeUDP(t, p.NS2, addr) }
	exchange := func(addr string) int {
		port, err := testutil.TCPExchange(p.NS1, addr, 1000, 1000)
		require.NoError(t, err, addr)
		return port
	}
	udp := func(from, addr string, n int) int {
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = 100
		}
		var conn net.Conn
		require.NoError(t, testutil.InNamespace(p.NS1, func() (err error) {
			conn, err = net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(from)}, net.UDPAddrFromAddrPort(mustAddrPort(addr)))
			return err
		}))
		defer conn.Close()
		for range sizes {
			_, err := conn.Write(make([]byte, 100))
			require.NoError(t, err)
			time.Sleep(200 * time.Microsecond)
		}
		return conn.LocalAddr().(*net.UDPAddr).Port
	}
	for _, a := range []string{ip(2) + ":7001", ip(3) + ":7000", ip(3) + ":7001", ip(3) + ":7002", ip(4) + ":7000",
		ip(5) + ":7000", ip(65) + ":7000", ip(70) + ":7000", ip(8) + ":7000", ip(9) + ":7000", ip(10) + ":7001", ip(11) + ":7000"} {
		udpSink(a)
	}
	type expect struct {
		name      string
		sel       func(flowRecord) bool
		recorded  bool
		wantPkts  int64 // when recorded: packets (0: any)
		wantRate  int64
		wantDrops int64
		noTraffic bool
	}
	var checks []expect
	add := func(name string, sel func(flowRecord) bool, recorded bool) {
		checks = append(checks, expect{name: name, sel: sel, recorded: recorded})
	}

	// ports: TCP to .2:7000 both ways; UDP to .2:7001 not.
	srv2 := tcpServer(ip(2) + ":7000")
	port := exchange(srv2)
	add("ports: to .2:7000", tuple(p.IP1, port, ip(2), 7000), true)
	add("ports: from .2:7000", tuple(ip(2), 7000, p.IP1, port), true)
	port = udp(p.IP1, ip(2)+":7001", 3)
	add("ports: to .2:7001", tuple(p.IP1, port, ip(2), 7001), false)
	// destination_ports list.
	for _, dp := range []int{7000, 7001, 7002} {
		port = udp(p.IP1, fmt.Sprintf("%s:%d", ip(3), dp), 2)
		add(fmt.Sprintf("destination_ports: to .3:%d", dp), tuple(p.IP1, port, ip(3), dp), dp != 7001)
	}
	// protocol.
	port = udp(p.IP1, ip(4)+":7000", 2)
	add("protocol UDP: udp to .4", tuple(p.IP1, port, ip(4), 7000), true)
	srv4 := tcpServer(ip(4) + ":7100")
	port = exchange(srv4)
	add("protocol UDP: tcp to .4", tuple(p.IP1, port, ip(4), 7100), false)
	// direction: the client's egress only.
	srv5 := tcpServer(ip(5) + ":7100")
	port = exchange(srv5)
	add("direction Egress: to .5", tuple(p.IP1, port, ip(5), 7100), true)
	add("direction Egress: from .5", tuple(ip(5), 7100, p.IP1, port), false)
	// icmp type and code: echo requests, not replies.
	testutil.Ping(t, p.NS1, ip(6), 3)
	icmp := func(src, dst string, typ int64) func(flowRecord) bool {
		return func(f flowRecord) bool {
			return f.str(flow.AttrSrcAddress) == src && f.str(flow.AttrDstAddress) == dst && f.num(flow.AttrICMPType) == typ
		}
	}
	checks = append(checks, expect{name: "icmp 8/0: requests", sel: icmp(p.IP1, ip(6), 8), recorded: true, wantPkts: 3})
	add("icmp 8/0: replies", icmp(ip(6), p.IP1, 0), false)
	// tcp_flags SYN: the SYN and the SYN-ACK only.
	srv7 := tcpServer(ip(7) + ":7100")
	port = exchange(srv7)
	checks = append(checks, expect{name: "tcp_flags SYN: client", sel: tuple(p.IP1, port, ip(7), 7100), recorded: true, wantPkts: 1})
	checks = append(checks, expect{name: "tcp_flags SYN: server", sel: tuple(ip(7), 7100, p.IP1, port), recorded: true, wantPkts: 1})
	// Reject inside Accept.
	port = udp(p.IP1, ip(65)+":7000", 2)
	add("Accept .64/26: to .65", tuple(p.IP1, port, ip(65), 7000), true)
	port = udp(p.IP1, ip(70)+":7000", 2)
	add("Reject .70 inside it", tuple(p.IP1, port, ip(70), 7000), false)
	// peer_cidr.
	port = udp(p.IP1, ip(8)+":7000", 2)
	add("peer .1: from .1", tuple(p.IP1, port, ip(8), 7000), true)
	port = udp(other, ip(8)+":7000", 2)
	add("peer .1: from .201", tuple(other, port, ip(8), 7000), false)
	// Per-rule sampling: 1 in 4 of 400 datagrams.
	port = udp(p.IP1, ip(9)+":7000", 400)
	checks = append(checks, expect{name: "sampling 4", sel: tuple(p.IP1, port, ip(9), 7000), recorded: true, wantRate: 4})
	sampledPort := port
	// drops only: dropped datagrams are recorded (as drops), delivered ones are not.
	port = udp(p.IP1, ip(10)+":7000", 5)
	checks = append(checks, expect{name: "drops: dropped", sel: tuple(p.IP1, port, ip(10), 7000), recorded: true, wantDrops: 5, noTraffic: true})
	port = udp(p.IP1, ip(10)+":7001", 5)
	add("drops: delivered", tuple(p.IP1, port, ip(10), 7001), false)
	// No rule for .11.
	port = udp(p.IP1, ip(11)+":7000", 2)
	add("no rule: .11", tuple(p.IP1, port, ip(11), 7000), false)

	time.Sleep(1500 * time.Millisecond)
	p.Down(t)
	c.stop(t)
	flows := readFlows(t, out)
	for _, e := range checks {
		fs := findFlows(flows, e.sel)
		if !e.recorded {
			assert.Empty(t, fs, e.name)
			continue
		}
		if !assert.NotEmpty(t, fs, e.name) {
			continue
		}
		if e.wantPkts != 0 {
			assert.Equal(t, e.wantPkts, sum(fs, flow.AttrPackets), e.name)
		}
		if e.wantDrops != 0 {
			assert.Equal(t, e.wantDrops, sum(fs, flow.AttrDropPackets), e.name)
			assert.Zero(t, sum(fs, flow.AttrPackets), "%s: the TC programs recorded none of them", e.name)
		}
		for _, f := range fs {
			want := e.wantRate
			if want == 0 {
				want = 1
			}
			assert.Equal(t, want, f.num(flow.AttrSamplingRate), e.name)
		}
	}
	// Binomial(400, 1/4): mean 100, sd 8.7; 60..140 is beyond 4.5 sd.
	n := sum(findFlows(flows, tuple(p.IP1, sampledPort, ip(9), 7000)), flow.AttrPackets)
	assert.InDelta(t, 100, n, 40, "1 in 4 of 400 datagrams")
	// Nothing else was recorded: every record belongs to a rule's address.
	allowed := map[string]bool{ip(2): true, ip(3): true, ip(4): true, ip(5): true, ip(6): true, ip(7): true, ip(65): true, ip(8): true, ip(9): true, ip(10): true}
	for _, f := range flows {
		s, d := f.str(flow.AttrSrcAddress), f.str(flow.AttrDstAddress)
		assert.True(t, allowed[s] || allowed[d], "unexpected record %s -> %s %v", s, d, f.Attrs)
	}
}
