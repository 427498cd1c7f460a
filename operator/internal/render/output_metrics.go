// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
)

// metricsOutput turns flows into NetObserv's metrics (flowmetrics connector) and exposes them to
// Prometheus (contrib prometheus exporter on spec.processor.metrics.server.port). The OTLP
// exporters of spec.exporters[] may already have joined the metrics pipeline.
func (r *renderer) metricsOutput(st *stage) {
	if !r.avail.Has(ConnectorFlowMetrics) {
		r.issue("spec.processor.metrics", "%s is not in this collector build yet: no flow metrics are generated", ConnectorFlowMetrics.Describe())
		return
	}
	if r.need("spec.processor.metrics", ExporterPrometheus) {
		st.addMetricsExporter("prometheus", r.prometheusExporter())
	}
	p, ok := st.cfg.Service.Pipelines["metrics"]
	if !ok || len(p.Exporters) == 0 {
		return // nothing would read the metrics
	}
	st.cfg.Connectors["flowmetrics"] = r.flowmetricsConnector()
	p.Receivers = []string{"flowmetrics"}
	st.logs().Exporters = append(st.logs().Exporters, "flowmetrics")
}

// flowmetricsConnector maps spec.processor.metrics.includeList (with NetObserv's defaults and
// feature pruning) to the connector's include_list.
func (r *renderer) flowmetricsConnector() map[string]any {
	return map[string]any{"include_list": nonNil(r.spec.IncludeList())}
}

// prometheusExporter exposes the metrics without otel_scope_* labels: NetObserv's series and
// the console's PromQL have none.
func (r *renderer) prometheusExporter() map[string]any {
	return map[string]any{"endpoint": fmt.Sprintf("0.0.0.0:%d", r.spec.Processor.MetricsPort()), "without_scope_info": true}
}

// flowMetricsOn says whether the stage exposes flow metrics to Prometheus.
func flowMetricsOn(st *stage) bool {
	_, ok := st.cfg.Exporters["prometheus"]
	_, conn := st.cfg.Connectors["flowmetrics"]
	return ok && conn
}
