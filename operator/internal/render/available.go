// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

// Component is a component of the collector, as "<kind>/<type>" (kind: receiver, processor,
// exporter, connector, extension), or one of its config keys, as "<kind>/<type>#<key>", for keys
// that a component gains after it first shipped.
type Component string

// The components the operator can render.
const (
	ReceiverEBPFFlow           Component = "receiver/ebpfflow"
	ReceiverEBPFFlowFeatures   Component = "receiver/ebpfflow#features"
	ReceiverEBPFFlowFlowFilter Component = "receiver/ebpfflow#flow_filter"
	ReceiverOTLP               Component = "receiver/otlp"
	ReceiverKafka              Component = "receiver/kafka"
	ProcessorMemoryLimiter     Component = "processor/memory_limiter"
	ProcessorBatch             Component = "processor/batch"
	ProcessorK8sFlow           Component = "processor/k8sflow"
	ProcessorFlowFields        Component = "processor/flowfields"
	ConnectorFlowMetrics       Component = "connector/flowmetrics"
	ConnectorForward           Component = "connector/forward"
	ExporterOTLPGRPC           Component = "exporter/otlp_grpc"
	ExporterOTLPHTTP           Component = "exporter/otlp_http"
	ExporterDebug              Component = "exporter/debug"
	ExporterKafka              Component = "exporter/kafka"
	ExporterLokiFlow           Component = "exporter/lokiflow"
	ExporterIPFIX              Component = "exporter/ipfix"
	ExporterPrometheus         Component = "exporter/prometheus"
	ExtensionHealthCheck       Component = "extension/health_check"
	ExtensionPprof             Component = "extension/pprof"
)

// Available is what bin/otelcol-flowlens has today (`otelcol-flowlens components`). Turning a
// component on is one line here plus `go test ./operator/internal/render -update`; the golden
// test fails when this claims a component (or config key) the built collector lacks, and logs
// the ones the collector has gained.
var Available = Components{
	ReceiverEBPFFlow:           true,
	ReceiverEBPFFlowFeatures:   true,
	ReceiverEBPFFlowFlowFilter: true,
	ReceiverOTLP:               true,
	ReceiverKafka:              true,
	ProcessorMemoryLimiter:     true,
	ProcessorBatch:             true,
	ProcessorK8sFlow:           true,
	ProcessorFlowFields:        true,
	ConnectorFlowMetrics:       true,
	ConnectorForward:           true,
	ExporterOTLPGRPC:           true,
	ExporterOTLPHTTP:           true,
	ExporterDebug:              true,
	ExporterKafka:              true,
	ExporterLokiFlow:           true,
	ExporterIPFIX:              true,
	ExporterPrometheus:         true,
	ExtensionHealthCheck:       true,
	ExtensionPprof:             true,
}

// Components is a set of components.
type Components map[Component]bool

// Has says whether every one of cs is in the set.
func (s Components) Has(cs ...Component) bool {
	for _, c := range cs {
		if !s[c] {
			return false
		}
	}
	return true
}

// All returns a set with every known component, for tests of the outputs that the collector
// does not have yet.
func All() Components {
	all := Components{}
	for c := range Available {
		all[c] = true
	}
	return all
}

// description is how an issue names a missing component.
var description = map[Component]string{
	ReceiverEBPFFlowFeatures:   "the ebpfflow receiver's features setting",
	ReceiverEBPFFlowFlowFilter: "the ebpfflow receiver's flow_filter setting",
	ReceiverKafka:              "the kafka receiver",
	ProcessorK8sFlow:           "the k8sflow processor",
	ProcessorFlowFields:        "the flowfields processor",
	ConnectorFlowMetrics:       "the flowmetrics connector",
	ExporterKafka:              "the kafka exporter",
	ExporterLokiFlow:           "the lokiflow exporter",
	ExporterIPFIX:              "the ipfix exporter",
	ExporterPrometheus:         "the prometheus exporter",
	ConnectorForward:           "the forward connector",
}

// Describe names a component for people.
func (c Component) Describe() string {
	if d, ok := description[c]; ok {
		return d
	}
	return string(c)
}
