// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// rollupStore holds two hours of flowgen flows, written in batches of 2,000 so that minutes
// span batches (rollup rows are updated, not only inserted).
func rollupStore(t *testing.T) (string, *Reader) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flows.db")
	w, err := OpenWriter(path)
	require.NoError(t, err)
	gen := flowgen.New(5)
	for i := range 12 {
		_, err := w.Write(context.Background(), gen.Logs(t0.Add(time.Duration(i)*10*time.Minute), 2000, 300*time.Millisecond))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	r, err := OpenReader(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return path, r
}

func sortedSeries(s []flowquery.Series) []flowquery.Series {
	sort.Slice(s, func(i, j int) bool { return labelKey(s[i].Labels) < labelKey(s[j].Labels) })
	return s
}

func labelKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for _, k := range keys {
		out += k + "=" + l[k] + ";"
	}
	return out
}

// TestRollupAnswersLikeTheFlows compares every rollup-eligible query with the same query over
// the flows table, on a minute-aligned range.
func TestRollupAnswersLikeTheFlows(t *testing.T) {
	_, r := rollupStore(t)
	raw := &Reader{db: r.db, path: r.path, noRollup: true}
	nonEmpty, all := 0, 0
	for _, filter := range []string{"", `src_namespace="shop"`, `namespace="payments" & protocol=6`, `SrcK8S_OwnerName~"^(web|cart)$"`} {
		for _, scope := range []flowquery.Scope{flowquery.ScopeNamespace, flowquery.ScopeOwner, flowquery.ScopeResource, flowquery.ScopeHost, flowquery.ScopeZone} {
			for _, tf := range []struct {
				typ flowquery.MetricType
				fn  flowquery.Function
			}{
				{flowquery.TypeBytes, flowquery.FuncRate}, {flowquery.TypePackets, flowquery.FuncSum}, {flowquery.TypeFlows, flowquery.FuncRate},
				{flowquery.TypeDropPackets, flowquery.FuncSum}, {flowquery.TypeDNSLatency, flowquery.FuncAvg}, {flowquery.TypeRTT, flowquery.FuncMax},
				{flowquery.TypeDNSLatency, flowquery.FuncMin}, {flowquery.TypeDNSFlows, flowquery.FuncRate}, {flowquery.TypeBytes, flowquery.FuncAvg},
				{flowquery.TypeDNSLatency, flowquery.FuncP99}, {flowquery.TypeRTT, flowquery.FuncP90}, {flowquery.TypeRTT, flowquery.FuncP99},
			} {
				// Percentiles come from log-scale histograms: within 9 % (a quarter octave).
				tol := 1e-6
				if tf.fn == flowquery.FuncP90 || tf.fn == flowquery.FuncP99 {
					tol = 0.095
				}
				all++
				q := flowquery.Metrics{Start: t0, End: t0.Add(2 * time.Hour), Step: 5 * time.Minute, Type: tf.typ, Function: tf.fn,
					Scope: scope, Limit: 1000, Filters: mustParse(t, filter)}
				require.True(t, useRollup(q))
				name := string(scope) + " " + string(tf.typ) + " " + string(tf.fn) + " " + filter
				gotS, gotT, err := r.Metrics(context.Background(), q)
				require.NoError(t, err, name)
				wantS, wantT, err := raw.Metrics(context.Background(), q)
				require.NoError(t, err, name)
				require.Equal(t, len(wantS), len(gotS), name)
				if len(wantS) > 0 {
					nonEmpty++
				}
				gotS, wantS = sortedSeries(gotS), sortedSeries(wantS)
				for i := range wantS {
					assert.Equal(t, wantS[i].Labels, gotS[i].Labels, name)
					assert.InDelta(t, wantS[i].Total, gotS[i].Total, tol*max(1e-9, wantS[i].Total), name)
					assert.Equal(t, len(wantS[i].Values), len(gotS[i].Values), name)
				}
				assert.InDelta(t, wantT.Total, gotT.Total, tol*max(1e-9, wantT.Total), name)
			}
		}
	}
	assert.Greater(t, nonEmpty, all*8/10, "most queries have data")
}

func TestRollupIsNotUsedWhenItCannotAnswer(t *testing.T) {
	base := flowquery.Metrics{Start: t0, End: t0.Add(time.Hour), Step: time.Minute, Type: flowquery.TypeBytes, Function: flowquery.FuncRate, Scope: flowquery.ScopeNamespace}
	for name, mut := range map[string]func(*flowquery.Metrics){
		"short range":    func(q *flowquery.Metrics) { q.End = q.Start.Add(15 * time.Minute) },
		"sub-minute":     func(q *flowquery.Metrics) { q.Step = 30 * time.Second },
		"bytes p99":      func(q *flowquery.Metrics) { q.Function = flowquery.FuncP99 },
		"port filter":    func(q *flowquery.Metrics) { q.Filters = mustParse(t, "DstPort=443") },
		"dns name":       func(q *flowquery.Metrics) { q.Filters = mustParse(t, `DnsName="a"`) },
		"largest flow":   func(q *flowquery.Metrics) { q.Function = flowquery.FuncMax },
		"extra-only key": func(q *flowquery.Metrics) { q.Filters = mustParse(t, "SrcMac=0A:58:00:00:00:01") },
	} {
		q := base
		mut(&q)
		assert.False(t, useRollup(q), name)
	}
	assert.True(t, useRollup(base))
}

func TestUpgradeFromVersion1BuildsTheRollup(t *testing.T) {
	path, r := rollupStore(t)
	q := flowquery.Metrics{Start: t0, End: t0.Add(2 * time.Hour), Step: 10 * time.Minute, Type: flowquery.TypeBytes,
		Function: flowquery.FuncSum, Scope: flowquery.ScopeNamespace, Limit: 100}
	_, want, err := r.Metrics(context.Background(), q)
	require.NoError(t, err)
	require.NoError(t, r.Close())

	// Make it a version 1 store: no rollup, and a flow without an end time (a record lacking
	// network.flow.end).
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec("DROP TABLE rollup; INSERT INTO flows (bytes) VALUES (1); PRAGMA user_version = 1")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = OpenReader(path)
	assert.ErrorContains(t, err, "schema version 1: the collector upgrades it when it starts")

	w, err := OpenWriter(path)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	r2, err := OpenReader(path)
	require.NoError(t, err)
	defer r2.Close()
	_, got, err := r2.Metrics(context.Background(), q)
	require.NoError(t, err)
	assert.InDelta(t, want.Total, got.Total, 0)
}

func TestRetentionTrimsTheRollup(t *testing.T) {
	path, r := rollupStore(t)
	w, err := OpenWriter(path)
	require.NoError(t, err)
	defer w.Close()
	_, err = w.Enforce(context.Background(), Retention{MaxAge: time.Hour}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	var oldest int64
	require.NoError(t, r.db.QueryRow("SELECT min(minute_ms) FROM rollup").Scan(&oldest))
	assert.Equal(t, t0.Add(time.Hour).UnixMilli(), oldest)

	_, err = w.Enforce(context.Background(), Retention{MaxSize: 1 << 20}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	var minFlow int64
	require.NoError(t, r.db.QueryRow("SELECT min(end_ms) FROM flows").Scan(&minFlow))
	require.NoError(t, r.db.QueryRow("SELECT min(minute_ms) FROM rollup").Scan(&oldest))
	assert.Equal(t, minFlow/60000*60000, oldest)
}
