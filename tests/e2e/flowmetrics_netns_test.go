// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFlowMetricsFromRealTraffic runs the built collector in a network namespace with
// ebpfflow -> flowmetrics -> prometheus exporter (and the same flows to a file), drives a known
// TCP exchange across a veth pair, and has a real Prometheus scrape the collector: the bytes
// Prometheus reports for the connection equal the bytes of the flow records the receiver
// emitted, and cover at least the payload sent.
func TestFlowMetricsFromRealTraffic(t *testing.T) {
	testutil.RequireRoot(t)
	p := testutil.NewPair(t, 55)
	out := filepath.Join(t.TempDir(), "flows.json")
	promInNS := testutil.FreeLoopbackPort(t) // a fresh namespace has every port free
	c := startCollector(t, p.NS1, fmt.Sprintf(`
receivers:
  ebpfflow: {cache_active_timeout: 1s}
connectors:
  flowmetrics:
    include_list: [namespace_flows_total]
    flush_interval: 1s
    metrics:
      - name: netobserv_e2e_tcp_bytes_total
        type: counter
        value_field: Bytes
        labels: [SrcAddr, DstAddr, SrcPort, DstPort]
        filters: [{field: Proto, value: "6"}]
      - name: netobserv_e2e_tcp_packets_total
        type: counter
        value_field: network.io.packets
        labels: [source.port, destination.port]
        filters: [{field: network.transport, value: tcp}]
exporters:
  prometheus: {endpoint: %s, without_scope_info: true}
  file: {path: %s, flush_interval: 100ms}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [ebpfflow], exporters: [flowmetrics, file]}
    metrics: {receivers: [flowmetrics], exporters: [prometheus]}
`, promInNS, out))
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	prom := testutil.StartPrometheus(t, map[string]string{"flowlens": testutil.ForwardOutOfNamespace(t, p.NS1, promInNS)})
	prom.WaitQuery(t, 30*time.Second, `up == 1`, func(s []testutil.Sample) bool { return len(s) == 1 })

	p.Up(t)
	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 8080))
	const payload = 200_000
	port, err := testutil.TCPExchange(p.NS1, srv.Addr, payload, 1000)
	require.NoError(t, err)

	// The records the receiver emitted for the client -> server direction.
	fromFile := func() (bytes, packets int64) {
		for _, f := range readFlows(t, out) {
			if f.num(flow.AttrSrcPort) == int64(port) && f.num(flow.AttrDstPort) == 8080 && f.str(flow.AttrSrcAddress) == p.IP1 {
				bytes += f.num(flow.AttrBytes)
				packets += f.num(flow.AttrPackets)
			}
		}
		return bytes, packets
	}
	sel := fmt.Sprintf(`{SrcAddr=%q, DstAddr=%q, SrcPort="%d", DstPort="8080"}`, p.IP1, p.IP2, port)
	var wantBytes, wantPackets int64
	got := prom.WaitQuery(t, 30*time.Second, `sum(netobserv_e2e_tcp_bytes_total`+sel+`)`, func(s []testutil.Sample) bool {
		wantBytes, wantPackets = fromFile()
		return wantBytes >= payload && len(s) == 1 && int64(s[0].Value) == wantBytes
	})
	t.Logf("connection %s:%d -> %s:8080: %d payload bytes sent, %d bytes in %d packets recorded, %v in Prometheus",
		p.IP1, port, p.IP2, payload, wantBytes, wantPackets, got[0].Value)
	assert.LessOrEqual(t, wantBytes, int64(payload)+wantPackets*100, "headers add at most 100 bytes a packet")

	pk := prom.WaitQuery(t, 10*time.Second, fmt.Sprintf(`sum(netobserv_e2e_tcp_packets_total{source_port="%d", destination_port="8080"})`, port),
		func(s []testutil.Sample) bool { return len(s) == 1 && int64(s[0].Value) == wantPackets })
	assert.Positive(t, pk[0].Value)
	flows := prom.MustQuery(t, `sum(netobserv_namespace_flows_total)`, time.Time{})
	require.Len(t, flows, 1)
	assert.Positive(t, flows[0].Value)
}
