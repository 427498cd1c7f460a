// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// lookups reads processor_k8sflow_lookups{result} from the processor's telemetry.
func lookups(t *testing.T, r *running, result string) int64 {
	t.Helper()
	return sumOf(t, r, "otelcol_processor_k8sflow_lookups", attribute.String("result", result))
}

// sumOf returns the value of an int64 sum or gauge data point that has attr (or any point when
// attr is empty), 0 when absent.
var emptyAttr attribute.KeyValue

func sumOf(t *testing.T, r *running, name string, attr attribute.KeyValue) int64 {
	t.Helper()
	m, err := r.tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var pts []metricdata.DataPoint[int64]
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		pts = d.DataPoints
	case metricdata.Gauge[int64]:
		pts = d.DataPoints
	}
	var total int64
	for _, p := range pts {
		if !attr.Valid() {
			total += p.Value
			continue
		}
		if v, ok := p.Attributes.Value(attr.Key); ok && v == attr.Value {
			total += p.Value
		}
	}
	return total
}
