// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/pkg/flow"
)

// defaultBuckets are Prometheus' default histogram buckets, for custom histograms without any.
var defaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

type kind uint8

const (
	kindCounter kind = iota
	kindGauge
	kindHistogram
)

// matchKind is a compiled match type.
type matchKind uint8

const (
	matchEqual matchKind = iota
	matchNotEqual
	matchPresence
	matchAbsence
	matchRegex
	matchNotRegex
)

// filter is a compiled filter: field is an index into plan.fields.
type filter struct {
	field int
	kind  matchKind
	value string
	re    *regexp.Regexp
}

// label is one label of a metric: its output name and its field.
type label struct {
	name  string
	field int
}

// metricDef is a compiled metric, predefined or custom.
type metricDef struct {
	name, description, unit string
	kind                    kind
	value                   int // field index; -1 counts records
	filters                 []filter
	labels                  []label
	labelSet                int // index into plan.labelSets: metrics with equal labels share a key per record
	bounds                  []float64
	divider                 float64
	scale                   bool // multiply by the sampling rate (counters of a value field)
	intValued               bool // every value is an integer: emit int data points
}

// plan is everything compiled from the configuration: the fields records are read for and the
// metrics built from them.
type plan struct {
	fields    []fieldRef
	recSlots  map[string]int // record attribute name -> slot
	resSlots  map[string]int // resource attribute name -> slot
	fieldRec  []int          // per field: record slot or -1
	fieldRes  []int          // per field: resource slot or -1
	derived   [2][4]int      // per derivation (src, dst): fields of type, pod, service, node names
	sampling  int            // field of network.flow.sampling_rate
	labelSets [][]int        // field indexes of each distinct label list
	metrics   []*metricDef
}

// compile turns a validated configuration into a plan.
func compile(cfg *Config) *plan {
	p := &plan{recSlots: map[string]int{}, resSlots: map[string]int{}}
	byKey := map[string]int{}
	addField := func(f fieldRef) int {
		k := f.key()
		if i, ok := byKey[k]; ok {
			return i
		}
		i := len(p.fields)
		byKey[k] = i
		p.fields = append(p.fields, f)
		rec, res := -1, -1
		slot := func(m map[string]int, attr string) int {
			if s, ok := m[attr]; ok {
				return s
			}
			m[attr] = len(m)
			return m[attr]
		}
		switch {
		case f.attr == "":
		case f.anyLevel:
			rec, res = slot(p.recSlots, f.attr), slot(p.resSlots, f.attr)
		case f.resource:
			res = slot(p.resSlots, f.attr)
		default:
			rec = slot(p.recSlots, f.attr)
		}
		p.fieldRec = append(p.fieldRec, rec)
		p.fieldRes = append(p.fieldRes, res)
		return i
	}
	mustField := func(name string, lenient bool) int {
		f, _ := resolveField(name, lenient) // names were validated (or are ours)
		return addField(f)
	}
	for d, prefix := range []string{"source.", "destination."} {
		for j, attr := range []string{"k8s.resource.type", "k8s.pod.name", "k8s.service.name", "k8s.node.name"} {
			p.derived[d][j] = mustField(prefix+attr, false)
		}
	}
	p.sampling = mustField(flow.AttrSamplingRate, false)

	labelSets := map[string]int{}
	build := func(m *MetricConfig, description, unit string, lenient bool) {
		d := &metricDef{name: m.Name, description: description, unit: unit, value: -1, divider: m.Divider}
		switch strings.ToLower(m.Type) {
		case TypeGauge:
			d.kind = kindGauge
		case TypeHistogram:
			d.kind = kindHistogram
			d.bounds = m.Buckets
			if len(d.bounds) == 0 {
				d.bounds = defaultBuckets
			}
		}
		if d.divider == 0 {
			d.divider = 1
		}
		d.intValued = d.kind != kindHistogram && d.divider == 1
		if m.ValueField != "" {
			d.value = mustField(m.ValueField, lenient)
			f := p.fields[d.value]
			d.intValued = d.intValued && f.known && f.typ == flow.TypeInt && f.conv == flow.ConvNone
			d.scale = cfg.ScaleBySampling && d.kind == kindCounter
		}
		for _, fc := range m.Filters {
			d.filters = append(d.filters, compileFilter(fc, mustField(fc.Field, lenient)))
		}
		switch dir, _ := parseDirection(m.Direction); dir {
		case dirIngress: // NetObserv: FlowDirection != 1 (egress)
			d.filters = append(d.filters, filter{field: mustField("FlowDirection", false), kind: matchNotEqual, value: "1"})
		case dirEgress: // NetObserv: FlowDirection != 0 (ingress)
			d.filters = append(d.filters, filter{field: mustField("FlowDirection", false), kind: matchNotEqual, value: "0"})
		}
		var set []int
		var sig strings.Builder
		for _, l := range m.Labels {
			f, _ := resolveField(l, lenient)
			if f.absent {
				continue // a label flowlens cannot fill: NetObserv drops it when its feature is off
			}
			i := addField(f)
			d.labels = append(d.labels, label{name: l, field: i})
			set = append(set, i)
			sig.WriteString(strconv.Itoa(i))
			sig.WriteByte(',')
		}
		ls, ok := labelSets[sig.String()]
		if !ok {
			ls = len(p.labelSets)
			labelSets[sig.String()] = ls
			p.labelSets = append(p.labelSets, set)
		}
		d.labelSet = ls
		p.metrics = append(p.metrics, d)
	}
	for _, n := range cfg.IncludeList {
		pd := predefinedByName[n]
		m := pd.MetricConfig
		m.Name = predefinedPrefix + m.Name
		build(&m, pd.description, pd.unit, true)
	}
	for i := range cfg.Metrics {
		build(&cfg.Metrics[i], "Custom flow metric "+cfg.Metrics[i].Name+".", "", false)
	}
	return p
}

func compileFilter(fc FilterConfig, field int) filter {
	f := filter{field: field, value: fc.Value}
	switch fc.MatchType {
	case MatchNotEqual:
		f.kind = matchNotEqual
	case MatchPresence:
		f.kind = matchPresence
	case MatchAbsence:
		f.kind = matchAbsence
	case MatchRegex, MatchNotMatchRegex:
		f.kind = matchRegex
		if fc.MatchType == MatchNotMatchRegex {
			f.kind = matchNotRegex
		}
		f.re = regexp.MustCompile(fc.Value) // validated
	}
	return f
}
