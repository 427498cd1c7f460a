// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// MonitoringGroupVersion is the Prometheus Operator API of ServiceMonitor and PrometheusRule.
const MonitoringGroupVersion = "monitoring.coreos.com/v1"

// monitoring renders a ServiceMonitor per collector and the alerts, when the cluster has the
// Prometheus Operator's CRDs (Options). They are unstructured: the operator does not import the
// Prometheus Operator's Go API for two small objects.
func (r *renderer) monitoring(node, gateway *stage) []client.Object {
	var objs []client.Object
	if r.opts.ServiceMonitorCRD {
		objs = append(objs, serviceMonitor(NodeName, node.namespace, r.spec.Agent.EBPF.MetricsEnabled(), flowMetricsOn(node)))
		if gateway != nil {
			objs = append(objs, serviceMonitor(GatewayName, gateway.namespace, true, flowMetricsOn(gateway)))
		}
	}
	if r.opts.PrometheusRuleCRD {
		if rule := r.prometheusRule(node, gateway); rule != nil {
			objs = append(objs, rule)
		}
	}
	return objs
}

func serviceMonitor(component, namespace string, telemetry, metrics bool) *unstructured.Unstructured {
	var endpoints []any
	if telemetry {
		endpoints = append(endpoints, map[string]any{"port": "telemetry", "interval": "30s"})
	}
	if metrics {
		endpoints = append(endpoints, map[string]any{"port": "metrics", "interval": "15s"})
	}
	if len(endpoints) == 0 {
		endpoints = append(endpoints, map[string]any{"port": "health", "path": "/", "interval": "60s"})
	}
	sel := selector(component)
	sel[LabelComponent] = "metrics"
	return monitoringObject("ServiceMonitor", component, namespace, map[string]any{
		"selector":          map[string]any{"matchLabels": toAny(sel)},
		"namespaceSelector": map[string]any{"matchNames": []any{namespace}},
		"endpoints":         endpoints,
	})
}

// alert is one of NetObserv's operational alerts, on the collector's own metrics (the
// ebpfflow receiver's telemetry, exposed by the Prometheus reader as otelcol_*_total).
type alert struct {
	name     v1beta2.HealthRuleTemplate
	expr     string
	severity string
	summary  string
}

// prometheusRule holds the operational alerts that apply, minus the disabled ones.
func (r *renderer) prometheusRule(node, gateway *stage) *unstructured.Unstructured {
	out := gateway
	if out == nil {
		out = node
	}
	alerts := []alert{{
		name:     v1beta2.AlertNoFlows,
		expr:     `sum(rate(otelcol_receiver_ebpfflow_flows_evicted_total[5m])) == 0`,
		severity: "warning",
		summary:  "flowlens node collectors capture no flows",
	}}
	if _, ok := out.cfg.Exporters["lokiflow"]; ok {
		alerts = append(alerts, alert{
			name:     v1beta2.AlertLokiError,
			expr:     `sum(rate(otelcol_exporter_send_failed_log_records_total{exporter="lokiflow"}[1m])) > 0`,
			severity: "warning",
			summary:  "flowlens drops flows that Loki refused",
		})
	}
	alerts = append(alerts, alert{
		name:     v1beta2.HealthRuleTemplate(v1beta2.AlertDroppedFlows),
		expr:     `sum(rate(otelcol_receiver_ebpfflow_lost_total[1m])) > 100`,
		severity: "warning",
		summary:  "flowlens node collectors drop flows",
	})
	var rules []any
	for _, a := range alerts {
		if slices.Contains(r.spec.Processor.Metrics.DisableAlerts, a.name) ||
			slices.Contains(r.spec.Agent.EBPF.Metrics.DisableAlerts, v1beta2.EBPFAgentAlert(a.name)) {
			continue
		}
		rules = append(rules, map[string]any{
			"alert":       string(a.name),
			"expr":        a.expr,
			"for":         "10m",
			"labels":      map[string]any{"severity": a.severity, "app": "netobserv"},
			"annotations": map[string]any{"summary": a.summary},
		})
	}
	if len(rules) == 0 {
		return nil
	}
	return monitoringObject("PrometheusRule", AlertsRule, r.spec.NamespaceOrDefault(), map[string]any{
		"groups": []any{map[string]any{"name": "flowlens", "rules": rules}},
	})
}

func monitoringObject(kind, name, namespace string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion(MonitoringGroupVersion)
	u.SetKind(kind)
	u.SetName(name)
	u.SetNamespace(namespace)
	u.SetLabels(labels(name))
	return u
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
