// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// FlowCollectorAgentType selects the flow source.
type FlowCollectorAgentType string

// Agent types.
const (
	// AgentEBPF is flow capture with eBPF (the ebpfflow receiver).
	AgentEBPF FlowCollectorAgentType = "eBPF"
	// AgentIPFIX is NetObserv's deprecated OVN IPFIX source; not supported by flowlens.
	AgentIPFIX FlowCollectorAgentType = "IPFIX"
)

// FlowCollectorAgent configures the per-node flow capture.
type FlowCollectorAgent struct {
	// type of flow source. Only eBPF is supported; IPFIX is accepted for compatibility and
	// reported as unsupported.
	//
	// Deprecated: NetObserv plans to remove it; eBPF is the only useful value.
	// +kubebuilder:validation:Enum:=eBPF;IPFIX
	// +kubebuilder:default:=eBPF
	// +optional
	Type FlowCollectorAgentType `json:"type,omitempty"`

	// ipfix configures NetObserv's deprecated OVN IPFIX source (not supported by flowlens).
	// +optional
	IPFIX FlowCollectorIPFIX `json:"ipfix,omitempty"`

	// ebpf configures the eBPF flow capture (the ebpfflow receiver of the node collector).
	// +kubebuilder:default:={}
	// +optional
	EBPF FlowCollectorEBPF `json:"ebpf,omitempty"`
}

// FlowCollectorIPFIX is NetObserv's deprecated OVN-Kubernetes IPFIX source.
type FlowCollectorIPFIX struct {
	// cacheActiveTimeout is the aggregation period of the IPFIX reporter.
	// +kubebuilder:validation:Pattern:=^\d+(ns|ms|s|m)?$
	// +kubebuilder:default:="20s"
	// +optional
	CacheActiveTimeout string `json:"cacheActiveTimeout,omitempty"`

	// cacheMaxFlows is the size of an aggregate.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=400
	// +optional
	CacheMaxFlows int32 `json:"cacheMaxFlows,omitempty"`

	// sampling of the IPFIX reporter (at least 2).
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:default:=400
	// +optional
	Sampling int32 `json:"sampling,omitempty"`

	// forceSampleAll disables IPFIX sampling.
	// +kubebuilder:default:=false
	// +optional
	ForceSampleAll bool `json:"forceSampleAll,omitempty"`

	// clusterNetworkOperator locates the OpenShift Cluster Network Operator.
	// +optional
	ClusterNetworkOperator ClusterNetworkOperatorConfig `json:"clusterNetworkOperator,omitempty"`

	// ovnKubernetes locates OVN-Kubernetes when the Cluster Network Operator is absent.
	// +optional
	OVNKubernetes OVNKubernetesConfig `json:"ovnKubernetes,omitempty"`
}

// ClusterNetworkOperatorConfig locates the OpenShift Cluster Network Operator.
type ClusterNetworkOperatorConfig struct {
	// namespace of the Cluster Network Operator config map.
	// +kubebuilder:default:=openshift-network-operator
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// OVNKubernetesConfig locates the OVN-Kubernetes pods.
type OVNKubernetesConfig struct {
	// namespace of the OVN-Kubernetes pods.
	// +kubebuilder:default:=ovn-kubernetes
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// daemonSetName of the OVN-Kubernetes node pods.
	// +kubebuilder:default:=ovnkube-node
	// +optional
	DaemonSetName string `json:"daemonSetName,omitempty"`
	// containerName to configure for IPFIX.
	// +kubebuilder:default:=ovnkube-node
	// +optional
	ContainerName string `json:"containerName,omitempty"`
}

// AgentFeature is an optional capture feature.
// +kubebuilder:validation:Enum:=PacketDrop;DNSTracking;FlowRTT;NetworkEvents;PacketTranslation;EbpfManager;UDNMapping;IPSec
type AgentFeature string

// Agent features. flowlens implements PacketDrop, DNSTracking, FlowRTT and PacketTranslation
// (the ebpfflow receiver's features key); the others are reported as unsupported.
const (
	PacketDrop        AgentFeature = "PacketDrop"
	DNSTracking       AgentFeature = "DNSTracking"
	FlowRTT           AgentFeature = "FlowRTT"
	NetworkEvents     AgentFeature = "NetworkEvents"
	PacketTranslation AgentFeature = "PacketTranslation"
	EbpfManager       AgentFeature = "EbpfManager"
	UDNMapping        AgentFeature = "UDNMapping"
	IPSec             AgentFeature = "IPSec"
)

// EBPFAgentAlert names an alert about the node collectors.
// +kubebuilder:validation:Enum:=NetObservDroppedFlows
type EBPFAgentAlert string

// AlertDroppedFlows fires when the node collectors drop flows.
const AlertDroppedFlows EBPFAgentAlert = "NetObservDroppedFlows"

// FlowCollectorEBPF configures the eBPF capture and the node collector pods.
type FlowCollectorEBPF struct {
	// imagePullPolicy of the node collector image.
	// +kubebuilder:validation:Enum=IfNotPresent;Always;Never
	// +kubebuilder:default:=IfNotPresent
	// +optional
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`

	// resources of the node collector container.
	// +kubebuilder:default:={requests:{memory:"50Mi",cpu:"100m"},limits:{memory:"800Mi"}}
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// sampling records 1 packet in N; 0 and 1 record every packet.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=50
	// +optional
	Sampling *int32 `json:"sampling,omitempty"`

	// cacheActiveTimeout is the eviction period of the kernel flow map: flows are exported this
	// often.
	// +kubebuilder:validation:Pattern:=^\d+(ns|ms|s|m)?$
	// +kubebuilder:default:="15s"
	// +optional
	CacheActiveTimeout string `json:"cacheActiveTimeout,omitempty"`

	// cacheMaxFlows is the capacity of the kernel flow map.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default:=120000
	// +optional
	CacheMaxFlows int32 `json:"cacheMaxFlows,omitempty"`

	// interfaces to capture on: names, or /regex/. Empty means all.
	// +optional
	Interfaces []string `json:"interfaces"`

	// excludeInterfaces are never captured on (names or /regex/); they win over interfaces.
	// +kubebuilder:default:={lo}
	// +optional
	ExcludeInterfaces []string `json:"excludeInterfaces"`

	// logLevel of the node collector.
	// +kubebuilder:validation:Enum=trace;debug;info;warn;error;fatal;panic
	// +kubebuilder:default:=info
	// +optional
	LogLevel string `json:"logLevel,omitempty"`

	// privileged runs the node collector as a privileged container. Otherwise it runs as UID 0
	// with only CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN.
	// +optional
	Privileged bool `json:"privileged,omitempty"`

	// kafkaBatchSize is the largest Kafka request, in bytes, of the node collector (Kafka model).
	// +kubebuilder:default:=1048576
	// +optional
	KafkaBatchSize int `json:"kafkaBatchSize"`

	// advanced holds environment, scheduling and capability overrides of the node collector.
	// +optional
	Advanced *AdvancedAgentConfig `json:"advanced,omitempty"`

	// features are optional capture features: PacketDrop, DNSTracking, FlowRTT,
	// PacketTranslation (implemented by flowlens), NetworkEvents, EbpfManager, UDNMapping, IPSec
	// (accepted, reported as unsupported).
	// +optional
	Features []AgentFeature `json:"features,omitempty"`

	// metrics configures the node collector's own metrics endpoint and alerts.
	// +optional
	Metrics EBPFMetrics `json:"metrics,omitempty"`

	// flowFilter filters flows in the kernel.
	// +optional
	FlowFilter *EBPFFlowFilter `json:"flowFilter,omitempty"`
}

// EBPFMetrics configures the node collector's own metrics.
type EBPFMetrics struct {
	// server is the metrics endpoint (the collector's internal telemetry).
	// +optional
	Server MetricsServerConfig `json:"server,omitempty"`

	// enable exposes the metrics endpoint (default true).
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// disableAlerts turns off alerts about the node collectors.
	// +optional
	DisableAlerts []EBPFAgentAlert `json:"disableAlerts"`
}

// EBPFFlowFilterRule is one in-kernel flow filter rule.
//
// +kubebuilder:validation:XValidation:rule="!has(self.ports) || (!has(self.sourcePorts) && !has(self.destPorts))",message="ports cannot be combined with sourcePorts or destPorts"
// +kubebuilder:validation:XValidation:rule="!has(self.cidr) || size(self.cidr) == 0 || isCIDR(self.cidr)",fieldPath=".cidr",message="cidr must be a CIDR such as 10.0.0.0/8 or fd00::/8"
// +kubebuilder:validation:XValidation:rule="!has(self.peerCIDR) || size(self.peerCIDR) == 0 || isCIDR(self.peerCIDR)",fieldPath=".peerCIDR",message="peerCIDR must be a CIDR such as 10.0.0.0/8 or fd00::/8"
// +kubebuilder:validation:XValidation:rule="!has(self.peerIP) || size(self.peerIP) == 0 || isIP(self.peerIP)",fieldPath=".peerIP",message="peerIP must be an IP address such as 10.0.0.1"
type EBPFFlowFilterRule struct {
	// cidr is matched against the source or the destination address, e.g. 10.10.10.0/24.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	CIDR string `json:"cidr,omitempty"`

	// action on matching flows: Accept (default) or Reject.
	// +kubebuilder:validation:Enum:=Accept;Reject
	// +optional
	Action string `json:"action,omitempty"`

	// protocol: TCP, UDP, ICMP, ICMPv6 or SCTP.
	// +kubebuilder:validation:Enum:=TCP;UDP;ICMP;ICMPv6;SCTP
	// +optional
	Protocol string `json:"protocol,omitempty"`

	// direction of the interface: Ingress or Egress.
	// +kubebuilder:validation:Enum:=Ingress;Egress
	// +optional
	Direction string `json:"direction,omitempty"`

	// tcpFlags to match: SYN, SYN-ACK, ACK, FIN, RST, URG, ECE, CWR, FIN-ACK or RST-ACK.
	// +kubebuilder:validation:Enum:=SYN;SYN-ACK;ACK;FIN;RST;URG;ECE;CWR;FIN-ACK;RST-ACK
	// +optional
	TCPFlags string `json:"tcpFlags,omitempty"`

	// sourcePorts: a port (80), a range ("80-100") or two ports ("80,100").
	// +optional
	SourcePorts intstr.IntOrString `json:"sourcePorts,omitempty"`

	// destPorts: a port (80), a range ("80-100") or two ports ("80,100").
	// +optional
	DestPorts intstr.IntOrString `json:"destPorts,omitempty"`

	// ports matches the source or the destination port: a port (80), a range ("80-100") or two
	// ports ("80,100").
	// +optional
	Ports intstr.IntOrString `json:"ports,omitempty"`

	// peerIP is the other end of the flow (a /32 or /128 peerCIDR).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	PeerIP string `json:"peerIP,omitempty"`

	// peerCIDR is the other end of the flow.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	PeerCIDR string `json:"peerCIDR,omitempty"`

	// icmpCode to match (ICMP flows).
	// +optional
	ICMPCode *int `json:"icmpCode,omitempty"`

	// icmpType to match (ICMP flows).
	// +optional
	ICMPType *int `json:"icmpType,omitempty"`

	// pktDrops keeps only flows with packet drops.
	// +optional
	PktDrops *bool `json:"pktDrops,omitempty"`

	// sampling overrides spec.agent.ebpf.sampling for matching packets.
	// +optional
	Sampling *uint32 `json:"sampling,omitempty"`
}

// EBPFFlowFilter filters flows in the kernel. When enabled, flows that match no rule are
// rejected.
type EBPFFlowFilter struct {
	// enable turns the filter on.
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// The inline rule is NetObserv's deprecated single-rule form; flowlens reports it as
	// unsupported and uses rules.
	EBPFFlowFilterRule `json:",inline"`

	// rules, at most 16. A flow matching no rule is rejected; add {action: Accept, cidr:
	// 0.0.0.0/0} to accept by default.
	// +kubebuilder:validation:MinItems:=1
	// +kubebuilder:validation:MaxItems:=16
	// +optional
	Rules []EBPFFlowFilterRule `json:"rules,omitempty"`
}

// AdvancedAgentConfig holds low-level overrides of the node collector pods.
type AdvancedAgentConfig struct {
	// env is added to the node collector container (for example GOMEMLIMIT, GOMAXPROCS).
	// +optional
	Env map[string]string `json:"env,omitempty"`

	// scheduling of the node collector pods.
	// +optional
	Scheduling *SchedulingConfig `json:"scheduling,omitempty"`

	// capOverride replaces the default capabilities (BPF, PERFMON, NET_ADMIN) when not
	// privileged.
	// +optional
	CapOverride []string `json:"capOverride,omitempty"`
}
