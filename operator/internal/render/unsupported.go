// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// unsupportedField is a FlowCollector field that flowlens accepts (so NetObserv resources apply
// unchanged) but does not act on. It is reported only when set away from its default: every
// resource carries the defaults.
type unsupportedField struct {
	path   string
	set    func(s *v1beta2.FlowCollectorSpec) bool
	reason string
}

var unsupportedFields = []unsupportedField{
	{"spec.agent.type", func(s *v1beta2.FlowCollectorSpec) bool { return s.Agent.Type == v1beta2.AgentIPFIX },
		"the IPFIX agent is not supported; flowlens always captures with eBPF"},
	{"spec.agent.ebpf.metrics.server.tls", func(s *v1beta2.FlowCollectorSpec) bool { return tlsOn(s.Agent.EBPF.Metrics.Server.TLS) },
		"TLS on the node collector metrics endpoint is not supported yet"},
	{"spec.agent.ebpf.flowFilter", func(s *v1beta2.FlowCollectorSpec) bool {
		ff := s.Agent.EBPF.FlowFilter
		return ff != nil && inlineRuleSet(&ff.EBPFFlowFilterRule)
	}, "the deprecated single-rule fields are not used (NetObserv ignores them too): use flowFilter.rules"},
	{"spec.processor.logTypes", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.LogTypesOrDefault() != v1beta2.LogTypeFlows
	}, "conversation tracking is not supported yet: only flows are emitted"},
	{"spec.processor.deduper", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.Deduper != nil && s.Processor.Deduper.Mode != "" && s.Processor.Deduper.Mode != "Disabled"
	}, "cross-node de-duplication is not supported yet"},
	{"spec.processor.filters", func(s *v1beta2.FlowCollectorSpec) bool { return len(s.Processor.Filters) > 0 },
		"processor query filters are not supported yet (use spec.agent.ebpf.flowFilter)"},
	{"spec.processor.slicesConfig", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.SlicesConfig != nil && s.Processor.SlicesConfig.Enable
	}, "FlowCollectorSlice is not supported yet"},
	{"spec.processor.subnetLabels.openShiftAutoDetect", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.SubnetLabels.OpenShiftAutoDetect != nil && *s.Processor.SubnetLabels.OpenShiftAutoDetect
	}, "OpenShift subnet detection is not supported: list the subnets in customLabels"},
	{"spec.processor.multiClusterDeployment", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.MultiClusterDeployment != nil && *s.Processor.MultiClusterDeployment && s.Processor.ClusterName == ""
	}, "the cluster name is not detected automatically outside OpenShift: set spec.processor.clusterName"},
	{"spec.processor.metrics.healthRules", func(s *v1beta2.FlowCollectorSpec) bool { return s.Processor.Metrics.HealthRules != nil },
		"health rules are not rendered yet (only the operational alerts are)"},
	{"spec.processor.metrics.server.tls", func(s *v1beta2.FlowCollectorSpec) bool { return tlsOn(s.Processor.Metrics.Server.TLS) },
		"TLS on the flow metrics endpoint is not supported yet"},
	{"spec.processor.kafkaConsumerQueueCapacity", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.KafkaConsumerQueueCapacity != 0 && s.Processor.KafkaConsumerQueueCapacity != 1000
	}, "the kafka receiver has no queue capacity setting"},
	{"spec.processor.advanced.secondaryNetworks", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.Advanced != nil && len(s.Processor.Advanced.SecondaryNetworks) > 0
	}, "secondary network identification is not supported yet"},
	{"spec.processor.advanced.dropUnusedFields", func(s *v1beta2.FlowCollectorSpec) bool {
		a := s.Processor.Advanced
		return a != nil && a.DropUnusedFields != nil && !*a.DropUnusedFields
	}, "deprecated and without effect (as in NetObserv)"},
	{"spec.processor.advanced.conversationHeartbeatInterval", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.Advanced != nil && durationSet(s.Processor.Advanced.ConversationHeartbeatInterval, 30*time.Second)
	}, "conversation tracking is not supported yet"},
	{"spec.processor.advanced.conversationEndTimeout", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.Advanced != nil && durationSet(s.Processor.Advanced.ConversationEndTimeout, 10*time.Second)
	}, "conversation tracking is not supported yet"},
	{"spec.processor.advanced.conversationTerminatingTimeout", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Processor.Advanced != nil && durationSet(s.Processor.Advanced.ConversationTerminatingTimeout, 5*time.Second)
	}, "conversation tracking is not supported yet"},
	{"spec.loki.monolithic.installDemoLoki", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Loki.Monolithic.InstallDemoLoki != nil && *s.Loki.Monolithic.InstallDemoLoki
	}, "flowlens does not install a demo Loki"},
	{"spec.loki.manual.statusUrl", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Loki.Manual.StatusURL != "" || s.Loki.Manual.StatusTLS.Enable
	},
		"the console does not query a separate Loki status URL yet"},
	{"spec.loki.readTimeout", func(s *v1beta2.FlowCollectorSpec) bool { return durationSet(s.Loki.ReadTimeout, 30*time.Second) },
		"the console has no Loki query timeout setting yet"},
	{"spec.prometheus.querier.timeout", func(s *v1beta2.FlowCollectorSpec) bool {
		return durationSet(s.Prometheus.Querier.Timeout, 30*time.Second)
	},
		"the console has no Prometheus query timeout setting yet"},
	{"spec.prometheus.querier.manual.tls", func(s *v1beta2.FlowCollectorSpec) bool { return s.Prometheus.Querier.Manual.TLS.Enable },
		"the console does not support TLS to Prometheus yet"},
	{"spec.prometheus.querier.manual.forwardUserToken", func(s *v1beta2.FlowCollectorSpec) bool { return s.Prometheus.Querier.Manual.ForwardUserToken },
		"the console does not forward user tokens to Prometheus yet"},
	{"spec.prometheus.querier.manual.alertManager", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.Prometheus.Querier.Manual.AlertManager != nil && s.Prometheus.Querier.Manual.AlertManager.URL != ""
	}, "the console does not query Alertmanager yet"},
	{"spec.consolePlugin.autoscaler", func(s *v1beta2.FlowCollectorSpec) bool { return s.ConsolePlugin.Autoscaler.Status == "Enabled" },
		"the deprecated console autoscaler is not rendered: set unmanagedReplicas and use your own"},
	{"spec.consolePlugin.logLevel", func(s *v1beta2.FlowCollectorSpec) bool {
		return s.ConsolePlugin.LogLevel != "" && s.ConsolePlugin.LogLevel != "info"
	}, "the console has no log level setting yet"},
}

// unsupported records an issue for each unsupported field that is set.
func (r *renderer) unsupported() {
	for _, f := range unsupportedFields {
		if f.set(r.spec) {
			r.issue(f.path, "%s", f.reason)
		}
	}
}

func tlsOn(t v1beta2.ServerTLS) bool {
	return t.Type != "" && t.Type != v1beta2.ServerTLSDisabled
}

func durationSet(d *metav1.Duration, def time.Duration) bool {
	return d != nil && d.Duration != def
}

func inlineRuleSet(r *v1beta2.EBPFFlowFilterRule) bool {
	return r.CIDR != "" || r.PeerCIDR != "" || r.PeerIP != "" || r.Action != "" || r.Protocol != "" ||
		r.Direction != "" || r.TCPFlags != "" || portSet(r.Ports) || portSet(r.SourcePorts) ||
		portSet(r.DestPorts) || r.ICMPCode != nil || r.ICMPType != nil || r.PktDrops != nil || r.Sampling != nil
}

func portSet(v intstr.IntOrString) bool {
	s, err := v1beta2.PortsString(v)
	return err != nil || s != ""
}
