// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/flowlens/flowlens/internal/testutil"
)

// BenchmarkTracingHooks measures the hooks that run outside TC on real traffic between two
// network namespaces: per invocation, the kernel's own accounting of the program's run time
// (BPF_ENABLE_STATS; it does not include the tracepoint's own work, like building the record of
// a non-raw tracepoint), and per operation the wall time of what triggers them, next to the
// same traffic without any hook:
//
//	rtt/*:   a 64-byte TCP request/response round trip on an established connection
//	drops/*: one UDP datagram dropped by an nftables rule
func BenchmarkTracingHooks(b *testing.B) {
	testutil.RequireRoot(b)
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	require.NoError(b, err)
	defer stats.Close()
	sup := Probe(HookRTTFentry, HookRTTRawTP, HookRTTTracepoint, HookDropRawTP, HookDropTracepoint)

	p := testutil.NewPair(b, 62)
	p.Up(b)
	testutil.Exec(b, p.NS2, "nft", "add table inet flbench { chain in { type filter hook input priority 0; udp dport 9999 drop; }; }")
	echo := testutil.ServeTCPEcho(b, p.NS2, testutil.HostPort(p.IP2, 0))
	var conn net.Conn
	require.NoError(b, testutil.InNamespace(p.NS1, func() (err error) {
		conn, err = net.Dial("tcp", echo)
		return err
	}))
	defer conn.Close()
	var udp net.Conn
	require.NoError(b, testutil.InNamespace(p.NS1, func() (err error) {
		udp, err = net.Dial("udp", testutil.HostPort(p.IP2, 9999))
		return err
	}))
	defer udp.Close()
	msg, buf := make([]byte, 64), make([]byte, 64)
	roundTrip := func() {
		_, err := conn.Write(msg)
		require.NoError(b, err)
		_, err = io.ReadFull(conn, buf)
		require.NoError(b, err)
	}
	drop := func() {
		_, err := udp.Write(msg)
		require.NoError(b, err)
	}

	for _, c := range []struct {
		name string
		s    Settings
		op   func()
	}{
		{"rtt/none", Settings{}, roundTrip},
		{"rtt/" + string(HookRTTFentry), Settings{RTT: HookRTTFentry}, roundTrip},
		{"rtt/" + string(HookRTTRawTP), Settings{RTT: HookRTTRawTP}, roundTrip},
		{"rtt/" + string(HookRTTTracepoint), Settings{RTT: HookRTTTracepoint}, roundTrip},
		{"drops/none", Settings{}, drop},
		{"drops/" + string(HookDropRawTP), Settings{Drops: HookDropRawTP, DropReasonNotSpecified: sup.DropReasonNotSpecified}, drop},
		{"drops/" + string(HookDropTracepoint), Settings{Drops: HookDropTracepoint, DropReasonNotSpecified: sup.DropReasonNotSpecified}, drop},
	} {
		b.Run(c.name, func(b *testing.B) {
			hook := c.s.RTT + c.s.Drops
			if hook != "" && sup.Hooks[hook] != nil {
				b.Skipf("SKIP %s: this kernel does not run it: %v", hook, sup.Hooks[hook])
			}
			c.s.MaxFlows = 1 << 16
			d, err := Load(c.s)
			require.NoError(b, err)
			defer d.Close()
			require.NoError(b, d.AttachHooks())
			for range 100 { // warm up: flows and entries exist
				c.op()
			}
			var before ebpf.ProgramStats
			prog := d.Hooks()[hook]
			if prog != nil {
				st, err := prog.Stats()
				require.NoError(b, err)
				before = *st
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				c.op()
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/op")
			if prog == nil {
				return
			}
			after, err := prog.Stats()
			require.NoError(b, err)
			if n := after.RunCount - before.RunCount; n > 0 {
				b.ReportMetric(float64((after.Runtime-before.Runtime).Nanoseconds())/float64(n), "hook-ns/run")
				b.ReportMetric(float64(n)/float64(b.N), "runs/op")
			}
		})
	}
}
