// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

func fileConfig(out string, timeout time.Duration, mode string) string {
	return fmt.Sprintf(`
receivers:
  ebpfflow:
    cache_active_timeout: %s
    attach_mode: %s
exporters:
  file:
    path: %s
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [ebpfflow]
      exporters: [file]
`, timeout, mode, out)
}

type tcpExchange struct {
	server      string // host:port
	send, reply int
	clientPort  int
	v6          bool
}

// TestFlowsMatchKernelCounters runs the collector on one end of a veth pair, drives known TCP,
// UDP and ICMP traffic over IPv4 and IPv6, adds a veth while it runs, stops it with SIGTERM, and
// checks the exported flows against what was sent and against the kernel's interface counters.
func TestFlowsMatchKernelCounters(t *testing.T) {
	testutil.RequireRoot(t)
	for i, mode := range []string{"tcx", "tc"} {
		t.Run(mode, func(t *testing.T) {
			p := testutil.NewPair(t, 10+i)
			out := filepath.Join(t.TempDir(), "flows.json")
			c := startCollector(t, p.NS1, fileConfig(out, time.Second, mode))
			// The veth is hooked while still down, so every packet it ever carries is seen.
			c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1, `"mode": "`+mode+`"`)
			p.Up(t)

			srv4 := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 0))
			srv6 := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2v6, 0))
			exchanges := []*tcpExchange{
				{server: srv4.Addr, send: 10_000, reply: 5_000},
				{server: srv4.Addr, send: 100_000, reply: 1_000},
				{server: srv4.Addr, send: 1_000_000, reply: 20},
				{server: srv6.Addr, send: 50_000, reply: 50_000, v6: true},
			}
			for _, x := range exchanges {
				port, err := testutil.TCPExchange(p.NS1, x.server, x.send, x.reply)
				require.NoError(t, err)
				x.clientPort = port
			}
			sink4 := testutil.ServeUDP(t, p.NS2, testutil.HostPort(p.IP2, 0))
			sink6 := testutil.ServeUDP(t, p.NS2, testutil.HostPort(p.IP2v6, 0))
			udpSizes4, udpSizes6 := []int{100, 200, 300, 400, 500}, []int{64, 1000, 1400}
			udp4Port, err := testutil.UDPSend(p.NS1, sink4.Addr, udpSizes4...)
			require.NoError(t, err)
			udp6Port, err := testutil.UDPSend(p.NS1, sink6.Addr, udpSizes6...)
			require.NoError(t, err)
			testutil.WaitFor(t, 5*time.Second, "UDP datagrams to arrive", func() bool {
				return sink4.Received() == len(udpSizes4) && sink6.Received() == len(udpSizes6)
			})
			testutil.Ping(t, p.NS1, p.IP2, 3)
			testutil.Ping(t, p.NS1, p.IP2v6, 3)

			// An interface created while the collector runs is picked up.
			if3, _, ip4 := p.AddLink(t, 110+i)
			c.waitLog(t, 15*time.Second, "Attached flow programs", if3)
			sink3 := testutil.ServeUDP(t, p.NS2, testutil.HostPort(ip4, 0))
			udp3Port, err := testutil.UDPSend(p.NS1, sink3.Addr, 77)
			require.NoError(t, err)

			time.Sleep(1500 * time.Millisecond) // at least one periodic eviction
			// Link down: no stray packet (IPv6 neighbour discovery...) can cross after this, so
			// the counters read later cover exactly what the programs saw.
			p.Down(t)
			c.stop(t)
			requireNothingAttached(t, p.NS1, p.If1, if3)

			flows := readFlows(t, out)
			require.NotEmpty(t, flows)
			assertKernelCounters(t, p, flows)
			for _, x := range exchanges {
				assertTCPExchange(t, p, flows, x)
			}
			assertUDP(t, flows, p.IP1, udp4Port, udpSizes4, 14+20+8)
			assertUDP(t, flows, p.IP1v6, udp6Port, udpSizes6, 14+40+8)
			assertUDP(t, flows, "", udp3Port, []int{77}, 14+20+8)
			assertPing(t, flows, p.IP1, p.IP2, "icmp", 8, 0)
			assertPing(t, flows, p.IP1v6, p.IP2v6, "icmpv6", 128, 129)
			for _, f := range flows {
				assert.Equal(t, p.IP1, f.Resource[flow.AttrLocalAddress], "observer address")
				assert.NotEmpty(t, f.Resource[flow.AttrHostName])
				assert.LessOrEqual(t, f.num(flow.AttrStart), f.num(flow.AttrEnd))
				assert.EqualValues(t, 1, f.num(flow.AttrSamplingRate))
			}
		})
	}
}

// TestShutdownExportsFlowsStillInMaps uses an eviction period far longer than the test, so every
// flow can only come out through the drain at SIGTERM.
func TestShutdownExportsFlowsStillInMaps(t *testing.T) {
	testutil.RequireRoot(t)
	p := testutil.NewPair(t, 20)
	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, p.NS1, fileConfig(out, time.Hour, "auto"))
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	p.Up(t)
	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 0))
	x := &tcpExchange{server: srv.Addr, send: 200_000, reply: 100}
	port, err := testutil.TCPExchange(p.NS1, x.server, x.send, x.reply)
	require.NoError(t, err)
	x.clientPort = port
	p.Down(t)
	c.stop(t)
	flows := readFlows(t, out)
	assertTCPExchange(t, p, flows, x)
	assertKernelCounters(t, p, flows)
	requireNothingAttached(t, p.NS1, p.If1)
}

// assertKernelCounters: at sampling 1, the flows counted on If1 add up exactly to the veth's own
// counters, per direction.
func assertKernelCounters(t *testing.T, p *testutil.Pair, flows []flowRecord) {
	t.Helper()
	var txB, txP, rxB, rxP int64
	for _, f := range flows {
		if f.str(flow.AttrIfaceName) != p.If1 {
			continue
		}
		switch f.str(flow.AttrIfaceDir) {
		case flow.DirEgress:
			txB += f.num(flow.AttrBytes)
			txP += f.num(flow.AttrPackets)
		case flow.DirIngress:
			rxB += f.num(flow.AttrBytes)
			rxP += f.num(flow.AttrPackets)
		}
	}
	c := func(name string) int64 { return int64(testutil.IfaceCounter(t, p.NS1, p.If1, name)) }
	assert.Equal(t, c("tx_bytes"), txB, "egress bytes vs tx_bytes")
	assert.Equal(t, c("tx_packets"), txP, "egress packets vs tx_packets")
	assert.Equal(t, c("rx_bytes"), rxB, "ingress bytes vs rx_bytes")
	assert.Equal(t, c("rx_packets"), rxP, "ingress packets vs rx_packets")
}

func findFlows(flows []flowRecord, match func(flowRecord) bool) []flowRecord {
	var out []flowRecord
	for _, f := range flows {
		if match(f) {
			out = append(out, f)
		}
	}
	return out
}

// sum adds one attribute over records; a flow may span several eviction windows.
func sum(fs []flowRecord, attr string) int64 {
	var n int64
	for _, f := range fs {
		n += f.num(attr)
	}
	return n
}

func assertTCPExchange(t *testing.T, p *testutil.Pair, flows []flowRecord, x *tcpExchange) {
	t.Helper()
	host, portStr, _ := net.SplitHostPort(x.server)
	var srvPort int64
	fmt.Sscan(portStr, &srvPort)
	client := p.IP1
	if x.v6 {
		client = p.IP1v6
	}
	fwd := findFlows(flows, func(f flowRecord) bool {
		return f.str(flow.AttrSrcAddress) == client && f.num(flow.AttrSrcPort) == int64(x.clientPort) &&
			f.str(flow.AttrDstAddress) == host && f.num(flow.AttrDstPort) == srvPort
	})
	rev := findFlows(flows, func(f flowRecord) bool {
		return f.str(flow.AttrSrcAddress) == host && f.num(flow.AttrSrcPort) == srvPort &&
			f.str(flow.AttrDstAddress) == client && f.num(flow.AttrDstPort) == int64(x.clientPort)
	})
	require.NotEmpty(t, fwd, "client->server flow of %+v", x)
	require.NotEmpty(t, rev, "server->client flow of %+v", x)
	// Payload plus the 8-byte size header, plus headers: bytes are at least the payload.
	assert.GreaterOrEqual(t, sum(fwd, flow.AttrBytes), int64(x.send+8))
	assert.GreaterOrEqual(t, sum(rev, flow.AttrBytes), int64(x.reply))
	var fwdFlags, revFlags int64
	for _, f := range fwd {
		fwdFlags |= f.num(flow.AttrTCPFlags)
		assert.Equal(t, "tcp", f.str(flow.AttrTransport))
		assert.Equal(t, flow.DirEgress, f.str(flow.AttrIfaceDir))
		assert.Equal(t, []any{p.If1}, f.Attrs[flow.AttrIfaces])
		assert.Equal(t, []any{flow.DirEgress}, f.Attrs[flow.AttrIfaceDirs])
		assert.Equal(t, flow.DirEgress, f.str(flow.AttrFlowDirection), "node direction: source is local")
	}
	for _, f := range rev {
		revFlags |= f.num(flow.AttrTCPFlags)
		assert.Equal(t, flow.DirIngress, f.str(flow.AttrIfaceDir))
		assert.Equal(t, flow.DirIngress, f.str(flow.AttrFlowDirection))
	}
	assert.Equal(t, int64(flow.TCPSyn|flow.TCPAck|flow.TCPFin), fwdFlags&(flow.TCPSyn|flow.TCPAck|flow.TCPFin), "client flags %#x", fwdFlags)
	assert.NotZero(t, revFlags&flow.TCPSynAck, "server flags %#x lack SYN-ACK", revFlags)
}

func assertUDP(t *testing.T, flows []flowRecord, src string, srcPort int, sizes []int, overhead int) {
	t.Helper()
	fs := findFlows(flows, func(f flowRecord) bool {
		return f.str(flow.AttrTransport) == "udp" && f.num(flow.AttrSrcPort) == int64(srcPort) &&
			(src == "" || f.str(flow.AttrSrcAddress) == src)
	})
	require.NotEmpty(t, fs, "UDP flow from port %d", srcPort)
	// veth does not pad frames to 60 bytes, so bytes are exactly payload plus headers.
	var wantExact int64
	for _, s := range sizes {
		wantExact += int64(s + overhead)
	}
	assert.Equal(t, wantExact, sum(fs, flow.AttrBytes), "UDP bytes")
	assert.EqualValues(t, len(sizes), sum(fs, flow.AttrPackets), "UDP packets")
}

func assertPing(t *testing.T, flows []flowRecord, src, dst, transport string, reqType, replyType int64) {
	t.Helper()
	req := findFlows(flows, func(f flowRecord) bool {
		return f.str(flow.AttrTransport) == transport && f.str(flow.AttrSrcAddress) == src &&
			f.str(flow.AttrDstAddress) == dst && f.num(flow.AttrICMPType) == reqType
	})
	rep := findFlows(flows, func(f flowRecord) bool {
		return f.str(flow.AttrTransport) == transport && f.str(flow.AttrSrcAddress) == dst &&
			f.str(flow.AttrDstAddress) == src && f.num(flow.AttrICMPType) == replyType
	})
	assert.EqualValues(t, 3, sum(req, flow.AttrPackets), "%s echo requests", transport)
	assert.EqualValues(t, 3, sum(rep, flow.AttrPackets), "%s echo replies", transport)
}

// requireNothingAttached checks that neither TCX programs nor tc filters remain on the interfaces.
func requireNothingAttached(t *testing.T, ns string, ifaces ...string) {
	t.Helper()
	for _, name := range ifaces {
		err := testutil.InNamespace(ns, func() error {
			ifc, err := net.InterfaceByName(name)
			if err != nil {
				return err
			}
			for _, at := range []ebpf.AttachType{ebpf.AttachTCXIngress, ebpf.AttachTCXEgress} {
				res, err := link.QueryPrograms(link.QueryOptions{Target: ifc.Index, Attach: at})
				if err != nil {
					return err
				}
				if len(res.Programs) != 0 {
					return fmt.Errorf("%d TCX programs still attached to %s (%s)", len(res.Programs), name, at)
				}
			}
			return nil
		})
		require.NoError(t, err)
		for _, dir := range []string{"ingress", "egress"} {
			out, err := exec.Command("ip", "netns", "exec", ns, "tc", "filter", "show", "dev", name, dir).CombinedOutput()
			require.NoError(t, err, string(out))
			assert.Empty(t, strings.TrimSpace(string(out)), "tc filters left on %s %s", name, dir)
		}
	}
}
