// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

type consoleMetrics struct {
	Metrics []struct {
		Labels map[string]string `json:"labels"`
		Total  float64           `json:"total"`
	} `json:"metrics"`
	Total struct {
		Total float64 `json:"total"`
	} `json:"total"`
	Stats struct {
		DataSource string `json:"dataSource"`
		Fallback   string `json:"fallback"`
	} `json:"stats"`
}

// egressBytesByNamespace sums the bytes of egress flows per source -> destination namespace.
func egressBytesByNamespace(ld plog.Logs, into map[[2]string]float64) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				a := lrs.At(k).Attributes()
				if d, _ := a.Get(flow.AttrFlowDirection); d.Str() != flow.DirEgress {
					continue
				}
				str := func(k string) string {
					if v, ok := a.Get(k); ok {
						return v.Str()
					}
					return ""
				}
				b, _ := a.Get(flow.AttrBytes)
				into[[2]string{str(flow.AttrSrcNamespace), str(flow.AttrDstNamespace)}] += float64(b.Int())
			}
		}
	}
}

// TestConsoleMetricsFromPrometheus runs the cluster metrics chain: flows (synthetic, enriched)
// into the collector's flowmetrics connector, a real Prometheus scraping it, and the console
// answering the overview and topology with PromQL, falling back to the store for what the
// metrics cannot answer.
func TestConsoleMetricsFromPrometheus(t *testing.T) {
	otlpAddr := testutil.FreeLoopbackPort(t)
	promAddr := testutil.FreeLoopbackPort(t)
	c := startCollector(t, "", fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http: {endpoint: %s}
connectors:
  flowmetrics:
    include_list: [namespace_egress_bytes_total, workload_egress_bytes_total, namespace_flows_total, namespace_dns_latency_seconds]
    flush_interval: 1s
exporters:
  prometheus:
    endpoint: %s
    without_scope_info: true
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs: {receivers: [otlp], exporters: [flowmetrics]}
    metrics: {receivers: [flowmetrics], exporters: [prometheus]}
`, otlpAddr, promAddr))
	c.waitLog(t, 30*time.Second, "Everything is ready")
	prom := testutil.StartPrometheus(t, map[string]string{"flowlens": promAddr})
	// Prometheus hands new targets to its scrapers every 5 s: wait for the first scrape, or the
	// first seconds of traffic would be the counters' starting values, which increase() omits.
	prom.WaitQuery(t, 30*time.Second, `up == 1`, func(s []testutil.Sample) bool { return len(s) == 1 })

	// The same flows go to the store, which answers what the metrics cannot.
	store := filepath.Join(t.TempDir(), "flows.db")
	w, err := flowstore.OpenWriter(store)
	require.NoError(t, err)
	defer w.Close()
	gen := flowgen.New(11)
	want := map[[2]string]float64{}
	start := time.Now()
	for i := range 40 { // 8 s of traffic, a batch every 200 ms
		ld := gen.Logs(time.Now(), 200, time.Millisecond)
		egressBytesByNamespace(ld, want)
		postOTLP(t, otlpAddr, ld)
		_, err := w.Write(t.Context(), ld)
		require.NoError(t, err)
		if i < 39 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Wait for the last flush and scrape.
	prom.WaitQuery(t, 20*time.Second, `sum(netobserv_namespace_flows_total)`, func(s []testutil.Sample) bool {
		return len(s) == 1 && s[0].Value >= 8000
	})
	time.Sleep(2 * time.Second)

	con := testutil.StartConsole(t, "--store="+store, "--prometheus-url="+prom.URL, "--prometheus-rate-interval=5s")
	rangeQ := func(v url.Values) url.Values {
		v.Set("startTime", fmt.Sprint(start.Add(-5*time.Second).Unix()))
		v.Set("endTime", fmt.Sprint(time.Now().Unix()))
		v.Set("step", "5s")
		return v
	}

	// Bytes by namespace from Prometheus: the metric has only egress bytes here, so the console
	// picks netobserv_namespace_egress_bytes_total. The top edges are those of the flows.
	var m consoleMetrics
	apiGet(t, con.URL, "/api/flow/metrics", rangeQ(url.Values{"type": {"Bytes"}, "function": {"sum"}, "aggregateBy": {"namespace"}, "limit": {"3"}}), &m)
	assert.Equal(t, "prometheus", m.Stats.DataSource)
	require.NotEmpty(t, m.Metrics)
	type edge struct {
		k [2]string
		v float64
	}
	var edges []edge
	for k, v := range want {
		edges = append(edges, edge{k, v})
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].v > edges[j].v })
	top := m.Metrics[0]
	assert.Equal(t, edges[0].k, [2]string{top.Labels["SrcK8S_Namespace"], top.Labels["DstK8S_Namespace"]}, "top edge")
	// increase() extrapolates at the range edges: the amount is close, not exact.
	t.Logf("top edge %v: want %.0f got %.0f; all: want %.0f got %.0f", edges[0].k, edges[0].v, top.Total, func() float64 { s := 0.0; for _, e := range edges { s += e.v }; return s }(), m.Total.Total)
	assert.InEpsilon(t, edges[0].v, top.Total, 0.35, "bytes of the top edge: want %.0f", edges[0].v)
	var sent float64
	for _, e := range edges {
		sent += e.v
	}
	assert.InEpsilon(t, sent, m.Total.Total, 0.35, "all egress bytes")

	// Either-end filter: Prometheus answers with the union of both ends' series.
	m = consoleMetrics{}
	apiGet(t, con.URL, "/api/flow/metrics", rangeQ(url.Values{"type": {"Flows"}, "aggregateBy": {"namespace"}, "limit": {"10"},
		"filters": {`namespace="payments"`}}), &m)
	assert.Equal(t, "prometheus", m.Stats.DataSource)
	require.NotEmpty(t, m.Metrics)
	for _, s := range m.Metrics {
		assert.True(t, s.Labels["SrcK8S_Namespace"] == "payments" || s.Labels["DstK8S_Namespace"] == "payments", "%v", s.Labels)
	}

	// DNS latency from the histogram, in milliseconds (flowgen: 0.2 to 4.2 ms).
	m = consoleMetrics{}
	apiGet(t, con.URL, "/api/flow/metrics", rangeQ(url.Values{"type": {"DnsLatencyMs"}, "function": {"p99"}, "aggregateBy": {"namespace"}}), &m)
	assert.Equal(t, "prometheus", m.Stats.DataSource)
	require.NotEmpty(t, m.Metrics)
	for _, s := range m.Metrics {
		assert.Greater(t, s.Total, 0.0)
		assert.LessOrEqual(t, s.Total, 5.0, "p99 within the first bucket (5 ms)")
	}

	// Resource scope: no metric has pod names, so the store answers and the console says why.
	m = consoleMetrics{}
	apiGet(t, con.URL, "/api/flow/metrics", rangeQ(url.Values{"aggregateBy": {"resource"}}), &m)
	assert.Equal(t, "store", m.Stats.DataSource)
	assert.Contains(t, m.Stats.Fallback, "has no label SrcK8S_Name")
	require.NotEmpty(t, m.Metrics)

	// Autocomplete from the records backend; status lists both backends.
	var st struct {
		Backends []struct {
			Name  string `json:"name"`
			Ready bool   `json:"ready"`
		} `json:"backends"`
	}
	apiGet(t, con.URL, "/api/status", nil, &st)
	var names []string
	for _, b := range st.Backends {
		assert.True(t, b.Ready, b.Name)
		names = append(names, b.Name)
	}
	assert.ElementsMatch(t, []string{"store", "prometheus"}, names)
}
