// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestLokiPersistentQueueSurvivesRestart: Loki is down, flows are queued on disk by the
// file_storage extension, the collector restarts, Loki comes up: every flow arrives, once.
func TestLokiPersistentQueueSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	storage := filepath.Join(dir, "queue")
	require.NoError(t, os.MkdirAll(storage, 0o700))
	lokiAddr := testutil.FreeLoopbackPort(t)
	otlpAddr := testutil.FreeLoopbackPort(t)
	config := fmt.Sprintf(`
receivers:
  otlp: {protocols: {http: {endpoint: %q}}}
extensions:
  file_storage: {directory: %s}
exporters:
  lokiflow:
    endpoint: http://%s/loki/api/v1/push
    format: json
    sending_queue: {storage: file_storage, sizer: requests, queue_size: 1000}
    retry_on_failure: {initial_interval: 100ms, max_interval: 200ms, max_elapsed_time: 0}
service:
  extensions: [file_storage]
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], exporters: [lokiflow]}
`, otlpAddr, storage, lokiAddr)

	c := startCollector(t, "", config)
	c.waitLog(t, 15*time.Second, "Everything is ready")
	const batches, perBatch = 5, 20
	for i := range batches {
		postOTLP(t, otlpAddr, flowBatch(i, perBatch))
	}
	time.Sleep(500 * time.Millisecond) // retries against the closed port meanwhile
	c.stop(t)

	loki := startJSONLoki(t, lokiAddr)
	c = startCollector(t, "", config)
	testutil.WaitFor(t, 20*time.Second, "the queued flows to reach Loki", func() bool { return loki.count() >= batches*perBatch })
	time.Sleep(500 * time.Millisecond)
	c.stop(t)
	assert.Equal(t, batches*perBatch, loki.count(), "every flow once")
	assert.Len(t, loki.ports(), batches*perBatch, "distinct flows")
}

func flowBatch(batch, n int) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Attributes().PutInt(flow.AttrSrcPort, int64(10000+batch*n+i))
		lr.Attributes().PutInt(flow.AttrBytes, 100)
	}
	return ld
}

func postOTLP(t *testing.T, addr string, ld plog.Logs) {
	t.Helper()
	body, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	resp, err := http.Post("http://"+addr+"/v1/logs", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// jsonLoki accepts Loki JSON pushes on a fixed address and counts entries by source port.
type jsonLoki struct {
	mu   sync.Mutex
	seen map[float64]int
}

func startJSONLoki(t *testing.T, addr string) *jsonLoki {
	t.Helper()
	l := &jsonLoki{seen: map[float64]int{}}
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Streams []struct {
				Values [][2]string `json:"values"`
			} `json:"streams"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		l.mu.Lock()
		for _, s := range body.Streams {
			for _, v := range s.Values {
				var line map[string]any
				_ = json.Unmarshal([]byte(v[1]), &line)
				p, _ := line["SrcPort"].(float64)
				l.seen[p]++
			}
		}
		l.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l
}

func (l *jsonLoki) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.seen {
		n += c
	}
	return n
}

func (l *jsonLoki) ports() map[float64]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[float64]int{}
	for k, v := range l.seen {
		out[k] = v
	}
	return out
}
