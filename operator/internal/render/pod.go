// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// collectorContainer is the otelcol-flowlens container of a stage.
func (r *renderer) collectorContainer(st *stage, pullPolicy string, res corev1.ResourceRequirements, extraEnv map[string]string) corev1.Container {
	c := corev1.Container{
		Name:            "collector",
		Image:           r.opts.CollectorImage,
		ImagePullPolicy: corev1.PullPolicy(orDefault(pullPolicy, string(corev1.PullIfNotPresent))),
		Args:            []string{"--config=" + ConfigDir + "/" + ConfigKey},
		Resources:       res,
		VolumeMounts:    append([]corev1.VolumeMount{{Name: "config", MountPath: ConfigDir, ReadOnly: true}}, st.sortedMounts()...),
	}
	env := st.sortedEnv()
	if limit, ok := res.Limits[corev1.ResourceMemory]; ok && !limit.IsZero() {
		// The Go runtime collects harder before the cgroup limit is hit; memory_limiter refuses
		// data above 80% of it.
		env = append(env, corev1.EnvVar{Name: "GOMEMLIMIT", Value: strconv.FormatInt(limit.Value()/10*8, 10)})
	}
	c.Env = append(env, sortedEnv(extraEnv)...)
	if st.serviceAccountToken {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "token", MountPath: TokenDir, ReadOnly: true})
	}
	return c
}

// stageVolumes are the config ConfigMap, the stage's certificate volumes and its token.
func stageVolumes(st *stage, configMapName string) []corev1.Volume {
	vols := []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMapName}},
	}}}
	vols = append(vols, st.sortedVolumes()...)
	if st.serviceAccountToken {
		vols = append(vols, corev1.Volume{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
				Path: st.name, ExpirationSeconds: ptr.To(int64(3600)),
			}}},
		}}})
	}
	return vols
}

// healthProbe checks the health_check extension.
func healthProbe(port int32, initialDelay int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(port)}},
		InitialDelaySeconds: initialDelay,
		PeriodSeconds:       10,
	}
}

// schedule applies a SchedulingConfig to a pod spec.
func schedule(spec *corev1.PodSpec, s *v1beta2.SchedulingConfig) {
	if s == nil {
		return
	}
	spec.Tolerations = s.Tolerations
	spec.NodeSelector = s.NodeSelector
	spec.Affinity = s.Affinity
	spec.PriorityClassName = s.PriorityClassName
}

// restrictedSecurityContext is the Pod Security "restricted" container context, for the
// gateway and the console.
func restrictedSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		RunAsUser:                ptr.To(int64(10001)),
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func sortedEnv(m map[string]string) []corev1.EnvVar {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]corev1.EnvVar, 0, len(keys))
	for _, k := range keys {
		out = append(out, corev1.EnvVar{Name: k, Value: m[k]})
	}
	return out
}

func containerPort(name string, port int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: corev1.ProtocolTCP}
}

// podTemplate labels a workload's pods and stamps them with the hash of their config, so a
// config change rolls them.
func podTemplate(name, configHash string, pod corev1.PodSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels(name), Annotations: map[string]string{AnnotationConfigHash: configHash}},
		Spec:       pod,
	}
}
