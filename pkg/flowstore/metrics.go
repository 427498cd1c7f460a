// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// metricValue is the SQL value and the row condition of each metric type.
func metricValue(t flowquery.MetricType) (value, cond string) {
	switch t {
	case flowquery.TypeBytes:
		return "bytes", "1"
	case flowquery.TypePackets:
		return "packets", "1"
	case flowquery.TypeFlows:
		return "1", "1"
	case flowquery.TypeDropBytes:
		return "drop_bytes", "drop_packets > 0"
	case flowquery.TypeDropPackets:
		return "drop_packets", "drop_packets > 0"
	case flowquery.TypeDNSLatency:
		return "dns_latency_ms", "dns_latency_ms IS NOT NULL"
	case flowquery.TypeDNSFlows:
		return "1", "dns_latency_ms IS NOT NULL"
	case flowquery.TypeRTT:
		return "rtt_ns / 1000000.0", "rtt_ns IS NOT NULL" // milliseconds, as NetObserv's console shows RTT
	}
	return "0", "0"
}

// Metrics returns the top q.Limit series of the scope by total over the range, and the series
// of everything matching the filters.
func (r *Reader) Metrics(ctx context.Context, q flowquery.Metrics) ([]flowquery.Series, flowquery.Series, error) {
	if err := q.Validate(); err != nil {
		return nil, flowquery.Series{}, err
	}
	fields := q.Scope.Fields()
	series, err := r.series(ctx, q, fields)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	var totals []flowquery.Series
	if q.Function == flowquery.FuncRate || q.Function == flowquery.FuncSum {
		// Sums add up: the total is the sum of every series, with no second scan.
		totals = []flowquery.Series{sumSeries(series, q)}
	} else if totals, err = r.series(ctx, q, nil); err != nil {
		return nil, flowquery.Series{}, err
	}
	series, total := flowquery.Top(series, totals, q.Limit)
	return series, total, nil
}

// sumSeries adds series step by step.
func sumSeries(series []flowquery.Series, q flowquery.Metrics) flowquery.Series {
	at := map[float64]float64{}
	for _, s := range series {
		for _, v := range s.Values {
			at[v[0]] += v[1]
		}
	}
	total := flowquery.Series{Values: make([][2]float64, 0, len(at))}
	for t, v := range at {
		total.Values = append(total.Values, [2]float64{t, v})
	}
	sort.Slice(total.Values, func(i, j int) bool { return total.Values[i][0] < total.Values[j][0] })
	total.Total = q.Total(total.Values)
	return total
}

// series runs one grouped query: by time step and by the given fields.
func (r *Reader) series(ctx context.Context, q flowquery.Metrics, fields []string) ([]flowquery.Series, error) {
	if !r.noRollup && useRollup(q) {
		return r.rollupSeries(ctx, q, fields)
	}
	value, cond := metricValue(q.Type)
	where, fargs := whereSQL(q.Filters)
	stepMs := q.Step.Milliseconds()
	var groupCols []string
	for _, f := range fields {
		e, _ := fieldExpr(f)
		groupCols = append(groupCols, "coalesce(CAST("+e+" AS TEXT), '')")
	}
	agg := map[flowquery.Function]string{flowquery.FuncRate: "SUM", flowquery.FuncSum: "SUM",
		flowquery.FuncAvg: "AVG", flowquery.FuncMax: "MAX", flowquery.FuncMin: "MIN"}[q.Function]
	percentile := agg == ""
	sel := "(end_ms / ?) * ?"
	for _, g := range groupCols {
		sel += ", " + g
	}
	var query string
	if percentile {
		query = "SELECT " + sel + ", " + value + " FROM flows WHERE end_ms >= ? AND end_ms <= ? AND " + cond + " AND " + where
	} else {
		group := "1"
		for i := range groupCols {
			group += fmt.Sprintf(", %d", i+2)
		}
		query = "SELECT " + sel + ", " + agg + "(" + value + ") FROM flows WHERE end_ms >= ? AND end_ms <= ? AND " +
			cond + " AND " + where + " GROUP BY " + group
	}
	args := append([]any{stepMs, stepMs, q.Start.UnixMilli(), q.End.UnixMilli()}, fargs...)
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query metrics: %w", err)
	}
	defer rows.Close()
	return collectSeries(rows, q, fields, percentile)
}

// rollupSeries is series over the per-minute rollup.
func (r *Reader) rollupSeries(ctx context.Context, q flowquery.Metrics, fields []string) ([]flowquery.Series, error) {
	value, cond := rollupValue(q.Type, q.Function)
	where, fargs := whereSQL(q.Filters)
	stepMs := q.Step.Milliseconds()
	sel, group := "(minute_ms / ?) * ?", "1"
	for i, f := range fields {
		e, _ := fieldExpr(f)
		sel += ", coalesce(CAST(" + e + " AS TEXT), '')"
		group += fmt.Sprintf(", %d", i+2)
	}
	query := "SELECT " + sel + ", " + value + " FROM rollup WHERE minute_ms >= ? AND minute_ms <= ? AND " + cond + " AND " + where +
		" GROUP BY " + group
	args := append([]any{stepMs, stepMs, q.Start.UnixMilli() / rollupMinute * rollupMinute, q.End.UnixMilli()}, fargs...)
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query metrics (rollup): %w", err)
	}
	defer rows.Close()
	return collectSeries(rows, q, fields, false)
}

type bucketKey struct {
	labels string
	t      int64
}

func collectSeries(rows *sql.Rows, q flowquery.Metrics, fields []string, percentile bool) ([]flowquery.Series, error) {
	vals := make([]any, len(fields)+2)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	labelsOf := map[string]map[string]string{}
	buckets := map[bucketKey][]float64{}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var key strings.Builder
		lbl := make(map[string]string, len(fields))
		for i, f := range fields {
			s, _ := vals[i+1].(string)
			lbl[f] = s
			key.WriteString(s)
			key.WriteByte(0)
		}
		k := key.String()
		if _, ok := labelsOf[k]; !ok {
			labelsOf[k] = lbl
		}
		bk := bucketKey{k, asInt(vals[0])}
		buckets[bk] = append(buckets[bk], asFloat(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	stepSec := q.Step.Seconds()
	byLabels := map[string]*flowquery.Series{}
	for bk, vs := range buckets {
		v := vs[0]
		if percentile {
			v = quantile(vs, map[flowquery.Function]float64{flowquery.FuncP90: 0.9, flowquery.FuncP99: 0.99}[q.Function])
		}
		if q.Function == flowquery.FuncRate {
			v /= stepSec
		}
		s, ok := byLabels[bk.labels]
		if !ok {
			s = &flowquery.Series{Labels: labelsOf[bk.labels]}
			byLabels[bk.labels] = s
		}
		s.Values = append(s.Values, [2]float64{float64(bk.t) / 1000, v})
	}
	out := make([]flowquery.Series, 0, len(byLabels))
	for _, s := range byLabels {
		sort.Slice(s.Values, func(i, j int) bool { return s.Values[i][0] < s.Values[j][0] })
		s.Total = q.Total(s.Values)
		out = append(out, *s)
	}
	return out, nil
}

func quantile(vs []float64, q float64) float64 {
	slices.Sort(vs)
	return vs[int(math.Ceil(q*float64(len(vs))))-1]
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
