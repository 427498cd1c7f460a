// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// nodeCollector fills the node collector: ebpfflow, then (Service and Kafka models) the hop to
// the gateway. gateway is nil in the Direct model, where the outputs are added later.
func (r *renderer) nodeCollector(node, gateway *stage) {
	e := &r.spec.Agent.EBPF
	node.cfg.Receivers["ebpfflow"] = r.ebpfflowReceiver()
	node.logs().Receivers = []string{"ebpfflow"}
	node.cfg.Processors["memory_limiter"] = memoryLimiter()
	node.processors = []string{"memory_limiter"}
	node.cfg.addExtension("health_check", map[string]any{"endpoint": fmt.Sprintf("${env:NODE_IP}:%d", NodeHealthPort)})
	port := int32(NodeTelemetryPort)
	if e.Metrics.Server.Port != nil {
		port = *e.Metrics.Server.Port
	}
	node.cfg.Service.Telemetry = telemetry(e.LogLevel, "${env:NODE_IP}", port, e.MetricsEnabled())

	switch r.model {
	case v1beta2.DeploymentModelService:
		node.addLogsExporter("otlp_grpc/gateway", map[string]any{
			// The dns resolver sees every gateway pod behind the headless Service and
			// round_robin spreads the nodes' streams over them; a ClusterIP would pin each
			// node to one pod for the life of its connection.
			"endpoint":      fmt.Sprintf("dns:///%s.%s.svc:%d", GatewayName, gateway.namespace, r.spec.Processor.Port()),
			"balancer_name": "round_robin",
			"tls":           map[string]any{"insecure": true},
			"sending_queue": map[string]any{"queue_size": 5000},
		})
	case v1beta2.DeploymentModelKafka:
		r.kafkaTransportExporter(node)
	}
}

// gatewayCollector fills the gateway's input side: OTLP (Service model) or Kafka.
func (r *renderer) gatewayCollector(gw *stage) {
	p := &r.spec.Processor
	switch r.model {
	case v1beta2.DeploymentModelKafka:
		r.kafkaTransportReceiver(gw)
	default:
		gw.cfg.Receivers["otlp"] = map[string]any{
			"protocols": map[string]any{"grpc": map[string]any{"endpoint": fmt.Sprintf("0.0.0.0:%d", p.Port())}},
		}
		gw.logs().Receivers = []string{"otlp"}
	}
	gw.cfg.Processors["memory_limiter"] = memoryLimiter()
	gw.processors = []string{"memory_limiter"}
	gw.cfg.addExtension("health_check", map[string]any{"endpoint": fmt.Sprintf("0.0.0.0:%d", p.HealthPort())})
	if p.Advanced != nil && p.Advanced.ProfilePort != nil && *p.Advanced.ProfilePort > 0 {
		gw.cfg.addExtension("pprof", map[string]any{"endpoint": fmt.Sprintf("0.0.0.0:%d", *p.Advanced.ProfilePort)})
	}
	gw.cfg.Service.Telemetry = telemetry(p.LogLevel, "0.0.0.0", GatewayTelemetryPort, true)
}

// ebpfflowReceiver maps spec.agent.ebpf to the ebpfflow receiver keys (docs/configuration.md).
func (r *renderer) ebpfflowReceiver() map[string]any {
	e := &r.spec.Agent.EBPF
	cfg := map[string]any{
		"sampling":             e.SamplingOrDefault(),
		"cache_active_timeout": netobservDuration(e.CacheActiveTimeout, "15s"),
		"cache_max_flows":      e.CacheMaxFlows,
		// Always explicit: the receiver's own default ([lo]) must not stand in for an empty list.
		"exclude_interfaces": nonNil(e.ExcludeInterfaces),
		"node_ip":            "${env:NODE_IP}",
	}
	if e.CacheMaxFlows == 0 {
		cfg["cache_max_flows"] = 120000
	}
	if len(e.Interfaces) > 0 {
		cfg["interfaces"] = e.Interfaces
	}
	features := r.features()
	if len(features) > 0 {
		cfg["features"] = features
	}
	if ff := r.flowFilter(features); ff != nil {
		cfg["flow_filter"] = ff
	}
	return cfg
}

// supportedFeatures are the NetObserv agent features the ebpfflow receiver implements.
var supportedFeatures = []v1beta2.AgentFeature{v1beta2.PacketDrop, v1beta2.DNSTracking, v1beta2.FlowRTT, v1beta2.PacketTranslation}

func (r *renderer) features() []string {
	var out []string
	for i, f := range r.spec.Agent.EBPF.Features {
		path := fmt.Sprintf("spec.agent.ebpf.features[%d]", i)
		if !slices.Contains(supportedFeatures, f) {
			r.issue(path, "feature %s is not supported by flowlens", f)
			continue
		}
		if r.need(path, ReceiverEBPFFlowFeatures) && !slices.Contains(out, string(f)) {
			out = append(out, string(f))
		}
	}
	return out
}

// flowFilter maps spec.agent.ebpf.flowFilter to the receiver's flow_filter. NetObserv accepts
// criteria that cannot match (pktDrops without the PacketDrop feature, ICMP type or code on a
// non-ICMP rule); the receiver refuses them, so they are left out and reported.
func (r *renderer) flowFilter(features []string) map[string]any {
	e := &r.spec.Agent.EBPF
	if !e.UseFlowFilter() || !r.need("spec.agent.ebpf.flowFilter", ReceiverEBPFFlowFlowFilter) {
		return nil
	}
	rules := make([]any, 0, len(e.FlowFilter.Rules))
	for i, rule := range e.FlowFilter.Rules {
		out := flowFilterRule(&rule)
		path := fmt.Sprintf("spec.agent.ebpf.flowFilter.rules[%d]", i)
		if _, ok := out["drops"]; ok && !slices.Contains(features, string(v1beta2.PacketDrop)) {
			delete(out, "drops")
			r.issue(path+".pktDrops", "needs the PacketDrop feature in spec.agent.ebpf.features: the rule ignores drops")
		}
		if rule.Protocol != "ICMP" && rule.Protocol != "ICMPv6" && (rule.ICMPType != nil || rule.ICMPCode != nil) {
			delete(out, "icmp_type")
			delete(out, "icmp_code")
			r.issue(path+".icmpType", "icmpType and icmpCode need protocol ICMP or ICMPv6: the rule ignores them")
		}
		rules = append(rules, out)
	}
	return map[string]any{"rules": rules}
}

func flowFilterRule(rule *v1beta2.EBPFFlowFilterRule) map[string]any {
	out := map[string]any{"action": "Accept"}
	set := func(key, v string) {
		if v != "" {
			out[key] = v
		}
	}
	set("action", rule.Action)
	set("cidr", rule.CIDR)
	set("peer_cidr", rule.PeerCIDR)
	if rule.PeerCIDR == "" && rule.PeerIP != "" {
		if strings.Contains(rule.PeerIP, ":") {
			out["peer_cidr"] = rule.PeerIP + "/128"
		} else {
			out["peer_cidr"] = rule.PeerIP + "/32"
		}
	}
	set("protocol", rule.Protocol)
	set("direction", rule.Direction)
	set("tcp_flags", rule.TCPFlags)
	// Validation (webhook) already accepted these, so the error cannot happen here.
	ports, _ := v1beta2.PortsString(rule.Ports)
	src, _ := v1beta2.PortsString(rule.SourcePorts)
	dst, _ := v1beta2.PortsString(rule.DestPorts)
	set("ports", ports)
	set("source_ports", src)
	set("destination_ports", dst)
	if rule.ICMPType != nil {
		out["icmp_type"] = *rule.ICMPType
	}
	if rule.ICMPCode != nil {
		out["icmp_code"] = *rule.ICMPCode
	}
	if rule.PktDrops != nil && *rule.PktDrops {
		out["drops"] = true
	}
	if rule.Sampling != nil {
		out["sampling"] = *rule.Sampling
	}
	return out
}

// finishPipelines puts the stage's processors in the main logs pipeline and wires the branch
// pipelines ("logs/<name>"): behind the forward connector when the collector has it, so
// enrichment runs once, else each branch repeats the receivers and processors. A pipeline needs
// an exporter: with no output at all, flows go to the debug exporter.
func (r *renderer) finishPipelines(st *stage) {
	main := st.logs()
	main.Processors = slices.Clone(st.processors)
	var branches []*Pipeline
	for id, p := range st.cfg.Service.Pipelines {
		if strings.HasPrefix(id, "logs/") {
			branches = append(branches, p)
		}
	}
	if len(branches) > 0 && r.avail.Has(ConnectorForward) {
		st.cfg.Connectors["forward"] = map[string]any{}
		main.Exporters = append(main.Exporters, "forward")
		for _, p := range branches {
			p.Receivers = []string{"forward"}
		}
		return
	}
	for _, p := range branches {
		p.Receivers = slices.Clone(main.Receivers)
		own := p.Processors
		p.Processors = slices.DeleteFunc(slices.Clone(st.processors), func(s string) bool { return s == "batch" })
		p.Processors = append(p.Processors, own...)
		if slices.Contains(st.processors, "batch") {
			p.Processors = append(p.Processors, "batch")
		}
	}
	switch {
	case len(main.Exporters) > 0:
	case len(branches) > 0:
		delete(st.cfg.Service.Pipelines, "logs") // the branches carry everything
	default:
		// Basic verbosity: one log line per batch, no flow content.
		st.cfg.Exporters["debug"] = map[string]any{"verbosity": "basic"}
		main.Exporters = []string{"debug"}
		r.issue("spec", "no output of this FlowCollector is in this collector build yet: the %s sends flows to the debug exporter", st.name)
	}
}

func memoryLimiter() map[string]any {
	return map[string]any{"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20}
}

// telemetry is the collector's own logs and metrics.
func telemetry(logLevel, host string, port int32, metrics bool) map[string]any {
	t := map[string]any{"logs": map[string]any{"level": collectorLogLevel(logLevel)}}
	if !metrics {
		t["metrics"] = map[string]any{"level": "none"}
		return t
	}
	t["metrics"] = map[string]any{
		"level": "normal",
		"readers": []any{map[string]any{"pull": map[string]any{"exporter": map[string]any{
			"prometheus": map[string]any{"host": host, "port": port},
		}}}},
	}
	return t
}

// collectorLogLevel maps NetObserv's logrus levels to the collector's zap levels.
func collectorLogLevel(l string) string {
	switch l {
	case "trace", "debug":
		return "debug"
	case "warn":
		return "warn"
	case "error", "fatal", "panic":
		return "error"
	default:
		return "info"
	}
}

var bareNumber = regexp.MustCompile(`^\d+$`)

// netobservDuration turns NetObserv's duration (^\d+(ns|ms|s|m)?$, bare numbers in seconds)
// into a Go duration string.
func netobservDuration(s, def string) string {
	switch {
	case s == "":
		return def
	case bareNumber.MatchString(s):
		return s + "s"
	default:
		return s
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
