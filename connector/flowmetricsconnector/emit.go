// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// OverflowAttribute marks the overflow series, as the OpenTelemetry metrics SDK marks its
// cardinality-limit overflow: the series carries only this attribute, set to true. Through the
// Prometheus exporter it reads otel_metric_overflow="true".
const OverflowAttribute = "otel.metric.overflow"

// snapshot is a copy of a table's series, taken under the connector lock so that building the
// pdata (about 1 µs per data point) happens without holding it.
type snapshot struct {
	def      *metricDef
	series   []series // the overflow series last when overflow is set
	hist     []uint64 // histograms: nb counts per series
	nb       int
	overflow bool
}

// snapshot copies the held series; callers hold the connector lock.
func (t *table) snapshot() snapshot {
	s := snapshot{def: t.def, nb: t.nb, series: make([]series, 0, t.active())}
	if t.nb > 0 {
		s.hist = make([]uint64, 0, t.active()*t.nb)
	}
	for i := range t.slab {
		if t.slab[i].live() {
			s.series = append(s.series, t.slab[i])
			s.hist = append(s.hist, t.buckets(int32(i))...)
		}
	}
	if t.hasOverflow {
		s.series = append(s.series, t.overflow)
		s.hist = append(s.hist, t.overflowHist...)
		s.overflow = true
	}
	return s
}

// appendTo appends the metric with every series of the snapshot to ms; nothing when it has none.
func (s *snapshot) appendTo(ms pmetric.MetricSlice, now pcommon.Timestamp) {
	n := len(s.series)
	if n == 0 {
		return
	}
	d := s.def
	m := ms.AppendEmpty()
	m.SetName(d.name)
	m.SetDescription(d.description)
	m.SetUnit(d.unit)
	switch d.kind {
	case kindCounter:
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dps := sum.DataPoints()
		dps.EnsureCapacity(n)
		for i := range s.series {
			s.number(dps.AppendEmpty(), i, now)
		}
	case kindGauge:
		dps := m.SetEmptyGauge().DataPoints()
		dps.EnsureCapacity(n)
		for i := range s.series {
			s.number(dps.AppendEmpty(), i, now)
		}
	case kindHistogram:
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dps := h.DataPoints()
		dps.EnsureCapacity(n)
		for i := range s.series {
			sr := &s.series[i]
			dp := dps.AppendEmpty()
			s.attributes(dp.Attributes(), i)
			dp.SetStartTimestamp(pcommon.Timestamp(sr.start))
			dp.SetTimestamp(now)
			dp.SetCount(sr.count)
			dp.SetSum(sr.value)
			dp.ExplicitBounds().FromRaw(d.bounds)
			dp.BucketCounts().FromRaw(s.hist[i*s.nb : (i+1)*s.nb])
		}
	}
}

func (s *snapshot) number(dp pmetric.NumberDataPoint, i int, now pcommon.Timestamp) {
	sr := &s.series[i]
	s.attributes(dp.Attributes(), i)
	if s.def.kind == kindCounter {
		dp.SetStartTimestamp(pcommon.Timestamp(sr.start))
	}
	dp.SetTimestamp(now)
	if s.def.intValued {
		dp.SetIntValue(int64(sr.value))
	} else {
		dp.SetDoubleValue(sr.value)
	}
}

// attributes sets the labels of series i, leaving out empty ones (an absent field).
func (s *snapshot) attributes(attrs pcommon.Map, i int) {
	if s.overflow && i == len(s.series)-1 {
		attrs.PutBool(OverflowAttribute, true)
		return
	}
	labels := s.def.labels
	attrs.EnsureCapacity(len(labels))
	decodeKey(s.series[i].key, func(j int, val string) {
		if val != "" {
			attrs.PutStr(labels[j].name, val)
		}
	})
}
