// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// gatewayDeployment runs the gateway collector (Service and Kafka models).
func (r *renderer) gatewayDeployment(st *stage, configHash string) *appsv1.Deployment {
	p := &r.spec.Processor
	var env map[string]string
	if p.Advanced != nil {
		env = p.Advanced.Env
	}
	c := r.collectorContainer(st, p.ImagePullPolicy, p.Resources, env)
	c.SecurityContext = restrictedSecurityContext()
	c.Ports = []corev1.ContainerPort{containerPort("health", p.HealthPort()), containerPort("telemetry", GatewayTelemetryPort)}
	if r.model == v1beta2.DeploymentModelService {
		c.Ports = append([]corev1.ContainerPort{containerPort("otlp-grpc", p.Port())}, c.Ports...)
	}
	if flowMetricsOn(st) {
		c.Ports = append(c.Ports, containerPort("metrics", p.MetricsPort()))
	}
	if p.Advanced != nil && p.Advanced.ProfilePort != nil && *p.Advanced.ProfilePort > 0 {
		c.Ports = append(c.Ports, containerPort("pprof", *p.Advanced.ProfilePort))
	}
	if p.Advanced == nil || p.Advanced.EnableKubeProbes == nil || *p.Advanced.EnableKubeProbes {
		c.LivenessProbe = healthProbe(p.HealthPort(), 10)
		c.ReadinessProbe = healthProbe(p.HealthPort(), 2)
	}
	pod := corev1.PodSpec{
		ServiceAccountName: st.name,
		Containers:         []corev1.Container{c},
		Volumes:            stageVolumes(st, GatewayConfigMap),
	}
	if p.Advanced != nil {
		schedule(&pod, p.Advanced.Scheduling)
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: st.name, Namespace: st.namespace, Labels: labels(st.name)},
		Spec: appsv1.DeploymentSpec{
			// nil when an autoscaler (ours or the user's) owns the count; the controller then
			// keeps the live value.
			Replicas: p.GatewayReplicas(r.model),
			Selector: &metav1.LabelSelector{MatchLabels: selector(st.name)},
			Template: podTemplate(st.name, configHash, pod),
		},
	}
}

// gatewayHPA scales the Kafka consumers (spec.processor.kafkaConsumerAutoscaler).
func (r *renderer) gatewayHPA() *autoscalingv2.HorizontalPodAutoscaler {
	p := &r.spec.Processor
	if r.model != v1beta2.DeploymentModelKafka || !p.KafkaAutoscalerEnabled() {
		return nil
	}
	a := p.KafkaConsumerAutoscaler
	metrics := a.Metrics
	if len(metrics) == 0 {
		metrics = []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(int32(80))},
			},
		}}
	}
	maxR := a.MaxReplicas
	if maxR == 0 {
		maxR = 3
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: GatewayName, Namespace: r.spec.NamespaceOrDefault(), Labels: labels(GatewayName)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: GatewayName},
			MinReplicas:    a.MinReplicas,
			MaxReplicas:    maxR,
			Metrics:        metrics,
		},
	}
}
