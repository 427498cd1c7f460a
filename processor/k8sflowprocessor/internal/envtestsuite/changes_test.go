// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flowlens/flowlens/pkg/flow"
)

// TestEnrichmentFollowsChanges updates and deletes objects and checks the enrichment follows,
// including an IP that a new pod takes over.
func TestEnrichmentFollowsChanges(t *testing.T) {
	c := api.Client
	ctx := context.Background()
	createNamespace(t, c, "changes")
	createNamespace(t, c, "changes-2")
	createNode(t, c, "changes-node", "zone-a", "10.20.0.1", "")
	const ip = "10.129.0.5"
	old := createPod(t, c, podSpec{ns: "changes", name: "first", node: "changes-node", hostIP: "10.20.0.1",
		ips: []string{ip}, owner: createDeploymentRS(t, c, "changes", "first", "first-1")})
	r := startProcessor(t, nil)
	f := fl{src: ip, dst: "10.20.0.1", observer: "10.20.0.1"}
	r.eventually(t, f, "the first pod", func(a map[string]any) bool { return a[flow.AttrSrcPodName] == "first" })

	// A node label change moves the zone of the node and of its pods.
	n, err := c.CoreV1().Nodes().Get(ctx, "changes-node", metav1.GetOptions{})
	require.NoError(t, err)
	n.Labels["topology.kubernetes.io/zone"] = "zone-b"
	_, err = c.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
	require.NoError(t, err)
	r.eventually(t, f, "the new zone", func(a map[string]any) bool {
		return a[flow.AttrSrcZone] == "zone-b" && a[flow.AttrDstZone] == "zone-b"
	})

	// The IP goes to a new pod before the old pod's deletion arrives: the new pod wins and the
	// late deletion does not take it away.
	createPod(t, c, podSpec{ns: "changes-2", name: "second", node: "changes-node", hostIP: "10.20.0.1",
		ips: []string{ip}, owner: createStatefulSet(t, c, "changes-2", "second")})
	r.eventually(t, f, "the second pod", func(a map[string]any) bool { return a[flow.AttrSrcPodName] == "second" })
	require.NoError(t, c.CoreV1().Pods("changes").Delete(ctx, old.Name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}))
	time.Sleep(500 * time.Millisecond)
	got := r.enrich(t, f)
	assert.True(t, has(got, map[string]any{flow.AttrSrcPodName: "second", flow.AttrSrcNamespace: "changes-2",
		flow.AttrSrcOwnerName: "second", flow.AttrSrcOwnerType: "StatefulSet"}), "%v", got)

	// A pod that terminates keeps its IP in status, but is no longer what the IP means.
	second, err := c.CoreV1().Pods("changes-2").Get(ctx, "second", metav1.GetOptions{})
	require.NoError(t, err)
	setPodStatus(t, c, second, corev1.PodSucceeded, "10.20.0.1", []string{ip})
	r.eventually(t, f, "the terminated pod to be forgotten", func(a map[string]any) bool {
		_, ok := a[flow.AttrSrcResType]
		return !ok
	})

	// Deleting the node removes it from the index.
	require.NoError(t, c.CoreV1().Nodes().Delete(ctx, "changes-node", metav1.DeleteOptions{}))
	r.eventually(t, f, "the deleted node to be forgotten", func(a map[string]any) bool {
		_, ok := a[flow.AttrDstResType]
		return !ok
	})
}

// TestRecoversFromAPIServerRestart stops the API server, brings it back, and checks that objects
// created afterwards are enriched: the informers reconnect on their own.
func TestRecoversFromAPIServerRestart(t *testing.T) {
	c := api.Client
	createNamespace(t, c, "restart")
	createNode(t, c, "restart-node", "", "10.30.0.1", "")
	createPod(t, c, podSpec{ns: "restart", name: "before", node: "restart-node", hostIP: "10.30.0.1", ips: []string{"10.130.0.1"}})
	r := startProcessor(t, nil)
	r.eventually(t, fl{src: "10.130.0.1", dst: "10.30.0.1"}, "the pod created before the restart",
		func(a map[string]any) bool { return a[flow.AttrSrcPodName] == "before" })

	require.NoError(t, api.RestartAPIServer())
	createPod(t, c, podSpec{ns: "restart", name: "after", node: "restart-node", hostIP: "10.30.0.1", ips: []string{"10.130.0.2"}})
	got := r.eventually(t, fl{src: "10.130.0.2", dst: "10.30.0.1"}, "the pod created after the restart",
		func(a map[string]any) bool { return a[flow.AttrSrcPodName] == "after" })
	assert.Equal(t, "Pod", got[flow.AttrSrcOwnerType], "a pod without controller owns itself")
	assert.Equal(t, "before", r.enrich(t, fl{src: "10.130.0.1", dst: "10.30.0.1"})[flow.AttrSrcPodName])
}
