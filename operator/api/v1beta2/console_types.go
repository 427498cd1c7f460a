// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	corev1 "k8s.io/api/core/v1"
)

// FlowCollectorConsolePlugin configures the flowlens web console.
type FlowCollectorConsolePlugin struct {
	// enable deploys the console. It is not deployed when both Loki and the Prometheus querier
	// are disabled.
	// +kubebuilder:default:=true
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// standalone serves a standalone console. The flowlens console is always standalone, so
	// this has no effect.
	// +optional
	Standalone bool `json:"standalone,omitempty"`

	// replicas of the console.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=1
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// unmanagedReplicas leaves the replica count to someone else.
	// +optional
	UnmanagedReplicas bool `json:"unmanagedReplicas,omitempty"`

	// imagePullPolicy of the console image.
	// +kubebuilder:validation:Enum=IfNotPresent;Always;Never
	// +kubebuilder:default:=IfNotPresent
	// +optional
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`

	// resources of the console container.
	// +kubebuilder:default:={requests:{memory:"50Mi",cpu:"100m"},limits:{memory:"100Mi"}}
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// logLevel of the console.
	// +kubebuilder:validation:Enum=trace;debug;info;warn;error;fatal;panic
	// +kubebuilder:default:=info
	// +optional
	LogLevel string `json:"logLevel,omitempty"`

	// autoscaler of the console.
	//
	// Deprecated: use unmanagedReplicas and an autoscaler of your choice.
	// +optional
	Autoscaler FlowCollectorHPA `json:"autoscaler,omitempty"`

	// portNaming shows service names instead of port numbers.
	// +kubebuilder:default:={enable:true}
	// +optional
	PortNaming ConsolePluginPortConfig `json:"portNaming,omitempty"`

	// quickFilters are the console's filter presets.
	// +kubebuilder:default:={{name:"Applications",filter:{"flow_layer":"\"app\""},default:true},{name:"Infrastructure",filter:{"flow_layer":"\"infra\""}},{name:"Pods network",filter:{"src_kind":"\"Pod\"","dst_kind":"\"Pod\""},default:true},{name:"Services network",filter:{"dst_kind":"\"Service\""}},{name:"External ingress",filter:{"src_subnet_label":"\"\",EXT:"}},{name:"External egress",filter:{"dst_subnet_label":"\"\",EXT:"}}}
	// +optional
	QuickFilters []QuickFilter `json:"quickFilters"`

	// advanced holds port, arguments, environment and scheduling of the console.
	// +optional
	Advanced *AdvancedPluginConfig `json:"advanced,omitempty"`
}

// ConsolePluginPortConfig configures port-to-service-name display.
type ConsolePluginPortConfig struct {
	// enable the port names.
	// +kubebuilder:default:=true
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// portNames adds names, for example {"3100": "loki"}.
	// +optional
	PortNames map[string]string `json:"portNames"`
}

// QuickFilter is a console filter preset.
type QuickFilter struct {
	// name shown in the console.
	// +kubebuilder:validation:MinLength:=1
	Name string `json:"name"`

	// filter keys and values; a value may list several, comma separated.
	// +kubebuilder:validation:MinProperties:=1
	Filter map[string]string `json:"filter"`

	// default makes the filter active by default.
	// +optional
	Default bool `json:"default,omitempty"`
}

// AdvancedPluginConfig holds low-level settings of the console.
type AdvancedPluginConfig struct {
	// env is added to the console container.
	// +optional
	Env map[string]string `json:"env,omitempty"`

	// args are appended to the console arguments.
	// +optional
	Args []string `json:"args,omitempty"`

	// register adds the plugin to the OpenShift console (no effect outside OpenShift).
	// +kubebuilder:default:=true
	// +optional
	Register *bool `json:"register,omitempty"`

	// port the console listens on. 9002 is reserved for metrics.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:default:=9001
	// +optional
	Port *int32 `json:"port,omitempty"`

	// scheduling of the console pods.
	// +optional
	Scheduling *SchedulingConfig `json:"scheduling,omitempty"`
}
