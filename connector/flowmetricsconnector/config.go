// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
)

var _ component.Config = (*Config)(nil)

// Metric types (NetObserv's FlowMetric type, compared case-insensitively).
const (
	TypeCounter   = "counter"
	TypeGauge     = "gauge"
	TypeHistogram = "histogram"
)

// Directions of a metric (NetObserv's FlowMetric direction, compared case-insensitively).
const (
	DirectionAny     = "Any"
	DirectionIngress = "Ingress"
	DirectionEgress  = "Egress"
)

// Filter match types (NetObserv's FlowMetric matchType).
const (
	MatchEqual         = "Equal"
	MatchNotEqual      = "NotEqual"
	MatchPresence      = "Presence"
	MatchAbsence       = "Absence"
	MatchRegex         = "MatchRegex"
	MatchNotMatchRegex = "NotMatchRegex"
)

var matchTypes = []string{MatchEqual, MatchNotEqual, MatchPresence, MatchAbsence, MatchRegex, MatchNotMatchRegex}

// Config is the flowmetrics connector's configuration.
type Config struct {
	// IncludeList names the predefined NetObserv families to produce, without the netobserv_
	// prefix (workload_ingress_bytes_total...). Default: NetObserv's default list. An explicit
	// empty list produces no predefined metric.
	IncludeList []string `mapstructure:"include_list"`
	// ScaleBySampling multiplies every counter that sums a value field (bytes, packets, drops)
	// by the record's network.flow.sampling_rate. Default false, as in NetObserv.
	ScaleBySampling bool `mapstructure:"scale_by_sampling"`
	// MaxSeriesPerMetric is the cardinality guard: label sets a metric may hold. Past it, records
	// with a new label set are counted in one overflow series per metric. Default 5000.
	MaxSeriesPerMetric int `mapstructure:"max_series_per_metric"`
	// SeriesExpiry drops a series that has not been updated for this long (0 = never). Default 5m.
	SeriesExpiry time.Duration `mapstructure:"series_expiry"`
	// FlushInterval is how often every held series is emitted, cumulative. Default 15s.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// Metrics are custom metrics in the shape of NetObserv's FlowMetric. Default none.
	Metrics []MetricConfig `mapstructure:"metrics"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// MetricConfig is one custom metric (NetObserv FlowMetric shape).
type MetricConfig struct {
	// Name is the full metric name (Prometheus syntax); counters must end with _total.
	Name string `mapstructure:"name"`
	// Type is counter, gauge or histogram.
	Type string `mapstructure:"type"`
	// ValueField is the numeric field to add, set or observe, by NetObserv name or attribute
	// name. Empty counts records (counters only).
	ValueField string `mapstructure:"value_field"`
	// Filters must all match for a record to count.
	Filters []FilterConfig `mapstructure:"filters"`
	// Labels are the fields that make the series' label set.
	Labels []string `mapstructure:"labels"`
	// Buckets are the histogram's upper bounds, increasing. Default Prometheus' default buckets.
	Buckets []float64 `mapstructure:"buckets"`
	// Divider divides every value (1e9 turns ns into s). Default 1.
	Divider float64 `mapstructure:"divider"`
	// Direction keeps Ingress (node-level direction not egress) or Egress (not ingress)
	// records; Any (the default) keeps all.
	Direction string `mapstructure:"direction"`
}

// FilterConfig is one filter of a custom metric.
type FilterConfig struct {
	// Field is a NetObserv field name or an attribute name.
	Field string `mapstructure:"field"`
	// Value is compared with the field's value (MatchRegex/NotMatchRegex: a Go regexp).
	Value string `mapstructure:"value"`
	// MatchType is Equal (the default), NotEqual, Presence, Absence, MatchRegex or NotMatchRegex.
	MatchType string `mapstructure:"match_type"`
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// Validate checks the configuration; it needs no I/O.
func (c *Config) Validate() error {
	var errs []error
	var unknown []string
	listed := map[string]bool{}
	for _, n := range c.IncludeList {
		if _, ok := predefinedByName[n]; !ok {
			unknown = append(unknown, n)
		}
		if listed[n] {
			errs = append(errs, fmt.Errorf("include_list: %q is listed twice", n))
		}
		listed[n] = true
	}
	if len(unknown) > 0 {
		errs = append(errs, fmt.Errorf("include_list: unknown metric(s) %s; allowed: %s",
			strings.Join(unknown, ", "), strings.Join(PredefinedNames(), ", ")))
	}
	if c.MaxSeriesPerMetric < 1 {
		errs = append(errs, fmt.Errorf("max_series_per_metric: %d must be at least 1", c.MaxSeriesPerMetric))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flush_interval: %s must be positive", c.FlushInterval))
	}
	if c.SeriesExpiry < 0 {
		errs = append(errs, fmt.Errorf("series_expiry: %s must not be negative (0 = never)", c.SeriesExpiry))
	} else if c.SeriesExpiry > 0 && c.SeriesExpiry < c.FlushInterval {
		errs = append(errs, fmt.Errorf("series_expiry: %s is shorter than flush_interval %s; series would disappear between flushes",
			c.SeriesExpiry, c.FlushInterval))
	}
	names := map[string]bool{}
	for _, n := range c.IncludeList {
		names[predefinedPrefix+n] = true
	}
	for i := range c.Metrics {
		m := &c.Metrics[i]
		if names[m.Name] {
			errs = append(errs, fmt.Errorf("metrics[%d].name: %q is defined twice (include_list or metrics)", i, m.Name))
		}
		names[m.Name] = true
		errs = append(errs, m.validate(fmt.Sprintf("metrics[%d]", i)))
	}
	return errors.Join(errs...)
}

func (m *MetricConfig) validate(at string) error {
	var errs []error
	if !metricName.MatchString(m.Name) {
		errs = append(errs, fmt.Errorf("%s.name: %q must match %s", at, m.Name, metricName))
	}
	typ := strings.ToLower(m.Type)
	switch typ {
	case TypeCounter:
		if !strings.HasSuffix(m.Name, "_total") {
			errs = append(errs, fmt.Errorf("%s.name: counter %q must end with _total (the Prometheus exporter would append it, and queries would miss the configured name)", at, m.Name))
		}
	case TypeGauge, TypeHistogram:
		if m.ValueField == "" {
			errs = append(errs, fmt.Errorf("%s.value_field: a %s needs a value field (only counters may count records)", at, typ))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.type: %q is not valid, must be one of counter, gauge, histogram", at, m.Type))
	}
	if m.ValueField != "" {
		if f, err := resolveField(m.ValueField, false); err != nil {
			errs = append(errs, fmt.Errorf("%s.value_field: %w", at, err))
		} else if !f.numeric() {
			errs = append(errs, fmt.Errorf("%s.value_field: %s is not a numeric field", at, m.ValueField))
		}
	}
	for j, f := range m.Filters {
		fat := fmt.Sprintf("%s.filters[%d]", at, j)
		if _, err := resolveField(f.Field, false); err != nil {
			errs = append(errs, fmt.Errorf("%s.field: %w", fat, err))
		}
		mt := f.MatchType
		if mt == "" {
			mt = MatchEqual
		}
		if !slices.Contains(matchTypes, mt) {
			errs = append(errs, fmt.Errorf("%s.match_type: %q is not valid, must be one of %s", fat, f.MatchType, strings.Join(matchTypes, ", ")))
		}
		if mt == MatchRegex || mt == MatchNotMatchRegex {
			if _, err := regexp.Compile(f.Value); err != nil {
				errs = append(errs, fmt.Errorf("%s.value: %w", fat, err))
			}
		}
	}
	seen := map[string]bool{}
	for j, l := range m.Labels {
		if _, err := resolveField(l, false); err != nil {
			errs = append(errs, fmt.Errorf("%s.labels[%d]: %w", at, j, err))
		}
		if seen[l] {
			errs = append(errs, fmt.Errorf("%s.labels[%d]: %q is listed twice", at, j, l))
		}
		seen[l] = true
	}
	if len(m.Buckets) > 0 && typ != TypeHistogram {
		errs = append(errs, fmt.Errorf("%s.buckets: only histograms have buckets", at))
	}
	for j := 1; j < len(m.Buckets); j++ {
		if m.Buckets[j] <= m.Buckets[j-1] {
			errs = append(errs, fmt.Errorf("%s.buckets: must be strictly increasing (%g after %g)", at, m.Buckets[j], m.Buckets[j-1]))
			break
		}
	}
	if m.Divider < 0 {
		errs = append(errs, fmt.Errorf("%s.divider: %g must not be negative (0 = 1)", at, m.Divider))
	}
	if _, ok := parseDirection(m.Direction); !ok {
		errs = append(errs, fmt.Errorf("%s.direction: %q is not valid, must be one of Any, Ingress, Egress", at, m.Direction))
	}
	return errors.Join(errs...)
}

type direction uint8

const (
	dirAny direction = iota
	dirIngress
	dirEgress
)

func parseDirection(s string) (direction, bool) {
	switch strings.ToLower(s) {
	case "", "any":
		return dirAny, true
	case "ingress":
		return dirIngress, true
	case "egress":
		return dirEgress, true
	}
	return dirAny, false
}
