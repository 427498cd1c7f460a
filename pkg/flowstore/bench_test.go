// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// BenchmarkWrite is the ingest rate: batches of 5,000 enriched flows (the exporter's batch),
// one transaction each, into a store that already holds what earlier iterations wrote.
func BenchmarkWrite(b *testing.B) {
	w, err := OpenWriter(filepath.Join(b.TempDir(), "flows.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	const batch = 5000
	gen := flowgen.New(1)
	start := time.Now().Add(-time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		ld := gen.Logs(start.Add(time.Duration(i)*time.Second), batch, 200*time.Microsecond)
		b.StartTimer()
		if _, err := w.Write(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/flow")
}

// seeded stores are built once per size and kept across runs in $FLOWLENS_BENCH_DIR (default
// the system temp folder): seeding 10 million flows takes minutes.
var seededMu sync.Mutex

func seededStore(b *testing.B, flows int) *Reader {
	b.Helper()
	seededMu.Lock()
	defer seededMu.Unlock()
	dir := os.Getenv("FLOWLENS_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "flowlens-bench")
	}
	path := filepath.Join(dir, fmt.Sprintf("flows-%d-v%d.db", flows, schemaVersion))
	if _, err := os.Stat(path); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		tmp := path + ".tmp"
		_ = os.Remove(tmp)
		w, err := OpenWriter(tmp)
		if err != nil {
			b.Fatal(err)
		}
		// The flows span the hour before benchEnd.
		gen, spacing := flowgen.New(7), time.Hour/time.Duration(flows)
		for i := 0; i < flows; i += 5000 {
			if _, err := w.Write(context.Background(), gen.Logs(benchEnd.Add(-time.Hour+time.Duration(i)*spacing), 5000, spacing)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		for _, sfx := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(tmp + sfx); err == nil {
				if err := os.Rename(tmp+sfx, path+sfx); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	r, err := OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	return r
}

var benchEnd = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// benchSizes are the store sizes of the query benchmarks: 1 million flows, plus what
// FLOWLENS_BENCH_FLOWS adds (e.g. 10000000).
func benchSizes() []int {
	sizes := []int{1_000_000}
	if s := os.Getenv("FLOWLENS_BENCH_FLOWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n != sizes[0] {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

func mustFilter(b *testing.B, s string) flowquery.Filters {
	f, err := flowquery.Parse(s)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkQuery times what each console view asks, over the last 5 minutes and the whole hour
// of a store of 1 (or FLOWLENS_BENCH_FLOWS) million flows.
func BenchmarkQuery(b *testing.B) {
	for _, size := range benchSizes() {
		r := seededStore(b, size)
		for _, rng := range []time.Duration{5 * time.Minute, time.Hour} {
			start := benchEnd.Add(-rng)
			name := func(view string) string { return fmt.Sprintf("flows=%dM/range=%s/%s", size/1_000_000, rng, view) }
			b.Run(name("table"), func(b *testing.B) {
				for range b.N {
					if _, err := r.Records(context.Background(), flowquery.Records{Start: start, End: benchEnd, Limit: 100}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name("table-filtered"), func(b *testing.B) {
				f := mustFilter(b, `src_namespace="payments" & DstPort=5432`)
				for range b.N {
					if _, err := r.Records(context.Background(), flowquery.Records{Start: start, End: benchEnd, Filters: f, Limit: 100}); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, tc := range []struct {
				view  string
				scope flowquery.Scope
				typ   flowquery.MetricType
				fn    flowquery.Function
			}{
				{"topology-namespace", flowquery.ScopeNamespace, flowquery.TypeBytes, flowquery.FuncRate},
				{"topology-resource", flowquery.ScopeResource, flowquery.TypeBytes, flowquery.FuncRate},
				{"overview-dns-p99", flowquery.ScopeNamespace, flowquery.TypeDNSLatency, flowquery.FuncP99},
			} {
				q := flowquery.Metrics{Start: start, End: benchEnd, Step: max(rng/60, 15*time.Second), Type: tc.typ,
					Function: tc.fn, Scope: tc.scope, Limit: 10}
				variants := []*Reader{r}
				if useRollup(q) { // A/B: the same query over the flows table
					variants = append(variants, &Reader{db: r.db, path: r.path, noRollup: true})
				}
				for _, rd := range variants {
					view := tc.view
					if useRollup(q) {
						view += map[bool]string{false: "/rollup", true: "/flows"}[rd.noRollup]
					}
					b.Run(name(view), func(b *testing.B) {
						for range b.N {
							if _, _, err := rd.Metrics(context.Background(), q); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
}
