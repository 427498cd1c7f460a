// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package prombackend answers the console's metric queries with PromQL over the NetObserv
// metrics that the flowmetrics connector exports.
package prombackend // import "github.com/flowlens/flowlens/console/internal/backend/prombackend"

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// Config says where Prometheus is.
type Config struct {
	URL             string
	BearerTokenFile string
	// ForwardUserToken sends the requesting user's token instead of BearerTokenFile's.
	ForwardUserToken bool
	// RateInterval is the shortest range of rate(); at least four scrape intervals. Default 1m.
	RateInterval time.Duration
	Client       *http.Client
}

// Prometheus is the Prometheus backend.
type Prometheus struct {
	cfg Config
	hc  *http.Client

	mu        sync.Mutex
	names     map[string]bool // metric names that exist
	namesTime time.Time
}

var _ backend.Backend = (*Prometheus)(nil)

// inventoryTTL is how long the list of metric names is reused.
const inventoryTTL = 30 * time.Second

// New returns the Prometheus backend; it does no I/O.
func New(cfg Config) (*Prometheus, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus url: %q must be an http(s) URL like http://prometheus:9090", cfg.URL)
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	if cfg.RateInterval == 0 {
		cfg.RateInterval = time.Minute
	}
	hc := cfg.Client
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Prometheus{cfg: cfg, hc: hc}, nil
}

// Name implements backend.Backend.
func (p *Prometheus) Name() string { return "prometheus" }

// Records implements backend.Backend: Prometheus has no flows.
func (p *Prometheus) Records(context.Context, flowquery.Records) ([]map[string]any, error) {
	return nil, backend.Unsupported(p.Name(), "Prometheus holds metrics, not flow records (configure Loki or the store)")
}

// Metrics implements backend.Backend.
func (p *Prometheus) Metrics(ctx context.Context, q flowquery.Metrics) ([]flowquery.Series, flowquery.Series, error) {
	if err := q.Validate(); err != nil {
		return nil, flowquery.Series{}, err
	}
	names, err := p.inventory(ctx)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	c, err := choose(q, func(n string) bool { return names[n] })
	if err != nil {
		return nil, flowquery.Series{}, backend.Unsupported(p.Name(), "%v", err)
	}
	fields := q.Scope.Fields()
	byScope, scale, err := query(q, c, fields, p.cfg.RateInterval)
	if err != nil {
		return nil, flowquery.Series{}, backend.Unsupported(p.Name(), "%v", err)
	}
	all, _, err := query(q, c, nil, p.cfg.RateInterval)
	if err != nil {
		return nil, flowquery.Series{}, backend.Unsupported(p.Name(), "%v", err)
	}
	series, err := p.matrix(ctx, q, fmt.Sprintf("topk(%d, %s)", q.Limit, byScope), fields, scale)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	totals, err := p.matrix(ctx, q, all, nil, scale)
	if err != nil {
		return nil, flowquery.Series{}, err
	}
	series, total := flowquery.Top(series, totals, q.Limit)
	return series, total, nil
}

func (p *Prometheus) matrix(ctx context.Context, q flowquery.Metrics, expr string, fields []string, scale float64) ([]flowquery.Series, error) {
	var resp apiResponse
	err := p.get(ctx, "/api/v1/query_range", url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(q.Start.Unix(), 10)},
		"end":   {strconv.FormatInt(q.End.Unix(), 10)},
		"step":  {strconv.FormatFloat(q.Step.Seconds(), 'f', -1, 64)},
	}, &resp)
	if err != nil {
		return nil, err
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil || data.ResultType != "matrix" {
		return nil, fmt.Errorf("prometheus: expected a matrix, got %q (%v)", data.ResultType, err)
	}
	out, err := backend.ParseMatrix(data.Result, q, fields, func(s string) string { return s }, scale)
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	return out, nil
}

// inventory lists the netobserv_ metric names Prometheus has, cached for inventoryTTL.
func (p *Prometheus) inventory(ctx context.Context) (map[string]bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.names != nil && time.Since(p.namesTime) < inventoryTTL {
		return p.names, nil
	}
	var resp apiResponse
	if err := p.get(ctx, "/api/v1/label/__name__/values", url.Values{"match[]": {`{__name__=~"netobserv_.+"}`}}, &resp); err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(resp.Data, &names); err != nil {
		return nil, fmt.Errorf("prometheus: decode metric names: %w", err)
	}
	p.names = make(map[string]bool, len(names))
	for _, n := range names {
		p.names[n] = true
	}
	p.namesTime = time.Now()
	return p.names, nil
}

// Values implements backend.Backend: the values of a label on the NetObserv metrics.
func (p *Prometheus) Values(ctx context.Context, field, prefix string, start, end time.Time, limit int) ([]string, error) {
	if !slices.Contains(workloadFamily.labels, field) && !slices.Contains(nodeFamily.labels, field) {
		return nil, backend.Unsupported(p.Name(), "%s is not a metric label", field)
	}
	var resp apiResponse
	err := p.get(ctx, "/api/v1/label/"+url.PathEscape(field)+"/values", url.Values{
		"match[]": {`{__name__=~"netobserv_.+"}`},
		"start":   {strconv.FormatInt(start.Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)},
	}, &resp)
	if err != nil {
		return nil, err
	}
	var vs []string
	if err := json.Unmarshal(resp.Data, &vs); err != nil {
		return nil, fmt.Errorf("prometheus: decode label values: %w", err)
	}
	return backend.MatchingValues(vs, prefix, limit), nil
}

// Status implements backend.Backend.
func (p *Prometheus) Status(ctx context.Context) backend.Status {
	st := backend.Status{Name: p.Name(), URL: p.cfg.URL}
	names, err := p.inventory(ctx)
	switch {
	case err != nil:
		st.Error = err.Error()
	case len(names) == 0:
		st.Ready = true
		st.Error = "no netobserv_ metrics yet: is the flowmetrics connector exported to this Prometheus?"
	default:
		st.Ready = true
	}
	return st
}

// apiResponse is Prometheus' HTTP API envelope.
type apiResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

func (p *Prometheus) get(ctx context.Context, path string, params url.Values, out *apiResponse) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.URL+path+"?"+params.Encode(), nil)
	if err != nil {
		return err
	}
	if tok := backend.UserToken(ctx); p.cfg.ForwardUserToken && tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if p.cfg.BearerTokenFile != "" {
		b, err := os.ReadFile(p.cfg.BearerTokenFile)
		if err != nil {
			return fmt.Errorf("prometheus bearer token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(b)))
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return &backend.UnavailableError{Backend: p.Name(), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &backend.UnavailableError{Backend: p.Name(), Err: err}
	}
	if err := json.Unmarshal(body, out); err != nil || resp.StatusCode >= 500 {
		if resp.StatusCode >= 500 || err != nil {
			return &backend.UnavailableError{Backend: p.Name(), Err: fmt.Errorf("%s: %.300s", resp.Status, body)}
		}
	}
	if out.Status != "success" {
		return fmt.Errorf("prometheus: %s: %s (query: %s)", out.ErrorType, out.Error, params.Get("query"))
	}
	return nil
}
