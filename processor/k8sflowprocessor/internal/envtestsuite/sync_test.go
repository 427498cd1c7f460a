// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor"
)

// unreachableKubeconfig points at a closed loopback port: informers never sync.
func unreachableKubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(p, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600))
	return p
}

// TestNeverBlocksWithoutAPIServer: with wait_for_sync 0, flows pass at once, unenriched and
// counted, while the API server cannot be reached.
func TestNeverBlocksWithoutAPIServer(t *testing.T) {
	kc := unreachableKubeconfig(t)
	r := startProcessor(t, func(c *k8sflowprocessor.Config) { c.KubeConfigPath = kc })
	start := time.Now()
	got := r.enrich(t, fl{src: "10.1.1.1", dst: "10.1.1.2"})
	assert.Less(t, time.Since(start), time.Second)
	assert.NotContains(t, got, flow.AttrFlowLayer, "passed on untouched")
	assert.EqualValues(t, 1, sumOf(t, r, "otelcol_processor_k8sflow_flows_unsynced", emptyAttr))
	assert.EqualValues(t, 0, sumOf(t, r, "otelcol_processor_k8sflow_informer_synced", emptyAttr))
}

// TestWaitForSyncIsBounded: with wait_for_sync set, flows wait for the first sync, but never
// longer than the bound.
func TestWaitForSyncIsBounded(t *testing.T) {
	kc := unreachableKubeconfig(t)
	r := startProcessor(t, func(c *k8sflowprocessor.Config) {
		c.KubeConfigPath = kc
		c.WaitForSync = 700 * time.Millisecond
	})
	start := time.Now()
	r.enrich(t, fl{src: "10.1.1.1", dst: "10.1.1.2"})
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, 500*time.Millisecond)
	assert.Less(t, took, 3*time.Second)
	// After the window, no more waiting.
	start = time.Now()
	r.enrich(t, fl{src: "10.1.1.1", dst: "10.1.1.2"})
	assert.Less(t, time.Since(start), 200*time.Millisecond)
	assert.EqualValues(t, 2, sumOf(t, r, "otelcol_processor_k8sflow_flows_unsynced", emptyAttr))
}

// TestWaitForSyncEnrichesFirstFlows: against the real API server, the first flows wait for the
// sync and come out enriched.
func TestWaitForSyncEnrichesFirstFlows(t *testing.T) {
	c := api.Client
	createNamespace(t, c, "firstflows")
	createNode(t, c, "firstflows-node", "", "10.40.0.1", "")
	createPod(t, c, podSpec{ns: "firstflows", name: "p", node: "firstflows-node", hostIP: "10.40.0.1", ips: []string{"10.140.0.1"}})
	r := startProcessor(t, func(c *k8sflowprocessor.Config) { c.WaitForSync = 30 * time.Second })
	got := r.enrich(t, fl{src: "10.140.0.1", dst: "10.40.0.1"})
	assert.Equal(t, "p", got[flow.AttrSrcPodName])
	require.NoError(t, r.p.ConsumeLogs(context.Background(), fl{src: "10.140.0.1", dst: "10.40.0.1"}.logs()))
	assert.EqualValues(t, 0, sumOf(t, r, "otelcol_processor_k8sflow_flows_unsynced", emptyAttr))
	assert.GreaterOrEqual(t, sumOf(t, r, "otelcol_processor_k8sflow_cache_objects", emptyAttr), int64(2))
	assert.Positive(t, sumOf(t, r, "otelcol_processor_k8sflow_cache_bytes", emptyAttr))
}
