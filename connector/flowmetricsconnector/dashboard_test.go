// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// prometheusNames returns every metric name the connector's output and its own telemetry have
// in Prometheus: the predefined metrics (histograms as _bucket, _sum and _count) and the
// collector's otelcol_connector_flowmetrics_* metrics (the collector's telemetry endpoint adds
// no _total to its counters; tests/e2e checks these names in a real Prometheus).
func prometheusNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, p := range predefinedList {
		n := predefinedPrefix + p.Name
		if strings.EqualFold(p.Type, TypeHistogram) {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[n+s] = true
			}
			continue
		}
		names[n] = true
	}
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	tel, err := cm.Sub("telemetry::metrics")
	require.NoError(t, err)
	for name := range tel.ToStringMap() {
		names["otelcol_"+name] = true
	}
	return names
}

// TestDashboard loads every dashboard in dashboards/, parses each PromQL expression in it with
// Prometheus' own parser and checks that every metric it names is one the connector produces.
func TestDashboard(t *testing.T) {
	t.Parallel()
	known := prometheusNames(t)
	files, err := filepath.Glob(filepath.Join("dashboards", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var d dashboard
			require.NoError(t, json.Unmarshal(data, &d))
			assert.NotEmpty(t, d.Title)
			assert.NotEmpty(t, d.UID)

			var exprs []string
			ids := map[int]bool{}
			for _, p := range d.Panels {
				assert.False(t, ids[p.ID], "panel id %d is used twice", p.ID)
				ids[p.ID] = true
				if p.Type == "row" {
					continue
				}
				assert.NotEmpty(t, p.Title, "panel %d", p.ID)
				assert.Equal(t, "prometheus", p.Datasource.Type, p.Title)
				require.NotEmpty(t, p.Targets, p.Title)
				for _, tg := range p.Targets {
					assert.NotEmpty(t, tg.RefID, p.Title)
					exprs = append(exprs, tg.Expr)
				}
			}
			for _, v := range d.Templating.List {
				if v.Type != "query" {
					continue
				}
				var q struct {
					Query string `json:"query"`
				}
				require.NoError(t, json.Unmarshal(v.Query, &q), "variable %s", v.Name)
				m := labelValues.FindStringSubmatch(q.Query)
				require.NotNil(t, m, "variable %s: %q is not label_values(selector, label)", v.Name, q.Query)
				exprs = append(exprs, m[1])
			}

			used := map[string]bool{}
			for _, e := range exprs {
				for _, name := range metricNames(t, e) {
					assert.True(t, known[name], "%q names %s, which the connector does not produce", e, name)
					used[name] = true
				}
			}
			// Every predefined metric of NetObserv's default list that flowlens fills has a panel.
			for _, n := range DefaultIncludeList {
				if n == "namespace_network_policy_events_total" || n == "node_ipsec_flows_total" {
					continue // flowlens records neither yet: the metrics stay empty
				}
				full := predefinedPrefix + n
				assert.True(t, used[full] || used[full+"_bucket"] || used[full+"_count"], "no panel shows %s", full)
			}
		})
	}
}

var (
	labelValues = regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)
	grafanaVar  = regexp.MustCompile(`\$\{?(\w+)\}?`)
)

// metricNames parses a PromQL expression, Grafana variables replaced ($__rate_interval by a
// duration, others by a regexp matching anything), and returns the metric names it selects.
func metricNames(t *testing.T, expr string) []string {
	t.Helper()
	q := grafanaVar.ReplaceAllStringFunc(expr, func(v string) string {
		if strings.Contains(v, "__rate_interval") || strings.Contains(v, "__interval") || strings.Contains(v, "__range") {
			return "5m"
		}
		return ".*"
	})
	e, err := parser.NewParser(parser.Options{}).ParseExpr(q)
	require.NoError(t, err, "dashboard expression %q", expr)
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		require.NotEmpty(t, name, "%q selects series without a metric name", expr)
		names = append(names, name)
		return nil
	})
	sort.Strings(names)
	return slices.Compact(names)
}

// dashboard is the part of Grafana's dashboard JSON the test reads.
type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct {
			Type string `json:"type"`
		} `json:"datasource"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"` // a string, or {"query": "..."}
		} `json:"list"`
	} `json:"templating"`
}

// TestDashboardCheckCatchesTypos: the check sees through functions, matchers and variables.
func TestDashboardCheckCatchesTypos(t *testing.T) {
	t.Parallel()
	known := prometheusNames(t)
	names := metricNames(t, `histogram_quantile(0.9, sum by (le) (rate(netobserv_namespace_rtt_second_bucket{DstK8S_Namespace=~"$namespace"}[$__rate_interval]))) / on() group_left {__name__="netobserv_workload_sampling"}`)
	assert.Equal(t, []string{"netobserv_namespace_rtt_second_bucket", "netobserv_workload_sampling"}, names)
	assert.False(t, known[names[0]])
	assert.True(t, known[names[1]])
	assert.True(t, known["otelcol_connector_flowmetrics_series_overflowed"])
	assert.True(t, known["otelcol_connector_flowmetrics_series_active"])
}
