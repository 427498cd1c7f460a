// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

// Object names. They are fixed: a FlowCollector is a cluster singleton.
const (
	NodeName         = "flowlens-node"           // DaemonSet, ServiceAccount, config ConfigMap prefix
	GatewayName      = "flowlens-gateway"        // Deployment, ServiceAccount, OTLP Service, HPA
	ConsoleName      = "flowlens-console"        // Deployment, ServiceAccount, Service
	NodeConfigMap    = "flowlens-node-config"    // node collector config.yaml
	GatewayConfigMap = "flowlens-gateway-config" // gateway config.yaml
	ConsoleConfigMap = "flowlens-console-config" // console config.yaml (quick filters, port names)
	NodeMetrics      = "flowlens-node-metrics"   // headless Service for scraping the node collectors
	GatewayMetrics   = "flowlens-gateway-metrics"
	K8sFlowRole      = "flowlens-k8sflow"     // ClusterRole(Binding): informers of the k8sflow processor
	ConsoleRole      = "flowlens-console"     // ClusterRole(Binding): token and access reviews
	LokiWriterRole   = "flowlens-loki-writer" // ClusterRole(Binding): LokiStack network tenant writes
	NetworkPolicy    = "flowlens"
	AlertsRule       = "flowlens-alerts"
)

// Labels and annotations.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	// ManagedBy marks every object the operator owns; pruning selects on it.
	ManagedBy = "flowlens-operator"
	PartOf    = "flowlens"
	// AnnotationConfigHash on a pod template holds the sha256 of the config it runs, so a config
	// change rolls the pods.
	AnnotationConfigHash = "flows.netobserv.io/config-hash"
	// AnnotationCopiedFrom on a copied Secret or ConfigMap names its source namespace/name.
	AnnotationCopiedFrom = "flows.netobserv.io/copied-from"
	// AnnotationCreateOnly marks objects (namespaces) that the operator creates when missing but
	// never owns, updates or deletes: they may hold other objects.
	AnnotationCreateOnly = "flows.netobserv.io/create-only"
)

// Ports.
const (
	NodeTelemetryPort    = 9400 // default of spec.agent.ebpf.metrics.server.port
	NodeHealthPort       = 9403 // host network: away from the usual 8080/13133
	GatewayTelemetryPort = 8888
	ConfigKey            = "config.yaml"
	ConfigDir            = "/etc/otelcol-flowlens"
	ConsoleConfigDir     = "/etc/flowlens-console"
	TLSDir               = "/var/run/flowlens/tls"
	TokenDir             = "/var/run/secrets/tokens"
	// ServiceAccountTokenFile is the token Kubernetes mounts in every pod that automounts it.
	ServiceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
)

// labels returns the labels of an object of component name.
func labels(name string) map[string]string {
	return map[string]string{
		LabelName:      name,
		LabelPartOf:    PartOf,
		LabelManagedBy: ManagedBy,
	}
}

// selector returns the pod selector of workload name. It must never change: selectors are
// immutable.
func selector(name string) map[string]string {
	return map[string]string{LabelName: name, LabelPartOf: PartOf}
}
