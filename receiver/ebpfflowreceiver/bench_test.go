// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver

import (
	"encoding/binary"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/decode"
)

// BenchmarkEvictToPdata measures the userspace cost per flow from the kernel map to pdata log
// records: the flip and grace period, the batch lookup-and-delete, and the decoding. Each round
// fills the map with flowsPerRound flows through BPF_PROG_TEST_RUN (not timed).
func BenchmarkEvictToPdata(b *testing.B) {
	testutil.RequireRoot(b)
	const flowsPerRound = 10000
	d, err := datapath.Load(datapath.Settings{Sampling: 1, MaxFlows: 2 * flowsPerRound})
	require.NoError(b, err)
	defer d.Close()
	pkt := testutil.Frame{Src: net.ParseIP("10.1.0.1"), Dst: net.ParseIP("10.2.0.1"), Proto: layers.IPProtocolTCP,
		SrcPort: 1, DstPort: 443, TCPFlags: "A", Payload: make([]byte, 64)}.Bytes(b)
	dec := decode.New(decode.Env{IfaceName: func(uint32) string { return "eth0" }})
	fill := func() {
		for i := range flowsPerRound {
			binary.BigEndian.PutUint16(pkt[14+20:], uint16(i))
			pkt[14+15] = byte(i >> 16)
			pkt[14+19] = byte(i % 200) // spread destinations over 200 addresses
			_, err := d.Ingress().Run(&ebpf.RunOptions{Data: pkt})
			require.NoError(b, err)
		}
	}
	var cpu time.Duration
	var allocs uint64
	var ms runtime.MemStats
	flows := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fill()
		runtime.ReadMemStats(&ms)
		a0, c0 := ms.Mallocs, cpuTime()
		b.StartTimer()

		logs := plog.NewLogs()
		recs := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		dec.SetClock(0, time.Now().UnixNano())
		n, err := d.Evict(func(keys []datapath.Key, vals []datapath.Stats, feats []*datapath.Features) {
			if os.Getenv("NODECODE") == "" {
				dec.Append(recs, keys, vals, feats, pcommon.NewTimestampFromTime(time.Now()))
			}
		})
		require.NoError(b, err)

		b.StopTimer()
		cpu += cpuTime() - c0
		runtime.ReadMemStats(&ms)
		allocs += ms.Mallocs - a0
		flows += n
		require.Equal(b, flowsPerRound, n)
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(flows), "cpu-ns/flow")
	b.ReportMetric(float64(allocs)/float64(flows), "allocs/flow")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
