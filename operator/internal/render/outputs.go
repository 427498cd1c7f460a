// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// outputs adds every output of the FlowCollector to the stage that runs them. Each output is one
// function; one whose component is missing records an issue and renders nothing.
func (r *renderer) outputs(st *stage) {
	r.lokiOutput(st)
	for i, e := range r.spec.Exporters {
		if e == nil {
			continue
		}
		switch e.Type {
		case v1beta2.KafkaExporter:
			r.kafkaExport(st, i, e)
		case v1beta2.IpfixExporter:
			r.ipfixExport(st, i, e)
		case v1beta2.OpenTelemetryExporter:
			r.otlpExport(st, i, e)
		}
	}
	r.metricsOutput(st) // last: it joins the OTLP metrics exporters added above
}
