// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package prombackend // import "github.com/flowlens/flowlens/console/internal/backend/prombackend"

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

// family is a group of NetObserv's predefined metrics and the labels they carry (the
// flowmetrics connector's node, namespace and workload label sets).
type family struct {
	name   string
	labels []string
}

var (
	nodeFamily      = family{"node", []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_HostName", "DstK8S_HostName"}}
	namespaceFamily = family{"namespace", []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_Namespace", "DstK8S_Namespace",
		"K8S_FlowLayer", "SrcSubnetLabel", "DstSubnetLabel"}}
	workloadFamily = family{"workload", append(slices.Clone(namespaceFamily.labels),
		"SrcK8S_OwnerName", "DstK8S_OwnerName", "SrcK8S_OwnerType", "DstK8S_OwnerType", "SrcK8S_Type", "DstK8S_Type")}
	// families in order of preference: the fewest series first.
	families = []family{nodeFamily, namespaceFamily, workloadFamily}
)

// metricNames lists, per metric type, the candidate metric names after "netobserv_<family>_",
// in order of preference, and whether they are histograms.
var metricNames = map[flowquery.MetricType]struct {
	names     []string
	histogram bool
}{
	flowquery.TypeBytes:       {[]string{"ingress_bytes_total", "egress_bytes_total"}, false},
	flowquery.TypePackets:     {[]string{"ingress_packets_total", "egress_packets_total"}, false},
	flowquery.TypeFlows:       {[]string{"flows_total"}, false},
	flowquery.TypeDropBytes:   {[]string{"drop_bytes_total"}, false},
	flowquery.TypeDropPackets: {[]string{"drop_packets_total"}, false},
	flowquery.TypeDNSLatency:  {[]string{"dns_latency_seconds"}, true},
	flowquery.TypeRTT:         {[]string{"rtt_seconds"}, true},
	flowquery.TypeDNSFlows:    {[]string{"dns_latency_seconds_count"}, false},
}

// choice is the metric a query runs on.
type choice struct {
	metric    string
	histogram bool
}

// choose picks the smallest family that has a metric of the type and every label the query
// needs, among the metrics that exist; or says why none fits.
func choose(q flowquery.Metrics, exists func(string) bool) (choice, error) {
	mn, ok := metricNames[q.Type]
	if !ok {
		return choice{}, fmt.Errorf("no NetObserv metric for %s", q.Type)
	}
	needed := slices.Clone(q.Scope.Fields())
	for _, g := range q.Filters {
		for _, m := range g {
			if !slices.Contains(needed, m.Field) {
				needed = append(needed, m.Field)
			}
		}
	}
	var missing []string
	for _, f := range families {
		lacks := ""
		for _, l := range needed {
			if !slices.Contains(f.labels, l) {
				lacks = l
				break
			}
		}
		for _, n := range mn.names {
			name := "netobserv_" + f.name + "_" + n
			probe := name
			if mn.histogram {
				probe += "_bucket"
			}
			if !exists(probe) {
				continue
			}
			if lacks != "" {
				missing = append(missing, name+" has no label "+lacks)
				continue
			}
			return choice{metric: name, histogram: mn.histogram}, nil
		}
	}
	if len(missing) == 0 {
		return choice{}, fmt.Errorf("no metric netobserv_{node,namespace,workload}_%s in Prometheus (add it to the flowmetrics include_list)", mn.names[0])
	}
	return choice{}, fmt.Errorf("no metric has the labels this query needs: %s", strings.Join(missing, "; "))
}

// selectors turns the filters into one label selector per group.
func selectors(metric string, fs flowquery.Filters) ([]string, error) {
	if len(fs) == 0 {
		return []string{metric}, nil
	}
	out := make([]string, 0, len(fs))
	for _, g := range fs {
		ms := make([]string, 0, len(g))
		for _, m := range g {
			s, err := matcher(m)
			if err != nil {
				return nil, err
			}
			ms = append(ms, s)
		}
		out = append(out, metric+"{"+strings.Join(ms, ", ")+"}")
	}
	return out, nil
}

func matcher(m flowquery.Match) (string, error) {
	if m.Op == flowquery.OpGreaterEqual {
		return "", fmt.Errorf("%s>=: metric labels cannot be compared as numbers", m.Field)
	}
	neg := m.Op == flowquery.OpNotEqual || m.Op == flowquery.OpNotRegex
	if len(m.Values) == 1 && m.Values[0].Exact && m.Op != flowquery.OpRegex && m.Op != flowquery.OpNotRegex {
		op := "="
		if neg {
			op = "!="
		}
		return m.Field + op + strconv.Quote(m.Values[0].Text), nil
	}
	alts := make([]string, 0, len(m.Values))
	for _, v := range m.Values {
		alts = append(alts, v.WholeRegex(m.Op))
	}
	op := "=~"
	if neg {
		op = "!~"
	}
	return m.Field + op + strconv.Quote(strings.Join(alts, "|")), nil
}

// query writes the PromQL of a metric query summed by the fields.
func query(q flowquery.Metrics, c choice, fields []string, rateInterval time.Duration) (string, float64, error) {
	rng := "[" + backend.PromDuration(max(q.Step, rateInterval)) + "]"
	by := "sum by (" + strings.Join(fields, ", ") + ")"
	// union of the groups' raw series: "or" keeps a series matching several groups once.
	union := func(metric, fn string) (string, error) {
		sels, err := selectors(metric, q.Filters)
		if err != nil {
			return "", err
		}
		parts := make([]string, len(sels))
		for i, s := range sels {
			parts[i] = fn + "(" + s + rng + ")"
		}
		return strings.Join(parts, " or "), nil
	}
	if !c.histogram {
		fn := "rate"
		switch q.Function {
		case flowquery.FuncRate:
		case flowquery.FuncSum:
			fn = "increase"
			rng = "[" + backend.PromDuration(q.Step) + "]"
		default:
			return "", 0, fmt.Errorf("function %s: a counter has rate or sum", q.Function)
		}
		u, err := union(c.metric, fn)
		if err != nil {
			return "", 0, err
		}
		return by + " (" + u + ")", 1, nil
	}
	scale := 1000.0 // seconds to milliseconds
	switch q.Function {
	case flowquery.FuncAvg, flowquery.FuncRate, flowquery.FuncSum:
		sum, err := union(c.metric+"_sum", "rate")
		if err != nil {
			return "", 0, err
		}
		count, err := union(c.metric+"_count", "rate")
		if err != nil {
			return "", 0, err
		}
		return by + " (" + sum + ") / " + by + " (" + count + ")", scale, nil
	case flowquery.FuncP90, flowquery.FuncP99:
		qv := map[flowquery.Function]string{flowquery.FuncP90: "0.9", flowquery.FuncP99: "0.99"}[q.Function]
		b, err := union(c.metric+"_bucket", "rate")
		if err != nil {
			return "", 0, err
		}
		le := append(slices.Clone(fields), "le")
		return "histogram_quantile(" + qv + ", sum by (" + strings.Join(le, ", ") + ") (" + b + "))", scale, nil
	}
	return "", 0, fmt.Errorf("function %s: a histogram has avg, p90 or p99", q.Function)
}
