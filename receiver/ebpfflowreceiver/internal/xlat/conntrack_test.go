// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package xlat

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ti-mo/conntrack"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

const vip = "10.96.0.10"

// natNamespace is a pair of namespaces where NS1 translates vip:port to the NS2 address (same
// port) in its output path, like a Service seen from a node; n UDP datagrams, to ports
// 10000..10000+n-1, leave n translated connections in NS1's conntrack table. It returns the
// client's source port and a Conntrack opened in NS1.
func natNamespace(tb testing.TB, subnet, n int) (*testutil.Pair, int, *Conntrack) {
	tb.Helper()
	p := testutil.NewPair(tb, subnet)
	p.Up(tb)
	testutil.Exec(tb, p.NS1, "ip", "route", "add", vip+"/32", "dev", p.If1)
	testutil.Exec(tb, p.NS1, "nft", "add table ip flnat { chain out { type nat hook output priority -100; ip daddr "+vip+" dnat to "+p.IP2+"; }; }")
	var conn *net.UDPConn
	require.NoError(tb, testutil.InNamespace(p.NS1, func() (err error) {
		conn, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(p.IP1)})
		return err
	}))
	defer conn.Close()
	for i := range n {
		_, err := conn.WriteToUDP([]byte("x"), &net.UDPAddr{IP: net.ParseIP(vip), Port: 10000 + i})
		require.NoError(tb, err)
	}
	var ct *Conntrack
	require.NoError(tb, testutil.InNamespace(p.NS1, func() (err error) {
		ct, err = Open()
		return err
	}))
	tb.Cleanup(func() { _ = ct.Close() })
	return p, conn.LocalAddr().(*net.UDPAddr).Port, ct
}

func TestSnapshot(t *testing.T) {
	const n = 20
	p, sport, ct := natNamespace(t, 70, n)
	var table Table
	testutil.WaitFor(t, 5*time.Second, "the connections in conntrack", func() bool {
		var err error
		table, err = ct.Snapshot()
		require.NoError(t, err)
		return len(table) == 2*n
	})
	client, server := netip.MustParseAddr(p.IP1), netip.MustParseAddr(p.IP2)
	for i := range n {
		port := uint16(10000 + i)
		fwd := key(client, netip.MustParseAddr(vip), uint16(sport), port, protoUDP)
		x, ok := table[fwd]
		require.True(t, ok, "client -> service :%d", port)
		assert.Equal(t, datapath.XlatStats{SrcIp: client.As16(), DstIp: server.As16(), SrcPort: uint16(sport), DstPort: port, EthProto: 0x0800}, x)
		rev := key(netip.MustParseAddr(vip), client, port, uint16(sport), protoUDP)
		x, ok = table[rev]
		require.True(t, ok, "service :%d -> client", port)
		assert.Equal(t, datapath.XlatStats{SrcIp: server.As16(), DstIp: client.As16(), SrcPort: port, DstPort: uint16(sport), EthProto: 0x0800}, x)
	}
}

// BenchmarkTranslations compares the two ways to find the translations of the flows of one
// eviction: one dump of the translated connections joined in userspace (what the receiver does),
// and one conntrack query per flow. Per operation: all n flows.
func BenchmarkTranslations(b *testing.B) {
	for i, n := range []int{1000, 10000} {
		p, sport, ct := natNamespace(b, 71+i, n)
		client := netip.MustParseAddr(p.IP1)
		b.Run(fmt.Sprintf("dump+join/%d", n), func(b *testing.B) {
			for range b.N {
				t, err := ct.Snapshot()
				require.NoError(b, err)
				require.Len(b, t, 2*n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/flow")
		})
		b.Run(fmt.Sprintf("query-per-flow/%d", n), func(b *testing.B) {
			for range b.N {
				for j := range n {
					f := conntrack.NewFlow(protoUDP, 0, client, netip.MustParseAddr(vip), uint16(sport), uint16(10000+j), 0, 0)
					_, err := ct.conn.Get(f)
					require.NoError(b, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/flow")
		})
	}
}
