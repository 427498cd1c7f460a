// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

func storeConfig(path string) string {
	return fmt.Sprintf(`
receivers:
  ebpfflow:
    cache_active_timeout: 1s
exporters:
  flowstore:
    path: %s
    sending_queue:
      batch: {flush_timeout: 200ms}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [ebpfflow]
      exporters: [flowstore]
`, path)
}

func apiGet(t *testing.T, base, path string, q url.Values, out any) {
	t.Helper()
	resp, err := http.Get(base + path + "?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, path+"?"+q.Encode())
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
}

// TestConsoleReadsTheStoreWhileTheCollectorWrites is make run's chain: kernel traffic between
// two namespaces, the collector writing the flow store, the console reading it over its API
// while the collector keeps writing.
func TestConsoleReadsTheStoreWhileTheCollectorWrites(t *testing.T) {
	testutil.RequireRoot(t)
	p := testutil.NewPair(t, 61)
	store := filepath.Join(t.TempDir(), "flows.db")
	c := startCollector(t, p.NS1, storeConfig(store))
	c.waitLog(t, 15*time.Second, "Attached flow programs", p.If1)
	p.Up(t)
	con := testutil.StartConsole(t, "--store="+store)

	srv := testutil.ServeTCP(t, p.NS2, testutil.HostPort(p.IP2, 0))
	port, err := testutil.TCPExchange(p.NS1, srv.Addr, 300_000, 2_000)
	require.NoError(t, err)
	_, srvPort, err := net.SplitHostPort(srv.Addr)
	require.NoError(t, err)
	sink := testutil.ServeUDP(t, p.NS2, testutil.HostPort(p.IP2, 0))
	_, err = testutil.UDPSend(p.NS1, sink.Addr, 100, 200, 300)
	require.NoError(t, err)

	// The flows appear through the API within a few eviction periods.
	tcp := fmt.Sprintf(`SrcAddr=%s & DstAddr=%s & SrcPort=%d & DstPort=%s`, p.IP1, p.IP2, port, srvPort)
	var recs struct {
		Records []map[string]any `json:"records"`
		Stats   struct {
			DataSource string `json:"dataSource"`
		} `json:"stats"`
	}
	var bytes float64
	testutil.WaitFor(t, 20*time.Second, "the TCP flow in the console", func() bool {
		recs.Records = nil
		apiGet(t, con.URL, "/api/flow/records", url.Values{"filters": {tcp}, "limit": {"100"}, "timeRange": {"300"}}, &recs)
		bytes = 0
		for _, r := range recs.Records {
			bytes += r["Bytes"].(float64)
		}
		return bytes >= 300_000
	})
	assert.Equal(t, "store", recs.Stats.DataSource)
	for _, r := range recs.Records {
		assert.Equal(t, p.IP1, r["SrcAddr"])
		assert.EqualValues(t, 6, r["Proto"])
		assert.Contains(t, []any{float64(0), float64(1)}, r["FlowDirection"])
	}

	// UDP by protocol and either-end address.
	var udp struct {
		Records []map[string]any `json:"records"`
	}
	apiGet(t, con.URL, "/api/flow/records", url.Values{"filters": {fmt.Sprintf(`address=%s & protocol=17`, p.IP2)}, "timeRange": {"300"}}, &udp)
	require.NotEmpty(t, udp.Records)

	// The topology at resource scope has the edge between the two addresses.
	var m struct {
		Metrics []struct {
			Labels map[string]string `json:"labels"`
			Total  float64           `json:"total"`
		} `json:"metrics"`
	}
	apiGet(t, con.URL, "/api/flow/metrics", url.Values{"aggregateBy": {"resource"}, "type": {"Bytes"}, "function": {"sum"},
		"limit": {"10"}, "timeRange": {"300"}, "filters": {fmt.Sprintf(`SrcAddr=%s`, p.IP1)}}, &m)
	found := false
	for _, s := range m.Metrics {
		if s.Labels["SrcAddr"] == p.IP1 && s.Labels["DstAddr"] == p.IP2 {
			found = true
			assert.GreaterOrEqual(t, s.Total, 300_000.0)
		}
	}
	assert.True(t, found, "edge %s -> %s in %v", p.IP1, p.IP2, m.Metrics)

	// CSV of the same query.
	resp, err := http.Get(con.URL + "/api/flow/export?" + url.Values{"filters": {tcp}, "timeRange": {"300"},
		"columns": {"SrcAddr,DstAddr,DstPort,Bytes"}}.Encode())
	require.NoError(t, err)
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	require.NoError(t, err)
	require.Greater(t, len(rows), 1)
	assert.Equal(t, []string{"SrcAddr", "DstAddr", "DstPort", "Bytes"}, rows[0])
	assert.Equal(t, []string{p.IP1, p.IP2, srvPort}, rows[1][:3])

	// Status counts what the collector wrote; after it stops, the console still reads.
	c.stop(t)
	var st struct {
		Backends []struct {
			Ready bool  `json:"ready"`
			Flows int64 `json:"flows"`
		} `json:"backends"`
	}
	apiGet(t, con.URL, "/api/status", nil, &st)
	require.Len(t, st.Backends, 1)
	assert.True(t, st.Backends[0].Ready)
	assert.GreaterOrEqual(t, st.Backends[0].Flows, int64(len(recs.Records)+len(udp.Records)))
}
