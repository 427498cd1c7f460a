// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LokiMode says how Loki is installed.
type LokiMode string

// Loki modes.
const (
	LokiModeManual        LokiMode = "Manual"
	LokiModeLokiStack     LokiMode = "LokiStack"
	LokiModeMonolithic    LokiMode = "Monolithic"
	LokiModeMicroservices LokiMode = "Microservices"
)

// LokiAuthToken says which token authenticates to Loki.
type LokiAuthToken string

// Loki token modes.
const (
	LokiAuthDisabled         LokiAuthToken = "Disabled"
	LokiAuthUseHostToken     LokiAuthToken = "Host"
	LokiAuthForwardUserToken LokiAuthToken = "Forward"
)

// FlowCollectorLoki configures the Loki flow store.
type FlowCollectorLoki struct {
	// enable stores flows in Loki (lokiflow exporter). Default true.
	// +kubebuilder:default:=true
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// mode: Monolithic (default), Microservices, LokiStack or Manual.
	// +kubebuilder:validation:Enum=Manual;LokiStack;Monolithic;Microservices
	// +kubebuilder:default:="Monolithic"
	// +optional
	Mode LokiMode `json:"mode,omitempty"`

	// manual holds every connection setting (Manual mode).
	// +kubebuilder:default:={}
	// +optional
	Manual LokiManualParams `json:"manual,omitempty"`

	// microservices: distributor and query frontend (Microservices mode).
	// +kubebuilder:default:={}
	// +optional
	Microservices LokiMicroservicesParams `json:"microservices,omitempty"`

	// monolithic: one Loki URL (Monolithic mode).
	// +kubebuilder:default:={}
	// +optional
	Monolithic LokiMonolithParams `json:"monolithic,omitempty"`

	// lokiStack references a Loki Operator LokiStack (LokiStack mode).
	// +kubebuilder:default:={}
	// +optional
	LokiStack LokiStackRef `json:"lokiStack,omitempty"`

	// readTimeout of console queries.
	// +kubebuilder:default:="30s"
	// +optional
	ReadTimeout *metav1.Duration `json:"readTimeout,omitempty"`

	// writeTimeout of a push request.
	// +kubebuilder:default:="10s"
	// +optional
	WriteTimeout *metav1.Duration `json:"writeTimeout,omitempty"`

	// writeBatchWait is the longest a batch waits before it is pushed.
	// +kubebuilder:default:="1s"
	// +optional
	WriteBatchWait *metav1.Duration `json:"writeBatchWait,omitempty"`

	// writeBatchSize is the largest batch in bytes.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default:=10485760
	// +optional
	WriteBatchSize int64 `json:"writeBatchSize,omitempty"`

	// advanced holds retries and labels.
	// +optional
	Advanced *AdvancedLokiConfig `json:"advanced,omitempty"`
}

// LokiManualParams are explicit Loki connection settings.
type LokiManualParams struct {
	// ingesterUrl receives the pushes.
	// +kubebuilder:default:="http://loki:3100/"
	// +optional
	IngesterURL string `json:"ingesterUrl,omitempty"`

	// querierUrl serves the console queries.
	// +kubebuilder:default:="http://loki:3100/"
	// +optional
	QuerierURL string `json:"querierUrl,omitempty"`

	// statusUrl serves /ready, /metrics and /config when it differs from querierUrl.
	// +optional
	StatusURL string `json:"statusUrl,omitempty"`

	// tenantID is sent as X-Scope-OrgID.
	// +kubebuilder:default:="netobserv"
	// +optional
	TenantID string `json:"tenantID,omitempty"`

	// authToken: Disabled, Host (the collector's service account token) or Forward (the console
	// forwards the user's token; the collector uses its service account token).
	// +kubebuilder:validation:Enum:=Disabled;Host;Forward
	// +kubebuilder:default:="Disabled"
	// +optional
	AuthToken LokiAuthToken `json:"authToken,omitempty"`

	// tls of the Loki URLs.
	// +optional
	TLS ClientTLS `json:"tls"`

	// statusTls of statusUrl.
	// +optional
	StatusTLS ClientTLS `json:"statusTls"`
}

// LokiMicroservicesParams locate a Loki installed as microservices.
type LokiMicroservicesParams struct {
	// ingesterUrl is the distributor.
	// +kubebuilder:default:="http://loki-distributor:3100/"
	// +optional
	IngesterURL string `json:"ingesterUrl,omitempty"`

	// querierUrl is the query frontend.
	// +kubebuilder:default:="http://loki-query-frontend:3100/"
	// +optional
	QuerierURL string `json:"querierUrl,omitempty"`

	// tenantID is sent as X-Scope-OrgID.
	// +kubebuilder:default:="netobserv"
	// +optional
	TenantID string `json:"tenantID,omitempty"`

	// tls of the Loki URLs.
	// +optional
	TLS ClientTLS `json:"tls"`
}

// LokiMonolithParams locate a monolithic Loki.
type LokiMonolithParams struct {
	// installDemoLoki deploys a demo Loki (not supported by flowlens).
	// +kubebuilder:default:=false
	// +optional
	InstallDemoLoki *bool `json:"installDemoLoki,omitempty"`

	// url of Loki, for pushes and queries.
	// +kubebuilder:default:="http://loki:3100/"
	// +optional
	URL string `json:"url,omitempty"`

	// tenantID is sent as X-Scope-OrgID.
	// +kubebuilder:default:="netobserv"
	// +optional
	TenantID string `json:"tenantID,omitempty"`

	// tls of the Loki URL.
	// +optional
	TLS ClientTLS `json:"tls"`
}

// LokiStackRef references a LokiStack.
type LokiStackRef struct {
	// name of the LokiStack.
	// +kubebuilder:default:="loki"
	// +optional
	Name string `json:"name,omitempty"`

	// namespace of the LokiStack; default spec.namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// AdvancedLokiConfig holds retries and labels of the Loki client.
type AdvancedLokiConfig struct {
	// writeMinBackoff is the first retry delay.
	// +kubebuilder:default:="1s"
	// +optional
	WriteMinBackoff *metav1.Duration `json:"writeMinBackoff,omitempty"`

	// writeMaxBackoff is the longest retry delay.
	// +kubebuilder:default:="5s"
	// +optional
	WriteMaxBackoff *metav1.Duration `json:"writeMaxBackoff,omitempty"`

	// writeMaxRetries before a batch is dropped.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default:=2
	// +optional
	WriteMaxRetries *int32 `json:"writeMaxRetries,omitempty"`

	// staticLabels are added to every stream.
	// +kubebuilder:default:={"app":"netobserv-flowcollector"}
	// +optional
	StaticLabels map[string]string `json:"staticLabels,omitempty"`

	// excludeLabels are removed from the stream labels (kept in the line).
	// +optional
	ExcludeLabels []string `json:"excludeLabels,omitempty"`
}

// PrometheusMode says how the console finds Prometheus.
type PrometheusMode string

// Prometheus modes.
const (
	PromModeAuto   PrometheusMode = "Auto"
	PromModeManual PrometheusMode = "Manual"
)

// FlowCollectorPrometheus configures Prometheus for the console.
type FlowCollectorPrometheus struct {
	// querier is how the console queries flow metrics.
	// +kubebuilder:default:={}
	// +optional
	Querier PrometheusQuerier `json:"querier,omitempty"`
}

// PrometheusQuerier configures the console's Prometheus client.
type PrometheusQuerier struct {
	// enable lets the console query metrics from Prometheus (default true).
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// mode: Auto (OpenShift's Thanos querier there; elsewhere the same as Manual) or Manual.
	// +kubebuilder:validation:Enum=Manual;Auto
	// +kubebuilder:default:="Auto"
	// +optional
	Mode PrometheusMode `json:"mode,omitempty"`

	// manual connection settings.
	// +kubebuilder:default:={}
	// +optional
	Manual PrometheusQuerierManual `json:"manual,omitempty"`

	// timeout of console queries.
	// +kubebuilder:default:="30s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// PrometheusQuerierManual are explicit Prometheus connection settings.
type PrometheusQuerierManual struct {
	// url of Prometheus.
	// +kubebuilder:default:="http://prometheus:9090"
	// +optional
	URL string `json:"url,omitempty"`

	// tls of the Prometheus URL.
	// +optional
	TLS ClientTLS `json:"tls"`

	// forwardUserToken sends the user's token with queries.
	// +optional
	ForwardUserToken bool `json:"forwardUserToken"`

	// alertManager locates the Alertmanager.
	// +optional
	AlertManager *AlertManagerQuerierManual `json:"alertManager"`
}

// AlertManagerQuerierManual locates an Alertmanager.
type AlertManagerQuerierManual struct {
	// url of the Alertmanager.
	// +optional
	URL string `json:"url,omitempty"`

	// tls of the Alertmanager URL.
	// +optional
	TLS ClientTLS `json:"tls"`
}
