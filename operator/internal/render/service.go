// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// gatewayService is the node collectors' way to the gateway (Service model). Headless: the node
// collectors' gRPC dns resolver balances over the pod addresses.
func (r *renderer) gatewayService() *corev1.Service {
	if r.model != v1beta2.DeploymentModelService {
		return nil
	}
	port := r.spec.Processor.Port()
	return service(GatewayName, r.spec.NamespaceOrDefault(), corev1.ClusterIPNone, []corev1.ServicePort{servicePort("otlp-grpc", port)})
}

// gatewayMetricsService exposes the gateway's own telemetry and its flow metrics to Prometheus.
func (r *renderer) gatewayMetricsService(st *stage) *corev1.Service {
	ports := []corev1.ServicePort{servicePort("telemetry", GatewayTelemetryPort)}
	if flowMetricsOn(st) {
		ports = append(ports, servicePort("metrics", r.spec.Processor.MetricsPort()))
	}
	s := service(GatewayMetrics, st.namespace, "", ports)
	s.Spec.Selector = selector(GatewayName)
	return s
}

// nodeMetricsService lists the node collectors for Prometheus (headless: one target per node).
func (r *renderer) nodeMetricsService(st *stage) *corev1.Service {
	var ports []corev1.ServicePort
	e := &r.spec.Agent.EBPF
	if e.MetricsEnabled() {
		port := int32(NodeTelemetryPort)
		if e.Metrics.Server.Port != nil {
			port = *e.Metrics.Server.Port
		}
		ports = append(ports, servicePort("telemetry", port))
	}
	if flowMetricsOn(st) {
		ports = append(ports, servicePort("metrics", r.spec.Processor.MetricsPort()))
	}
	if len(ports) == 0 {
		// A Service needs a port; health is always served.
		ports = []corev1.ServicePort{servicePort("health", NodeHealthPort)}
	}
	s := service(NodeMetrics, st.namespace, corev1.ClusterIPNone, ports)
	s.Spec.Selector = selector(NodeName)
	return s
}

func service(name, namespace, clusterIP string, ports []corev1.ServicePort) *corev1.Service {
	component := name
	l := labels(name)
	switch name {
	case GatewayMetrics, NodeMetrics:
		component = map[string]string{GatewayMetrics: GatewayName, NodeMetrics: NodeName}[name]
		// The ServiceMonitors select metrics Services by these labels.
		l = labels(component)
		l[LabelComponent] = "metrics"
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: l},
		Spec: corev1.ServiceSpec{
			ClusterIP: clusterIP,
			Selector:  selector(component),
			Ports:     ports,
		},
	}
}

func servicePort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: intstr.FromString(name), Protocol: corev1.ProtocolTCP}
}
