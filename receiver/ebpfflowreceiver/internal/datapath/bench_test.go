// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// Per-packet cost of the TC program through BPF_PROG_TEST_RUN. The kernel times the program
// runs only (no syscall), and reports it as the duration; we report it as ns/pkt.
//
//	hit:    the same packet again and again (an existing flow)
//	insert: a new flow per run (source port varies), the map is large enough
//	floor:  a program that only returns, run the same way

var layouts = []struct {
	name string
	s    Settings
}{
	{"hash-prealloc", Settings{}},
	{"hash-noprealloc", Settings{noPrealloc: true}},
	{"percpu-noprealloc", Settings{mapType: ebpf.PerCPUHash, noPrealloc: true}},
}

func benchFrame(tb testing.TB) []byte {
	return testutil.Frame{Src: net.ParseIP("10.0.0.1"), Dst: net.ParseIP("10.0.0.2"),
		Proto: layers.IPProtocolTCP, SrcPort: 1234, DstPort: 80, TCPFlags: "A", Payload: make([]byte, 100)}.Bytes(tb)
}

func floorProgram(tb testing.TB) *ebpf.Program {
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.SchedCLS,
		License:      "MIT",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, -1), asm.Return()},
	})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = p.Close() })
	return p
}

func reportPerPacket(b *testing.B, d time.Duration) {
	b.ReportMetric(float64(d.Nanoseconds()), "ns/pkt")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkFlowHit(b *testing.B) {
	testutil.RequireRoot(b)
	pkt := benchFrame(b)
	b.Run("floor", func(b *testing.B) {
		_, per, err := floorProgram(b).Benchmark(pkt, max(b.N, 1), b.ResetTimer)
		require.NoError(b, err)
		reportPerPacket(b, per)
	})
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			l.s.MaxFlows = 1 << 16
			d, err := Load(l.s)
			require.NoError(b, err)
			defer d.Close()
			_, per, err := d.Ingress().Benchmark(pkt, max(b.N, 1), b.ResetTimer)
			require.NoError(b, err)
			reportPerPacket(b, per)
		})
	}
}

// BenchmarkFlowInsert runs one packet per syscall, each a new flow, and sums the kernel's
// per-run timings.
func BenchmarkFlowInsert(b *testing.B) {
	testutil.RequireRoot(b)
	pkt := benchFrame(b)
	// Offset of the TCP source port: Ethernet 14 + IPv4 20.
	const sportOff = 14 + 20
	run := func(b *testing.B, p *ebpf.Program, maxFlows int) {
		var total time.Duration
		n := min(b.N, maxFlows)
		b.ResetTimer()
		for i := 0; i < n; i++ {
			binary.BigEndian.PutUint16(pkt[sportOff:], uint16(i))
			pkt[14+15] = byte(i >> 16) // vary the low byte of the source address too
			_, per, err := p.Benchmark(pkt, 1, nil)
			require.NoError(b, err)
			total += per
		}
		reportPerPacket(b, total/time.Duration(max(n, 1)))
	}
	b.Run("floor", func(b *testing.B) { run(b, floorProgram(b), 1<<20) })
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			l.s.MaxFlows = 1 << 20
			d, err := Load(l.s)
			require.NoError(b, err)
			defer d.Close()
			run(b, d.Ingress(), 1<<20)
		})
	}
}
