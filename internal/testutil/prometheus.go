// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PrometheusBinary is the Prometheus server the tests run: $FLOWLENS_PROMETHEUS, else Debian's
// /usr/bin/prometheus (package prometheus, 2.42, installed by `make deps`). A missing binary
// fails the test: the scrape tests are required, never skipped.
func PrometheusBinary(t testing.TB) string {
	t.Helper()
	p := os.Getenv("FLOWLENS_PROMETHEUS")
	if p == "" {
		p = "/usr/bin/prometheus"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("Prometheus server %s not found: run `make deps` (Debian package prometheus) or set FLOWLENS_PROMETHEUS: %v", p, err)
	}
	return p
}

// Prometheus is a real Prometheus server on loopback scraping the given targets every second.
type Prometheus struct {
	URL string

	mu  sync.Mutex
	out bytes.Buffer
}

// StartPrometheus starts a Prometheus server on a free loopback port with one scrape job per
// entry of jobs (job name -> host:port serving /metrics), scrape_interval 1s, and waits until
// it is ready. It is stopped when the test ends.
func StartPrometheus(t testing.TB, jobs map[string]string) *Prometheus {
	t.Helper()
	bin := PrometheusBinary(t)
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\nscrape_configs:\n")
	names := make([]string, 0, len(jobs))
	for j := range jobs {
		names = append(names, j)
	}
	sort.Strings(names)
	for _, j := range names {
		fmt.Fprintf(&cfg, "  - job_name: %q\n    static_configs: [{targets: [%q]}]\n", j, jobs[j])
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := FreeLoopbackPort(t)
	p := &Prometheus{URL: "http://" + addr}
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	done := startProcess(t, "prometheus", cmd, p)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/-/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-done:
			t.Fatalf("prometheus exited during start:\n%s", p.Output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30s:\n%s", p.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Write collects the server's output (io.Writer for its stdout and stderr).
func (p *Prometheus) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Output returns what the server logged.
func (p *Prometheus) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Sample is one series of an instant query result.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query runs an instant PromQL query at time at (zero: now) through the HTTP API.
func (p *Prometheus) Query(expr string, at time.Time) ([]Sample, error) {
	q := url.Values{"query": {expr}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatFloat(float64(at.UnixNano())/1e9, 'f', 3, 64))
	}
	resp, err := http.PostForm(p.URL+"/api/v1/query", q)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %q: %w (%s)", expr, err, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	if r.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: result type %s, want vector", expr, r.Data.ResultType)
	}
	out := make([]Sample, 0, len(r.Data.Result))
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", expr, s.Value[1], err)
		}
		out = append(out, Sample{Labels: s.Metric, Value: v})
	}
	return out, nil
}

// MustQuery is Query failing the test on error.
func (p *Prometheus) MustQuery(t testing.TB, expr string, at time.Time) []Sample {
	t.Helper()
	s, err := p.Query(expr, at)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// WaitQuery polls an instant query until cond accepts its result, and returns that result.
func (p *Prometheus) WaitQuery(t testing.TB, timeout time.Duration, expr string, cond func([]Sample) bool) []Sample {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last []Sample
	var lastErr error
	for time.Now().Before(deadline) {
		last, lastErr = p.Query(expr, time.Time{})
		if lastErr == nil && cond(last) {
			return last
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("after %s, %q gives %v (error %v)", timeout, expr, last, lastErr)
	return nil
}

// ByLabels indexes a result by the values of the given labels joined with "|" (a missing label
// reads as "").
func ByLabels(samples []Sample, labels ...string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range samples {
		vals := make([]string, len(labels))
		for i, l := range labels {
			vals[i] = s.Labels[l]
		}
		out[strings.Join(vals, "|")] += s.Value
	}
	return out
}
