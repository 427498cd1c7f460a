// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package prombackend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

func everything(string) bool { return true }

func metricsQuery(t *testing.T, typ flowquery.MetricType, fn flowquery.Function, scope flowquery.Scope, filters string) flowquery.Metrics {
	fs, err := flowquery.Parse(filters)
	require.NoError(t, err)
	return flowquery.Metrics{Start: time.Unix(0, 0), End: time.Unix(3600, 0), Step: 30 * time.Second, Type: typ, Function: fn, Scope: scope, Filters: fs, Limit: 5}
}

func TestChooseTheSmallestFamilyWithTheLabels(t *testing.T) {
	for _, tc := range []struct {
		typ    flowquery.MetricType
		scope  flowquery.Scope
		filter string
		want   string
	}{
		{flowquery.TypeBytes, flowquery.ScopeHost, "", "netobserv_node_ingress_bytes_total"},
		{flowquery.TypeBytes, flowquery.ScopeNamespace, "", "netobserv_namespace_ingress_bytes_total"},
		{flowquery.TypeBytes, flowquery.ScopeNamespace, `src_owner_name="web"`, "netobserv_workload_ingress_bytes_total"},
		{flowquery.TypeBytes, flowquery.ScopeOwner, "", "netobserv_workload_ingress_bytes_total"},
		{flowquery.TypeFlows, flowquery.ScopeZone, "", "netobserv_node_flows_total"},
		{flowquery.TypeRTT, flowquery.ScopeNamespace, "", "netobserv_namespace_rtt_seconds"},
	} {
		c, err := choose(metricsQuery(t, tc.typ, flowquery.FuncRate, tc.scope, tc.filter), everything)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.metric, "%s by %s %s", tc.typ, tc.scope, tc.filter)
	}
	// Only what exists: egress when there is no ingress metric.
	c, err := choose(metricsQuery(t, flowquery.TypeBytes, flowquery.FuncRate, flowquery.ScopeNamespace, ""),
		func(n string) bool { return n == "netobserv_workload_egress_bytes_total" })
	require.NoError(t, err)
	assert.Equal(t, "netobserv_workload_egress_bytes_total", c.metric)

	_, err = choose(metricsQuery(t, flowquery.TypeBytes, flowquery.FuncRate, flowquery.ScopeResource, ""), everything)
	assert.ErrorContains(t, err, "no metric has the labels this query needs: netobserv_node_ingress_bytes_total has no label SrcK8S_Name")
	_, err = choose(metricsQuery(t, flowquery.TypeBytes, flowquery.FuncRate, flowquery.ScopeNamespace, "DstPort=443"), everything)
	assert.ErrorContains(t, err, "has no label DstPort")
	_, err = choose(metricsQuery(t, flowquery.TypeDropBytes, flowquery.FuncRate, flowquery.ScopeNamespace, ""), func(string) bool { return false })
	assert.ErrorContains(t, err, "add it to the flowmetrics include_list")
}

func TestPromQL(t *testing.T) {
	counter := choice{metric: "netobserv_namespace_ingress_bytes_total"}
	hist := choice{metric: "netobserv_namespace_dns_latency_seconds", histogram: true}
	by := []string{"SrcK8S_Namespace", "DstK8S_Namespace"}
	for _, tc := range []struct {
		c      choice
		fn     flowquery.Function
		filter string
		want   string
		scale  float64
	}{
		{counter, flowquery.FuncRate, "", `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_ingress_bytes_total[1m]))`, 1},
		{counter, flowquery.FuncSum, `src_namespace="shop"`, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (increase(netobserv_namespace_ingress_bytes_total{SrcK8S_Namespace="shop"}[30s]))`, 1},
		{counter, flowquery.FuncRate, `src_namespace="a","b" & dst_namespace!=kube`, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_ingress_bytes_total{SrcK8S_Namespace=~"a|b", DstK8S_Namespace!~"(?i).*kube.*"}[1m]))`, 1},
		// Either end: the union of raw series, so a series in both groups counts once.
		{counter, flowquery.FuncRate, `namespace="shop"`, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_ingress_bytes_total{SrcK8S_Namespace="shop"}[1m]) or rate(netobserv_namespace_ingress_bytes_total{DstK8S_Namespace="shop"}[1m]))`, 1},
		{counter, flowquery.FuncRate, `K8S_FlowLayer~"^ap"`, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_ingress_bytes_total{K8S_FlowLayer=~".*(?:^ap).*"}[1m]))`, 1},
		{hist, flowquery.FuncAvg, "", `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_dns_latency_seconds_sum[1m])) / sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(netobserv_namespace_dns_latency_seconds_count[1m]))`, 1000},
		{hist, flowquery.FuncP99, "", `histogram_quantile(0.99, sum by (SrcK8S_Namespace, DstK8S_Namespace, le) (rate(netobserv_namespace_dns_latency_seconds_bucket[1m])))`, 1000},
	} {
		q := metricsQuery(t, flowquery.TypeBytes, tc.fn, flowquery.ScopeNamespace, tc.filter)
		got, scale, err := query(q, tc.c, by, time.Minute)
		require.NoError(t, err, tc.filter)
		assert.Equal(t, tc.want, got, "%s %s", tc.fn, tc.filter)
		assert.InDelta(t, tc.scale, scale, 0)
	}
	_, _, err := query(metricsQuery(t, flowquery.TypeBytes, flowquery.FuncMax, flowquery.ScopeNamespace, ""), counter, by, time.Minute)
	assert.ErrorContains(t, err, "a counter has rate or sum")
	_, _, err = query(metricsQuery(t, flowquery.TypeDNSLatency, flowquery.FuncMin, flowquery.ScopeNamespace, ""), hist, by, time.Minute)
	assert.ErrorContains(t, err, "a histogram has avg, p90 or p99")
	_, _, err = query(metricsQuery(t, flowquery.TypeBytes, flowquery.FuncRate, flowquery.ScopeNamespace, "SrcK8S_Namespace>=3"), counter, by, time.Minute)
	assert.ErrorContains(t, err, "cannot be compared as numbers")
}
