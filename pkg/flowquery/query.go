// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowquery // import "github.com/flowlens/flowlens/pkg/flowquery"

import (
	"fmt"
	"sort"
	"time"
)

// Records asks for flow records, newest first.
type Records struct {
	Start, End time.Time
	Filters    Filters
	Limit      int
}

// MetricType is what a metric query measures.
type MetricType string

const (
	TypeBytes       MetricType = "Bytes"
	TypePackets     MetricType = "Packets"
	TypeFlows       MetricType = "Flows"
	TypeDropBytes   MetricType = "PktDropBytes"
	TypeDropPackets MetricType = "PktDropPackets"
	TypeDNSLatency  MetricType = "DnsLatencyMs"
	TypeRTT         MetricType = "TimeFlowRttNs"
	TypeDNSFlows    MetricType = "DnsFlows"
)

// Function is how values combine in a step.
type Function string

const (
	FuncRate Function = "rate" // per second, for counters
	FuncSum  Function = "sum"
	FuncAvg  Function = "avg"
	FuncMax  Function = "max"
	FuncMin  Function = "min"
	FuncP90  Function = "p90"
	FuncP99  Function = "p99"
)

// Metrics asks for time series aggregated by a scope, the top Limit series by total.
type Metrics struct {
	Start, End time.Time
	Filters    Filters
	Type       MetricType
	Function   Function
	Scope      Scope
	Step       time.Duration
	Limit      int // top N
}

// Validate checks a metric query.
func (m *Metrics) Validate() error {
	switch m.Type {
	case TypeBytes, TypePackets, TypeFlows, TypeDropBytes, TypeDropPackets, TypeDNSLatency, TypeRTT, TypeDNSFlows:
	default:
		return fmt.Errorf("type: %q is not valid, must be one of Bytes, Packets, Flows, PktDropBytes, PktDropPackets, DnsLatencyMs, TimeFlowRttNs, DnsFlows", m.Type)
	}
	switch m.Function {
	case FuncRate, FuncSum, FuncAvg, FuncMax, FuncMin, FuncP90, FuncP99:
	default:
		return fmt.Errorf("function: %q is not valid, must be one of rate, sum, avg, max, min, p90, p99", m.Function)
	}
	if _, ok := scopes[m.Scope]; !ok {
		return fmt.Errorf("aggregateBy: %q is not valid, must be one of %s", m.Scope, ScopeNames())
	}
	if m.Step <= 0 {
		return fmt.Errorf("step: must be positive")
	}
	if !m.End.After(m.Start) {
		return fmt.Errorf("time range: end must be after start")
	}
	return nil
}

// Series is one aggregated time series.
type Series struct {
	Labels map[string]string `json:"labels"`
	Values [][2]float64      `json:"values"` // [unix seconds, value]
	Total  float64           `json:"total"`  // see Metrics.Total
}

// Total is a series' value over the whole range of q, what the top N ranks by and the UI shows
// as its total: the mean rate over the range for rate (the amount divided by the range); the
// amount for sum; the mean of the steps for avg; the largest step for max, p90 and p99; the
// smallest for min.
func (q *Metrics) Total(vs [][2]float64) float64 {
	return seriesTotal(vs, q.Function, q.Step, q.End.Sub(q.Start))
}

func seriesTotal(vs [][2]float64, fn Function, step, rng time.Duration) float64 {
	if len(vs) == 0 {
		return 0
	}
	acc := vs[0][1]
	var sum float64
	for _, v := range vs {
		sum += v[1]
		switch fn {
		case FuncMax, FuncP90, FuncP99:
			acc = max(acc, v[1])
		case FuncMin:
			acc = min(acc, v[1])
		}
	}
	switch fn {
	case FuncRate:
		return sum * step.Seconds() / max(rng.Seconds(), step.Seconds())
	case FuncSum:
		return sum
	case FuncAvg:
		return sum / float64(len(vs))
	}
	return acc
}

// Top sorts series by total, keeps the first limit, and returns them with the total series
// (the first of totals, with no labels): what every backend's metric query returns.
func Top(series, totals []Series, limit int) ([]Series, Series) {
	sort.SliceStable(series, func(i, j int) bool { return series[i].Total > series[j].Total })
	if limit > 0 && len(series) > limit {
		series = series[:limit]
	}
	var total Series
	if len(totals) > 0 {
		total = totals[0]
	}
	total.Labels = map[string]string{}
	return series, total
}
