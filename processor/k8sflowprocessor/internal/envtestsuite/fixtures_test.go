// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// Builders of real API objects. envtest runs no controllers: owners, pods and their status are
// created by hand, the way the controllers would.

var labels = map[string]string{"app": "x"}

func ownerRef(kind, apiVersion, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

func createNamespace(t *testing.T, c kubernetes.Interface, name string) {
	t.Helper()
	_, err := c.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
}

func createNode(t *testing.T, c kubernetes.Interface, name, zone string, internal, external string) {
	t.Helper()
	ctx := context.Background()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
	if zone != "" {
		n.Labels["topology.kubernetes.io/zone"] = zone
	}
	n, err := c.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	require.NoError(t, err)
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: internal}, {Type: corev1.NodeHostName, Address: name}}
	if external != "" {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeExternalIP, Address: external})
	}
	_, err = c.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func podTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "img"}}}}
}

func createDeploymentRS(t *testing.T, c kubernetes.Interface, ns, deploy, rs string) []metav1.OwnerReference {
	t.Helper()
	ctx := context.Background()
	d, err := c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: deploy},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate()}}, metav1.CreateOptions{})
	require.NoError(t, err)
	r, err := c.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: rs, OwnerReferences: ownerRef("Deployment", "apps/v1", d.Name, d.UID)},
		Spec:       appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate()}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ownerRef("ReplicaSet", "apps/v1", r.Name, r.UID)
}

func createCronJobJob(t *testing.T, c kubernetes.Interface, ns, cron, job string) []metav1.OwnerReference {
	t.Helper()
	ctx := context.Background()
	jt := batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "img"}}}}}}
	cj, err := c.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: cron},
		Spec: batchv1.CronJobSpec{Schedule: "0 * * * *", JobTemplate: jt}}, metav1.CreateOptions{})
	require.NoError(t, err)
	j, err := c.BatchV1().Jobs(ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: job, OwnerReferences: ownerRef("CronJob", "batch/v1", cj.Name, cj.UID)},
		Spec:       jt.Spec}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ownerRef("Job", "batch/v1", j.Name, j.UID)
}

func createStatefulSet(t *testing.T, c kubernetes.Interface, ns, name string) []metav1.OwnerReference {
	t.Helper()
	s, err := c.AppsV1().StatefulSets(ns).Create(context.Background(), &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate()}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ownerRef("StatefulSet", "apps/v1", s.Name, s.UID)
}

func createDaemonSet(t *testing.T, c kubernetes.Interface, ns, name string) []metav1.OwnerReference {
	t.Helper()
	d, err := c.AppsV1().DaemonSets(ns).Create(context.Background(), &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate()}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ownerRef("DaemonSet", "apps/v1", d.Name, d.UID)
}

type podSpec struct {
	ns, name, node, hostIP string
	ips                    []string // status.podIPs; the first is status.podIP
	owner                  []metav1.OwnerReference
	hostNetwork            bool
	ports                  []int32
}

// createPod creates a pod and sets its status (IPs, host IP, phase Running) through the status
// subresource, as the kubelet would.
func createPod(t *testing.T, c kubernetes.Interface, s podSpec) *corev1.Pod {
	t.Helper()
	ctx := context.Background()
	ctr := corev1.Container{Name: "c", Image: "img"}
	for _, p := range s.ports {
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{ContainerPort: p})
	}
	p, err := c.CoreV1().Pods(s.ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: s.name, OwnerReferences: s.owner, Labels: labels},
		Spec:       corev1.PodSpec{NodeName: s.node, HostNetwork: s.hostNetwork, Containers: []corev1.Container{ctr}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return setPodStatus(t, c, p, corev1.PodRunning, s.hostIP, s.ips)
}

func setPodStatus(t *testing.T, c kubernetes.Interface, p *corev1.Pod, phase corev1.PodPhase, hostIP string, ips []string) *corev1.Pod {
	t.Helper()
	p.Status.Phase = phase
	p.Status.HostIP = hostIP
	p.Status.PodIPs = nil
	for _, ip := range ips {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
	}
	if len(ips) > 0 {
		p.Status.PodIP = ips[0]
	}
	p, err := c.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
	require.NoError(t, err)
	return p
}

func createService(t *testing.T, c kubernetes.Interface, ns, name string, clusterIPs ...string) {
	t.Helper()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{
		Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		ClusterIP: clusterIPs[0], ClusterIPs: clusterIPs,
	}}
	if len(clusterIPs) > 1 {
		pol := corev1.IPFamilyPolicyRequireDualStack
		svc.Spec.IPFamilyPolicy = &pol
	}
	_, err := c.CoreV1().Services(ns).Create(context.Background(), svc, metav1.CreateOptions{})
	require.NoError(t, err)
}
