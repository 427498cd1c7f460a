// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokibackend // import "github.com/flowlens/flowlens/console/internal/backend/lokibackend"

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// queryBuilder writes LogQL over what the lokiflow exporter pushes: stream labels for the
// configured fields (plus the static labels), the other fields in a JSON line.
type queryBuilder struct {
	static map[string]string // e.g. app=netobserv-flowcollector
	labels map[string]bool   // fields that are stream labels
}

func newQueryBuilder(static map[string]string, labels []string) *queryBuilder {
	b := &queryBuilder{static: static, labels: map[string]bool{}}
	for _, l := range labels {
		b.labels[l] = true
	}
	return b
}

// selector is the stream selector: the static labels, plus, when there is one filter group,
// its exact and substring matches on label fields (they narrow the streams Loki reads).
func (b *queryBuilder) selector(fs flowquery.Filters) (string, flowquery.Filters) {
	var ms []string
	keys := make([]string, 0, len(b.static))
	for k := range b.static {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ms = append(ms, k+"="+strconv.Quote(b.static[k]))
	}
	rest := fs
	if len(fs) == 1 {
		var left flowquery.Group
		for _, m := range fs[0] {
			if sel, ok := b.streamMatcher(m); ok {
				ms = append(ms, sel)
			} else {
				left = append(left, m)
			}
		}
		rest = nil
		if len(left) > 0 {
			rest = flowquery.Filters{left}
		}
	}
	return "{" + strings.Join(ms, ", ") + "}", rest
}

// streamMatcher turns a match on a label field into a stream matcher; empty values and
// numeric comparisons stay in the pipeline.
func (b *queryBuilder) streamMatcher(m flowquery.Match) (string, bool) {
	if !b.labels[m.Field] || m.Op == flowquery.OpGreaterEqual {
		return "", false
	}
	var alts []string
	for _, v := range m.Values {
		if v.Text == "" {
			return "", false // an absent label: a stream matcher "" also matches... keep it exact below
		}
		alts = append(alts, v.WholeRegex(m.Op))
	}
	op := "=~"
	if m.Op == flowquery.OpNotEqual || m.Op == flowquery.OpNotRegex {
		op = "!~"
	}
	return flow.LokiLabelName(m.Field) + op + strconv.Quote(strings.Join(alts, "|")), true
}

// pipeline is "| json | <label filter expression>" for the filters the selector did not take.
func (b *queryBuilder) pipeline(fs flowquery.Filters) string {
	p := " | json"
	if len(fs) == 0 {
		return p
	}
	groups := make([]string, 0, len(fs))
	for _, g := range fs {
		conds := make([]string, 0, len(g))
		for _, m := range g {
			conds = append(conds, matchExpr(m))
		}
		groups = append(groups, "("+strings.Join(conds, " and ")+")")
	}
	return p + " | " + strings.Join(groups, " or ")
}

func matchExpr(m flowquery.Match) string {
	name := flow.LokiLabelName(m.Field)
	alts := make([]string, 0, len(m.Values))
	for _, v := range m.Values {
		alts = append(alts, valueExpr(name, m.Field, m.Op, v))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	joiner := " or "
	if m.Op == flowquery.OpNotEqual || m.Op == flowquery.OpNotRegex {
		joiner = " and " // none of the values
	}
	return "(" + strings.Join(alts, joiner) + ")"
}

func valueExpr(name, field string, op flowquery.Op, v flowquery.Value) string {
	neg := op == flowquery.OpNotEqual || op == flowquery.OpNotRegex
	eq, re := "=", "=~"
	if neg {
		eq, re = "!=", "!~"
	}
	switch {
	case op == flowquery.OpGreaterEqual:
		return name + " >= " + v.Text
	case op == flowquery.OpRegex || op == flowquery.OpNotRegex:
		return name + re + strconv.Quote(v.WholeRegex(op))
	case flowquery.IsAddress(field):
		// Whole address or CIDR; ip() matches both.
		return name + eq + "ip(" + strconv.Quote(v.Text) + ")"
	case v.Exact:
		return name + eq + strconv.Quote(v.Text)
	case flowquery.IsNumeric(field):
		if _, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
			if neg {
				return name + " != " + v.Text
			}
			return name + " == " + v.Text
		}
	}
	return name + re + strconv.Quote(v.WholeRegex(op))
}

// recordsQuery is the LogQL of a records query.
func (b *queryBuilder) recordsQuery(fs flowquery.Filters) string {
	sel, rest := b.selector(fs)
	if len(rest) == 0 {
		return sel // no | json: the line is parsed here, not by Loki
	}
	return sel + b.pipeline(rest)
}

// metricQuery is the LogQL of a metric over the range vector [step], summed by the fields.
func (b *queryBuilder) metricQuery(q flowquery.Metrics, by []string) (string, error) {
	sel, rest := b.selector(q.Filters)
	pipe := b.pipeline(rest)
	rng := "[" + backend.PromDuration(q.Step) + "]"
	unwrap := func(field string) string {
		return pipe + " | " + flow.LokiLabelName(field) + `!="" | unwrap ` + flow.LokiLabelName(field)
	}
	var inner string
	switch q.Type {
	case flowquery.TypeBytes, flowquery.TypePackets, flowquery.TypeDropBytes, flowquery.TypeDropPackets:
		fn := "sum_over_time"
		if q.Function == flowquery.FuncRate {
			fn = "rate"
		}
		inner = fn + "(" + sel + unwrap(string(q.Type)) + rng + ")"
	case flowquery.TypeFlows, flowquery.TypeDNSFlows:
		fn := "count_over_time"
		if q.Function == flowquery.FuncRate {
			fn = "rate"
		}
		p := pipe
		if q.Type == flowquery.TypeDNSFlows {
			p += ` | DnsId!=""`
		}
		inner = fn + "(" + sel + p + rng + ")"
	case flowquery.TypeDNSLatency, flowquery.TypeRTT:
		var fn string
		switch q.Function {
		case flowquery.FuncAvg, flowquery.FuncRate, flowquery.FuncSum:
			fn = "avg_over_time("
		case flowquery.FuncMax:
			fn = "max_over_time("
		case flowquery.FuncMin:
			fn = "min_over_time("
		case flowquery.FuncP90:
			fn = "quantile_over_time(0.9, "
		case flowquery.FuncP99:
			fn = "quantile_over_time(0.99, "
		}
		inner = fn + sel + unwrap(string(q.Type)) + rng + ")"
		if q.Type == flowquery.TypeRTT {
			inner = "(" + inner + " / 1000000)" // ns to ms
		}
	default:
		return "", fmt.Errorf("type: %q has no LogQL", q.Type)
	}
	agg := "sum"
	switch {
	case q.Type == flowquery.TypeDNSLatency || q.Type == flowquery.TypeRTT:
		agg = map[flowquery.Function]string{flowquery.FuncMax: "max", flowquery.FuncMin: "min"}[q.Function]
		if agg == "" {
			agg = "avg"
		}
	case q.Function == flowquery.FuncMax:
		agg = "max"
	case q.Function == flowquery.FuncMin:
		agg = "min"
	}
	labels := make([]string, len(by))
	for i, f := range by {
		labels[i] = flow.LokiLabelName(f)
	}
	return agg + " by (" + strings.Join(labels, ", ") + ") (" + inner + ")", nil
}
