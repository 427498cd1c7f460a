// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

// The tracing hooks on real kernel traffic between two network namespaces: kfree_skb drops from
// an nftables rule, and the socket RTT from each RTT hook this kernel runs.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// keyOf4 is the flow key of an IPv4 5-tuple.
func keyOf4(src string, sport uint16, dst string, dport uint16, proto layers.IPProtocol) Key {
	k := Key{EthProto: 0x0800, Proto: uint8(proto), SrcPort: sport, DstPort: dport}
	k.SrcIp = netip.MustParseAddr("::ffff:" + src).As16()
	k.DstIp = netip.MustParseAddr("::ffff:" + dst).As16()
	return k
}

// TestHookDrops runs both PacketDrop hooks at once, each in its own datapath: each records every
// datagram an nftables rule drops, with the rule's byte count and the kernel's reason.
func TestHookDrops(t *testing.T) {
	hooks := []Hook{HookDropRawTP, HookDropTracepoint}
	sup := Probe(hooks...)
	var dps []*Datapath
	for _, h := range hooks {
		require.NoError(t, sup.Hooks[h], "this kernel runs %s", h)
		d := load(t, Settings{Drops: h, DropReasonNotSpecified: sup.DropReasonNotSpecified, DropReasonQueuePurge: sup.DropReasonQueuePurge})
		require.NoError(t, d.AttachHooks())
		dps = append(dps, d)
	}
	p := testutil.NewPair(t, 60)
	p.Up(t)
	testutil.Exec(t, p.NS2, "nft", "add table inet fltest { chain in { type filter hook input priority 0; udp dport 9999 counter drop; }; }")
	sizes := []int{10, 20, 30, 40, 50}
	port, err := testutil.UDPSend(p.NS1, testutil.HostPort(p.IP2, 9999), sizes...)
	require.NoError(t, err)
	// The receiving side may run later (ksoftirqd on a busy machine): wait for the rule's count.
	testutil.WaitFor(t, 10*time.Second, "the rule to drop every datagram", func() bool {
		return strings.Contains(testutil.Exec(t, p.NS2, "nft", "list", "ruleset"), fmt.Sprintf("counter packets %d ", len(sizes)))
	})
	// Short HTTP exchanges, as a console polled by a browser: closing sockets make the kernel
	// purge their queues (QUEUE_PURGE), which is no drop on the network and must not count.
	var ln net.Listener
	require.NoError(t, testutil.InNamespace(p.NS2, func() (err error) {
		ln, err = net.Listen("tcp", testutil.HostPort(p.IP2, 0))
		return err
	}))
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(make([]byte, 60_000)) })}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	// The client's connections are made in NS1 (the transport dials from its own goroutines).
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: func(_ context.Context, network, addr string) (c net.Conn, err error) {
			err = testutil.InNamespace(p.NS1, func() (err error) { c, err = net.Dial(network, addr); return err })
			return c, err
		}}}
	for range 10 {
		resp, err := client.Get("http://" + ln.Addr().String() + "/")
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	time.Sleep(100 * time.Millisecond)
	var bytes uint64
	for _, s := range sizes {
		bytes += uint64(20 + 8 + s) // at the input hook skb->len starts at the IP header
	}
	for i, d := range dps {
		_, feats := collectAll(t, d.Evict)
		for k, f := range feats {
			if f.Drops != nil {
				assert.NotEqual(t, "QUEUE_PURGE", sup.DropReasons[f.Drops.LatestCause], "%s: %+v", hooks[i], k)
			}
		}
		f := feats[keyOf4(p.IP1, uint16(port), p.IP2, 9999, layers.IPProtocolUDP)]
		require.NotNil(t, f, "%s: drops of the UDP flow", hooks[i])
		require.NotNil(t, f.Drops)
		assert.True(t, f.NoTraffic, "no TC program is attached: a record of its own")
		assert.Equal(t, uint32(len(sizes)), f.Drops.Packets, hooks[i])
		assert.Equal(t, bytes, f.Drops.Bytes, hooks[i])
		assert.Equal(t, "NETFILTER_DROP", sup.DropReasons[f.Drops.LatestCause], hooks[i])
		assert.NotZero(t, f.Drops.Ifindex)
	}
}

// TestHookRTT runs every socket RTT hook this kernel has at once, each in its own datapath, on
// the same connections: each records the same smoothed RTT, in nanoseconds.
func TestHookRTT(t *testing.T) {
	hooks := []Hook{HookRTTFentry, HookRTTRawTP, HookRTTTracepoint}
	sup := Probe(hooks...)
	var dps []*Datapath
	var names []Hook
	for _, h := range hooks {
		if sup.Hooks[h] != nil {
			t.Logf("%s does not run here: %v", h, sup.Hooks[h])
			continue
		}
		d := load(t, Settings{RTT: h})
		require.NoError(t, d.AttachHooks())
		dps, names = append(dps, d), append(names, h)
	}
	require.GreaterOrEqual(t, len(dps), 2, "this kernel runs at least the two tcp_probe hooks")
	p := testutil.NewPair(t, 61)
	p.Up(t)
	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 0))
	port, err := testutil.TCPExchange(p.NS1, srv.Addr, 100_000, 100_000)
	require.NoError(t, err)
	srvPort := uint16(netip.MustParseAddrPort(srv.Addr).Port())
	// The client's socket receives server -> client, the server's client -> server.
	toClient := keyOf4(p.IP2, srvPort, p.IP1, uint16(port), layers.IPProtocolTCP)
	toServer := keyOf4(p.IP1, uint16(port), p.IP2, srvPort, layers.IPProtocolTCP)
	var first []uint64
	for i, d := range dps {
		_, feats := collectAll(t, d.Evict)
		var got []uint64
		for _, k := range []Key{toClient, toServer} {
			f := feats[k]
			require.NotNil(t, f, "%s: no RTT for %+v", names[i], k)
			require.NotNil(t, f.RTT)
			// A veth pair: tens of microseconds, far below a millisecond.
			assert.Greater(t, f.RTT.RttNs, uint64(1000), names[i])
			assert.Less(t, f.RTT.RttNs, uint64(5_000_000), names[i])
			got = append(got, f.RTT.RttNs)
		}
		if first == nil {
			first = got
			continue
		}
		// The same sockets measured by two hooks: the same largest srtt (same unit).
		assert.Equal(t, first, got, "%s vs %s", names[i], names[0])
	}
}
