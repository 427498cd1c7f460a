// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	"slices"
	"strings"
)

// Defaults that NetObserv keeps in code rather than in the CRD, so that "unset" stays visible.
const (
	DefaultNamespace        = "netobserv"
	DefaultSampling         = 50
	DefaultConsumerReplicas = 3
	DefaultProcessorPort    = 2055
	DefaultHealthPort       = 8080
	DefaultAgentMetricsPort = 9400
	DefaultFLPMetricsPort   = 9401
	DefaultConsolePort      = 9001
)

// DefaultIncludeList is NetObserv's default metrics list when Loki is enabled. Names that need
// a disabled feature are dropped by IncludeList.
var DefaultIncludeList = []string{
	"node_ingress_bytes_total", "node_egress_bytes_total", "node_ingress_packets_total",
	"node_drop_packets_total", "workload_sampling", "workload_ingress_bytes_total",
	"workload_egress_bytes_total", "namespace_flows_total", "namespace_ingress_packets_total",
	"namespace_drop_packets_total", "namespace_rtt_seconds", "namespace_dns_latency_seconds",
	"namespace_network_policy_events_total", "node_ipsec_flows_total",
	"node_to_node_ingress_flows_total",
}

// DefaultIncludeListLokiDisabled is NetObserv's default metrics list when Loki is disabled:
// per-workload series make up for the missing flow table.
var DefaultIncludeListLokiDisabled = []string{
	"node_ingress_bytes_total", "node_egress_bytes_total", "node_ingress_packets_total",
	"node_drop_packets_total", "workload_sampling", "workload_ingress_bytes_total",
	"workload_egress_bytes_total", "workload_ingress_packets_total", "workload_egress_packets_total",
	"workload_flows_total", "workload_drop_bytes_total", "workload_drop_packets_total",
	"workload_rtt_seconds", "workload_dns_latency_seconds",
	"namespace_network_policy_events_total", "node_ipsec_flows_total",
	"node_to_node_ingress_flows_total",
}

// NamespaceOrDefault is where the gateway and console run.
func (s *FlowCollectorSpec) NamespaceOrDefault() string {
	if s.Namespace == "" {
		return DefaultNamespace
	}
	return s.Namespace
}

// PrivilegedNamespace is where the node collectors run: it needs the privileged Pod Security
// level, which the main namespace should not have.
func (s *FlowCollectorSpec) PrivilegedNamespace() string {
	return s.NamespaceOrDefault() + "-privileged"
}

// Model is the deployment model, Service when unset.
func (s *FlowCollectorSpec) Model() FlowCollectorDeploymentModel {
	if s.DeploymentModel == "" {
		return DeploymentModelService
	}
	return s.DeploymentModel
}

// UseLoki says whether flows go to Loki.
func (s *FlowCollectorSpec) UseLoki() bool {
	return s.Loki.Enable == nil || *s.Loki.Enable
}

// UsePrometheus says whether the console queries Prometheus.
func (s *FlowCollectorSpec) UsePrometheus() bool {
	return s.Prometheus.Querier.Enable == nil || *s.Prometheus.Querier.Enable
}

// UseConsole says whether the console is deployed: enabled, and with a data source.
func (s *FlowCollectorSpec) UseConsole() bool {
	enabled := s.ConsolePlugin.Enable == nil || *s.ConsolePlugin.Enable
	return enabled && (s.UseLoki() || s.UsePrometheus())
}

// UseNetworkPolicy says whether NetworkPolicies are deployed (explicit opt-in here).
func (s *FlowCollectorSpec) UseNetworkPolicy() bool {
	return s.NetworkPolicy.Enable != nil && *s.NetworkPolicy.Enable
}

// SamplingOrDefault is the eBPF sampling rate.
func (e *FlowCollectorEBPF) SamplingOrDefault() int32 {
	if e.Sampling == nil {
		return DefaultSampling
	}
	return *e.Sampling
}

// HasFeature says whether feature f is enabled.
func (e *FlowCollectorEBPF) HasFeature(f AgentFeature) bool {
	return slices.Contains(e.Features, f)
}

// UseFlowFilter says whether in-kernel filtering is on.
func (e *FlowCollectorEBPF) UseFlowFilter() bool {
	return e.FlowFilter != nil && e.FlowFilter.Enable != nil && *e.FlowFilter.Enable
}

// MetricsEnabled says whether the node collector exposes its own metrics.
func (e *FlowCollectorEBPF) MetricsEnabled() bool {
	return e.Metrics.Enable == nil || *e.Metrics.Enable
}

// GatewayReplicas is the gateway replica count; nil when someone else manages it.
func (p *FlowCollectorFLP) GatewayReplicas(model FlowCollectorDeploymentModel) *int32 {
	if p.UnmanagedReplicas || (model == DeploymentModelKafka && p.KafkaAutoscalerEnabled()) {
		return nil
	}
	n := int32(DefaultConsumerReplicas)
	switch {
	case p.ConsumerReplicas != nil:
		n = *p.ConsumerReplicas
	case model == DeploymentModelKafka && p.KafkaConsumerReplicas != nil:
		n = *p.KafkaConsumerReplicas
	}
	return &n
}

// KafkaAutoscalerEnabled says whether the gateway gets a HorizontalPodAutoscaler (Kafka model).
func (p *FlowCollectorFLP) KafkaAutoscalerEnabled() bool {
	return p.KafkaConsumerAutoscaler.Status == "Enabled" && !p.UnmanagedReplicas
}

// Port is the gateway's OTLP/gRPC port.
func (p *FlowCollectorFLP) Port() int32 {
	if p.Advanced != nil && p.Advanced.Port != nil {
		return *p.Advanced.Port
	}
	return DefaultProcessorPort
}

// HealthPort is the gateway's health check port.
func (p *FlowCollectorFLP) HealthPort() int32 {
	if p.Advanced != nil && p.Advanced.HealthPort != nil {
		return *p.Advanced.HealthPort
	}
	return DefaultHealthPort
}

// MetricsPort is the flow metrics (Prometheus exporter) port.
func (p *FlowCollectorFLP) MetricsPort() int32 {
	if p.Metrics.Server.Port != nil {
		return *p.Metrics.Server.Port
	}
	return DefaultFLPMetricsPort
}

// LogTypesOrDefault is the record types to emit.
func (p *FlowCollectorFLP) LogTypesOrDefault() FLPLogTypes {
	if p.LogTypes == nil {
		return LogTypeFlows
	}
	return *p.LogTypes
}

// IncludeList is the predefined metrics to generate: the explicit list, or NetObserv's default,
// without the metrics of disabled features (as NetObserv does).
func (s *FlowCollectorSpec) IncludeList() []string {
	var list []string
	switch {
	case s.Processor.Metrics.IncludeList != nil:
		for _, m := range *s.Processor.Metrics.IncludeList {
			list = append(list, string(m))
		}
	case s.UseLoki():
		list = slices.Clone(DefaultIncludeList)
	default:
		list = slices.Clone(DefaultIncludeListLokiDisabled)
	}
	e := &s.Agent.EBPF
	drop := map[string]bool{
		"_drop_":           !e.HasFeature(PacketDrop),
		"_rtt_":            !e.HasFeature(FlowRTT),
		"_dns_":            !e.HasFeature(DNSTracking),
		"_network_policy_": !e.HasFeature(NetworkEvents),
		"_ipsec_":          !e.HasFeature(IPSec),
		"_sampling":        !s.hasRuleSampling(),
	}
	return slices.DeleteFunc(list, func(m string) bool {
		for part, off := range drop {
			if off && strings.Contains(m, part) {
				return true
			}
		}
		return false
	})
}

// hasRuleSampling says whether some flow filter rule has its own sampling (NetObserv then adds
// the *_sampling gauges).
func (s *FlowCollectorSpec) hasRuleSampling() bool {
	if !s.Agent.EBPF.UseFlowFilter() {
		return false
	}
	for _, r := range s.Agent.EBPF.FlowFilter.Rules {
		if r.Sampling != nil {
			return true
		}
	}
	return false
}
