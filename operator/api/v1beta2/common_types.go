// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FlowCollectorKafka is a Kafka broker and topic.
type FlowCollectorKafka struct {
	// address of the Kafka bootstrap server(s), host:port (several may be comma separated).
	// +kubebuilder:default:=""
	Address string `json:"address"`

	// topic to use; it must exist (flowlens does not create it).
	// +kubebuilder:default:=""
	Topic string `json:"topic"`

	// tls of the Kafka connection (the TLS port is usually 9093).
	// +optional
	TLS ClientTLS `json:"tls"`

	// sasl authentication.
	// +optional
	SASL SASLConfig `json:"sasl"`
}

// ExporterType is the kind of an additional exporter.
type ExporterType string

// Exporter types.
const (
	KafkaExporter         ExporterType = "Kafka"
	IpfixExporter         ExporterType = "IPFIX"
	OpenTelemetryExporter ExporterType = "OpenTelemetry"
)

// FlowCollectorExporter is an additional output for the enriched flows.
//
// +kubebuilder:validation:XValidation:rule="self.type != 'Kafka' || (has(self.kafka) && size(self.kafka.address) > 0 && size(self.kafka.topic) > 0)",message="exporters[].kafka.address and exporters[].kafka.topic are required when type is Kafka"
// +kubebuilder:validation:XValidation:rule="self.type != 'IPFIX' || (has(self.ipfix) && size(self.ipfix.targetHost) > 0)",message="exporters[].ipfix.targetHost is required when type is IPFIX"
// +kubebuilder:validation:XValidation:rule="self.type != 'OpenTelemetry' || (has(self.openTelemetry) && size(self.openTelemetry.targetHost) > 0)",message="exporters[].openTelemetry.targetHost is required when type is OpenTelemetry"
type FlowCollectorExporter struct {
	// type: Kafka, IPFIX or OpenTelemetry.
	// +kubebuilder:validation:Enum:=Kafka;IPFIX;OpenTelemetry
	// +kubebuilder:validation:Required
	Type ExporterType `json:"type"`

	// kafka receives the flows as JSON with NetObserv's field names.
	// +optional
	Kafka FlowCollectorKafka `json:"kafka,omitempty"`

	// ipfix receives the flows as IPFIX records.
	// +optional
	IPFIX FlowCollectorIPFIXReceiver `json:"ipfix,omitempty"`

	// openTelemetry receives the flows as OTLP logs and/or the flow metrics as OTLP metrics.
	// +optional
	OpenTelemetry FlowCollectorOpenTelemetry `json:"openTelemetry,omitempty"`
}

// FlowCollectorIPFIXReceiver is an IPFIX collector.
type FlowCollectorIPFIXReceiver struct {
	// targetHost of the IPFIX collector.
	// +kubebuilder:default:=""
	TargetHost string `json:"targetHost"`

	// targetPort of the IPFIX collector.
	// +kubebuilder:default:=4739
	TargetPort int `json:"targetPort"`

	// transport: TCP (default) or UDP.
	// +kubebuilder:validation:Enum:=TCP;UDP
	// +optional
	Transport string `json:"transport,omitempty"`

	// enterpriseID is the Private Enterprise Number of the non-standard elements.
	// +kubebuilder:default:=2
	EnterpriseID int `json:"enterpriseID"`
}

// FlowCollectorOpenTelemetry is an OTLP endpoint.
type FlowCollectorOpenTelemetry struct {
	// targetHost of the OTLP receiver.
	// +kubebuilder:default:=""
	TargetHost string `json:"targetHost"`

	// targetPort of the OTLP receiver.
	// +kubebuilder:default:=4317
	TargetPort int `json:"targetPort"`

	// protocol: grpc (default) or http.
	// +kubebuilder:validation:Enum:=http;grpc
	// +optional
	Protocol string `json:"protocol,omitempty"`

	// headers added to every request.
	// +optional
	Headers map[string]string `json:"headers,omitempty"`

	// tls of the OTLP connection.
	// +optional
	TLS ClientTLS `json:"tls"`

	// fieldsMapping renames fields (input may be a NetObserv name such as SrcAddr) and scales
	// values (flowfields processor).
	// +optional
	FieldsMapping *[]GenericTransformRule `json:"fieldsMapping,omitempty"`

	// logs: send the flows as OTLP logs.
	// +optional
	Logs FlowCollectorOpenTelemetryLogs `json:"logs"`

	// metrics: send the flow metrics as OTLP metrics.
	// +optional
	Metrics FlowCollectorOpenTelemetryMetrics `json:"metrics"`
}

// GenericTransformRule renames one field.
type GenericTransformRule struct {
	// input field name.
	// +optional
	Input string `json:"input,omitempty"`
	// output field name.
	// +optional
	Output string `json:"output,omitempty"`
	// multiplier applied to numeric values.
	// +optional
	Multiplier int `json:"multiplier,omitempty"`
}

// FlowCollectorOpenTelemetryLogs configures OTLP logs.
type FlowCollectorOpenTelemetryLogs struct {
	// enable sends the flows as logs.
	// +kubebuilder:default:=true
	// +optional
	Enable *bool `json:"enable,omitempty"`
}

// FlowCollectorOpenTelemetryMetrics configures OTLP metrics.
type FlowCollectorOpenTelemetryMetrics struct {
	// enable sends the flow metrics.
	// +kubebuilder:default:=true
	// +optional
	Enable *bool `json:"enable,omitempty"`

	// pushTimeInterval is how often metrics are sent.
	// +kubebuilder:default:="20s"
	// +optional
	PushTimeInterval *metav1.Duration `json:"pushTimeInterval,omitempty"`

	// prefix of the metric names (older NetObserv versions; flowlens names them netobserv_*).
	// +optional
	Prefix string `json:"prefix,omitempty"`

	// expiryTime after which an idle series is dropped (older NetObserv versions).
	// +optional
	ExpiryTime *metav1.Duration `json:"expiryTime,omitempty"`
}

// ServerTLSConfigType selects the TLS of a server endpoint.
type ServerTLSConfigType string

// Server TLS types.
const (
	ServerTLSDisabled ServerTLSConfigType = "Disabled"
	ServerTLSProvided ServerTLSConfigType = "Provided"
	ServerTLSAuto     ServerTLSConfigType = "Auto"
)

// ServerTLS is the TLS of a server endpoint.
type ServerTLS struct {
	// type: Disabled (default), Provided or Auto (OpenShift service CA).
	// +kubebuilder:validation:Enum:=Disabled;Provided;Auto
	// +kubebuilder:default:="Disabled"
	// +optional
	Type ServerTLSConfigType `json:"type,omitempty"`

	// provided certificate (type Provided).
	// +optional
	Provided *CertificateReference `json:"provided"`

	// insecureSkipVerify skips verification of the provided certificate.
	// +kubebuilder:default:=false
	// +optional
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`

	// providedCaFile is the CA of the provided certificate.
	// +optional
	ProvidedCaFile *FileReference `json:"providedCaFile,omitempty"`
}

// MetricsServerConfig is a metrics endpoint.
type MetricsServerConfig struct {
	// port of the metrics endpoint.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port *int32 `json:"port,omitempty"`

	// tls of the metrics endpoint.
	// +optional
	TLS ServerTLS `json:"tls"`
}

// MountableType is the kind of object a reference points to.
type MountableType string

// Reference types.
const (
	RefTypeSecret    MountableType = "secret"
	RefTypeConfigMap MountableType = "configmap"
)

// FileReference points to one file of a Secret or ConfigMap.
type FileReference struct {
	// type: configmap or secret.
	// +kubebuilder:validation:Enum=configmap;secret
	// +optional
	Type MountableType `json:"type,omitempty"`

	// name of the ConfigMap or Secret.
	// +optional
	Name string `json:"name,omitempty"`

	// namespace of the ConfigMap or Secret; default spec.namespace. The operator copies it where
	// the collector pods run.
	// +kubebuilder:default:=""
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// file is the key in the ConfigMap or Secret.
	// +optional
	File string `json:"file,omitempty"`
}

// CertificateReference points to a certificate (and key) in a Secret or ConfigMap.
type CertificateReference struct {
	// type: configmap or secret.
	// +kubebuilder:validation:Enum=configmap;secret
	// +optional
	Type MountableType `json:"type,omitempty"`

	// name of the ConfigMap or Secret.
	// +optional
	Name string `json:"name,omitempty"`

	// namespace of the ConfigMap or Secret; default spec.namespace. The operator copies it where
	// the collector pods run.
	// +kubebuilder:default:=""
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// certFile is the key of the certificate.
	// +optional
	CertFile string `json:"certFile,omitempty"`

	// certKey is the key of the private key; omit when none is needed.
	// +optional
	CertKey string `json:"certKey,omitempty"`
}

// ClientTLS is the TLS of a client connection.
type ClientTLS struct {
	// enable TLS.
	// +kubebuilder:default:=false
	// +optional
	Enable bool `json:"enable,omitempty"`

	// insecureSkipVerify skips server certificate verification (caCert is then ignored).
	// +kubebuilder:default:=false
	// +optional
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`

	// caCert is the certificate authority.
	// +optional
	CACert CertificateReference `json:"caCert,omitempty"`

	// userCert is the client certificate and key (mTLS).
	// +optional
	UserCert CertificateReference `json:"userCert,omitempty"`
}

// SASLType selects the SASL mechanism.
type SASLType string

// SASL mechanisms.
const (
	SASLDisabled    SASLType = "Disabled"
	SASLPlain       SASLType = "Plain"
	SASLScramSHA512 SASLType = "ScramSHA512"
)

// SASLConfig is Kafka SASL authentication.
//
// +kubebuilder:validation:XValidation:rule="!has(self.type) || self.type == 'Disabled' || (has(self.clientIDReference) && has(self.clientIDReference.name) && has(self.clientSecretReference) && has(self.clientSecretReference.name))",message="sasl.clientIDReference and sasl.clientSecretReference are required when sasl.type is Plain or ScramSHA512"
type SASLConfig struct {
	// type: Disabled (default), Plain or ScramSHA512.
	// +kubebuilder:validation:Enum=Disabled;Plain;ScramSHA512
	// +kubebuilder:default:=Disabled
	// +optional
	Type SASLType `json:"type,omitempty"`

	// clientIDReference is the file holding the user name.
	// +optional
	ClientIDReference FileReference `json:"clientIDReference,omitempty"`

	// clientSecretReference is the file holding the password.
	// +optional
	ClientSecretReference FileReference `json:"clientSecretReference,omitempty"`
}

// SchedulingConfig places pods on nodes.
type SchedulingConfig struct {
	// tolerations of the pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// nodeSelector of the pods.
	// +optional
	// +mapType=atomic
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// affinity of the pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// priorityClassName of the pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
}
