// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package server // import "github.com/flowlens/flowlens/console/internal/server"

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// paramError is bad input: the API answers 400 with it.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

func badParam(format string, args ...any) error { return &paramError{fmt.Sprintf(format, args...)} }

const (
	defaultRange   = 5 * time.Minute
	defaultLimit   = 100
	maxLimit       = 10_000
	defaultTopN    = 5
	maxTopN        = 100
	minStep        = 15 * time.Second
	maxPointsRange = 1000 // steps per series at most
)

// timeRange reads startTime/endTime (unix seconds) or timeRange (seconds back from now).
func timeRange(q url.Values, now time.Time) (time.Time, time.Time, error) {
	end := now
	if s := q.Get("endTime"); s != "" {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || sec <= 0 {
			return time.Time{}, time.Time{}, badParam("endTime: %q is not a unix time in seconds", s)
		}
		end = time.UnixMilli(int64(sec * 1000))
	}
	start := end.Add(-defaultRange)
	if s := q.Get("timeRange"); s != "" {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || sec <= 0 {
			return time.Time{}, time.Time{}, badParam("timeRange: %q is not a positive number of seconds", s)
		}
		start = end.Add(-time.Duration(sec * float64(time.Second)))
	}
	if s := q.Get("startTime"); s != "" {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || sec <= 0 {
			return time.Time{}, time.Time{}, badParam("startTime: %q is not a unix time in seconds", s)
		}
		start = time.UnixMilli(int64(sec * 1000))
	}
	if !end.After(start) {
		return time.Time{}, time.Time{}, badParam("startTime: must be before endTime")
	}
	return start, end, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badParam("%s: %q must be a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

func filtersParam(q url.Values) (flowquery.Filters, error) {
	f, err := flowquery.Parse(q.Get("filters"))
	if err != nil {
		return nil, badParam("filters: %v", err)
	}
	return f, nil
}

func recordsQuery(q url.Values, now time.Time) (flowquery.Records, error) {
	start, end, err := timeRange(q, now)
	if err != nil {
		return flowquery.Records{}, err
	}
	f, err := filtersParam(q)
	if err != nil {
		return flowquery.Records{}, err
	}
	limit, err := intParam(q, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return flowquery.Records{}, err
	}
	return flowquery.Records{Start: start, End: end, Filters: f, Limit: limit}, nil
}

// step reads "30", "30s" or "1m"; by default a sixtieth of the range, at least 15 s.
func step(q url.Values, start, end time.Time) (time.Duration, error) {
	rng := end.Sub(start)
	s := q.Get("step")
	var d time.Duration
	switch {
	case s == "":
		d = max(rng/60, minStep).Round(time.Second)
	default:
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			d = time.Duration(n * float64(time.Second))
		} else if d, err = time.ParseDuration(s); err != nil {
			return 0, badParam("step: %q is not seconds or a duration like 30s", s)
		}
		if d < time.Second {
			return 0, badParam("step: %q must be at least 1s", s)
		}
	}
	if rng/d > maxPointsRange {
		return 0, badParam("step: %s gives more than %d points over %s; use at least %s", d, maxPointsRange, rng, (rng / maxPointsRange).Round(time.Second))
	}
	return d, nil
}

func metricsQuery(q url.Values, now time.Time) (flowquery.Metrics, error) {
	start, end, err := timeRange(q, now)
	if err != nil {
		return flowquery.Metrics{}, err
	}
	f, err := filtersParam(q)
	if err != nil {
		return flowquery.Metrics{}, err
	}
	top, err := intParam(q, "limit", defaultTopN, 1, maxTopN)
	if err != nil {
		return flowquery.Metrics{}, err
	}
	st, err := step(q, start, end)
	if err != nil {
		return flowquery.Metrics{}, err
	}
	m := flowquery.Metrics{
		Start: start, End: end, Filters: f, Step: st, Limit: top,
		Type:     flowquery.MetricType(orDefault(q.Get("type"), string(flowquery.TypeBytes))),
		Function: flowquery.Function(orDefault(q.Get("function"), string(flowquery.FuncRate))),
		Scope:    flowquery.Scope(orDefault(q.Get("aggregateBy"), string(flowquery.ScopeNamespace))),
	}
	if err := m.Validate(); err != nil {
		return flowquery.Metrics{}, badParam("%v", err)
	}
	return m, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
