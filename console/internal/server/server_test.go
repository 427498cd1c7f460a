// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/console/internal/auth"
	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/console/internal/backend/storebackend"
	"github.com/flowlens/flowlens/console/internal/frontend"
	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// seeded returns a console over a store holding 6,000 flows of the last 10 minutes.
func seeded(t *testing.T, a auth.Authenticator) *httptest.Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flows.db")
	w, err := flowstore.OpenWriter(path)
	require.NoError(t, err)
	_, err = w.Write(context.Background(), flowgen.New(1).Logs(now.Add(-10*time.Minute), 6000, 100*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	st := storebackend.New(path)
	t.Cleanup(func() { _ = st.Close() })
	srv := httptest.NewServer(New(Options{
		Records: []backend.Backend{st}, Metrics: []backend.Backend{st}, Auth: a,
		Frontend: frontend.Build(frontend.ModeCluster, nil, frontend.Backends{Records: true, Metrics: true}),
		Now:      func() time.Time { return now },
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string, params url.Values, out any) int {
	t.Helper()
	resp, err := http.Get(srv.URL + path + "?" + params.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(body, out), string(body))
	}
	return resp.StatusCode
}

func TestRecordsWithFilters(t *testing.T) {
	srv := seeded(t, nil)
	for filter, check := range map[string]func(map[string]any) bool{
		`src_namespace="shop"`: func(r map[string]any) bool { return r["SrcK8S_Namespace"] == "shop" },
		`namespace="payments"`: func(r map[string]any) bool {
			return r["SrcK8S_Namespace"] == "payments" || r["DstK8S_Namespace"] == "payments"
		},
		`SrcK8S_OwnerName=web&DstPort=53`: func(r map[string]any) bool {
			return r["SrcK8S_OwnerName"] == "web" && r["DstPort"] == float64(53)
		},
		`DstPort=5432|DstPort=9090`: func(r map[string]any) bool { return r["DstPort"] == float64(5432) || r["DstPort"] == float64(9090) },
		`dst_owner_name!~"^(coredns|router)$" & src_owner_name="web"`: func(r map[string]any) bool {
			return r["DstK8S_OwnerName"] != "coredns" && r["DstK8S_OwnerName"] != "router"
		},
		`SrcSubnetLabel=EXT:`: func(r map[string]any) bool { return strings.HasPrefix(r["SrcAddr"].(string), "203.0.113.") },
		`PktDropPackets>=1`:   func(r map[string]any) bool { return r["PktDropPackets"].(float64) >= 1 },
	} {
		var a recordsAnswer
		code := get(t, srv, "/api/flow/records", url.Values{"filters": {filter}, "limit": {"500"}, "timeRange": {"600"}}, &a)
		require.Equal(t, http.StatusOK, code, filter)
		require.NotEmpty(t, a.Records, filter)
		assert.Equal(t, "store", a.Stats.DataSource)
		for _, r := range a.Records {
			require.True(t, check(r), "%s: %v", filter, r)
		}
	}
}

func TestRecordsLimitAndRange(t *testing.T) {
	srv := seeded(t, nil)
	var a recordsAnswer
	require.Equal(t, 200, get(t, srv, "/api/flow/records", url.Values{"limit": {"50"}, "timeRange": {"600"}}, &a))
	assert.Len(t, a.Records, 50)
	assert.True(t, a.Stats.LimitReached)
	// Newest first, within the range.
	prev := float64(now.UnixMilli())
	for _, r := range a.Records {
		assert.LessOrEqual(t, r["TimeFlowEndMs"].(float64), prev)
		prev = r["TimeFlowEndMs"].(float64)
	}
	// The last minute holds 600 flows.
	a = recordsAnswer{}
	get(t, srv, "/api/flow/records", url.Values{"limit": {"10000"}, "startTime": {itoa(now.Add(-time.Minute).Unix())}, "endTime": {itoa(now.Unix())}}, &a)
	assert.InDelta(t, 600, len(a.Records), 1)
	assert.False(t, a.Stats.LimitReached)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBadInputNamesTheParameter(t *testing.T) {
	srv := seeded(t, nil)
	for params, want := range map[string]string{
		"limit=0":                        `limit: "0" must be a whole number from 1 to 10000`,
		"filters=Nope%3D1":               `filters: filter "Nope=1": unknown field "Nope"`,
		"startTime=abc":                  `startTime: "abc" is not a unix time`,
		"startTime=200&endTime=100":      "startTime: must be before endTime",
		"timeRange=-5":                   "timeRange",
		"type=Octets":                    `type: "Octets" is not valid, must be one of Bytes`,
		"aggregateBy=pod":                `aggregateBy: "pod" is not valid`,
		"function=median":                `function: "median" is not valid`,
		"step=1ms":                       "step",
		"timeRange=604800&step=1":        "more than 1000 points",
		"filters=DnsLatencyMs%3E%3Dfast": ">= needs a number",
	} {
		path := "/api/flow/records"
		if strings.Contains(params, "type") || strings.Contains(params, "aggregateBy") || strings.Contains(params, "function") || strings.Contains(params, "step") {
			path = "/api/flow/metrics"
		}
		resp, err := http.Get(srv.URL + path + "?" + params)
		require.NoError(t, err)
		var e map[string]string
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, params)
		assert.Contains(t, e["error"], want, params)
	}
	var e map[string]string
	assert.Equal(t, http.StatusNotFound, get(t, srv, "/api/loki/flow/records", nil, &e))
	assert.Contains(t, e["error"], "no such API route")
}

func TestExportCSV(t *testing.T) {
	srv := seeded(t, nil)
	resp, err := http.Get(srv.URL + "/api/flow/export?" + url.Values{
		"format": {"csv"}, "columns": {"TimeFlowEndMs,SrcK8S_Namespace,DstK8S_Namespace,Bytes,DnsLatencyMs"},
		"filters": {`src_namespace="shop"`}, "limit": {"200"}, "timeRange": {"600"},
	}.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
	rows, err := csv.NewReader(resp.Body).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 201)
	assert.Equal(t, []string{"TimeFlowEndMs", "SrcK8S_Namespace", "DstK8S_Namespace", "Bytes", "DnsLatencyMs"}, rows[0])
	dns := 0
	for _, r := range rows[1:] {
		assert.Equal(t, "shop", r[1])
		assert.Regexp(t, `^\d+$`, r[3])
		if r[4] != "" {
			dns++
		}
	}
	assert.Positive(t, dns, "shop pods resolve names")
}

func TestMetricsByScopeTopN(t *testing.T) {
	srv := seeded(t, nil)
	var a metricsAnswer
	require.Equal(t, 200, get(t, srv, "/api/flow/metrics", url.Values{
		"type": {"Bytes"}, "function": {"rate"}, "aggregateBy": {"namespace"}, "limit": {"3"}, "timeRange": {"600"}, "step": {"60s"},
	}, &a))
	require.Len(t, a.Metrics, 3)
	for i, s := range a.Metrics {
		assert.Contains(t, s.Labels, "SrcK8S_Namespace")
		assert.Contains(t, s.Labels, "DstK8S_Namespace")
		assert.NotEmpty(t, s.Values)
		if i > 0 {
			assert.GreaterOrEqual(t, a.Metrics[i-1].Total, s.Total, "sorted by total")
		}
	}
	assert.Greater(t, a.Total.Total, a.Metrics[0].Total, "total covers every edge")
	// External clients -> ingress is the heaviest edge (12 of 87 weight at 40 kB), then
	// ingress -> shop (router to web, 30 kB).
	assert.Equal(t, map[string]string{"SrcK8S_Namespace": "", "DstK8S_Namespace": "ingress"}, a.Metrics[0].Labels)
	assert.Equal(t, map[string]string{"SrcK8S_Namespace": "ingress", "DstK8S_Namespace": "shop"}, a.Metrics[1].Labels)

	for _, q := range []url.Values{
		{"type": {"DnsLatencyMs"}, "function": {"p99"}, "aggregateBy": {"namespace"}},
		{"type": {"TimeFlowRttNs"}, "function": {"avg"}, "aggregateBy": {"owner"}},
		{"type": {"PktDropPackets"}, "function": {"sum"}, "aggregateBy": {"resource"}},
		{"type": {"Flows"}, "function": {"rate"}, "aggregateBy": {"zone"}},
		{"type": {"Packets"}, "function": {"rate"}, "aggregateBy": {"host"}},
	} {
		q.Set("timeRange", "600")
		a = metricsAnswer{}
		require.Equal(t, 200, get(t, srv, "/api/flow/metrics", q, &a), q.Encode())
		require.NotEmpty(t, a.Metrics, q.Encode())
		for _, s := range a.Metrics {
			assert.Positive(t, s.Total, q.Encode())
		}
	}
}

func TestValuesAndConfig(t *testing.T) {
	srv := seeded(t, nil)
	var v map[string][]string
	require.Equal(t, 200, get(t, srv, "/api/resources/values", url.Values{"field": {"namespace"}, "timeRange": {"600"}}, &v))
	assert.Equal(t, []string{"ingress", "kube-system", "monitoring", "payments", "shop"}, v["values"])
	v = nil
	get(t, srv, "/api/resources/values", url.Values{"field": {"src_owner_name"}, "prefix": {"CAR"}, "timeRange": {"600"}}, &v)
	assert.Equal(t, []string{"cart"}, v["values"])

	var c frontend.Config
	require.Equal(t, 200, get(t, srv, "/api/frontend-config", nil, &c))
	assert.Equal(t, frontend.ModeCluster, c.Mode)
	assert.Equal(t, "namespace", c.DefaultScope)
	assert.Len(t, c.Scopes, 6)

	var st statusAnswer
	require.Equal(t, 200, get(t, srv, "/api/status", nil, &st))
	require.Len(t, st.Backends, 1)
	assert.True(t, st.Backends[0].Ready)
	assert.EqualValues(t, 6000, st.Backends[0].Flows)
}

func TestStoreNotYetCreated(t *testing.T) {
	st := storebackend.New(filepath.Join(t.TempDir(), "later.db"))
	srv := httptest.NewServer(New(Options{Records: []backend.Backend{st}, Metrics: []backend.Backend{st}}))
	defer srv.Close()
	var e map[string]string
	assert.Equal(t, http.StatusBadGateway, get(t, srv, "/api/flow/records", nil, &e))
	assert.Contains(t, e["error"], "is the collector running with the flowstore exporter?")
	var s statusAnswer
	assert.Equal(t, 200, get(t, srv, "/api/status", nil, &s))
	assert.False(t, s.Backends[0].Ready)
}

// fixedUser authenticates every token as one user.
type fixedUser struct{ u *auth.User }

func (f fixedUser) Authenticate(_ context.Context, token string) (*auth.User, error) {
	if token == "" {
		return nil, auth.ErrUnauthenticated
	}
	return f.u, nil
}

func TestTenantSeesOnlyItsNamespaces(t *testing.T) {
	srv := seeded(t, fixedUser{&auth.User{Name: "dev", Namespaces: []string{"payments"}}})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/flow/records?limit=10000&timeRange=600", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	req.Header.Set("Authorization", "Bearer t")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var a recordsAnswer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	resp.Body.Close()
	require.NotEmpty(t, a.Records)
	for _, r := range a.Records {
		require.True(t, r["SrcK8S_Namespace"] == "payments" || r["DstK8S_Namespace"] == "payments", "%v", r)
	}
}

func TestServesTheUI(t *testing.T) {
	assets := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>flowlens</title>")},
		"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
	}
	srv := httptest.NewServer(New(Options{Assets: assets}))
	defer srv.Close()
	for path, want := range map[string]string{"/": "<title>flowlens", "/topology?scope=namespace": "<title>flowlens", "/assets/app-1a2b.js": "console.log"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
	resp, err := http.Get(srv.URL + "/assets/gone-9z.js")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "a missing asset is not the app")
	resp, err = http.Post(srv.URL+"/", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	var e map[string]string
	assert.Equal(t, http.StatusNotFound, get(t, srv, "/api/nope", nil, &e))
}
