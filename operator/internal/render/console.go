// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// consoleConfig is the console's config.yaml (ConsoleConfigDir): what its flags do not carry.
type consoleConfig struct {
	QuickFilters []v1beta2.QuickFilter `json:"quickFilters"`
	PortNaming   consolePortNaming     `json:"portNaming"`
}

type consolePortNaming struct {
	Enable    bool              `json:"enable"`
	PortNames map[string]string `json:"portNames,omitempty"`
}

// console renders the console Deployment, Service, ServiceAccount and ConfigMap. The console
// reads flows from Loki and metrics from Prometheus; it is not deployed without either.
func (r *renderer) console() ([]client.Object, error) {
	if !r.spec.UseConsole() {
		return nil, nil
	}
	cp := &r.spec.ConsolePlugin
	ns := r.spec.NamespaceOrDefault()
	cc := consoleConfig{
		QuickFilters: cp.QuickFilters,
		PortNaming:   consolePortNaming{Enable: cp.PortNaming.Enable == nil || *cp.PortNaming.Enable, PortNames: cp.PortNaming.PortNames},
	}
	if cc.QuickFilters == nil {
		cc.QuickFilters = []v1beta2.QuickFilter{}
	}
	y, err := yaml.Marshal(cc)
	if err != nil {
		return nil, fmt.Errorf("render console config: %w", err)
	}
	cm := newConfigMap(ConsoleConfigMap, ns, ConsoleName, string(y))
	port := int32(v1beta2.DefaultConsolePort)
	var env map[string]string
	var extraArgs []string
	var sched *v1beta2.SchedulingConfig
	if a := cp.Advanced; a != nil {
		if a.Port != nil {
			port = *a.Port
		}
		env, extraArgs, sched = a.Env, a.Args, a.Scheduling
	}
	args := []string{fmt.Sprintf("--listen=:%d", port)}
	st := newStage(ConsoleName, ns) // holds the certificate volumes
	if r.spec.UseLoki() {
		args = append(args, r.consoleLokiArgs(st)...)
	}
	if r.spec.UsePrometheus() {
		args = append(args, r.consolePrometheusArgs(st)...)
	}
	args = append(args, extraArgs...)
	c := corev1.Container{
		Name:            "console",
		Image:           r.opts.ConsoleImage,
		ImagePullPolicy: corev1.PullPolicy(orDefault(cp.ImagePullPolicy, string(corev1.PullIfNotPresent))),
		Args:            args,
		Env:             sortedEnv(env),
		Ports:           []corev1.ContainerPort{containerPort("http", port)},
		Resources:       cp.Resources,
		SecurityContext: restrictedSecurityContext(),
		VolumeMounts:    append([]corev1.VolumeMount{{Name: "config", MountPath: ConsoleConfigDir, ReadOnly: true}}, st.sortedMounts()...),
	}
	pod := corev1.PodSpec{
		ServiceAccountName: ConsoleName,
		Containers:         []corev1.Container{c},
		Volumes: append([]corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: ConsoleConfigMap}},
		}}}, st.sortedVolumes()...),
	}
	schedule(&pod, sched)
	var replicas *int32
	if !cp.UnmanagedReplicas {
		replicas = cp.Replicas
		if replicas == nil {
			one := int32(1)
			replicas = &one
		}
	}
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: ConsoleName, Namespace: ns, Labels: labels(ConsoleName)},
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector(ConsoleName)},
			Template: podTemplate(ConsoleName, Hash(string(y)), pod),
		},
	}
	svc := service(ConsoleName, ns, "", []corev1.ServicePort{servicePort("http", port)})
	return []client.Object{cm, serviceAccount(ConsoleName, ns), dep, svc}, nil
}

// consoleLokiArgs points the console at Loki's query side: the tenant header (none for a
// LokiStack, whose gateway takes the tenant from the path), the service account token when Loki
// wants one, and the CA that signs Loki's certificate.
func (r *renderer) consoleLokiArgs(st *stage) []string {
	t := r.lokiTarget()
	tenant := t.tenant
	if t.lokiStack != nil {
		tenant = ""
	}
	args := []string{"--loki-url=" + t.queryURL, "--loki-tenant-id=" + tenant}
	switch {
	case r.spec.Loki.Mode == v1beta2.LokiModeManual && r.spec.Loki.Manual.AuthToken == v1beta2.LokiAuthForwardUserToken:
		args = append(args, "--loki-forward-user-token")
	case t.token:
		args = append(args, "--loki-token-file="+ServiceAccountTokenFile)
	}
	return append(args, r.consoleTLSArgs(st, "loki", t.tls)...)
}

// consolePrometheusArgs points the console at the Prometheus querier.
func (r *renderer) consolePrometheusArgs(st *stage) []string {
	m := r.spec.Prometheus.Querier.Manual
	args := []string{"--prometheus-url=" + orDefault(m.URL, "http://prometheus:9090")}
	if m.ForwardUserToken {
		args = append(args, "--prometheus-forward-user-token")
	}
	return append(args, r.consoleTLSArgs(st, "prometheus", m.TLS)...)
}

// consoleTLSArgs are the console's --<backend>-ca-file or --<backend>-insecure-skip-verify, the
// CA mounted in the console's pod.
func (r *renderer) consoleTLSArgs(st *stage, backend string, t v1beta2.ClientTLS) []string {
	switch {
	case !t.Enable:
		return nil
	case t.InsecureSkipVerify:
		return []string{"--" + backend + "-insecure-skip-verify"}
	case t.CACert.Name != "" && t.CACert.CertFile != "":
		return []string{"--" + backend + "-ca-file=" + r.mountCertFile(st, t.CACert, t.CACert.CertFile)}
	}
	return nil
}
