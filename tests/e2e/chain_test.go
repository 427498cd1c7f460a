// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFullChainThroughKafka is the Kafka deployment model end to end: netns traffic -> node
// collector (ebpfflow -> kafka exporter, otlp_proto) -> kfake -> gateway collector (kafka
// receiver in a consumer group -> k8sflow on a real API server -> lokiflow + ipfix + otlp) ->
// VictoriaLogs, a goflow2 IPFIX decoder and an OTLP sink. The gateway is stopped while traffic
// goes on and started again: nothing is lost, and bytes are conserved from the node to every
// peer, with the enrichment on the records.
func TestFullChainThroughKafka(t *testing.T) {
	testutil.RequireRoot(t)
	api, err := testutil.StartKubeAPI()
	require.NoError(t, err)
	t.Cleanup(func() { _ = api.Stop() })
	p := testutil.NewPair(t, 40)
	createClusterFor(t, api, p)

	kafka := testutil.StartKafka(t, "flows")
	testutil.ForwardSamePortIntoNamespace(t, p.NS1, kafka)
	vlogs := testutil.StartVictoriaLogs(t)
	ipfix := testutil.StartIPFIXCollector(t, "udp")
	otlp := testutil.StartOTLPSink(t)

	dir := t.TempDir()
	nodeOut := filepath.Join(dir, "node.json")
	node := startCollector(t, p.NS1, fmt.Sprintf(`
receivers:
  ebpfflow: {cache_active_timeout: 1s}
exporters:
  kafka:
    brokers: [%q]
    logs: {topic: flows, encoding: otlp_proto}
  file: {path: %s, flush_interval: 100ms}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [ebpfflow], exporters: [kafka, file]}
`, kafka, nodeOut))
	gatewayConfig := fmt.Sprintf(`
receivers:
  kafka:
    brokers: [%q]
    logs: {topics: [flows], encoding: otlp_proto}
    group_id: flowlens-gateway
    initial_offset: earliest
processors:
  k8sflow: {auth_type: kubeConfig, kube_config_path: %s, cluster_name: chain, wait_for_sync: 30s}
exporters:
  lokiflow: {endpoint: "%s/insert/loki/api/v1/push", tenant_id: ""}
  ipfix: {endpoint: %q, transport: udp}
  otlp_grpc: {endpoint: %q, tls: {insecure: true}}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [kafka], processors: [k8sflow], exporters: [lokiflow, ipfix, otlp_grpc]}
`, kafka, api.Kubeconfig, vlogs, ipfix.Addr, otlp.Addr)

	node.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	gw := startCollector(t, "", gatewayConfig)
	gw.waitLog(t, 30*time.Second, "Kubernetes caches synced")
	p.Up(t)
	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 8080))
	port1, err := testutil.TCPExchange(p.NS1, srv.Addr, 100_000, 500)
	require.NoError(t, err)
	testutil.WaitFor(t, 20*time.Second, "the first exchange at the OTLP sink", func() bool {
		return len(recordsWithPort(otlp.Records(), port1)) > 0
	})

	// The consumer goes away; flows keep arriving in the topic; a new consumer of the group
	// takes them from the committed offset.
	gw.stop(t)
	port2, err := testutil.TCPExchange(p.NS1, srv.Addr, 200_000, 700)
	require.NoError(t, err)
	time.Sleep(1500 * time.Millisecond)
	gw = startCollector(t, "", gatewayConfig)
	p.Down(t)
	node.stop(t)

	nodeFlows := readFlows(t, nodeOut)
	var want, wantIP int64
	for _, f := range nodeFlows {
		want += f.num(flow.AttrBytes)
		if f.str(flow.AttrNetworkType) != "" {
			wantIP += f.num(flow.AttrBytes)
		}
	}
	require.Positive(t, want)
	testutil.WaitFor(t, 30*time.Second, "every byte at the OTLP sink", func() bool { return otlpBytes(otlp.Records()) >= want })
	gw.stop(t)
	assert.Equal(t, want, otlpBytes(otlp.Records()), "OTLP: bytes conserved, no duplicate")

	testutil.WaitFor(t, 20*time.Second, "every byte in VictoriaLogs", func() bool { return lokiBytes(t, vlogs) >= want })
	assert.Equal(t, want, lokiBytes(t, vlogs), "Loki: bytes conserved")
	testutil.WaitFor(t, 20*time.Second, "every IP byte at the IPFIX collector", func() bool { return ipfixBytes(ipfix) >= wantIP })
	assert.Equal(t, wantIP, ipfixBytes(ipfix), "IPFIX: bytes of IP flows conserved")

	// The enrichment travelled with the flows.
	for _, port := range []int{port1, port2} {
		recs := recordsWithPort(otlp.Records(), port)
		require.NotEmpty(t, recs, "port %d", port)
		for _, r := range recs {
			assert.Equal(t, "api", r[flow.AttrDstOwnerName])
			assert.Equal(t, "Deployment", r[flow.AttrDstOwnerType])
			assert.Equal(t, "e2e-node-a", r[flow.AttrSrcNodeName])
			assert.Equal(t, "chain", r[flow.AttrClusterName])
			assert.Equal(t, p.IP1, r["resource."+flow.AttrLocalAddress])
		}
		rows := testutil.LogsQL(t, vlogs, fmt.Sprintf(`{app="netobserv-flowcollector"} | unpack_json | filter SrcPort:=%d`, port))
		require.NotEmpty(t, rows, "Loki rows for port %d", port)
		assert.Equal(t, "api", rows[0]["DstK8S_OwnerName"])
		assert.Equal(t, "shop", rows[0]["DstK8S_Namespace"])
		assert.Equal(t, "1", rows[0]["FlowDirection"])
	}
	recs, _, errs := ipfix.Snapshot()
	require.Empty(t, errs)
	var sawPod bool
	for _, r := range recs {
		sawPod = sawPod || string(r[testutil.IPFIXField{PEN: 2, ID: 7736}]) == "api-7f9c-xk2p"
	}
	assert.True(t, sawPod, "IPFIX destinationPodName carries the enrichment")
}

func recordsWithPort(recs []map[string]any, port int) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r[flow.AttrSrcPort] == int64(port) {
			out = append(out, r)
		}
	}
	return out
}

func otlpBytes(recs []map[string]any) int64 {
	var n int64
	for _, r := range recs {
		if b, ok := r[flow.AttrBytes].(int64); ok {
			n += b
		}
	}
	return n
}

func lokiBytes(t *testing.T, vlogs string) int64 {
	rows := testutil.LogsQL(t, vlogs, `{app="netobserv-flowcollector"} | unpack_json | stats sum(Bytes) as total`)
	if len(rows) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(rows[0]["total"], 10, 64)
	return n
}

func ipfixBytes(c *testutil.IPFIXCollector) int64 {
	recs, _, _ := c.Snapshot()
	var n int64
	for _, r := range recs {
		if b := r[testutil.IPFIXField{ID: 1}]; len(b) == 8 {
			n += int64(binary.BigEndian.Uint64(b))
		}
	}
	return n
}
