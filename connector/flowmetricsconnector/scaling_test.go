// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flowlens/flowlens/pkg/flow"
)

// TestScaleBySampling: with scale_by_sampling, counters of a value field (bytes, packets,
// drops) are multiplied by the record's sampling rate; record counts, gauges and histograms
// are not. Without it, every value is the raw sampled one (NetObserv's behaviour).
func TestScaleBySampling(t *testing.T) {
	t.Parallel()
	include := []string{"namespace_ingress_bytes_total", "namespace_ingress_packets_total", "namespace_drop_packets_total",
		"namespace_flows_total", "namespace_sampling", "namespace_rtt_seconds"}
	custom := []MetricConfig{
		{Name: "netobserv_custom_bytes_total", Type: TypeCounter, ValueField: flow.AttrBytes},
		{Name: "netobserv_custom_records_total", Type: TypeCounter},
	}
	rec := webToPg.with(attrs{flow.AttrSamplingRate: 50, flow.AttrDropPackets: 1, flow.AttrRTT: int64(20e6)})
	noRate := webToPg.with(attrs{flow.AttrSamplingRate: nil, flow.AttrRTT: int64(20e6)})
	for _, scale := range []bool{false, true} {
		cfg := config(include, custom...)
		cfg.ScaleBySampling = scale
		h := newHarness(t, cfg)
		h.feed(newBatch().add(nodeB, rec, noRate))
		got := h.collect()
		k := 1.0
		if scale {
			k = 50
		}
		assert.InDelta(t, 1000*k+1000, total(got["netobserv_namespace_ingress_bytes_total"]), 0, "scale=%t", scale)
		assert.InDelta(t, 10*k+10, total(got["netobserv_namespace_ingress_packets_total"]), 0)
		assert.InDelta(t, 1*k, total(got["netobserv_namespace_drop_packets_total"]), 0)
		assert.InDelta(t, 1000*k+1000, total(got["netobserv_custom_bytes_total"]), 0)
		assert.InDelta(t, 2, total(got["netobserv_namespace_flows_total"]), 0, "record counts are never scaled")
		assert.InDelta(t, 2, total(got["netobserv_custom_records_total"]), 0)
		for _, p := range got["netobserv_namespace_rtt_seconds"] {
			assert.Equal(t, uint64(2), p.count, "histograms are never scaled")
		}
		assert.InDelta(t, 50, total(got["netobserv_namespace_sampling"]), 0, "the sampling gauge reports the rate itself")
	}
}

// TestScalingEstimates simulates the kernel's per-packet sampling (each packet kept with
// probability 1/N) over many flows and checks that the scaled byte and packet totals estimate
// the real traffic (they are unbiased: each packet stands for N), while scaling the number of
// flow records would not: a flow gives a record as soon as one of its packets is kept, so
// N × records overestimates flows by up to N. That is why record counts stay unscaled.
func TestScalingEstimates(t *testing.T) {
	t.Parallel()
	const n = 50
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := config([]string{"namespace_ingress_bytes_total", "namespace_ingress_packets_total", "namespace_flows_total"})
	cfg.ScaleBySampling = true
	h := newHarness(t, cfg)
	var trueBytes, truePackets float64
	const flows = 2000
	b := newBatch()
	for i := 0; i < flows; i++ {
		packets := 1 + rng.IntN(200)
		var sb, sp int
		for p := 0; p < packets; p++ {
			size := 64 + rng.IntN(1400)
			trueBytes += float64(size)
			truePackets++
			if rng.IntN(n) == 0 {
				sb += size
				sp++
			}
		}
		if sp > 0 {
			b.add(nodeB, webToPg.with(attrs{flow.AttrBytes: sb, flow.AttrPackets: sp, flow.AttrSamplingRate: n, flow.AttrFlowDirection: flow.DirIngress}))
		}
	}
	h.feed(b)
	got := h.collect()
	estBytes := total(got["netobserv_namespace_ingress_bytes_total"])
	estPackets := total(got["netobserv_namespace_ingress_packets_total"])
	records := total(got["netobserv_namespace_flows_total"])
	t.Logf("bytes: true %.0f, estimate %.0f (%+.2f%%); packets: true %.0f, estimate %.0f (%+.2f%%); flows %d, records %.0f, records×N %.0f",
		trueBytes, estBytes, 100*(estBytes/trueBytes-1), truePackets, estPackets, 100*(estPackets/truePackets-1), flows, records, records*n)
	assert.InEpsilon(t, trueBytes, estBytes, 0.06)
	assert.InEpsilon(t, truePackets, estPackets, 0.06)
	assert.Greater(t, records*n, 20.0*flows, "scaling record counts would overestimate flows many times over")
}
