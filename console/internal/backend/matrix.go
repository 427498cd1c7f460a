// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package backend // import "github.com/flowlens/flowlens/console/internal/backend"

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// ParseMatrix reads the "result" of a Prometheus or Loki range query of resultType matrix:
// [{"metric": {...}, "values": [[unix seconds, "value"], ...]}]. Series are labelled with the
// fields, read from the label label(field), and get their totals; scale multiplies values.
func ParseMatrix(raw json.RawMessage, q flowquery.Metrics, fields []string, label func(string) string, scale float64) ([]flowquery.Series, error) {
	var ms []struct {
		Metric map[string]string `json:"metric"`
		Values [][2]any          `json:"values"`
	}
	if err := json.Unmarshal(raw, &ms); err != nil {
		return nil, fmt.Errorf("decode matrix: %w", err)
	}
	out := make([]flowquery.Series, 0, len(ms))
	for _, m := range ms {
		s := flowquery.Series{Labels: make(map[string]string, len(fields))}
		for _, f := range fields {
			s.Labels[f] = m.Metric[label(f)]
		}
		for _, p := range m.Values {
			t, ok := p[0].(float64)
			vs, ok2 := p[1].(string)
			if !ok || !ok2 {
				return nil, fmt.Errorf("bad sample %v", p)
			}
			v, err := strconv.ParseFloat(vs, 64)
			if err != nil {
				return nil, fmt.Errorf("bad sample value %q", vs)
			}
			if v != v { // NaN: a histogram step without data
				continue
			}
			s.Values = append(s.Values, [2]float64{t, v * scale})
		}
		s.Total = q.Total(s.Values)
		out = append(out, s)
	}
	return out, nil
}

// PromDuration writes a duration as PromQL and LogQL read it (1m30s); at least 1s.
func PromDuration(d time.Duration) string {
	s := int64(d / time.Second)
	if s <= 0 {
		s = 1
	}
	var b strings.Builder
	for _, u := range []struct {
		n   int64
		sfx string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if s >= u.n {
			b.WriteString(strconv.FormatInt(s/u.n, 10) + u.sfx)
			s %= u.n
		}
	}
	return b.String()
}
