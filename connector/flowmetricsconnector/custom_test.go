// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadatatest"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestMatchTypes runs each match type against records where the field is equal, different and
// absent, with NetObserv's semantics (NotEqual and NotMatchRegex pass an absent field).
func TestMatchTypes(t *testing.T) {
	t.Parallel()
	equal := webToPg                                           // SrcK8S_Namespace=shop
	other := webToPg.with(attrs{flow.AttrSrcNamespace: "ops"}) // different
	absent := webToPg.with(attrs{flow.AttrSrcNamespace: nil})  // absent
	tests := []struct {
		match, value         string
		equal, other, absent bool
	}{
		{MatchEqual, "shop", true, false, false},
		{"", "shop", true, false, false}, // the default is Equal
		{MatchNotEqual, "shop", false, true, true},
		{MatchPresence, "", true, true, false},
		{MatchAbsence, "", false, false, true},
		{MatchRegex, "^sh", true, false, false},
		{MatchRegex, "o", true, true, false}, // unanchored, as in flowlogs-pipeline
		{MatchNotMatchRegex, "^sh", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.match+"/"+tt.value, func(t *testing.T) {
			t.Parallel()
			for _, field := range []string{"SrcK8S_Namespace", flow.AttrSrcNamespace} { // either naming
				h := newHarness(t, config(nil, MetricConfig{
					Name: "netobserv_matched_total", Type: TypeCounter,
					Filters: []FilterConfig{{Field: field, Value: tt.value, MatchType: tt.match}},
				}))
				var want float64
				b := newBatch()
				for _, c := range []struct {
					rec  attrs
					pass bool
					n    float64
				}{{equal, tt.equal, 1}, {other, tt.other, 10}, {absent, tt.absent, 100}} {
					for i := 0; i < int(c.n); i++ {
						b.add(nodeA, c.rec)
					}
					if c.pass {
						want += c.n
					}
				}
				h.feed(b)
				assert.InDelta(t, want, total(h.collect()["netobserv_matched_total"]), 0, field)
			}
		})
	}
}

// TestRepresentationFollowsTheName: a field named the NetObserv way reads as NetObserv's value
// (FlowDirection "1", TimeFlowStartMs in ms), named by our attribute as the attribute.
func TestRepresentationFollowsTheName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil,
		MetricConfig{Name: "netobserv_a_total", Type: TypeCounter, Filters: []FilterConfig{{Field: "FlowDirection", Value: "1"}}, Labels: []string{"FlowDirection"}},
		MetricConfig{Name: "netobserv_b_total", Type: TypeCounter, Filters: []FilterConfig{{Field: flow.AttrFlowDirection, Value: "egress"}}, Labels: []string{flow.AttrFlowDirection}},
		MetricConfig{Name: "netobserv_c_total", Type: TypeCounter, Labels: []string{"TimeFlowStartMs", flow.AttrStart, "SrcK8S_Name", "DstK8S_Name"}},
	))
	h.feed(reportedByBoth(newBatch(), webToPg.with(attrs{flow.AttrStart: int64(1_700_000_000_123_456_789)}), nodeA, nodeB))
	got := h.collect()
	assert.Equal(t, map[string]float64{"FlowDirection=1": 1}, values(got["netobserv_a_total"]))
	assert.Equal(t, map[string]float64{"network.flow.direction=egress": 1}, values(got["netobserv_b_total"]))
	assert.Equal(t, map[string]float64{"DstK8S_Name=pg-0,SrcK8S_Name=web-1,TimeFlowStartMs=1700000000123,network.flow.start=1700000000123456789": 2},
		values(got["netobserv_c_total"]))
}

// TestValueFieldEitherName: Bytes and network.io.bytes are the same value; DnsLatencyMs is in
// ms like NetObserv's field, network.flow.dns.latency in ns like the attribute.
func TestValueFieldEitherName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil,
		MetricConfig{Name: "netobserv_nb_total", Type: TypeCounter, ValueField: "Bytes"},
		MetricConfig{Name: "netobserv_ob_total", Type: TypeCounter, ValueField: flow.AttrBytes},
		MetricConfig{Name: "netobserv_dns_ms", Type: TypeGauge, ValueField: "DnsLatencyMs"},
		MetricConfig{Name: "netobserv_dns_ns", Type: TypeGauge, ValueField: flow.AttrDNSLatency},
	))
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrDNSLatency: int64(2_500_000)}), webToPg))
	got := h.collect()
	assert.InDelta(t, 2000, total(got["netobserv_nb_total"]), 0)
	assert.InDelta(t, 2000, total(got["netobserv_ob_total"]), 0)
	assert.InDelta(t, 2.5, total(got["netobserv_dns_ms"]), 1e-12)
	assert.InDelta(t, 2_500_000, total(got["netobserv_dns_ns"]), 0)
}

func TestDividerAndBuckets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil,
		MetricConfig{Name: "netobserv_kb_total", Type: TypeCounter, ValueField: "Bytes", Divider: 1000},
		MetricConfig{Name: "netobserv_size_kb", Type: TypeHistogram, ValueField: "Bytes", Divider: 1000, Buckets: []float64{0.5, 1, 10}},
		MetricConfig{Name: "netobserv_size_default", Type: TypeHistogram, ValueField: "Packets"},
	))
	b := newBatch()
	for _, n := range []int{200, 500, 501, 1000, 9000, 50_000} {
		b.add(nodeA, webToPg.with(attrs{flow.AttrBytes: n}))
	}
	h.feed(b)
	got := h.collect()
	assert.InDelta(t, 61.201, total(got["netobserv_kb_total"]), 1e-9)
	for _, p := range got["netobserv_size_kb"] {
		assert.Equal(t, []float64{0.5, 1, 10}, p.bounds)
		assert.Equal(t, []uint64{2, 2, 1, 1}, p.buckets)
		assert.Equal(t, uint64(6), p.count)
	}
	for _, p := range got["netobserv_size_default"] {
		assert.Equal(t, defaultBuckets, p.bounds)
		assert.Equal(t, uint64(6), p.buckets[len(p.buckets)-2], "10 packets fall in le=10: upper bounds are inclusive")
	}
}

func TestCustomDirection(t *testing.T) {
	t.Parallel()
	mk := func(name, dir string) MetricConfig {
		return MetricConfig{Name: name, Type: TypeCounter, ValueField: "Packets", Direction: dir}
	}
	h := newHarness(t, config(nil, mk("netobserv_any_total", ""), mk("netobserv_in_total", "Ingress"), mk("netobserv_out_total", "egress")))
	b := reportedByBoth(newBatch(), webToPg, nodeA, nodeB)
	b.add(nodeA, webToPg.with(attrs{flow.AttrFlowDirection: flow.DirInner, flow.AttrPackets: 1}))
	h.feed(b)
	got := h.collect()
	assert.InDelta(t, 21, total(got["netobserv_any_total"]), 0)
	assert.InDelta(t, 11, total(got["netobserv_in_total"]), 0)
	assert.InDelta(t, 11, total(got["netobserv_out_total"]), 0)
}

// TestForeignAttributes: an attribute set by another processor (its name has a dot) is read
// from the record, else from the resource.
func TestForeignAttributes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil, MetricConfig{
		Name: "netobserv_team_total", Type: TypeCounter, Labels: []string{"team.name", flow.AttrHostName},
		Filters: []FilterConfig{{Field: "team.name", MatchType: MatchPresence}},
	}))
	b := newBatch().add(nodeA, webToPg.with(attrs{"team.name": "payments"}), webToPg)
	rl := b.ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("team.name", "platform")
	putAttrs(rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes(), webToPg)
	h.feed(b)
	assert.Equal(t, map[string]float64{"host.name=node-a,team.name=payments": 1, "team.name=platform": 1},
		values(h.collect()["netobserv_team_total"]))
}

// TestValuesSkipped counts records whose value cannot be used, by reason.
func TestValuesSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil,
		MetricConfig{Name: "netobserv_v_total", Type: TypeCounter, ValueField: "x.value"},
	))
	h.feed(newBatch().add(nodeA,
		webToPg.with(attrs{"x.value": 3}),
		webToPg,                                    // missing
		webToPg.with(attrs{"x.value": "7"}),        // not numeric
		webToPg.with(attrs{"x.value": math.NaN()}), // not numeric either
		webToPg.with(attrs{"x.value": -1}),         // negative counter
		webToPg.with(attrs{"x.value": 1.5})))
	assert.InDelta(t, 4.5, total(h.collect()["netobserv_v_total"]), 0)
	metadatatest.AssertEqualConnectorFlowmetricsValuesSkipped(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("metric", "netobserv_v_total"), attribute.String("reason", "missing"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("metric", "netobserv_v_total"), attribute.String("reason", "not_numeric"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("metric", "netobserv_v_total"), attribute.String("reason", "negative"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualConnectorFlowmetricsFlows(t, h.tel, []metricdata.DataPoint[int64]{{Value: 6}}, metricdatatest.IgnoreTimestamp())
}

// TestLongLabelValues: values of 255 bytes and more take the long length form of the key.
func TestLongLabelValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(nil, MetricConfig{Name: "netobserv_l_total", Type: TypeCounter, Labels: []string{"DnsName", "SrcK8S_Namespace"}}))
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrDNSName: string(long)}), webToPg.with(attrs{flow.AttrDNSName: string(long[:254])})))
	got := values(h.collect()["netobserv_l_total"])
	require.Len(t, got, 2)
	assert.InDelta(t, 1, got["DnsName="+string(long)+",SrcK8S_Namespace=shop"], 0)
	assert.InDelta(t, 1, got["DnsName="+string(long[:254])+",SrcK8S_Namespace=shop"], 0)
}
