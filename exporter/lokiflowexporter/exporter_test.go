// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/metadata"
	"github.com/flowlens/flowlens/pkg/flow"
)

var flowEndTime = time.Date(2026, 11, 27, 10, 0, 0, 123456789, time.UTC)

// flows returns n enriched flows: even ones shop/web -> db, odd ones external -> shop/web.
func flows(n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, "10.0.0.1")
	rl.Resource().Attributes().PutStr(flow.AttrHostName, "node-1")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		end := flowEndTime.Add(time.Duration(i) * time.Millisecond)
		lr.SetTimestamp(pcommon.NewTimestampFromTime(end))
		a := lr.Attributes()
		a.PutStr(flow.AttrSrcAddress, "10.128.0.5")
		a.PutStr(flow.AttrDstAddress, "10.128.1.9")
		a.PutInt(flow.AttrSrcPort, int64(40000+i))
		a.PutInt(flow.AttrDstPort, 5432)
		a.PutInt(flow.AttrProtocol, 6)
		a.PutInt(flow.AttrBytes, int64(100*(i+1)))
		a.PutInt(flow.AttrPackets, 2)
		a.PutInt(flow.AttrStart, end.Add(-time.Second).UnixNano())
		a.PutInt(flow.AttrEnd, end.UnixNano())
		a.PutInt(flow.AttrTCPFlags, flow.TCPSyn|flow.TCPAck)
		a.PutStr(flow.AttrFlowLayer, flow.LayerApp)
		a.PutStr(flow.AttrFlowDirection, flow.DirEgress)
		a.PutStr(flow.AttrSrcNamespace, "shop")
		a.PutStr(flow.AttrSrcOwnerName, "web")
		a.PutStr(flow.AttrSrcResType, "Pod")
		a.PutStr(flow.AttrSrcPodName, "web-abc")
		if i%2 == 0 {
			a.PutStr(flow.AttrDstNamespace, "shop")
			a.PutStr(flow.AttrDstOwnerName, "db")
			a.PutStr(flow.AttrDstResType, "Pod")
			a.PutStr(flow.AttrDstPodName, "db-0")
		}
	}
	return ld
}

type started struct {
	exp exporter.Logs
	tel *componenttest.Telemetry
}

func startExporter(t *testing.T, edit func(*Config)) *started {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.BackOffConfig.InitialInterval = 10 * time.Millisecond
	cfg.BackOffConfig.MaxInterval = 50 * time.Millisecond
	// Flush at once in tests; batching itself is exporterhelper's.
	q := cfg.QueueSettings.Get()
	b := q.Batch.Get()
	b.FlushTimeout = 10 * time.Millisecond
	b.MinSize = 0
	q.Batch = configoptional.Some(*b)
	edit(cfg)
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, exp.Shutdown(context.Background()))
		require.NoError(t, tel.Shutdown(context.Background()))
	})
	return &started{exp: exp, tel: tel}
}

func (s *started) counter(t *testing.T, name string) int64 {
	t.Helper()
	m, err := s.tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var n int64
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += p.Value
	}
	return n
}

func TestPushProtobufWithNetObservLabelsAndLines(t *testing.T) {
	t.Parallel()
	loki := newFakeLoki(t)
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	s := startExporter(t, func(c *Config) {
		c.Endpoint = loki.URL + "/loki/api/v1/push"
		c.TenantID = "tenant-a"
		c.BearerTokenFile = tok
	})
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(4)))
	require.Eventually(t, func() bool { return len(loki.acceptedEntries()) == 4 }, 5*time.Second, 10*time.Millisecond)

	r := loki.requests[0]
	assert.Equal(t, "tenant-a", r.Header.Get("X-Scope-OrgID"))
	assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"))
	assert.Equal(t, "application/x-protobuf", r.Header.Get("Content-Type"))
	assert.Equal(t, "/loki/api/v1/push", r.URL.Path)

	byLabels := map[string]decodedStream{}
	for _, st := range loki.accepted {
		byLabels[st.Labels] = st
	}
	internal := byLabels[`{app="netobserv-flowcollector", SrcK8S_Namespace="shop", SrcK8S_OwnerName="web", SrcK8S_Type="Pod", DstK8S_Namespace="shop", DstK8S_OwnerName="db", DstK8S_Type="Pod", K8S_FlowLayer="app", FlowDirection="1"}`]
	external := byLabels[`{app="netobserv-flowcollector", SrcK8S_Namespace="shop", SrcK8S_OwnerName="web", SrcK8S_Type="Pod", K8S_FlowLayer="app", FlowDirection="1"}`]
	require.Len(t, internal.Entries, 2, "streams: %v", byLabels)
	require.Len(t, external.Entries, 2)
	e := internal.Entries[0]
	assert.True(t, e.Time.Equal(flowEndTime), "timestamp is the flow end, to the ns: %s", e.Time)
	got := lineFields(t, e.Line)
	assert.Equal(t, map[string]any{
		"SrcAddr": "10.128.0.5", "DstAddr": "10.128.1.9", "SrcPort": 40000.0, "DstPort": 5432.0, "Proto": 6.0,
		"Bytes": 100.0, "Packets": 2.0, "TimeFlowStartMs": float64(flowEndTime.Add(-time.Second).UnixMilli()),
		"TimeFlowEndMs": float64(flowEndTime.UnixMilli()), "Flags": []any{"SYN", "ACK"},
		"AgentIP": "10.0.0.1", "SrcK8S_Name": "web-abc", "DstK8S_Name": "db-0",
	}, got, "labels leave the line; the rest keeps NetObserv's names")
	assert.EqualValues(t, 4, s.counter(t, "otelcol_exporter_lokiflow_entries_sent"))
	assert.Positive(t, s.counter(t, "otelcol_exporter_lokiflow_bytes_sent"))
}

func TestPushJSON(t *testing.T) {
	t.Parallel()
	loki := newFakeLoki(t)
	s := startExporter(t, func(c *Config) {
		c.Endpoint = loki.URL + "/loki/api/v1/push"
		c.Format = FormatJSON
	})
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(2)))
	require.Eventually(t, func() bool { return loki.requestCount() == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "application/json", loki.requests[0].Header.Get("Content-Type"))
	var body struct {
		Streams []struct {
			Stream map[string]string `json:"stream"`
			Values [][2]string       `json:"values"`
		} `json:"streams"`
	}
	require.NoError(t, json.Unmarshal(loki.bodies[0], &body))
	require.Len(t, body.Streams, 2)
	assert.Equal(t, "netobserv-flowcollector", body.Streams[0].Stream["app"])
	assert.Equal(t, "1", body.Streams[0].Stream["FlowDirection"])
	assert.Equal(t, "1795773600123456789", body.Streams[0].Values[0][0])
	assert.Equal(t, "10.128.0.5", lineFields(t, body.Streams[0].Values[0][1])["SrcAddr"])
}

// TestThrottledThenAccepted: 429 twice, then 200: every entry arrives exactly once.
func TestThrottledThenAccepted(t *testing.T) {
	t.Parallel()
	loki := newFakeLoki(t, http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	s := startExporter(t, func(c *Config) { c.Endpoint = loki.URL })
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(10)))
	require.Eventually(t, func() bool { return len(loki.acceptedEntries()) == 10 }, 10*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, loki.acceptedEntries(), 10, "no duplicate")
	assert.Equal(t, 4, loki.requestCount())
	assert.EqualValues(t, 0, s.counter(t, "otelcol_exporter_send_failed_log_records"))
}

// TestServerDownLongerThanRetryBudget: the dropped count (exporterhelper's send_failed, the
// equivalent of NetObserv's netobserv_loki_dropped_entries_total) equals the entries lost.
func TestServerDownLongerThanRetryBudget(t *testing.T) {
	t.Parallel()
	script := make([]int, 1000)
	for i := range script {
		script[i] = http.StatusServiceUnavailable
	}
	loki := newFakeLoki(t, script...)
	s := startExporter(t, func(c *Config) {
		c.Endpoint = loki.URL
		c.BackOffConfig.MaxElapsedTime = 300 * time.Millisecond
	})
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(7)))
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(5)))
	require.Eventually(t, func() bool { return s.counter(t, "otelcol_exporter_send_failed_log_records") == 12 },
		10*time.Second, 20*time.Millisecond)
	assert.Greater(t, loki.requestCount(), 2, "retried before giving up")
	assert.Empty(t, loki.acceptedEntries())
	assert.EqualValues(t, 0, s.counter(t, "otelcol_exporter_lokiflow_entries_sent"))
}

// TestRejectedIsPermanent: a 400 is not retried and counts as rejected and failed.
func TestRejectedIsPermanent(t *testing.T) {
	t.Parallel()
	loki := newFakeLoki(t, http.StatusBadRequest)
	s := startExporter(t, func(c *Config) { c.Endpoint = loki.URL })
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(3)))
	require.Eventually(t, func() bool { return s.counter(t, "otelcol_exporter_send_failed_log_records") == 3 },
		5*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, 1, loki.requestCount(), "not retried")
	assert.EqualValues(t, 3, s.counter(t, "otelcol_exporter_lokiflow_entries_rejected"))
}
