// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokibackend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/console/internal/backend"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

func builder() *queryBuilder {
	return newQueryBuilder(map[string]string{"app": "netobserv-flowcollector"}, flow.LokiLabels)
}

func TestRecordsLogQL(t *testing.T) {
	for filter, want := range map[string]string{
		``: `{app="netobserv-flowcollector"}`,
		// Label fields of a single group go to the stream selector.
		`SrcK8S_Namespace="shop"`:                             `{app="netobserv-flowcollector", SrcK8S_Namespace=~"shop"}`,
		`src_namespace="shop",payments & dst_kind!="Service"`: `{app="netobserv-flowcollector", SrcK8S_Namespace=~"shop|(?i).*payments.*", DstK8S_Type!~"Service"}`,
		`FlowDirection=1`:                                     `{app="netobserv-flowcollector", FlowDirection=~"(?i).*1.*"}`,
		// Other fields are label filters after | json.
		`DstPort=443`:                    `{app="netobserv-flowcollector"} | json | (DstPort == 443)`,
		`DstPort!=53,443`:                `{app="netobserv-flowcollector"} | json | ((DstPort != 53 and DstPort != 443))`,
		`SrcAddr=10.128.0.0/16`:          `{app="netobserv-flowcollector"} | json | (SrcAddr=ip("10.128.0.0/16"))`,
		`DstAddr!=10.0.0.1`:              `{app="netobserv-flowcollector"} | json | (DstAddr!=ip("10.0.0.1"))`,
		`DnsName~"svc\.cluster"`:         `{app="netobserv-flowcollector"} | json | (DnsName=~".*(?:svc\\.cluster).*")`,
		`DnsLatencyMs>=10`:               `{app="netobserv-flowcollector"} | json | (DnsLatencyMs >= 10)`,
		`SrcK8S_Name=web`:                `{app="netobserv-flowcollector"} | json | (SrcK8S_Name=~"(?i).*web.*")`,
		`DstK8S_Namespace=""`:            `{app="netobserv-flowcollector"} | json | (DstK8S_Namespace="")`,
		`SrcK8S_Namespace="a" & Proto=6`: `{app="netobserv-flowcollector", SrcK8S_Namespace=~"a"} | json | (Proto == 6)`,
		// Several groups: one label filter expression, selector on the static labels only.
		`namespace="shop"`:             `{app="netobserv-flowcollector"} | json | (SrcK8S_Namespace="shop") or (DstK8S_Namespace="shop")`,
		`DstPort=53 | SrcK8S_Zone="a"`: `{app="netobserv-flowcollector"} | json | (DstPort == 53) or (SrcK8S_Zone="a")`,
	} {
		fs, err := flowquery.Parse(filter)
		require.NoError(t, err, filter)
		assert.Equal(t, want, builder().recordsQuery(fs), filter)
	}
}

func TestMetricLogQL(t *testing.T) {
	fs, err := flowquery.Parse(`src_namespace="shop"`)
	require.NoError(t, err)
	base := flowquery.Metrics{Start: time.Unix(0, 0), End: time.Unix(3600, 0), Filters: fs, Step: 90 * time.Second, Scope: flowquery.ScopeNamespace, Limit: 5}
	sel := `{app="netobserv-flowcollector", SrcK8S_Namespace=~"shop"}`
	for _, tc := range []struct {
		typ  flowquery.MetricType
		fn   flowquery.Function
		want string
	}{
		{flowquery.TypeBytes, flowquery.FuncRate, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(` + sel + ` | json | Bytes!="" | unwrap Bytes[1m30s]))`},
		{flowquery.TypePackets, flowquery.FuncSum, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (sum_over_time(` + sel + ` | json | Packets!="" | unwrap Packets[1m30s]))`},
		{flowquery.TypeDropPackets, flowquery.FuncRate, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(` + sel + ` | json | PktDropPackets!="" | unwrap PktDropPackets[1m30s]))`},
		{flowquery.TypeFlows, flowquery.FuncRate, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (rate(` + sel + ` | json[1m30s]))`},
		{flowquery.TypeDNSFlows, flowquery.FuncSum, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (count_over_time(` + sel + ` | json | DnsId!=""[1m30s]))`},
		{flowquery.TypeDNSLatency, flowquery.FuncP99, `avg by (SrcK8S_Namespace, DstK8S_Namespace) (quantile_over_time(0.99, ` + sel + ` | json | DnsLatencyMs!="" | unwrap DnsLatencyMs[1m30s]))`},
		{flowquery.TypeRTT, flowquery.FuncMax, `max by (SrcK8S_Namespace, DstK8S_Namespace) ((max_over_time(` + sel + ` | json | TimeFlowRttNs!="" | unwrap TimeFlowRttNs[1m30s]) / 1000000))`},
	} {
		q := base
		q.Type, q.Function = tc.typ, tc.fn
		got, err := builder().metricQuery(q, q.Scope.Fields())
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s %s", tc.typ, tc.fn)
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", 90 * time.Second: "1m30s", time.Hour: "1h", 26*time.Hour + time.Second: "1d2h1s", 0: "1s",
	} {
		assert.Equal(t, want, backend.PromDuration(d))
	}
}
