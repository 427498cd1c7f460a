// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// defaultCapabilities are what the ebpfflow receiver needs and no more: CAP_BPF (load programs,
// create maps), CAP_PERFMON (pointer and packet access, tracepoints) and CAP_NET_ADMIN (TCX
// links, tc filters).
var defaultCapabilities = []corev1.Capability{"BPF", "PERFMON", "NET_ADMIN"}

// daemonSet runs the node collector on every node.
func (r *renderer) daemonSet(st *stage, configHash string) *appsv1.DaemonSet {
	e := &r.spec.Agent.EBPF
	var env map[string]string
	if e.Advanced != nil {
		env = e.Advanced.Env
	}
	c := r.collectorContainer(st, e.ImagePullPolicy, e.Resources, env)
	// NODE_IP is the receiver's node_ip (network.local.address) and where the host-network
	// endpoints bind.
	c.Env = append([]corev1.EnvVar{{Name: "NODE_IP", ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.hostIP"},
	}}}, c.Env...)
	c.SecurityContext = r.nodeSecurityContext()
	c.Ports = []corev1.ContainerPort{containerPort("health", NodeHealthPort)}
	if e.MetricsEnabled() {
		port := int32(NodeTelemetryPort)
		if e.Metrics.Server.Port != nil {
			port = *e.Metrics.Server.Port
		}
		c.Ports = append(c.Ports, containerPort("telemetry", port))
	}
	if flowMetricsOn(st) {
		c.Ports = append(c.Ports, containerPort("metrics", r.spec.Processor.MetricsPort()))
	}
	c.LivenessProbe = healthProbe(NodeHealthPort, 10)
	vols := stageVolumes(st, NodeConfigMap)
	if r.needsTracefs(st) {
		// Tracepoint and kprobe attachment read event IDs from tracefs, which containers do
		// not see otherwise.
		vols = append(vols, corev1.Volume{Name: "tracefs", VolumeSource: corev1.VolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: "/sys/kernel/tracing", Type: ptr.To(corev1.HostPathDirectory)},
		}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "tracefs", MountPath: "/sys/kernel/tracing", ReadOnly: true})
	}
	pod := corev1.PodSpec{
		ServiceAccountName: st.name,
		HostNetwork:        true,
		// Host network pods resolve cluster names (the gateway Service) only with this policy.
		DNSPolicy:  corev1.DNSClusterFirstWithHostNet,
		Containers: []corev1.Container{c},
		Volumes:    vols,
		// Flows are wanted from every node, control plane included.
		Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
	}
	if e.Advanced != nil {
		schedule(&pod, e.Advanced.Scheduling)
	}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: st.name, Namespace: st.namespace, Labels: labels(st.name)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: selector(st.name)},
			Template: podTemplate(st.name, configHash, pod),
		},
	}
}

// nodeSecurityContext runs the node collector as root with the eBPF capabilities, or
// privileged when spec.agent.ebpf.privileged asks for it.
func (r *renderer) nodeSecurityContext() *corev1.SecurityContext {
	e := &r.spec.Agent.EBPF
	sc := &corev1.SecurityContext{RunAsUser: ptr.To(int64(0)), ReadOnlyRootFilesystem: ptr.To(true)}
	if e.Privileged {
		sc.Privileged = ptr.To(true)
		return sc
	}
	caps := defaultCapabilities
	if e.Advanced != nil && len(e.Advanced.CapOverride) > 0 {
		caps = nil
		for _, c := range e.Advanced.CapOverride {
			caps = append(caps, corev1.Capability(c))
		}
	}
	sc.Capabilities = &corev1.Capabilities{Add: caps, Drop: []corev1.Capability{"ALL"}}
	return sc
}

// needsTracefs says whether a rendered feature attaches to tracepoints or kprobes (PacketDrop:
// skb/kfree_skb; PacketTranslation: nf_nat_manip_pkt). Flow capture itself (TCX/tc) and FlowRTT
// (fentry, BTF from sysfs) need no tracefs; no supported feature pins maps, so no bpffs.
func (r *renderer) needsTracefs(st *stage) bool {
	ebpf, _ := st.cfg.Receivers["ebpfflow"].(map[string]any)
	features, _ := ebpf["features"].([]string)
	return slices.Contains(features, string(v1beta2.PacketDrop)) || slices.Contains(features, string(v1beta2.PacketTranslation))
}
