// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	def := createDefaultConfig().(*Config)
	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: def},
		{name: "custom", want: &Config{
			IncludeList:        []string{"node_ingress_bytes_total", "workload_ingress_bytes_total", "workload_egress_bytes_total", "namespace_flows_total", "namespace_rtt_seconds"},
			MaxSeriesPerMetric: 5000, SeriesExpiry: 5 * time.Minute, FlushInterval: 15 * time.Second,
			Metrics: []MetricConfig{
				{
					Name: "netobserv_custom_bytes_total", Type: "counter", ValueField: "Bytes",
					Filters: []FilterConfig{{Field: "SrcK8S_Namespace", Value: "default", MatchType: "Equal"}},
					Labels:  []string{"DstK8S_Namespace"}, Direction: "Egress",
				},
				{
					Name: "netobserv_dns_latency_by_name_seconds", Type: "histogram", ValueField: "network.flow.dns.latency",
					Filters: []FilterConfig{{Field: "DnsFlagsResponseCode", Value: "NOERROR|NXDOMAIN", MatchType: "MatchRegex"}},
					Labels:  []string{"dns.question.name"}, Buckets: []float64{0.001, 0.01, 0.1, 1}, Divider: 1e9,
				},
			},
		}},
		{name: "no_predefined", want: func() *Config { c := *def; c.IncludeList = []string{}; return &c }()},
		{name: "bad_include", wantErr: []string{
			"include_list: unknown metric(s) pod_bytes_total; allowed: namespace_dns_latency_seconds, ",
			`include_list: "workload_ingress_bytes_total" is listed twice`,
		}},
		{name: "bad_guard", wantErr: []string{
			"max_series_per_metric: 0 must be at least 1",
			"series_expiry: -1s must not be negative (0 = never)",
			"flush_interval: 0s must be positive",
		}},
		{name: "expiry_below_flush", wantErr: []string{"series_expiry: 10s is shorter than flush_interval 15s"}},
		{name: "bad_metrics", wantErr: []string{
			`metrics[0].name: "netobserv_namespace_flows_total" is defined twice`,
			`metrics[1].name: "bad name" must match`,
			`metrics[1].type: "summary" is not valid, must be one of counter, gauge, histogram`,
			`metrics[1].value_field: SrcK8S_Namespace is not a numeric field`,
			`metrics[1].buckets: only histograms have buckets`,
			`metrics[1].buckets: must be strictly increasing (0.5 after 1)`,
			`metrics[1].divider: -1 must not be negative`,
			`metrics[1].direction: "Sideways" is not valid, must be one of Any, Ingress, Egress`,
			`metrics[2].value_field: a gauge needs a value field`,
			`metrics[3].name: counter "netobserv_pkts" must end with _total`,
			`metrics[3].filters[0].field: unknown field "Nope"`,
			`metrics[3].filters[1].value: error parsing regexp`,
			`metrics[3].filters[2].match_type: "Like" is not valid, must be one of Equal, NotEqual, Presence, Absence, MatchRegex, NotMatchRegex`,
			`metrics[3].labels[1]: "SrcK8S_Namespace" is listed twice`,
			`metrics[3].labels[2]: unknown field "IPSecStatus"`,
		}},
	}
	for _, tt := range tests {
		t.Run("flowmetrics/"+tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := createDefaultConfig()
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestIncludeListNames checks the names include_list accepts: NetObserv's 37 predefined
// metrics, its default list among them.
func TestIncludeListNames(t *testing.T) {
	t.Parallel()
	names := PredefinedNames()
	assert.Len(t, names, 37)
	for _, n := range DefaultIncludeList {
		assert.Contains(t, names, n)
	}
	for _, n := range []string{"node_to_node_ingress_flows_total", "workload_dns_latency_seconds", "namespace_sampling", "node_ipsec_flows_total"} {
		assert.Contains(t, names, n)
	}
}

// TestReadmeExampleMatchesTestdata keeps the README's configuration example equal to the
// flowmetrics/custom entry of testdata/config.yaml.
func TestReadmeExampleMatchesTestdata(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	testdata, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	example := between(t, string(readme), "```yaml\nconnectors:\n  flowmetrics:\n", "```")
	entry := between(t, string(testdata), "flowmetrics/custom:\n", "flowmetrics/no_predefined:")
	// The README indents the keys two more spaces (under connectors:).
	var unindented []string
	for _, l := range strings.Split(strings.TrimRight(example, "\n"), "\n") {
		unindented = append(unindented, strings.TrimPrefix(l, "  "))
	}
	assert.Equal(t, strings.TrimRight(entry, "\n"), strings.Join(unindented, "\n"))
}

func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	require.GreaterOrEqual(t, i, 0, "missing %q", start)
	s = s[i+len(start):]
	j := strings.Index(s, end)
	require.GreaterOrEqual(t, j, 0, "missing %q", end)
	return s[:j]
}
