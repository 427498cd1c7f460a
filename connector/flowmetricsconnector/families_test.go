// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flow"
)

// TestPredefinedLabelSets checks every predefined metric's labels, kind, buckets and divider
// against NetObserv's definitions (operator internal/pkg/metrics/predefined_metrics.go), minus
// the UDN network names flowlens does not record.
func TestPredefinedLabelSets(t *testing.T) {
	t.Parallel()
	node := []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_HostName", "DstK8S_HostName"}
	namespace := []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_Namespace", "DstK8S_Namespace", "K8S_FlowLayer", "SrcSubnetLabel", "DstSubnetLabel"}
	workload := append(append([]string{}, namespace...), "SrcK8S_OwnerName", "DstK8S_OwnerName", "SrcK8S_OwnerType", "DstK8S_OwnerType", "SrcK8S_Type", "DstK8S_Type")
	groups := map[string][]string{"node": node, "namespace": namespace, "workload": workload}

	p := compile(config(PredefinedNames()))
	byName := map[string]*metricDef{}
	for _, d := range p.metrics {
		byName[d.name] = d
	}
	require.Len(t, byName, 37)
	labelsOf := func(d *metricDef) []string {
		var out []string
		for _, l := range d.labels {
			out = append(out, l.name)
		}
		return out
	}
	with := func(base []string, more ...string) []string { return append(append([]string{}, base...), more...) }
	for g, labels := range groups {
		for _, suffix := range []string{"ingress_bytes_total", "egress_bytes_total", "ingress_packets_total", "egress_packets_total", "flows_total", "network_policy_events_total"} {
			d := byName["netobserv_"+g+"_"+suffix]
			require.NotNil(t, d, g+"_"+suffix)
			assert.Equal(t, kindCounter, d.kind, d.name)
			assert.Equal(t, labels, labelsOf(d), d.name)
		}
		d := byName["netobserv_"+g+"_sampling"]
		assert.Equal(t, kindGauge, d.kind)
		assert.Equal(t, labels, labelsOf(d))
		for _, suffix := range []string{"drop_packets_total", "drop_bytes_total"} {
			d := byName["netobserv_"+g+"_"+suffix]
			assert.Equal(t, with(labels, "PktDropLatestState", "PktDropLatestDropCause"), labelsOf(d), d.name)
		}
		d = byName["netobserv_"+g+"_rtt_seconds"]
		assert.Equal(t, kindHistogram, d.kind)
		assert.Equal(t, labels, labelsOf(d))
		assert.Equal(t, []float64{.005, .01, .02, .03, .04, .05, .075, .1, .25, 1}, d.bounds)
		assert.InDelta(t, 1e9, d.divider, 0)
		d = byName["netobserv_"+g+"_dns_latency_seconds"]
		assert.Equal(t, with(labels, "DnsFlagsResponseCode"), labelsOf(d))
		assert.Equal(t, latencyBuckets, d.bounds)
		assert.InDelta(t, 1000, d.divider, 0) // DnsLatencyMs is in ms, as in NetObserv
		d = byName["netobserv_"+g+"_ipsec_flows_total"]
		assert.Equal(t, labels, labelsOf(d), "IPSecStatus is not recorded by flowlens: dropped")
	}
	assert.Equal(t, node, labelsOf(byName["netobserv_node_to_node_ingress_flows_total"]))
}

// TestDirectionCountsEachFlowOnce feeds one inter-node flow reported by both nodes, one flow
// inside node-a (inner) and one flow from outside the cluster: each is counted once in the
// ingress totals and once in the egress totals, as NetObserv counts them.
func TestDirectionCountsEachFlowOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{
		"workload_ingress_bytes_total", "workload_egress_bytes_total",
		"namespace_ingress_packets_total", "namespace_egress_packets_total",
		"node_ingress_bytes_total", "node_egress_bytes_total", "namespace_flows_total",
	}))
	b := reportedByBoth(newBatch(), webToPg, nodeA, nodeB)
	inner := webToPg.with(attrs{
		flow.AttrDstNamespace: "shop", flow.AttrDstPodName: "cache-1", flow.AttrDstOwnerName: "cache", flow.AttrDstOwnerType: "Deployment",
		flow.AttrDstNodeName: "node-a", flow.AttrDstNodeIP: "10.0.0.1", flow.AttrBytes: 300, flow.AttrPackets: 3,
		flow.AttrFlowDirection: flow.DirInner,
	})
	b.add(nodeA, inner)
	external := attrs{
		flow.AttrSrcAddress: "203.0.113.9", flow.AttrDstAddress: "10.129.0.20", flow.AttrBytes: 50, flow.AttrPackets: 1,
		flow.AttrDstNamespace: "db", flow.AttrDstOwnerName: "pg", flow.AttrDstOwnerType: "StatefulSet", flow.AttrDstResType: "Pod",
		flow.AttrDstNodeName: "node-b", flow.AttrFlowDirection: flow.DirIngress,
	}
	b.add(nodeB, external)
	h.feed(b)
	got := h.collect()

	web2pg := "DstK8S_Namespace=db,DstK8S_OwnerName=pg,DstK8S_OwnerType=StatefulSet,DstK8S_Type=Pod,K8S_FlowLayer=app," +
		"SrcK8S_Namespace=shop,SrcK8S_OwnerName=web,SrcK8S_OwnerType=Deployment,SrcK8S_Type=Pod"
	web2cache := "DstK8S_Namespace=shop,DstK8S_OwnerName=cache,DstK8S_OwnerType=Deployment,DstK8S_Type=Pod,K8S_FlowLayer=app," +
		"SrcK8S_Namespace=shop,SrcK8S_OwnerName=web,SrcK8S_OwnerType=Deployment,SrcK8S_Type=Pod"
	ext2pg := "DstK8S_Namespace=db,DstK8S_OwnerName=pg,DstK8S_OwnerType=StatefulSet,DstK8S_Type=Pod"
	assert.Equal(t, map[string]float64{web2pg: 1000, web2cache: 300, ext2pg: 50}, values(got["netobserv_workload_ingress_bytes_total"]))
	assert.Equal(t, map[string]float64{web2pg: 1000, web2cache: 300}, values(got["netobserv_workload_egress_bytes_total"]))

	nsShopDb := "DstK8S_Namespace=db,K8S_FlowLayer=app,SrcK8S_Namespace=shop"
	nsShopShop := "DstK8S_Namespace=shop,K8S_FlowLayer=app,SrcK8S_Namespace=shop"
	assert.Equal(t, map[string]float64{nsShopDb: 10, nsShopShop: 3, "DstK8S_Namespace=db": 1}, values(got["netobserv_namespace_ingress_packets_total"]))
	assert.Equal(t, map[string]float64{nsShopDb: 10, nsShopShop: 3}, values(got["netobserv_namespace_egress_packets_total"]))
	// flows_total counts records, direction-blind: the inter-node flow twice, as in NetObserv.
	assert.Equal(t, map[string]float64{nsShopDb: 2, nsShopShop: 1, "DstK8S_Namespace=db": 1}, values(got["netobserv_namespace_flows_total"]))

	nodes := "DstK8S_HostName=node-b,SrcK8S_HostName=node-a"
	assert.Equal(t, map[string]float64{nodes: 1000, "DstK8S_HostName=node-a,SrcK8S_HostName=node-a": 300, "DstK8S_HostName=node-b": 50},
		values(got["netobserv_node_ingress_bytes_total"]))
	assert.Equal(t, map[string]float64{nodes: 1000, "DstK8S_HostName=node-a,SrcK8S_HostName=node-a": 300},
		values(got["netobserv_node_egress_bytes_total"]))
}

// TestDirectionAbsentCountsBoth: a record without network.flow.direction passes both
// NetObserv filters (FlowDirection != 1 and != 0), as in flowlogs-pipeline.
func TestDirectionAbsentCountsBoth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_ingress_packets_total", "namespace_egress_packets_total"}))
	h.feed(newBatch().add(nodeA, webToPg))
	got := h.collect()
	assert.InDelta(t, 10, total(got["netobserv_namespace_ingress_packets_total"]), 0)
	assert.InDelta(t, 10, total(got["netobserv_namespace_egress_packets_total"]), 0)
}

func TestClusterAndZoneLabelsOnlyWhenPresent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"node_ingress_bytes_total"}))
	f := webToPg.with(attrs{flow.AttrFlowDirection: flow.DirIngress})
	h.feed(newBatch().add(nodeB, f, f.with(attrs{
		flow.AttrClusterName: "prod", flow.AttrSrcZone: "eu-1a", flow.AttrDstZone: "eu-1b", flow.AttrBytes: 7,
	})))
	assert.Equal(t, map[string]float64{
		"DstK8S_HostName=node-b,SrcK8S_HostName=node-a":                                                          1000,
		"DstK8S_HostName=node-b,DstK8S_Zone=eu-1b,K8S_ClusterName=prod,SrcK8S_HostName=node-a,SrcK8S_Zone=eu-1a": 7,
	}, values(h.collect()["netobserv_node_ingress_bytes_total"]))
}

func TestNodeToNodeIngressFlows(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"node_to_node_ingress_flows_total"}))
	b := reportedByBoth(newBatch(), webToPg, nodeA, nodeB)
	b.add(nodeA, webToPg.with(attrs{flow.AttrDstNodeName: "node-a", flow.AttrFlowDirection: flow.DirInner}))
	b.add(nodeB, webToPg.with(attrs{flow.AttrSrcNodeName: nil, flow.AttrFlowDirection: flow.DirIngress}))
	h.feed(b)
	// NetObserv's filters: FlowDirection != 2 and both host names present. The flow reported
	// by both nodes passes twice (NetObserv's definition); inner and half-known flows do not.
	assert.Equal(t, map[string]float64{"DstK8S_HostName=node-b,SrcK8S_HostName=node-a": 2},
		values(h.collect()["netobserv_node_to_node_ingress_flows_total"]))
}

func TestSamplingGauge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"workload_sampling"}))
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrSamplingRate: 50}), webToPg.with(attrs{flow.AttrSamplingRate: 25})))
	pts := h.collect()["netobserv_workload_sampling"]
	require.Len(t, pts, 1)
	for _, p := range pts {
		assert.InDelta(t, 25, p.value, 0, "a gauge holds the latest value")
	}
}

func TestRTTHistogram(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_rtt_seconds"}))
	b := newBatch()
	for _, ns := range []int64{3e6, 5e6, 15e6, 80e6, 300e6, 2e9} { // 3 ms ... 2 s
		b.add(nodeA, webToPg.with(attrs{flow.AttrRTT: ns}))
	}
	b.add(nodeA, webToPg) // no RTT: filtered out (Presence)
	h.feed(b)
	pts := h.collect()["netobserv_namespace_rtt_seconds"]
	require.Len(t, pts, 1)
	for _, p := range pts {
		assert.Equal(t, uint64(6), p.count)
		assert.InDelta(t, 0.003+0.005+0.015+0.08+0.3+2, p.value, 1e-9)
		assert.Equal(t, latencyBuckets, p.bounds)
		// le: .005 .01 .02 .03 .04 .05 .075 .1 .25 1 +Inf ; 5 ms falls in le=.005 (upper bound inclusive).
		assert.Equal(t, []uint64{2, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1}, p.buckets)
	}
}

func TestDNSLatencyHistogram(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_dns_latency_seconds"}))
	dns := webToPg.with(attrs{flow.AttrDNSID: 4242, flow.AttrDNSRcode: "NOERROR", flow.AttrDNSLatency: int64(12_500_000)}) // 12.5 ms
	h.feed(newBatch().add(nodeA, dns, dns.with(attrs{flow.AttrDNSRcode: "NXDOMAIN", flow.AttrDNSLatency: int64(40e6)}),
		webToPg.with(attrs{flow.AttrDNSLatency: int64(1e6)}))) // no DnsId: filtered out
	pts := h.collect()["netobserv_namespace_dns_latency_seconds"]
	base := "DnsFlagsResponseCode=%s,DstK8S_Namespace=db,K8S_FlowLayer=app,SrcK8S_Namespace=shop"
	require.Len(t, pts, 2)
	ok := pts[sprintf(base, "NOERROR")]
	assert.Equal(t, uint64(1), ok.count)
	assert.InDelta(t, 0.0125, ok.value, 1e-12)
	assert.Equal(t, []uint64{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, ok.buckets)
	nx := pts[sprintf(base, "NXDOMAIN")]
	assert.Equal(t, []uint64{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, nx.buckets)
}

func TestDropFamilies(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_drop_packets_total", "node_drop_bytes_total"}))
	drop := webToPg.with(attrs{flow.AttrDropPackets: 2, flow.AttrDropBytes: 120, flow.AttrDropState: "TCP_ESTABLISHED", flow.AttrDropCause: "SKB_DROP_REASON_NETFILTER_DROP"})
	h.feed(newBatch().add(nodeA, drop, drop, webToPg))
	got := h.collect()
	assert.Equal(t, map[string]float64{
		"DstK8S_Namespace=db,K8S_FlowLayer=app,PktDropLatestDropCause=SKB_DROP_REASON_NETFILTER_DROP,PktDropLatestState=TCP_ESTABLISHED,SrcK8S_Namespace=shop": 4,
	}, values(got["netobserv_namespace_drop_packets_total"]))
	assert.InDelta(t, 240, total(got["netobserv_node_drop_bytes_total"]), 0)
}

// TestFamiliesWithoutData: network policy events and IPsec are accepted (NetObserv's default
// list has them) but flowlens records neither yet, so they produce no series.
func TestFamiliesWithoutData(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(DefaultIncludeList))
	h.feed(reportedByBoth(newBatch(), webToPg, nodeA, nodeB))
	got := h.collect()
	assert.NotContains(t, got, "netobserv_namespace_network_policy_events_total")
	assert.NotContains(t, got, "netobserv_node_ipsec_flows_total")
	assert.NotContains(t, got, "netobserv_namespace_rtt_seconds", "no RTT on these records")
	for _, n := range []string{"netobserv_workload_ingress_bytes_total", "netobserv_workload_egress_bytes_total", "netobserv_node_ingress_bytes_total",
		"netobserv_node_egress_bytes_total", "netobserv_node_ingress_packets_total", "netobserv_namespace_ingress_packets_total",
		"netobserv_namespace_flows_total", "netobserv_workload_sampling", "netobserv_node_to_node_ingress_flows_total"} {
		assert.Contains(t, got, n)
	}
}

func TestIntAndDoubleDataPoints(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_flows_total"}, MetricConfig{
		Name: "netobserv_kib_total", Type: TypeCounter, ValueField: "Bytes", Divider: 1024,
	}))
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrBytes: 512})))
	md := h.c.collect()
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	require.Equal(t, 2, ms.Len())
	assert.Equal(t, int64(1), ms.At(0).Sum().DataPoints().At(0).IntValue())
	assert.InDelta(t, 0.5, ms.At(1).Sum().DataPoints().At(0).DoubleValue(), 0)
}

func values(pts map[string]point) map[string]float64 {
	out := map[string]float64{}
	for k, p := range pts {
		out[k] = p.value
	}
	return out
}
