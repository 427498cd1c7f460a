// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package lokibackend answers console queries with LogQL over the flows that the lokiflow
// exporter writes to Loki.
package lokibackend // import "github.com/flowlens/flowlens/console/internal/backend/lokibackend"

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// Config says where Loki is and how lokiflow labelled the flows.
type Config struct {
	URL             string // e.g. http://loki:3100 (the query API is under /loki/api/v1)
	TenantID        string // X-Scope-OrgID; empty sends none
	BearerTokenFile string // read at each query (tokens rotate)
	// ForwardUserToken sends the requesting user's token instead (Loki then applies the user's
	// own access, as with NetObserv's forwardUserToken).
	ForwardUserToken bool
	// Labels are the stream label fields (lokiflow's labels); StaticLabels its static labels.
	Labels       []string
	StaticLabels map[string]string
	Client       *http.Client
}

// Loki is the Loki backend.
type Loki struct {
	cfg Config
	qb  *queryBuilder
	hc  *http.Client
}

var _ backend.Backend = (*Loki)(nil)

// New returns the Loki backend; it does no I/O.
func New(cfg Config) (*Loki, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("loki url: %q must be an http(s) URL like http://loki:3100", cfg.URL)
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	hc := cfg.Client
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Loki{cfg: cfg, qb: newQueryBuilder(cfg.StaticLabels, cfg.Labels), hc: hc}, nil
}

// Name implements backend.Backend.
func (l *Loki) Name() string { return "loki" }

// Records implements backend.Backend.
func (l *Loki) Records(ctx context.Context, q flowquery.Records) ([]map[string]any, error) {
	var resp queryResponse
	err := l.get(ctx, "/loki/api/v1/query_range", url.Values{
		"query":     {l.qb.recordsQuery(q.Filters)},
		"start":     {strconv.FormatInt(q.Start.UnixNano(), 10)},
		"end":       {strconv.FormatInt(q.End.UnixNano(), 10)},
		"limit":     {strconv.Itoa(q.Limit)},
		"direction": {"backward"},
	}, &resp)
	if err != nil {
		return nil, err
	}
	return resp.records(l.cfg.StaticLabels, q.Limit)
}

// Metrics implements backend.Backend.
func (l *Loki) Metrics(ctx context.Context, q flowquery.Metrics) ([]flowquery.Series, flowquery.Series, error) {
	if err := q.Validate(); err != nil {
		return nil, flowquery.Series{}, err
	}
	fields := q.Scope.Fields()
	byScope, err := l.qb.metricQuery(q, fields)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	all, err := l.qb.metricQuery(q, nil)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	series, err := l.matrix(ctx, q, fmt.Sprintf("topk(%d, %s)", q.Limit, byScope), fields)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	totals, err := l.matrix(ctx, q, all, nil)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	// topk is per step: keep the series with the largest totals over the range.
	series, total := flowquery.Top(series, totals, q.Limit)
	return series, total, nil
}

func (l *Loki) matrix(ctx context.Context, q flowquery.Metrics, query string, fields []string) ([]flowquery.Series, error) {
	var resp queryResponse
	err := l.get(ctx, "/loki/api/v1/query_range", url.Values{
		"query": {query},
		"start": {strconv.FormatInt(q.Start.UnixNano(), 10)},
		"end":   {strconv.FormatInt(q.End.UnixNano(), 10)},
		"step":  {backend.PromDuration(q.Step)},
	}, &resp)
	if err != nil {
		return nil, err
	}
	return resp.series(q, fields)
}

// Values implements backend.Backend: label values only (other fields are in the JSON lines).
func (l *Loki) Values(ctx context.Context, field, prefix string, start, end time.Time, limit int) ([]string, error) {
	if !l.qb.labels[field] {
		return nil, backend.Unsupported(l.Name(), "%s is not a Loki label: no autocomplete", field)
	}
	var resp struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
	}
	err := l.get(ctx, "/loki/api/v1/label/"+url.PathEscape(flow.LokiLabelName(field))+"/values", url.Values{
		"start": {strconv.FormatInt(start.UnixNano(), 10)}, "end": {strconv.FormatInt(end.UnixNano(), 10)},
	}, &resp)
	if err != nil {
		return nil, err
	}
	return backend.MatchingValues(resp.Data, prefix, limit), nil
}

// Status implements backend.Backend.
func (l *Loki) Status(ctx context.Context) backend.Status {
	st := backend.Status{Name: l.Name(), URL: l.cfg.URL}
	req, err := l.request(ctx, "/ready", nil)
	if err == nil {
		var resp *http.Response
		if resp, err = l.hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("/ready answered %s", resp.Status)
			}
		}
	}
	if err != nil {
		st.Error = err.Error()
	} else {
		st.Ready = true
	}
	return st
}

func (l *Loki) request(ctx context.Context, path string, params url.Values) (*http.Request, error) {
	u := l.cfg.URL + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if l.cfg.TenantID != "" {
		req.Header.Set("X-Scope-OrgID", l.cfg.TenantID)
	}
	if tok := backend.UserToken(ctx); l.cfg.ForwardUserToken && tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if l.cfg.BearerTokenFile != "" {
		tok, err := readToken(l.cfg.BearerTokenFile)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req, nil
}

func (l *Loki) get(ctx context.Context, path string, params url.Values, out any) error {
	req, err := l.request(ctx, path, params)
	if err != nil {
		return err
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return &backend.UnavailableError{Backend: l.Name(), Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body := readSome(resp)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return &backend.UnavailableError{Backend: l.Name(), Err: fmt.Errorf("%s: %s", resp.Status, body)}
		}
		// 400: a query Loki refuses (too many series, bad LogQL) says why in its body.
		return fmt.Errorf("loki: %s: %s (query: %s)", resp.Status, body, params.Get("query"))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("loki: decode %s answer: %w", path, err)
	}
	return nil
}
