// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokibackend

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// fakeLoki answers Loki's query API from the fixtures (Loki's documented response format) and
// records what it was asked.
type fakeLoki struct {
	t       *testing.T
	queries []string
	headers http.Header
	status  int
}

func (f *fakeLoki) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.headers = r.Header.Clone()
	if f.status != 0 {
		http.Error(w, "too many outstanding requests", f.status)
		return
	}
	q := r.URL.Query().Get("query")
	f.queries = append(f.queries, q)
	var fixture string
	switch {
	case r.URL.Path == "/ready":
		_, _ = w.Write([]byte("ready"))
		return
	case strings.HasPrefix(r.URL.Path, "/loki/api/v1/label/"):
		fixture = "label_values.json"
	case r.URL.Path == "/loki/api/v1/query_range" && r.URL.Query().Get("step") == "":
		assert.Equal(f.t, "backward", r.URL.Query().Get("direction"))
		fixture = "streams.json"
	case r.URL.Path == "/loki/api/v1/query_range" && strings.HasPrefix(q, "topk("):
		fixture = "matrix.json"
	case r.URL.Path == "/loki/api/v1/query_range":
		fixture = "total.json"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", fixture))
	require.NoError(f.t, err)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func newFake(t *testing.T) (*fakeLoki, *Loki) {
	f := &fakeLoki{t: t}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	l, err := New(Config{URL: srv.URL + "/", TenantID: "netobserv", BearerTokenFile: tok,
		Labels: flow.LokiLabels, StaticLabels: map[string]string{"app": "netobserv-flowcollector"}})
	require.NoError(t, err)
	return f, l
}

var rng = struct{ start, end time.Time }{time.Unix(1796205000, 0), time.Unix(1796205700, 0)}

func TestRecordsFromStreams(t *testing.T) {
	f, l := newFake(t)
	fs, err := flowquery.Parse(`src_namespace="shop"`)
	require.NoError(t, err)
	recs, err := l.Records(context.Background(), flowquery.Records{Start: rng.start, End: rng.end, Filters: fs, Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, []string{`{app="netobserv-flowcollector", SrcK8S_Namespace=~"shop"}`}, f.queries)
	assert.Equal(t, "netobserv", f.headers.Get("X-Scope-OrgID"))
	assert.Equal(t, "Bearer s3cret", f.headers.Get("Authorization"))

	require.Len(t, recs, 3)
	// Newest first across streams.
	assert.EqualValues(t, 1796205600500, recs[0]["TimeFlowEndMs"])
	assert.EqualValues(t, 1796205595000, recs[1]["TimeFlowEndMs"])
	first := recs[0]
	assert.Equal(t, "shop", first["SrcK8S_Namespace"], "labels are merged into the record")
	assert.Equal(t, int64(1), first["FlowDirection"], "numeric labels become numbers")
	assert.Equal(t, int64(4512), first["Bytes"])
	assert.Equal(t, []any{"eth0"}, first["Interfaces"])
	assert.Equal(t, []any{int64(1)}, first["IfDirections"])
	assert.NotContains(t, first, "app", "static labels are not flow fields")
	assert.InDelta(t, 1.5, recs[1]["DnsLatencyMs"], 0)

	recs, err = l.Records(context.Background(), flowquery.Records{Start: rng.start, End: rng.end, Limit: 2})
	require.NoError(t, err)
	assert.Len(t, recs, 2, "the limit holds across streams")
}

func TestMetricsFromMatrix(t *testing.T) {
	f, l := newFake(t)
	series, total, err := l.Metrics(context.Background(), flowquery.Metrics{
		Start: rng.start, End: rng.end, Step: 30 * time.Second, Type: flowquery.TypeBytes, Function: flowquery.FuncRate,
		Scope: flowquery.ScopeNamespace, Limit: 2,
	})
	require.NoError(t, err)
	require.Len(t, f.queries, 2)
	assert.True(t, strings.HasPrefix(f.queries[0], "topk(2, sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate("), f.queries[0])
	assert.True(t, strings.HasPrefix(f.queries[1], "sum by () (rate("), f.queries[1])
	require.Len(t, series, 2, "cut to the limit after ranking by total")
	assert.Equal(t, map[string]string{"SrcK8S_Namespace": "ingress", "DstK8S_Namespace": "shop"}, series[0].Labels)
	assert.InDelta(t, (1000.5+999.5)*30/700, series[0].Total, 1e-9, "a rate's total is its mean over the range")
	assert.Equal(t, [][2]float64{{1796205600, 100}, {1796205630, 300}}, series[1].Values)
	assert.InDelta(t, (1100.5+1319.5)*30/700, total.Total, 1e-9)
	assert.Empty(t, total.Labels)
}

func TestValuesAndStatus(t *testing.T) {
	_, l := newFake(t)
	vs, err := l.Values(context.Background(), "DstK8S_Namespace", "Sy", rng.start, rng.end, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"kube-system"}, vs, "case-insensitive substring")
	_, err = l.Values(context.Background(), "DnsName", "", rng.start, rng.end, 10)
	assert.True(t, backend.IsUnsupported(err))
	st := l.Status(context.Background())
	assert.True(t, st.Ready, st.Error)
}

func TestErrors(t *testing.T) {
	f, l := newFake(t)
	f.status = http.StatusServiceUnavailable
	_, err := l.Records(context.Background(), flowquery.Records{Start: rng.start, End: rng.end, Limit: 1})
	var ue *backend.UnavailableError
	require.True(t, errors.As(err, &ue), err)
	assert.Contains(t, err.Error(), "too many outstanding requests")
	assert.False(t, l.Status(context.Background()).Ready)

	f.status = http.StatusBadRequest
	_, err = l.Records(context.Background(), flowquery.Records{Start: rng.start, End: rng.end, Limit: 1})
	require.Error(t, err)
	assert.False(t, errors.As(err, &ue))
	assert.Contains(t, err.Error(), "(query: {app=")

	_, err = New(Config{URL: "loki:3100"})
	assert.ErrorContains(t, err, `loki url: "loki:3100" must be an http(s) URL`)
}

func TestForwardsTheUsersToken(t *testing.T) {
	f, l := newFake(t)
	l.cfg.ForwardUserToken = true
	ctx := backend.WithUserToken(context.Background(), "alice-token")
	_, err := l.Records(ctx, flowquery.Records{Start: rng.start, End: rng.end, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, "Bearer alice-token", f.headers.Get("Authorization"))
	// No user token (auth none): the configured one.
	_, err = l.Records(context.Background(), flowquery.Records{Start: rng.start, End: rng.end, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, "Bearer s3cret", f.headers.Get("Authorization"))
}
