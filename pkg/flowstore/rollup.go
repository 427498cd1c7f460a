// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// The rollup holds, per minute and per pair of ends (every field a topology scope groups by,
// plus cluster, layer, direction and protocol), the sums the overview and the topology chart:
// a long range reads a few hundred rows a minute instead of every flow. Its dimension columns
// have the names and types of the flows table, so filters translate the same way.
const rollupMinute = int64(time.Minute / time.Millisecond)

// rollupDims are the flows columns the rollup keeps.
var rollupDims = []string{
	"src_ns", "src_name", "src_kind", "src_owner", "src_owner_kind", "src_addr", "src_host", "src_zone", "src_subnet",
	"dst_ns", "dst_name", "dst_kind", "dst_owner", "dst_owner_kind", "dst_addr", "dst_host", "dst_zone", "dst_subnet",
	"cluster", "layer", "direction", "proto",
}

// rollupMeasures are summed, except the _max and _min ones; the _hist ones are latency
// histograms (histogram.go), merged.
var rollupMeasures = []string{"bytes", "packets", "flows", "drop_bytes", "drop_packets",
	"dns_n", "dns_sum", "dns_max", "dns_min", "rtt_n", "rtt_sum", "rtt_max", "rtt_min", "dns_hist", "rtt_hist"}

var rollupDimSet = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range rollupDims {
		m[d] = true
	}
	return m
}()

func rollupCreateSQL() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS rollup (\n  minute_ms INTEGER NOT NULL,\n  key TEXT NOT NULL,\n")
	for _, d := range rollupDims {
		typ := "TEXT"
		if byName[d].integer {
			typ = "INTEGER"
		}
		b.WriteString("  " + d + " " + typ + ",\n")
	}
	for _, m := range rollupMeasures {
		typ := "INTEGER"
		if strings.HasSuffix(m, "_hist") {
			typ = "BLOB"
		}
		b.WriteString("  " + m + " " + typ + ",\n")
	}
	b.WriteString("  PRIMARY KEY (minute_ms, key)\n) WITHOUT ROWID;\n")
	return b.String()
}

// rollupFromFlowsSQL fills the rollup from flows already stored (migration from schema 1).
func rollupFromFlowsSQL() string {
	dims := strings.Join(rollupDims, ", ")
	keyParts := make([]string, len(rollupDims))
	for i, d := range rollupDims {
		keyParts[i] = "coalesce(CAST(" + d + " AS TEXT), '')"
	}
	return "INSERT INTO rollup (minute_ms, key, " + dims + ", " + strings.Join(rollupMeasures, ", ") + ")\n" +
		"SELECT (coalesce(end_ms, 0) / 60000) * 60000, " + strings.Join(keyParts, " || char(0) || ") + ", " + dims + ",\n" +
		"  SUM(bytes), SUM(packets), COUNT(*), SUM(drop_bytes), SUM(drop_packets),\n" +
		"  COUNT(dns_latency_ms), SUM(dns_latency_ms), MAX(dns_latency_ms), MIN(dns_latency_ms),\n" +
		"  COUNT(rtt_ns), SUM(rtt_ns), MAX(rtt_ns), MIN(rtt_ns),\n" +
		"  hist_add(dns_latency_ms * 1000000), hist_add(rtt_ns)\n" +
		"FROM flows GROUP BY 1, 2"
}

func rollupUpsertSQL() string {
	cols := append([]string{"minute_ms", "key"}, append(append([]string{}, rollupDims...), rollupMeasures...)...)
	var set []string
	for _, m := range rollupMeasures {
		switch {
		case strings.HasSuffix(m, "_hist"):
			set = append(set, fmt.Sprintf("%[1]s = hist_merge(%[1]s, excluded.%[1]s)", m))
		case strings.HasSuffix(m, "_max"):
			set = append(set, fmt.Sprintf("%[1]s = max(coalesce(%[1]s, excluded.%[1]s), coalesce(excluded.%[1]s, %[1]s))", m))
		case strings.HasSuffix(m, "_min"):
			set = append(set, fmt.Sprintf("%[1]s = min(coalesce(%[1]s, excluded.%[1]s), coalesce(excluded.%[1]s, %[1]s))", m))
		default:
			set = append(set, fmt.Sprintf("%[1]s = coalesce(%[1]s, 0) + coalesce(excluded.%[1]s, 0)", m))
		}
	}
	return "INSERT INTO rollup (" + strings.Join(cols, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") +
		") ON CONFLICT (minute_ms, key) DO UPDATE SET " + strings.Join(set, ", ")
}

// rollupAgg is one rollup row being built from a batch.
type rollupAgg struct {
	minute int64
	dims   []any
	m      [13]sql.NullInt64 // in rollupMeasures order, up to the histograms
	dns    hist
	rtt    hist
}

func addNull(n *sql.NullInt64, v int64) { n.Int64 += v; n.Valid = true }

func maxNull(n *sql.NullInt64, v int64) {
	if !n.Valid || v > n.Int64 {
		n.Int64, n.Valid = v, true
	}
}

func minNull(n *sql.NullInt64, v int64) {
	if !n.Valid || v < n.Int64 {
		n.Int64, n.Valid = v, true
	}
}

// rollupBatch aggregates the flows of one Write.
type rollupBatch struct {
	dimIdx []int // index in columns of each dim
	// Indexes in columns of the measured fields.
	end, bytes, packets, dropBytes, dropPackets, dns, rtt int
	rows                                                  map[string]*rollupAgg
	key                                                   []byte
}

func newRollupBatch() *rollupBatch {
	rb := &rollupBatch{rows: map[string]*rollupAgg{},
		end: columnIndex("end_ms"), bytes: columnIndex("bytes"), packets: columnIndex("packets"),
		dropBytes: columnIndex("drop_bytes"), dropPackets: columnIndex("drop_packets"),
		dns: columnIndex("dns_latency_ms"), rtt: columnIndex("rtt_ns")}
	for _, d := range rollupDims {
		rb.dimIdx = append(rb.dimIdx, columnIndex(d))
	}
	return rb
}

// add counts one flow, given its column values as text ("" when absent) and as the SQL
// arguments of its row (columnValue: nil, int64 or string).
func (rb *rollupBatch) add(values []string, row []any) {
	num := func(i int) (int64, bool) {
		n, ok := row[i].(int64)
		return n, ok
	}
	end, _ := num(rb.end)
	minute := end / rollupMinute * rollupMinute
	rb.key = strconv.AppendInt(rb.key[:0], minute, 10)
	for _, i := range rb.dimIdx {
		rb.key = append(rb.key, 0)
		rb.key = append(rb.key, values[i]...)
	}
	a, ok := rb.rows[string(rb.key)]
	if !ok {
		a = &rollupAgg{minute: minute, dims: make([]any, len(rb.dimIdx)), dns: hist{}, rtt: hist{}}
		for j, i := range rb.dimIdx {
			a.dims[j] = row[i]
		}
		rb.rows[string(rb.key)] = a
	}
	if v, ok := num(rb.bytes); ok {
		addNull(&a.m[0], v)
	}
	if v, ok := num(rb.packets); ok {
		addNull(&a.m[1], v)
	}
	addNull(&a.m[2], 1)
	if v, ok := num(rb.dropBytes); ok {
		addNull(&a.m[3], v)
	}
	if v, ok := num(rb.dropPackets); ok {
		addNull(&a.m[4], v)
	}
	if v, ok := num(rb.dns); ok {
		addNull(&a.m[5], 1)
		addNull(&a.m[6], v)
		maxNull(&a.m[7], v)
		minNull(&a.m[8], v)
		a.dns[histIndex(v*1_000_000)]++
	}
	if v, ok := num(rb.rtt); ok {
		addNull(&a.m[9], 1)
		addNull(&a.m[10], v)
		maxNull(&a.m[11], v)
		minNull(&a.m[12], v)
		a.rtt[histIndex(v)]++
	}
}

// flush upserts the batch's rows in tx.
func (rb *rollupBatch) flush(ctx context.Context, stmt *sql.Stmt) error {
	args := make([]any, 0, 2+len(rollupDims)+len(rollupMeasures))
	for key, a := range rb.rows {
		args = append(args[:0], a.minute, key[strings.IndexByte(key, 0)+1:])
		args = append(args, a.dims...)
		for _, m := range a.m {
			args = append(args, m)
		}
		args = append(args, a.dns.encode(), a.rtt.encode())
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("update rollup: %w", err)
		}
	}
	clear(rb.rows)
	return nil
}

// useRollup says whether the rollup can answer q exactly enough: whole-minute steps, a range of
// at least half an hour (the minutes at the two edges are counted whole), filters on rollup
// dimensions only, and functions the rollup keeps (no largest or smallest flow; percentiles of
// latencies come from histograms, within 9 %).
func useRollup(q flowquery.Metrics) bool {
	if q.Step%time.Minute != 0 || q.End.Sub(q.Start) < 30*time.Minute {
		return false
	}
	latency := q.Type == flowquery.TypeDNSLatency || q.Type == flowquery.TypeRTT
	switch q.Function {
	case flowquery.FuncP90, flowquery.FuncP99, flowquery.FuncMax, flowquery.FuncMin:
		if !latency { // single flows are not in per-minute sums; latencies have histograms
			return false
		}
	}
	for _, f := range q.Scope.Fields() {
		if c, ok := byField[f]; !ok || !rollupDimSet[c.name] {
			return false
		}
	}
	for _, g := range q.Filters {
		for _, m := range g {
			if c, ok := byField[m.Field]; !ok || !rollupDimSet[c.name] {
				return false
			}
		}
	}
	return true
}

// rollupValue is the aggregate of a metric over rollup rows, and the row condition.
func rollupValue(t flowquery.MetricType, fn flowquery.Function) (value, cond string) {
	latency := func(n, sum, mx, mn, hist string, histDiv string) string {
		switch fn {
		case flowquery.FuncP90:
			return "hist_quantile(hist_sum(" + hist + "), 0.9)" + histDiv
		case flowquery.FuncP99:
			return "hist_quantile(hist_sum(" + hist + "), 0.99)" + histDiv
		case flowquery.FuncMax:
			return "MAX(" + mx + ")"
		case flowquery.FuncMin:
			return "MIN(" + mn + ")"
		}
		return "CAST(SUM(" + sum + ") AS REAL) / SUM(" + n + ")"
	}
	agg := func(c string) string {
		switch fn {
		case flowquery.FuncAvg:
			return "CAST(SUM(" + c + ") AS REAL) / SUM(flows)"
		}
		return "SUM(" + c + ")"
	}
	switch t {
	case flowquery.TypeBytes:
		return agg("bytes"), "1"
	case flowquery.TypePackets:
		return agg("packets"), "1"
	case flowquery.TypeFlows:
		return "SUM(flows)", "1"
	case flowquery.TypeDropBytes:
		return agg("drop_bytes"), "drop_packets > 0"
	case flowquery.TypeDropPackets:
		return agg("drop_packets"), "drop_packets > 0"
	case flowquery.TypeDNSFlows:
		return "SUM(dns_n)", "dns_n > 0"
	case flowquery.TypeDNSLatency:
		return latency("dns_n", "dns_sum", "dns_max", "dns_min", "dns_hist", " / 1000000.0"), "dns_n > 0" // histogram in ns
	case flowquery.TypeRTT:
		return "(" + latency("rtt_n", "rtt_sum", "rtt_max", "rtt_min", "rtt_hist", "") + ") / 1000000.0", "rtt_n > 0" // ms
	}
	return "0", "0"
}
