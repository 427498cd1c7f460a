// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package server // import "github.com/flowlens/flowlens/console/internal/server"

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/flowlens/flowlens/console/internal/auth"
	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// stats describe how a query was answered.
type stats struct {
	DataSource   string `json:"dataSource"`
	LimitReached bool   `json:"limitReached,omitempty"`
	DurationMs   int64  `json:"durationMs"`
	// Fallback says why a preferred backend did not answer.
	Fallback string `json:"fallback,omitempty"`
}

// ask tries the backends in order until one answers something other than Unsupported.
func ask(bs []backend.Backend, kind string, f func(backend.Backend) error) (string, string, error) {
	var reasons []string
	for _, b := range bs {
		err := f(b)
		if backend.IsUnsupported(err) {
			reasons = append(reasons, err.Error())
			continue
		}
		return b.Name(), strings.Join(reasons, "; "), err
	}
	if len(bs) == 0 {
		return "", "", &backend.UnsupportedError{Backend: "console", Reason: "no backend is configured for " + kind}
	}
	return "", "", &backend.UnsupportedError{Backend: "console", Reason: strings.Join(reasons, "; ")}
}

type recordsAnswer struct {
	Records []map[string]any `json:"records"`
	Stats   stats            `json:"stats"`
}

func (s *server) queryRecords(r *http.Request) (recordsAnswer, error) {
	q, err := recordsQuery(r.URL.Query(), s.Now())
	if err != nil {
		return recordsAnswer{}, err
	}
	q.Filters = auth.Restrict(q.Filters, userOf(r.Context()))
	began := time.Now()
	var recs []map[string]any
	src, fallback, err := ask(s.Records, "flow records", func(b backend.Backend) error {
		var err error
		recs, err = b.Records(r.Context(), q)
		return err
	})
	if err != nil {
		return recordsAnswer{}, err
	}
	if recs == nil {
		recs = []map[string]any{}
	}
	return recordsAnswer{Records: recs, Stats: stats{DataSource: src, Fallback: fallback,
		LimitReached: len(recs) >= q.Limit, DurationMs: time.Since(began).Milliseconds()}}, nil
}

func (s *server) records(w http.ResponseWriter, r *http.Request) error {
	a, err := s.queryRecords(r)
	if err != nil {
		return err
	}
	return writeJSON(w, a)
}

type metricsAnswer struct {
	Metrics []flowquery.Series `json:"metrics"`
	Total   flowquery.Series   `json:"total"`
	Stats   stats              `json:"stats"`
}

func (s *server) metrics(w http.ResponseWriter, r *http.Request) error {
	q, err := metricsQuery(r.URL.Query(), s.Now())
	if err != nil {
		return err
	}
	q.Filters = auth.Restrict(q.Filters, userOf(r.Context()))
	began := time.Now()
	var series []flowquery.Series
	var total flowquery.Series
	src, fallback, err := ask(s.Metrics, "metrics", func(b backend.Backend) error {
		var err error
		series, total, err = b.Metrics(r.Context(), q)
		return err
	})
	if err != nil {
		return err
	}
	if series == nil {
		series = []flowquery.Series{}
	}
	for i := range series {
		series[i] = nonNil(series[i])
	}
	return writeJSON(w, metricsAnswer{Metrics: series, Total: nonNil(total),
		Stats: stats{DataSource: src, Fallback: fallback, DurationMs: time.Since(began).Milliseconds()}})
}

func nonNil(s flowquery.Series) flowquery.Series {
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	if s.Values == nil {
		s.Values = [][2]float64{}
	}
	return s
}

func (s *server) values(w http.ResponseWriter, r *http.Request) error {
	p := r.URL.Query()
	start, end, err := timeRange(p, s.Now())
	if err != nil {
		return err
	}
	limit, err := intParam(p, "limit", 50, 1, 1000)
	if err != nil {
		return err
	}
	key := p.Get("field")
	field, other, ok := flowquery.ResolveField(key)
	if !ok {
		return badParam("field: unknown field %q (use a filter id like src_namespace or a NetObserv field)", key)
	}
	// Autocomplete values are not filtered by flow, so a non-admin only gets namespace values,
	// and only its own namespaces: other fields' values could name another tenant's pods.
	u := userOf(r.Context())
	if !u.Admin && !slices.Contains([]string{"SrcK8S_Namespace", "DstK8S_Namespace"}, field) {
		return writeJSON(w, map[string][]string{"values": {}})
	}
	var out []string
	for _, f := range []string{field, other} {
		if f == "" {
			continue
		}
		var vs []string
		_, _, err := ask(s.Records, "autocomplete", func(b backend.Backend) error {
			var err error
			vs, err = b.Values(r.Context(), f, p.Get("prefix"), start, end, limit)
			return err
		})
		if err != nil {
			return err
		}
		out = append(out, vs...)
	}
	if !u.Admin {
		out = slices.DeleteFunc(out, func(v string) bool { return !slices.Contains(u.Namespaces, v) })
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []string{}
	}
	return writeJSON(w, map[string][]string{"values": out})
}

func (s *server) frontendConfig(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, s.Frontend)
}

type statusAnswer struct {
	Version  string           `json:"version"`
	Backends []backend.Status `json:"backends"`
}

func (s *server) status(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	var all []backend.Backend
	for _, b := range append(slices.Clone(s.Records), s.Metrics...) {
		if !slices.Contains(all, b) {
			all = append(all, b)
		}
	}
	a := statusAnswer{Version: s.Version, Backends: []backend.Status{}}
	for _, b := range all {
		a.Backends = append(a.Backends, b.Status(ctx))
	}
	return writeJSON(w, a)
}

func (s *server) role(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r.Context())
	if u == nil {
		return errors.New("no user")
	}
	role := "dev"
	if u.Admin {
		role = "admin"
	}
	return writeJSON(w, map[string]any{"role": role, "user": u.Name, "namespaces": u.Namespaces})
}
