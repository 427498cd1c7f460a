// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFeaturePacketDrop: an nftables DROP rule in the server's namespace drops UDP datagrams and
// the data (then the reset) of an established TCP connection. The flows report exactly what the
// rule's counters say was dropped, with the cause NETFILTER_DROP and the TCP socket's state.
func TestFeaturePacketDrop(t *testing.T) {
	testutil.RequireRoot(t)
	p := testutil.NewPair(t, 30)
	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, p.NS1, featureConfig(out, []string{"PacketDrop"}, ""))
	// `ip netns exec` mounts a /sys of its own, without tracefs: the raw tracepoint, which needs
	// none, is also the one preferred.
	assert.Equal(t, "raw_tracepoint/kfree_skb", c.waitFeature(t, "PacketDrop"))
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	p.Up(t)

	// A server that accepts and holds connections, and lets them go when the test ends.
	var ln net.Listener
	require.NoError(t, testutil.InNamespace(p.NS2, func() (err error) {
		ln, err = net.Listen("tcp", testutil.HostPort(p.IP2, 9997))
		return err
	}))
	accepted := make(chan net.Conn, 1)
	go func() {
		if conn, err := ln.Accept(); err == nil {
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		select {
		case conn := <-accepted:
			_ = conn.Close()
		default:
		}
	})
	var conn *net.TCPConn
	require.NoError(t, testutil.InNamespace(p.NS1, func() error {
		cn, err := net.DialTimeout("tcp", testutil.HostPort(p.IP2, 9997), 5*time.Second)
		if err == nil {
			conn = cn.(*net.TCPConn)
		}
		return err
	}))
	_, err := conn.Write([]byte("before the rule"))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)

	testutil.Exec(t, p.NS2, "nft", `add table inet fldrop {
		chain in {
			type filter hook input priority 0;
			udp dport 9999 counter drop comment "udp";
			tcp dport 9997 counter drop comment "tcp";
		}
	}`)
	sizes := []int{10, 200, 30, 400, 50}
	udpPort, err := testutil.UDPSend(p.NS1, testutil.HostPort(p.IP2, 9999), sizes...)
	require.NoError(t, err)
	// Data on the established connection is dropped and retransmitted; a reset (dropped too)
	// then ends the connection, so nothing more is sent.
	_, err = conn.Write([]byte("after the rule"))
	require.NoError(t, err)
	time.Sleep(1200 * time.Millisecond)
	require.NoError(t, conn.SetLinger(0))
	tcpPort := conn.LocalAddr().(*net.TCPAddr).Port
	require.NoError(t, conn.Close())
	time.Sleep(1500 * time.Millisecond) // an eviction after the last drop

	udpDropped, udpBytes := nftCounter(t, p.NS2, "udp")
	tcpDropped, tcpBytes := nftCounter(t, p.NS2, "tcp")
	c.stop(t)
	require.EqualValues(t, len(sizes), udpDropped)
	require.GreaterOrEqual(t, tcpDropped, int64(2), "at least one retransmission and the reset")

	flows := readFlows(t, out)
	udp := findFlows(flows, tuple(p.IP1, udpPort, p.IP2, 9999))
	require.NotEmpty(t, udp, "UDP flow")
	assert.Equal(t, udpDropped, sum(udp, flow.AttrDropPackets))
	assert.Equal(t, udpBytes, sum(udp, flow.AttrDropBytes))
	assert.EqualValues(t, len(sizes), sum(udp, flow.AttrPackets), "every datagram crossed the veth first")
	for _, f := range udp {
		if f.num(flow.AttrDropPackets) > 0 {
			assert.Equal(t, "NETFILTER_DROP", f.str(flow.AttrDropCause))
			assert.NotContains(t, f.Attrs, flow.AttrDropState, "no socket")
		}
	}

	tcp := findFlows(flows, tuple(p.IP1, tcpPort, p.IP2, 9997))
	require.NotEmpty(t, tcp, "TCP flow")
	assert.Equal(t, tcpDropped, sum(tcp, flow.AttrDropPackets))
	assert.Equal(t, tcpBytes, sum(tcp, flow.AttrDropBytes))
	var last flowRecord
	for _, f := range tcp {
		if f.num(flow.AttrDropPackets) > 0 && f.num(flow.AttrEnd) >= last.num(flow.AttrEnd) {
			last = f
		}
	}
	assert.Equal(t, "NETFILTER_DROP", last.str(flow.AttrDropCause))
	// The server's socket, found by early demux, is still established; the last drop is the reset.
	assert.Equal(t, "TCP_ESTABLISHED", last.str(flow.AttrDropState))
	assert.NotZero(t, last.num(flow.AttrDropLatestFlags)&int64(flow.TCPRst), "latest dropped flags %#x", last.num(flow.AttrDropLatestFlags))
	// Nothing of the reverse direction was dropped.
	for _, f := range findFlows(flows, tuple(p.IP2, 9997, p.IP1, tcpPort)) {
		assert.NotContains(t, f.Attrs, flow.AttrDropPackets)
	}
}
