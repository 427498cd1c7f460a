// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestEnrichedFlowsFromTheCollector runs the built collector with ebpfflow -> k8sflow -> file,
// the processor pointed at a real API server, and checks that real flows come out enriched.
// The namespace pair plays two nodes: ns1 is node "e2e-node-a" (where the collector runs), and
// the address of ns2 belongs to a Deployment pod on "e2e-node-b".
func TestEnrichedFlowsFromTheCollector(t *testing.T) {
	testutil.RequireRoot(t)
	api, err := testutil.StartKubeAPI()
	require.NoError(t, err)
	t.Cleanup(func() { _ = api.Stop() })
	p := testutil.NewPair(t, 30)
	createClusterFor(t, api, p)

	u, err := url.Parse(api.Config.Host)
	require.NoError(t, err)
	kubeconfig, err := api.KubeconfigVia(testutil.ForwardIntoNamespace(t, p.NS1, u.Host))
	require.NoError(t, err)

	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, p.NS1, fmt.Sprintf(`
receivers:
  ebpfflow:
    cache_active_timeout: 1s
processors:
  k8sflow:
    auth_type: kubeConfig
    kube_config_path: %s
    cluster_name: e2e
    wait_for_sync: 20s
exporters:
  file:
    path: %s
    flush_interval: 100ms
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [ebpfflow], processors: [k8sflow], exporters: [file]}
`, kubeconfig, out))
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	c.waitLog(t, 30*time.Second, "Kubernetes caches synced")
	p.Up(t)
	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 8080))
	port, err := testutil.TCPExchange(p.NS1, srv.Addr, 20_000, 100)
	require.NoError(t, err)
	time.Sleep(1500 * time.Millisecond)
	c.stop(t)

	fwd := findFlows(readFlows(t, out), func(f flowRecord) bool {
		return f.num(flow.AttrSrcPort) == int64(port) && f.num(flow.AttrDstPort) == 8080
	})
	require.NotEmpty(t, fwd)
	for _, f := range fwd {
		assert.Equal(t, "Node", f.str(flow.AttrSrcResType))
		assert.Equal(t, "e2e-node-a", f.str(flow.AttrSrcNodeName))
		assert.Equal(t, "Pod", f.str(flow.AttrDstResType))
		assert.Equal(t, "api-7f9c-xk2p", f.str(flow.AttrDstPodName))
		assert.Equal(t, "shop", f.str(flow.AttrDstNamespace))
		assert.Equal(t, "api", f.str(flow.AttrDstOwnerName))
		assert.Equal(t, "Deployment", f.str(flow.AttrDstOwnerType))
		assert.Equal(t, "e2e-node-b", f.str(flow.AttrDstNodeName))
		assert.Equal(t, "zone-b", f.str(flow.AttrDstZone))
		assert.Equal(t, true, f.Attrs[flow.AttrInterZone])
		assert.Equal(t, flow.LayerApp, f.str(flow.AttrFlowLayer))
		assert.Equal(t, flow.DirEgress, f.str(flow.AttrFlowDirection))
		assert.Equal(t, "e2e", f.str(flow.AttrClusterName))
	}
}

func createClusterFor(t *testing.T, api *testutil.KubeAPI, p *testutil.Pair) {
	t.Helper()
	ctx := context.Background()
	c := api.Client
	yes := true
	for _, n := range []struct{ name, ip, zone string }{{"e2e-node-a", p.IP1, "zone-a"}, {"e2e-node-b", "10.199.99.2", "zone-b"}} {
		node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name,
			Labels: map[string]string{"topology.kubernetes.io/zone": n.zone}}}, metav1.CreateOptions{})
		require.NoError(t, err)
		node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.ip}}
		_, err = c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	_, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	pod, err := c.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api-7f9c-xk2p", OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-7f9c", UID: "00000000-0000-0000-0000-000000000001", Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: "e2e-node-b", Containers: []corev1.Container{{Name: "c", Image: "img"}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, HostIP: "10.199.99.2", PodIP: p.IP2, PodIPs: []corev1.PodIP{{IP: p.IP2}}}
	_, err = c.CoreV1().Pods("shop").UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	require.NoError(t, err)
	createReplicaSetOwnedByDeployment(t, api, "shop", "api-7f9c", "api")
}

// createReplicaSetOwnedByDeployment creates a Deployment and its ReplicaSet, as the deployment
// controller would (envtest runs no controllers).
func createReplicaSetOwnedByDeployment(t *testing.T, api *testutil.KubeAPI, ns, rs, deploy string) {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{"app": deploy}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "img"}}}}
	d, err := api.Client.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: deploy},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}, metav1.CreateOptions{})
	require.NoError(t, err)
	yes := true
	_, err = api.Client.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: rs, OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: &yes}}},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}, metav1.CreateOptions{})
	require.NoError(t, err)
}
