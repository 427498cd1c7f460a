// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Name is the only name a FlowCollector may have: it is a cluster singleton.
const Name = "cluster"

// FlowCollectorDeploymentModel says how flows travel from the node collectors to the outputs.
type FlowCollectorDeploymentModel string

// Deployment models (DESIGN §4).
const (
	// DeploymentModelDirect runs the whole pipeline in the node collector (no gateway).
	DeploymentModelDirect FlowCollectorDeploymentModel = "Direct"
	// DeploymentModelService sends flows over OTLP/gRPC to a gateway Deployment behind a Service.
	DeploymentModelService FlowCollectorDeploymentModel = "Service"
	// DeploymentModelKafka sends flows to a Kafka topic that the gateway consumes.
	DeploymentModelKafka FlowCollectorDeploymentModel = "Kafka"
)

// FlowCollectorSpec is the desired state of network flow collection.
//
// Object-typed fields default to {} so that the defaults of their own fields apply even when a
// resource leaves the whole section out (structural defaulting only descends into objects that
// are present).
//
// +kubebuilder:validation:XValidation:rule="!has(self.deploymentModel) || self.deploymentModel != 'Kafka' || (has(self.kafka) && size(self.kafka.address) > 0 && size(self.kafka.topic) > 0)",message="spec.kafka.address and spec.kafka.topic are required when spec.deploymentModel is Kafka"
type FlowCollectorSpec struct {
	// namespace is where the gateway and the console run; the node collectors run in
	// "<namespace>-privileged". It cannot change after creation.
	// +kubebuilder:default:=netobserv
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.namespace is immutable: delete and recreate the FlowCollector to change it"
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// agent configures flow capture on every node.
	// +kubebuilder:default:={}
	// +optional
	Agent FlowCollectorAgent `json:"agent,omitempty"`

	// processor configures enrichment, metrics and the gateway that runs them.
	// +kubebuilder:default:={}
	// +optional
	Processor FlowCollectorFLP `json:"processor,omitempty"`

	// loki configures the Loki flow store (written by the collector, read by the console).
	// +kubebuilder:default:={}
	// +optional
	Loki FlowCollectorLoki `json:"loki,omitempty"`

	// prometheus configures how the console queries metrics.
	// +kubebuilder:default:={}
	// +optional
	Prometheus FlowCollectorPrometheus `json:"prometheus,omitempty"`

	// consolePlugin configures the web console.
	// +kubebuilder:default:={}
	// +optional
	ConsolePlugin FlowCollectorConsolePlugin `json:"consolePlugin,omitempty"`

	// deploymentModel is how flows reach the processing stage: Service (default: node collectors
	// send OTLP/gRPC to a gateway Deployment), Direct (each node collector runs the whole
	// pipeline; advised below 15 nodes) or Kafka (node collectors produce to a Kafka topic that
	// the gateway consumes).
	// +kubebuilder:validation:Enum:=Service;Direct;Kafka
	// +kubebuilder:default:=Service
	// +optional
	DeploymentModel FlowCollectorDeploymentModel `json:"deploymentModel,omitempty"`

	// kafka is the broker used when deploymentModel is Kafka.
	// +optional
	Kafka FlowCollectorKafka `json:"kafka,omitempty"`

	// exporters are additional outputs for the enriched flows (at most 64: the bound keeps the
	// CEL rules of each entry within the API server's cost budget).
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Exporters []*FlowCollectorExporter `json:"exporters"`

	// networkPolicy configures NetworkPolicies that isolate the flowlens namespaces.
	// +kubebuilder:default:={}
	// +optional
	NetworkPolicy NetworkPolicy `json:"networkPolicy,omitempty"`
}

// NetworkPolicy configures the NetworkPolicies of the flowlens namespaces.
type NetworkPolicy struct {
	// enable deploys NetworkPolicies in the main and privileged namespaces. Unset means disabled
	// here: flowlens does not detect the cluster's network plugin (NetObserv enables it by
	// default on OVN-Kubernetes).
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// additionalNamespaces may also connect to the flowlens pods (for example where Prometheus
	// runs).
	// +optional
	AdditionalNamespaces []string `json:"additionalNamespaces"`
}

// FlowCollectorStatus is the observed state of a FlowCollector.
type FlowCollectorStatus struct {
	// conditions: Ready, one <Component>Ready per workload, and ConfigurationIssue, which lists
	// the fields that were accepted but are not acted on.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions"`

	// observedGeneration is the spec generation the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// namespace is where the gateway and console were deployed.
	//
	// Deprecated: kept for NetObserv compatibility; spec.namespace is authoritative.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// FlowCollector is the network flows collection API: one per cluster, named "cluster". The
// flowlens operator turns it into OpenTelemetry Collector configs and the workloads that run
// them.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=fc
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="Agent",type="string",JSONPath=`.spec.agent.type`
// +kubebuilder:printcolumn:name="Sampling (EBPF)",type="string",JSONPath=`.spec.agent.ebpf.sampling`
// +kubebuilder:printcolumn:name="Deployment Model",type="string",JSONPath=`.spec.deploymentModel`
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Warnings",type="string",JSONPath=`.status.conditions[?(@.type=="ConfigurationIssue")].message`,priority=1
// +kubebuilder:validation:XValidation:rule="self.metadata.name == 'cluster'",message="metadata.name: a FlowCollector must be named 'cluster' (it is a cluster singleton)"
type FlowCollector struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:default:={}
	// +optional
	Spec   FlowCollectorSpec   `json:"spec,omitempty"`
	Status FlowCollectorStatus `json:"status,omitempty"`
}

// FlowCollectorList is a list of FlowCollectors.
//
// +kubebuilder:object:root=true
type FlowCollectorList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlowCollector `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FlowCollector{}, &FlowCollectorList{})
}
