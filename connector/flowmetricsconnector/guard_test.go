// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadatatest"
	"github.com/flowlens/flowlens/pkg/flow"
)

func metricAttr(name string) attribute.Set { return attribute.NewSet(attribute.String("metric", name)) }

// TestGuardHoldsUnder100kLabelSets feeds 100,000 distinct label sets to a metric with a budget
// of 1,000: it holds 1,000 series plus the overflow series, and no value is lost.
func TestGuardHoldsUnder100kLabelSets(t *testing.T) {
	t.Parallel()
	const budget, distinct = 1000, 100_000
	cfg := config([]string{"workload_ingress_bytes_total", "namespace_flows_total"})
	cfg.MaxSeriesPerMetric = budget
	h := newHarness(t, cfg)
	for i := 0; i < distinct; i += 1000 {
		b := newBatch()
		for j := i; j < i+1000; j++ {
			b.add(nodeB, webToPg.with(attrs{flow.AttrSrcOwnerName: fmt.Sprintf("job-%06d", j), flow.AttrFlowDirection: flow.DirIngress, flow.AttrBytes: 3}))
		}
		h.feed(b)
		assert.LessOrEqual(t, h.c.tables[0].active(), budget+1)
	}
	got := h.collect()
	pts := got["netobserv_workload_ingress_bytes_total"]
	assert.Len(t, pts, budget+1)
	over, ok := pts["otel.metric.overflow=true"]
	require.True(t, ok, "the overflow series carries only otel.metric.overflow=true")
	assert.InDelta(t, 3*(distinct-budget), over.value, 0)
	assert.InDelta(t, 3*distinct, total(pts), 0, "every byte is counted, in its own series or in the overflow one")
	assert.Len(t, got["netobserv_namespace_flows_total"], 1, "the namespace metric has one label set: no overflow")

	metadatatest.AssertEqualConnectorFlowmetricsSeriesOverflowed(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: distinct - budget, Attributes: metricAttr("netobserv_workload_ingress_bytes_total")},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualConnectorFlowmetricsSeriesCreated(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: budget, Attributes: metricAttr("netobserv_workload_ingress_bytes_total")},
		{Value: 1, Attributes: metricAttr("netobserv_namespace_flows_total")},
	}, metricdatatest.IgnoreTimestamp())
}

// TestExpiry: a series idle for series_expiry disappears at the next flush (after being
// emitted one last time), frees its place in the budget, and starts again from zero, with a
// new start time, if its label set comes back.
func TestExpiry(t *testing.T) {
	t.Parallel()
	cfg := config(nil, MetricConfig{Name: "netobserv_by_ns_total", Type: TypeCounter, ValueField: "Bytes", Labels: []string{"SrcK8S_Namespace"}})
	cfg.MaxSeriesPerMetric = 2
	cfg.SeriesExpiry = time.Minute
	h := newHarness(t, cfg)
	ns := func(n string, bytes int) attrs {
		return webToPg.with(attrs{flow.AttrSrcNamespace: n, flow.AttrBytes: bytes})
	}

	h.feed(newBatch().add(nodeA, ns("a", 1), ns("b", 10)))
	first := h.collect()["netobserv_by_ns_total"]
	assert.Equal(t, map[string]float64{"SrcK8S_Namespace=a": 1, "SrcK8S_Namespace=b": 10}, values(first))

	h.advance(40 * time.Second)
	h.feed(newBatch().add(nodeA, ns("b", 10), ns("c", 100))) // c overflows: the budget is 2
	assert.Equal(t, map[string]float64{"SrcK8S_Namespace=a": 1, "SrcK8S_Namespace=b": 20, "otel.metric.overflow=true": 100},
		values(h.collect()["netobserv_by_ns_total"]))

	h.advance(30 * time.Second) // a: idle 70 s, b and the overflow: 30 s
	assert.Equal(t, map[string]float64{"SrcK8S_Namespace=a": 1, "SrcK8S_Namespace=b": 20, "otel.metric.overflow=true": 100},
		values(h.collect()["netobserv_by_ns_total"]), "emitted once more, then expired")
	assert.Equal(t, map[string]float64{"SrcK8S_Namespace=b": 20, "otel.metric.overflow=true": 100},
		values(h.collect()["netobserv_by_ns_total"]))

	h.feed(newBatch().add(nodeA, ns("c", 100), ns("a", 5))) // a's slot is free: c gets it, a overflows
	got := h.collect()["netobserv_by_ns_total"]
	assert.Equal(t, map[string]float64{"SrcK8S_Namespace=b": 20, "SrcK8S_Namespace=c": 100, "otel.metric.overflow=true": 105}, values(got))
	assert.Greater(t, got["SrcK8S_Namespace=c"].start, first["SrcK8S_Namespace=b"].start)

	h.advance(2 * time.Minute)
	h.collect()
	assert.Empty(t, h.collect(), "everything expired, the overflow series included")
	assert.Equal(t, 0, h.c.tables[0].active())
	h.c.report(context.Background())
	metadatatest.AssertEqualConnectorFlowmetricsSeriesExpired(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 4, Attributes: metricAttr("netobserv_by_ns_total")}, // a, then b, c and the overflow
	}, metricdatatest.IgnoreTimestamp())
}

// TestCompactAfterBurst: after a burst of label sets expires, the slab shrinks back.
func TestCompactAfterBurst(t *testing.T) {
	t.Parallel()
	cfg := config(nil, MetricConfig{Name: "netobserv_h", Type: TypeHistogram, ValueField: "Packets", Labels: []string{"SrcK8S_OwnerName"}})
	cfg.MaxSeriesPerMetric = 10_000
	cfg.SeriesExpiry = time.Minute
	h := newHarness(t, cfg)
	b := newBatch()
	for i := 0; i < 5000; i++ {
		b.add(nodeA, webToPg.with(attrs{flow.AttrSrcOwnerName: fmt.Sprint("burst-", i)}))
	}
	h.feed(b)
	h.advance(50 * time.Second)
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrPackets: 3})))
	h.advance(30 * time.Second)
	h.collect()
	tb := h.c.tables[0]
	assert.Len(t, tb.slab, 1)
	assert.Len(t, tb.hist, tb.nb)
	pts := h.collect()["netobserv_h"]
	assert.Equal(t, uint64(1), pts["SrcK8S_OwnerName=web"].count)
	assert.Equal(t, uint64(1), pts["SrcK8S_OwnerName=web"].buckets[9], "3 packets fall in le=5")
}
