// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor"
)

// cluster is the set of objects TestEnrichBothEnds creates.
const (
	nodeA, nodeAIP, nodeAExt = "enrich-node-a", "10.10.0.1", "198.51.100.1"
	nodeB, nodeBIP           = "enrich-node-b", "10.10.0.2"
	webIP, webIP6            = "10.128.0.10", "fd00:128::10"
	backupIP, dbIP           = "10.128.1.20", "10.128.1.30"
	webSvc, webSvc6          = "10.96.0.10", "fd00:96::10"
)

func setupCluster(t *testing.T) {
	c := api.Client
	createNamespace(t, c, "shop")
	createNamespace(t, c, "batch")
	createNamespace(t, c, "kube-monitoring")
	createNode(t, c, nodeA, "zone-1", nodeAIP, nodeAExt)
	createNode(t, c, nodeB, "zone-2", nodeBIP, "")
	createPod(t, c, podSpec{ns: "shop", name: "web-5d8f-abcde", node: nodeA, hostIP: nodeAIP,
		ips: []string{webIP, webIP6}, owner: createDeploymentRS(t, c, "shop", "web", "web-5d8f")})
	createPod(t, c, podSpec{ns: "batch", name: "backup-28000-xyz", node: nodeB, hostIP: nodeBIP,
		ips: []string{backupIP}, owner: createCronJobJob(t, c, "batch", "backup", "backup-28000")})
	createPod(t, c, podSpec{ns: "shop", name: "db-0", node: nodeB, hostIP: nodeBIP,
		ips: []string{dbIP}, owner: createStatefulSet(t, c, "shop", "db")})
	// A hostNetwork pod shares node A's address and declares port 9100.
	createPod(t, c, podSpec{ns: "kube-monitoring", name: "exporter-q2w3e", node: nodeA, hostIP: nodeAIP,
		ips: []string{nodeAIP}, hostNetwork: true, ports: []int32{9100},
		owner: createDaemonSet(t, c, "kube-monitoring", "exporter")})
	createService(t, c, "shop", "web", webSvc, webSvc6)
}

func TestEnrichBothEnds(t *testing.T) {
	setupCluster(t)
	r := startProcessor(t, func(c *k8sflowprocessor.Config) {
		c.ClusterName = "test-cluster"
		c.SubnetLabels = []k8sflowprocessor.SubnetLabel{
			{Name: "Pods", CIDRs: []string{"10.128.0.0/14", "fd00:128::/64"}},
			{Name: "Services", CIDRs: []string{"10.96.0.0/16", "fd00:96::/108"}},
			{Name: "EXT:internet", CIDRs: []string{"0.0.0.0/0"}},
		}
	})
	// Wait until the last object created is visible.
	r.eventually(t, fl{src: dbIP, dst: webSvc}, "caches to fill", func(a map[string]any) bool {
		return a[flow.AttrSrcOwnerName] == "db" && a[flow.AttrDstResType] == "Service"
	})

	t.Run("golden batch", func(t *testing.T) {
		goldenFlows(t, r, "enrich_both_ends", []fl{
			{src: webIP, srcPort: 40000, dst: webSvc, dstPort: 80, observer: nodeAIP},
			{src: dbIP, srcPort: 5432, dst: webIP, dstPort: 40001, observer: nodeBIP, ifDir: "ingress"},
			{src: backupIP, dst: dbIP, observer: nodeBIP},
			{src: "203.0.113.7", srcPort: 50000, dst: nodeAExt, dstPort: 22, observer: nodeAIP, ifDir: "ingress"},
			{src: nodeAIP, srcPort: 9100, dst: "10.10.9.9", dstPort: 41000, observer: nodeAIP},
			{src: webIP6, dst: webSvc6, observer: nodeAIP},
		})
	})
	t.Run("deployment pod to service, seen by the source node", func(t *testing.T) {
		got := r.enrich(t, fl{src: webIP, srcPort: 40000, dst: webSvc, dstPort: 80, observer: nodeAIP})
		assert.Equal(t, map[string]any{
			flow.AttrSrcAddress: webIP, flow.AttrDstAddress: webSvc, flow.AttrSrcPort: int64(40000), flow.AttrDstPort: int64(80),
			flow.AttrIfaceDir: flow.DirEgress, flow.AttrBytes: int64(100),
			flow.AttrSrcNamespace: "shop", flow.AttrSrcPodName: "web-5d8f-abcde", flow.AttrSrcResType: "Pod",
			flow.AttrSrcOwnerName: "web", flow.AttrSrcOwnerType: "Deployment",
			flow.AttrSrcNodeName: nodeA, flow.AttrSrcNodeIP: nodeAIP, flow.AttrSrcZone: "zone-1",
			flow.AttrDstNamespace: "shop", flow.AttrDstSvcName: "web", flow.AttrDstResType: "Service",
			flow.AttrDstOwnerName: "web", flow.AttrDstOwnerType: "Service",
			flow.AttrClusterName: "test-cluster", flow.AttrSrcSubnet: "Pods", flow.AttrDstSubnet: "Services",
			flow.AttrFlowLayer: flow.LayerApp, flow.AttrFlowDirection: flow.DirEgress,
		}, got)
	})
	t.Run("cronjob pod to statefulset pod on the same node", func(t *testing.T) {
		got := r.enrich(t, fl{src: backupIP, dst: dbIP, observer: nodeBIP})
		assert.True(t, has(got, map[string]any{
			flow.AttrSrcOwnerName: "backup", flow.AttrSrcOwnerType: "CronJob", flow.AttrSrcNamespace: "batch",
			flow.AttrDstOwnerName: "db", flow.AttrDstOwnerType: "StatefulSet", flow.AttrDstPodName: "db-0",
			flow.AttrInterZone: false, flow.AttrFlowDirection: flow.DirInner,
		}), "%v", got)
	})
	t.Run("across zones, direction from each observer", func(t *testing.T) {
		f := fl{src: webIP, dst: dbIP, observer: nodeAIP}
		got := r.enrich(t, f)
		assert.True(t, has(got, map[string]any{flow.AttrInterZone: true, flow.AttrFlowDirection: flow.DirEgress,
			flow.AttrSrcZone: "zone-1", flow.AttrDstZone: "zone-2"}), "%v", got)
		f.observer = nodeBIP
		assert.Equal(t, flow.DirIngress, r.enrich(t, f)[flow.AttrFlowDirection])
	})
	t.Run("IPv6 pod address and IPv6 ClusterIP", func(t *testing.T) {
		got := r.enrich(t, fl{src: webIP6, dst: webSvc6, observer: nodeAIP})
		assert.True(t, has(got, map[string]any{flow.AttrSrcPodName: "web-5d8f-abcde", flow.AttrDstSvcName: "web",
			flow.AttrSrcSubnet: "Pods", flow.AttrDstSubnet: "Services"}), "%v", got)
	})
	t.Run("node by internal and external IP; unknown IP left alone", func(t *testing.T) {
		got := r.enrich(t, fl{src: "203.0.113.7", srcPort: 50000, dst: nodeAExt, dstPort: 22, observer: nodeAIP, ifDir: flow.DirIngress})
		assert.True(t, has(got, map[string]any{
			flow.AttrDstResType: "Node", flow.AttrDstOwnerType: "Node", flow.AttrDstOwnerName: nodeA,
			flow.AttrDstNodeName: nodeA, flow.AttrDstNodeIP: nodeAIP, flow.AttrDstZone: "zone-1",
			flow.AttrSrcNamespace: nil, flow.AttrSrcResType: nil, flow.AttrSrcSubnet: "EXT:internet",
			flow.AttrFlowLayer: flow.LayerInfra, flow.AttrFlowDirection: flow.DirIngress,
		}), "%v", got)
	})
	t.Run("hostNetwork pod by declared port, else the node", func(t *testing.T) {
		got := r.enrich(t, fl{src: nodeAIP, srcPort: 9100, dst: "10.10.9.9", dstPort: 41000, observer: nodeAIP})
		assert.True(t, has(got, map[string]any{flow.AttrSrcResType: "Pod", flow.AttrSrcPodName: "exporter-q2w3e",
			flow.AttrSrcOwnerName: "exporter", flow.AttrSrcOwnerType: "DaemonSet", flow.AttrSrcNamespace: "kube-monitoring",
			flow.AttrFlowLayer: flow.LayerInfra}), "%v", got)
		got = r.enrich(t, fl{src: nodeAIP, srcPort: 41000, dst: "10.10.9.9", dstPort: 443, observer: nodeAIP})
		assert.True(t, has(got, map[string]any{flow.AttrSrcResType: "Node", flow.AttrSrcOwnerName: nodeA}), "%v", got)
	})
}

func TestUnknownIPsAreCounted(t *testing.T) {
	r := startProcessor(t, nil)
	// Flows before the first sync pass unenriched and are counted apart; after it, every end
	// that resolves to nothing is a lookup miss.
	require.Eventually(t, func() bool {
		got := r.enrich(t, fl{src: "203.0.113.1", dst: "203.0.113.2"})
		assert.NotContains(t, got, flow.AttrSrcResType)
		return lookups(t, r, "miss") >= 2
	}, 20*time.Second, 50*time.Millisecond)
	assert.Zero(t, lookups(t, r, "hit"))
}
