// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokibackend // import "github.com/flowlens/flowlens/console/internal/backend/lokibackend"

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// queryResponse is Loki's answer to query_range: streams (log lines) or a matrix (metrics).
type queryResponse struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

type stream struct {
	Stream map[string]string `json:"stream"`
	Values [][2]string       `json:"values"` // [unix ns as a string, line]
}

// records turns streams into NetObserv records: the line's fields plus the stream labels
// (without the static ones), newest first.
func (r *queryResponse) records(static map[string]string, limit int) ([]map[string]any, error) {
	if r.Data.ResultType != "streams" {
		return nil, fmt.Errorf("loki: expected streams, got %q", r.Data.ResultType)
	}
	var streams []stream
	if err := json.Unmarshal(r.Data.Result, &streams); err != nil {
		return nil, fmt.Errorf("loki: decode streams: %w", err)
	}
	type entry struct {
		ts  int64
		rec map[string]any
	}
	var entries []entry
	for _, s := range streams {
		for _, v := range s.Values {
			ts, err := strconv.ParseInt(v[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("loki: bad timestamp %q", v[0])
			}
			rec := map[string]any{}
			d := json.NewDecoder(strings.NewReader(v[1]))
			d.UseNumber()
			if err := d.Decode(&rec); err != nil {
				continue // not a flow line; lokiflow never writes one
			}
			for k, n := range rec {
				rec[k] = number(n)
			}
			for k, lv := range s.Stream {
				if _, isStatic := static[k]; isStatic {
					continue
				}
				if flowquery.IsNumeric(k) {
					if n, err := strconv.ParseInt(lv, 10, 64); err == nil {
						rec[k] = n
						continue
					}
				}
				rec[k] = lv
			}
			entries = append(entries, entry{ts, rec})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].ts > entries[j].ts })
	if len(entries) > limit {
		entries = entries[:limit]
	}
	out := make([]map[string]any, len(entries))
	for i, e := range entries {
		out[i] = e.rec
	}
	return out, nil
}

// number turns json.Number into int64 or float64; other values are kept.
func number(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = number(x[i])
		}
	}
	return v
}

// series turns a matrix into series labelled by the scope's fields, with their totals.
func (r *queryResponse) series(q flowquery.Metrics, fields []string) ([]flowquery.Series, error) {
	if r.Data.ResultType != "matrix" {
		return nil, fmt.Errorf("loki: expected a matrix, got %q", r.Data.ResultType)
	}
	out, err := backend.ParseMatrix(r.Data.Result, q, fields, flow.LokiLabelName, 1)
	if err != nil {
		return nil, fmt.Errorf("loki: %w", err)
	}
	return out, nil
}

func readSome(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	return string(bytes.TrimSpace(b))
}

func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("bearer token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
