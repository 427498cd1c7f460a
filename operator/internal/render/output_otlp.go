// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// otlpExport sends an exporters[] OpenTelemetry entry the flows as OTLP logs and/or the flow
// metrics as OTLP metrics, with the core otlp_grpc or otlp_http exporter. A fieldsMapping gets
// its own logs pipeline with a flowfields processor (NetObserv's names, then the mapping), so the
// other outputs keep flowlens' names.
func (r *renderer) otlpExport(st *stage, i int, e *v1beta2.FlowCollectorExporter) {
	o := &e.OpenTelemetry
	path := fmt.Sprintf("spec.exporters[%d].openTelemetry", i)
	id, cfg := r.otlpExporter(st, i, o)
	if o.Logs.Enable == nil || *o.Logs.Enable {
		if o.FieldsMapping != nil && len(*o.FieldsMapping) > 0 {
			if r.need(path+".fieldsMapping", ProcessorFlowFields) {
				name := fmt.Sprintf("export-%d", i)
				st.addBranch(name, "flowfields/"+name, flowfieldsProcessor(*o.FieldsMapping), id, cfg)
			}
		} else {
			st.addLogsExporter(id, cfg)
		}
	}
	if o.Metrics.Enable == nil || *o.Metrics.Enable {
		if r.need(path+".metrics", ConnectorFlowMetrics) {
			st.addMetricsExporter(id, cfg)
		}
		if d := o.Metrics.PushTimeInterval; d != nil && d.Duration != 20*time.Second {
			r.issue(path+".metrics.pushTimeInterval", "metrics are pushed when the flowmetrics connector emits them; a custom interval is not supported yet")
		}
		if o.Metrics.Prefix != "" && o.Metrics.Prefix != "netobserv" {
			r.issue(path+".metrics.prefix", "metric names always start with netobserv_")
		}
		if o.Metrics.ExpiryTime != nil {
			r.issue(path+".metrics.expiryTime", "series expiry is a setting of the flowmetrics connector, not per exporter")
		}
	}
}

// otlpExporter is the otlp_grpc or otlp_http exporter of exporters[i].
func (r *renderer) otlpExporter(st *stage, i int, o *v1beta2.FlowCollectorOpenTelemetry) (string, map[string]any) {
	port := o.TargetPort
	if port == 0 {
		port = 4317
	}
	hostPort := net.JoinHostPort(o.TargetHost, strconv.Itoa(port))
	cfg := map[string]any{}
	if len(o.Headers) > 0 {
		cfg["headers"] = o.Headers
	}
	if o.Protocol == "http" {
		scheme := "http://"
		if o.TLS.Enable {
			scheme = "https://"
		}
		cfg["endpoint"] = scheme + hostPort
		if tls := r.clientTLS(st, o.TLS); tls != nil {
			cfg["tls"] = tls
		}
		return fmt.Sprintf("otlp_http/export-%d", i), cfg
	}
	cfg["endpoint"] = hostPort
	cfg["tls"] = r.grpcTLS(st, o.TLS)
	return fmt.Sprintf("otlp_grpc/export-%d", i), cfg
}

// flowfieldsProcessor maps NetObserv's fieldsMapping to the flowfields processor.
func flowfieldsProcessor(rules []v1beta2.GenericTransformRule) map[string]any {
	mapping := make([]any, 0, len(rules))
	for _, m := range rules {
		mult := m.Multiplier
		if mult == 0 {
			mult = 1
		}
		mapping = append(mapping, map[string]any{"input": m.Input, "output": m.Output, "multiplier": mult})
	}
	return map[string]any{"naming": "netobserv", "mapping": mapping}
}
