// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// startVictoriaLogs runs VictoriaLogs (built by hack/victorialogs.sh, Apache-2.0) on a free
// loopback port: a real server of Loki's push protocol.
func startVictoriaLogs(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(testutil.RepoRoot(), "hack", "victorialogs.sh")).Output()
	require.NoError(t, err, "hack/victorialogs.sh builds the server from the Go module proxy")
	bin := strings.TrimSpace(string(out))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "-httpListenAddr="+addr, "-storageDataPath="+t.TempDir(), "-loggerLevel=WARN")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("victoria-logs output:\n%s", logs.String())
		}
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond)
	return "http://" + addr
}

// logsQL runs a LogsQL query and returns the result rows.
func logsQL(t *testing.T, base, query string) []map[string]string {
	t.Helper()
	resp, err := http.PostForm(base+"/select/logsql/query", url.Values{"query": {query}})
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rows []map[string]string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var row map[string]string
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row), sc.Text())
		rows = append(rows, row)
	}
	return rows
}

// TestVictoriaLogsReceivesLokiPush pushes flows with Loki's protobuf+snappy protocol to a real
// server and reads them back with LogsQL: stream labels, line fields and timestamps.
func TestVictoriaLogsReceivesLokiPush(t *testing.T) {
	base := startVictoriaLogs(t)
	s := startExporter(t, func(c *Config) {
		c.Endpoint = base + "/insert/loki/api/v1/push"
		// VictoriaLogs reads X-Scope-OrgID as a numeric account id; the tenant header itself is
		// checked against the fake Loki.
		c.TenantID = ""
	})
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(6)))
	require.Eventually(t, func() bool { return s.counter(t, "otelcol_exporter_lokiflow_entries_sent") == 6 }, 10*time.Second, 20*time.Millisecond)

	var rows []map[string]string
	require.Eventually(t, func() bool {
		rows = logsQL(t, base, `{app="netobserv-flowcollector"} | unpack_json | sort by (SrcPort)`)
		return len(rows) == 6
	}, 20*time.Second, 200*time.Millisecond, "rows: %v", rows)
	for i, r := range rows {
		assert.Equal(t, "shop", r["SrcK8S_Namespace"], "stream label")
		assert.Equal(t, "web", r["SrcK8S_OwnerName"])
		assert.Equal(t, "app", r["K8S_FlowLayer"])
		assert.Equal(t, "1", r["FlowDirection"])
		assert.Equal(t, fmt.Sprint(40000+i), r["SrcPort"], "line field")
		assert.Equal(t, fmt.Sprint(100*(i+1)), r["Bytes"])
		assert.Equal(t, "10.128.0.5", r["SrcAddr"])
		ts, err := time.Parse(time.RFC3339Nano, r["_time"])
		require.NoError(t, err)
		assert.True(t, ts.Equal(flowEndTime.Add(time.Duration(i)*time.Millisecond)), "timestamp %s", ts)
		if i%2 == 0 {
			assert.Equal(t, "db", r["DstK8S_OwnerName"])
		} else {
			assert.Empty(t, r["DstK8S_OwnerName"], "no label when the field is absent")
		}
		assert.NotContains(t, r["_msg"], "SrcK8S_Namespace", "labels are not repeated in the line")
	}
	total := logsQL(t, base, `{app="netobserv-flowcollector"} | unpack_json | stats sum(Bytes) as total`)
	require.Len(t, total, 1)
	assert.Equal(t, "2100", total[0]["total"])
}
