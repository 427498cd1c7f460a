// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FLPLogTypes selects the record types the processor emits.
type FLPLogTypes string

// Log types. flowlens emits Flows only; the conversation types are reported as unsupported.
const (
	LogTypeFlows              FLPLogTypes = "Flows"
	LogTypeConversations      FLPLogTypes = "Conversations"
	LogTypeEndedConversations FLPLogTypes = "EndedConversations"
	LogTypeAll                FLPLogTypes = "All"
)

// FLPMetric is the name of a predefined flow metric, without the netobserv_ prefix.
// +kubebuilder:validation:Enum:=namespace_egress_bytes_total;namespace_egress_packets_total;namespace_ingress_bytes_total;namespace_ingress_packets_total;namespace_flows_total;node_egress_bytes_total;node_egress_packets_total;node_ingress_bytes_total;node_ingress_packets_total;node_flows_total;workload_egress_bytes_total;workload_egress_packets_total;workload_ingress_bytes_total;workload_ingress_packets_total;workload_flows_total;namespace_drop_bytes_total;namespace_drop_packets_total;node_drop_bytes_total;node_drop_packets_total;workload_drop_bytes_total;workload_drop_packets_total;namespace_rtt_seconds;node_rtt_seconds;workload_rtt_seconds;namespace_dns_latency_seconds;node_dns_latency_seconds;workload_dns_latency_seconds;node_network_policy_events_total;namespace_network_policy_events_total;workload_network_policy_events_total;node_ipsec_flows_total;namespace_ipsec_flows_total;workload_ipsec_flows_total;node_to_node_ingress_flows_total;node_sampling;namespace_sampling;workload_sampling
type FLPMetric string

// HealthRuleTemplate names a health rule or alert template.
type HealthRuleTemplate string

// Alert templates that are always alerts.
const (
	AlertNoFlows   HealthRuleTemplate = "NetObservNoFlows"
	AlertLokiError HealthRuleTemplate = "NetObservLokiError"
)

// FlowCollectorFLP configures the processing stage: enrichment, metrics and the gateway pods.
type FlowCollectorFLP struct {
	// imagePullPolicy of the gateway image.
	// +kubebuilder:validation:Enum=IfNotPresent;Always;Never
	// +kubebuilder:default:=IfNotPresent
	// +optional
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`

	// metrics configures the flow metrics (flowmetrics connector, Prometheus exporter) and
	// alerts.
	// +kubebuilder:default:={}
	// +optional
	Metrics FLPMetrics `json:"metrics,omitempty"`

	// logLevel of the gateway.
	// +kubebuilder:validation:Enum=trace;debug;info;warn;error;fatal;panic
	// +kubebuilder:default:=info
	// +optional
	LogLevel string `json:"logLevel,omitempty"`

	// resources of the gateway container.
	// +kubebuilder:default:={requests:{memory:"100Mi",cpu:"100m"},limits:{memory:"800Mi"}}
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// kafkaConsumerReplicas is the gateway replica count in the Kafka model.
	//
	// Deprecated: use consumerReplicas.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=3
	// +optional
	KafkaConsumerReplicas *int32 `json:"kafkaConsumerReplicas,omitempty"`

	// kafkaConsumerAutoscaler renders a HorizontalPodAutoscaler for the gateway in the Kafka
	// model when its status is Enabled.
	//
	// Deprecated: NetObserv plans to remove it in favour of unmanagedReplicas.
	// +optional
	KafkaConsumerAutoscaler FlowCollectorHPA `json:"kafkaConsumerAutoscaler,omitempty"`

	// consumerReplicas is the gateway replica count (Service and Kafka models). Default 3.
	// +kubebuilder:validation:Minimum=0
	// +optional
	ConsumerReplicas *int32 `json:"consumerReplicas,omitempty"`

	// unmanagedReplicas leaves the gateway replica count to someone else (an autoscaler).
	// +optional
	UnmanagedReplicas bool `json:"unmanagedReplicas,omitempty"`

	// kafkaConsumerQueueCapacity is the internal queue of NetObserv's Kafka consumer.
	// +kubebuilder:default:=1000
	// +optional
	KafkaConsumerQueueCapacity int `json:"kafkaConsumerQueueCapacity"`

	// kafkaConsumerBatchSize is the largest fetch, in bytes, the gateway asks the broker for.
	// +kubebuilder:default:=10485760
	// +optional
	KafkaConsumerBatchSize int `json:"kafkaConsumerBatchSize"`

	// logTypes: Flows (default), Conversations, EndedConversations or All.
	// +kubebuilder:validation:Enum:=Flows;Conversations;EndedConversations;All
	// +kubebuilder:default:=Flows
	// +optional
	LogTypes *FLPLogTypes `json:"logTypes,omitempty"`

	// clusterName is written on every flow (k8s.cluster.name).
	// +kubebuilder:default:=""
	// +optional
	ClusterName string `json:"clusterName,omitempty"`

	// multiClusterDeployment adds the cluster name to the flows and metrics.
	// +kubebuilder:default:=false
	// +optional
	MultiClusterDeployment *bool `json:"multiClusterDeployment,omitempty"`

	// addZone adds the source and destination availability zones (node label
	// topology.kubernetes.io/zone).
	// +optional
	AddZone *bool `json:"addZone,omitempty"`

	// subnetLabels label flows whose addresses fall in the given CIDRs.
	// +optional
	SubnetLabels SubnetLabels `json:"subnetLabels,omitempty"`

	// deduper drops or samples cross-node duplicate flows.
	// +optional
	Deduper *FLPDeduper `json:"deduper,omitempty"`

	// filters keep only the flows matching a query (NetObserv's filter language).
	// +optional
	Filters []FLPFilterSet `json:"filters"`

	// slicesConfig configures FlowCollectorSlice resources.
	// +optional
	SlicesConfig *SlicesConfig `json:"slicesConfig,omitempty"`

	// advanced holds ports, probes, scheduling and environment of the gateway.
	// +optional
	Advanced *AdvancedProcessorConfig `json:"advanced,omitempty"`
}

// FLPMetrics configures the flow metrics and alerts.
type FLPMetrics struct {
	// server is the flow metrics endpoint (the Prometheus exporter). Port default 9401.
	// +optional
	Server MetricsServerConfig `json:"server,omitempty"`

	// includeList is the predefined metrics to generate. Unset means NetObserv's default list.
	// +optional
	IncludeList *[]FLPMetric `json:"includeList,omitempty"`

	// disableAlerts turns off alerts and health rule templates by name.
	// +optional
	DisableAlerts []HealthRuleTemplate `json:"disableAlerts"`

	// healthRules are NetObserv's health rule templates (not rendered by flowlens yet).
	// +optional
	HealthRules *[]FLPHealthRule `json:"healthRules"`
}

// FLPHealthRule is a health rule template with its variants.
type FLPHealthRule struct {
	// template name.
	// +kubebuilder:validation:Enum:=PacketDropsByKernel;PacketDropsByDevice;IPsecErrors;NetpolDenied;LatencyHighTrend;DNSErrors;DNSNxDomain;ExternalEgressHighTrend;ExternalIngressHighTrend;IngressErrors;Ingress5xxErrors;IngressHTTPLatencyTrend
	// +optional
	Template HealthRuleTemplate `json:"template,omitempty"`

	// mode: Alert (default) or Recording.
	// +kubebuilder:validation:Enum:=Alert;Recording
	// +kubebuilder:default:=Alert
	// +optional
	Mode string `json:"mode,omitempty"`

	// variants of the template.
	// +optional
	Variants []HealthRuleVariant `json:"variants,omitempty"`
}

// HealthRuleVariant is one threshold set of a health rule.
type HealthRuleVariant struct {
	// lowVolumeThreshold ignores series below this rate (a float).
	// +optional
	LowVolumeThreshold string `json:"lowVolumeThreshold,omitempty"`

	// thresholds per severity, as percentages (floats).
	// +optional
	Thresholds HealthRuleThresholds `json:"thresholds,omitempty"`

	// groupBy: "", Node, Namespace or Workload.
	// +kubebuilder:validation:Enum:="";Node;Namespace;Workload
	// +optional
	GroupBy string `json:"groupBy,omitempty"`

	// mode overrides the template mode: Alert or Recording.
	// +kubebuilder:validation:Enum:=Alert;Recording
	// +optional
	Mode string `json:"mode,omitempty"`

	// trendOffset is the baseline offset of trend rules (default 1d).
	// +optional
	TrendOffset *metav1.Duration `json:"trendOffset,omitempty"`

	// trendDuration is the baseline window of trend rules (default 2h).
	// +optional
	TrendDuration *metav1.Duration `json:"trendDuration,omitempty"`
}

// HealthRuleThresholds are the per-severity thresholds of a health rule.
type HealthRuleThresholds struct {
	// info threshold; empty means no info rule.
	// +optional
	Info string `json:"info,omitempty"`
	// warning threshold; empty means no warning rule.
	// +optional
	Warning string `json:"warning,omitempty"`
	// critical threshold; empty means no critical rule.
	// +optional
	Critical string `json:"critical,omitempty"`
}

// FLPDeduper configures cross-node duplicate handling.
type FLPDeduper struct {
	// mode: Disabled (default), Drop or Sample.
	// +kubebuilder:validation:Enum:=Disabled;Drop;Sample
	// +kubebuilder:default:=Disabled
	// +optional
	Mode string `json:"mode,omitempty"`

	// sampling of duplicates in Sample mode.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=50
	// +optional
	Sampling int32 `json:"sampling,omitempty"`
}

// FLPFilterSet is a keep filter of the processor.
type FLPFilterSet struct {
	// query selects the flows to keep.
	// +optional
	Query string `json:"query"`

	// outputTarget limits the filter to one output: "", Loki, Metrics or Exporters.
	// +kubebuilder:validation:Enum:="";Loki;Metrics;Exporters
	// +optional
	OutputTarget string `json:"outputTarget,omitempty"`

	// sampling of the matching flows.
	// +kubebuilder:validation:Minimum=0
	// +optional
	Sampling int32 `json:"sampling,omitempty"`
}

// FlowCollectorHPA is a HorizontalPodAutoscaler spec.
type FlowCollectorHPA struct {
	// status: Disabled (default) or Enabled.
	// +kubebuilder:validation:Enum:=Disabled;Enabled
	// +kubebuilder:default:=Disabled
	// +optional
	Status string `json:"status,omitempty"`

	// minReplicas is the lower bound (default 1).
	// +optional
	MinReplicas *int32 `json:"minReplicas,omitempty"`

	// maxReplicas is the upper bound.
	// +kubebuilder:default:=3
	// +optional
	MaxReplicas int32 `json:"maxReplicas"`

	// metrics the autoscaler follows (default: 80% CPU utilization).
	// +optional
	Metrics []autoscalingv2.MetricSpec `json:"metrics"`
}

// SlicesConfig configures FlowCollectorSlice resources.
type SlicesConfig struct {
	// enable turns FlowCollectorSlice handling on.
	// +kubebuilder:default:=false
	// +optional
	Enable bool `json:"enable,omitempty"`

	// collectionMode: AlwaysCollect or AllowList.
	// +kubebuilder:validation:Enum=AlwaysCollect;AllowList
	// +kubebuilder:default:="AlwaysCollect"
	// +optional
	CollectionMode string `json:"collectionMode,omitempty"`

	// namespacesAllowList are always collected in AllowList mode.
	// +optional
	NamespacesAllowList []string `json:"namespacesAllowList,omitempty"`
}

// AdvancedProcessorConfig holds low-level settings of the gateway.
type AdvancedProcessorConfig struct {
	// env is added to the gateway container.
	// +optional
	Env map[string]string `json:"env,omitempty"`

	// port of the gateway's OTLP/gRPC receiver (Service model). Not 4500, 4789 or 6081.
	// +kubebuilder:validation:Minimum=1025
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:validation:XValidation:rule="!(self in [4500, 4789, 6081])",message="port must not be 4500, 4789 or 6081 (used by IPsec and overlay networks)"
	// +kubebuilder:default:=2055
	// +optional
	Port *int32 `json:"port,omitempty"`

	// healthPort serves the collector's health check (health_check extension).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:default:=8080
	// +optional
	HealthPort *int32 `json:"healthPort,omitempty"`

	// profilePort serves Go pprof (pprof extension) when set.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	// +optional
	ProfilePort *int32 `json:"profilePort,omitempty"`

	// enableKubeProbes adds liveness and readiness probes on the health check.
	// +kubebuilder:default:=true
	// +optional
	EnableKubeProbes *bool `json:"enableKubeProbes,omitempty"`

	// dropUnusedFields has no effect.
	//
	// Deprecated: unused in NetObserv too.
	// +kubebuilder:default:=true
	// +optional
	DropUnusedFields *bool `json:"dropUnusedFields,omitempty"`

	// conversationHeartbeatInterval of conversation tracking.
	// +kubebuilder:default:="30s"
	// +optional
	ConversationHeartbeatInterval *metav1.Duration `json:"conversationHeartbeatInterval,omitempty"`

	// conversationEndTimeout of conversation tracking.
	// +kubebuilder:default:="10s"
	// +optional
	ConversationEndTimeout *metav1.Duration `json:"conversationEndTimeout,omitempty"`

	// conversationTerminatingTimeout of conversation tracking.
	// +kubebuilder:default:="5s"
	// +optional
	ConversationTerminatingTimeout *metav1.Duration `json:"conversationTerminatingTimeout,omitempty"`

	// scheduling of the gateway pods (and of the node collectors in the Direct model).
	// +optional
	Scheduling *SchedulingConfig `json:"scheduling,omitempty"`

	// secondaryNetworks for pod identification (Multus).
	// +optional
	SecondaryNetworks []SecondaryNetwork `json:"secondaryNetworks,omitempty"`
}

// SecondaryNetwork identifies pods on a secondary network.
type SecondaryNetwork struct {
	// name of the network, as in the pods' k8s.v1.cni.cncf.io/network-status annotation.
	// +optional
	Name string `json:"name,omitempty"`

	// index fields: MAC, IP or Interface.
	// +optional
	Index []SecondaryNetworkIndex `json:"index,omitempty"`
}

// SecondaryNetworkIndex is a field that identifies a pod on a secondary network.
// +kubebuilder:validation:Enum:=MAC;IP;Interface
type SecondaryNetworkIndex string

// SubnetLabels label flows by address.
type SubnetLabels struct {
	// openShiftAutoDetect labels the OpenShift machine, pod and service networks.
	// +optional
	OpenShiftAutoDetect *bool `json:"openShiftAutoDetect,omitempty"`

	// customLabels label flows whose source or destination is in one of the CIDRs. Use the
	// EXT: prefix (or no label) for external networks.
	// +optional
	CustomLabels []SubnetLabel `json:"customLabels,omitempty"`
}

// SubnetLabel names a set of CIDRs.
type SubnetLabel struct {
	// cidrs such as 10.128.0.0/14. (Checked by the webhook: a CEL rule over a list of lists
	// with no size bound exceeds the API server's cost budget, and NetObserv sets no bound.)
	// +optional
	CIDRs []string `json:"cidrs,omitempty"`

	// name of the label.
	// +kubebuilder:validation:Pattern:="^[a-zA-Z_:-][a-zA-Z0-9_:-]*$"
	// +optional
	Name string `json:"name,omitempty"`
}
