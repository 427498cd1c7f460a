// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// fixtureFlow is one flow record of the replayed fixture, with the node that reported it.
type fixtureFlow struct {
	node, nodeIP string
	attrs        map[string]any
}

// A two-node cluster: node-a (10.0.0.1) runs shop/web and shop/cache pods, node-b (10.0.0.2)
// runs the db/pg StatefulSet pod.
func fixtureEnds() (web, cache, pg map[string]any) {
	web = map[string]any{
		"address": "10.128.0.10", "k8s.namespace.name": "shop", "k8s.pod.name": "web-7d9c-x2", "k8s.resource.type": "Pod",
		"k8s.owner.name": "web", "k8s.owner.type": "Deployment", "k8s.node.name": "node-a", "k8s.node.ip": "10.0.0.1",
	}
	cache = map[string]any{
		"address": "10.128.0.11", "k8s.namespace.name": "shop", "k8s.pod.name": "cache-0", "k8s.resource.type": "Pod",
		"k8s.owner.name": "cache", "k8s.owner.type": "StatefulSet", "k8s.node.name": "node-a", "k8s.node.ip": "10.0.0.1",
	}
	pg = map[string]any{
		"address": "10.129.0.20", "k8s.namespace.name": "db", "k8s.pod.name": "pg-0", "k8s.resource.type": "Pod",
		"k8s.owner.name": "pg", "k8s.owner.type": "StatefulSet", "k8s.node.name": "node-b", "k8s.node.ip": "10.0.0.2",
	}
	return web, cache, pg
}

func between(src, dst map[string]any, more map[string]any) map[string]any {
	a := map[string]any{flow.AttrProtocol: int64(6), flow.AttrTransport: "tcp", flow.AttrSamplingRate: int64(1), flow.AttrFlowLayer: "app"}
	for k, v := range src {
		a["source."+k] = v
	}
	for k, v := range dst {
		a["destination."+k] = v
	}
	for k, v := range more {
		a[k] = v
	}
	return a
}

// fixtureWave is one eviction window of traffic, its byte counts multiplied by k:
//   - web -> pg (node-a -> node-b), 10,000k bytes, reported by both nodes (egress by node-a,
//     ingress by node-b), with an RTT of 3 ms;
//   - web -> cache inside node-a, 2,000k bytes, reported once as inner, RTT 30 ms;
//   - an external client -> pg, 500k bytes, reported by node-b (ingress), with a kernel drop;
//   - a DNS query from web to pg (standing in for a DNS server), 12 ms, NXDOMAIN, reported by
//     node-a only (egress).
func fixtureWave(k int64) []fixtureFlow {
	web, cache, pg := fixtureEnds()
	tcp := func(b, p int64, more map[string]any) map[string]any {
		m := map[string]any{flow.AttrBytes: b * k, flow.AttrPackets: p * k, flow.AttrSrcPort: int64(41000), flow.AttrDstPort: int64(5432)}
		for kk, v := range more {
			m[kk] = v
		}
		return m
	}
	webPg := between(web, pg, tcp(10_000, 20, map[string]any{flow.AttrRTT: int64(3e6)}))
	egress := clone(webPg, map[string]any{flow.AttrFlowDirection: flow.DirEgress})
	ingress := clone(webPg, map[string]any{flow.AttrFlowDirection: flow.DirIngress})
	inner := between(web, cache, tcp(2_000, 4, map[string]any{flow.AttrFlowDirection: flow.DirInner, flow.AttrRTT: int64(30e6), flow.AttrDstPort: int64(6379)}))
	ext := between(map[string]any{"address": "203.0.113.9"}, pg, tcp(500, 5, map[string]any{
		flow.AttrFlowDirection: flow.DirIngress, flow.AttrDropPackets: int64(1), flow.AttrDropBytes: int64(100),
		flow.AttrDropCause: "SKB_DROP_REASON_NETFILTER_DROP", flow.AttrDropState: "TCP_SYN_RECV",
	}))
	delete(ext, flow.AttrFlowLayer)
	dns := between(web, pg, map[string]any{
		flow.AttrBytes: 120 * k, flow.AttrPackets: 2 * k, flow.AttrTransport: "udp", flow.AttrProtocol: int64(17),
		flow.AttrSrcPort: int64(53001), flow.AttrDstPort: int64(53), flow.AttrFlowDirection: flow.DirEgress,
		flow.AttrDNSID: int64(4242), flow.AttrDNSRcode: "NXDOMAIN", flow.AttrDNSLatency: int64(12e6),
	})
	return []fixtureFlow{
		{"node-a", "10.0.0.1", egress},
		{"node-b", "10.0.0.2", ingress},
		{"node-a", "10.0.0.1", inner},
		{"node-b", "10.0.0.2", ext},
		{"node-a", "10.0.0.1", dns},
	}
}

func clone(m map[string]any, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// postFlows sends flow records to the collector's OTLP/HTTP receiver, one resource per
// reporting node, as protobuf.
func postFlows(t *testing.T, endpoint string, flows []fixtureFlow) {
	t.Helper()
	ld := plog.NewLogs()
	for _, f := range flows {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(flow.AttrHostName, f.node)
		rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, f.nodeIP)
		require.NoError(t, rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes().FromRaw(f.attrs))
	}
	body, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	resp, err := http.Post("http://"+endpoint+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestFlowMetricsScrapedByPrometheus replays a fixture of flows (two waves) into the built
// collector (otlp -> flowmetrics -> prometheus exporter), has a real Prometheus server scrape
// it every second, and checks PromQL results against the flows: workload, namespace and node
// totals, each flow counted once per direction, histograms, the exact increase between the
// waves, the overflow series and the connector's telemetry; then runs every query of the
// Grafana dashboard.
func TestFlowMetricsScrapedByPrometheus(t *testing.T) {
	otlpAddr := testutil.FreeLoopbackPort(t)
	promAddr := testutil.FreeLoopbackPort(t)
	telAddr := testutil.FreeLoopbackPort(t)
	telHost, telPort, _ := strings.Cut(telAddr, ":")
	c := startCollector(t, "", fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http: {endpoint: %s}
connectors:
  flowmetrics:
    include_list: [node_ingress_bytes_total, node_egress_bytes_total, node_ingress_packets_total, node_drop_packets_total,
      workload_sampling, workload_ingress_bytes_total, workload_egress_bytes_total, namespace_flows_total,
      namespace_ingress_packets_total, namespace_drop_packets_total, namespace_rtt_seconds, namespace_dns_latency_seconds,
      namespace_network_policy_events_total, node_ipsec_flows_total, node_to_node_ingress_flows_total]
    flush_interval: 1s
  flowmetrics/guard:
    include_list: []
    max_series_per_metric: 5
    flush_interval: 1s
    metrics:
      - {name: netobserv_e2e_by_port_total, type: counter, labels: [SrcPort], filters: [{field: DstPort, value: "9999"}]}
exporters:
  prometheus:
    endpoint: %s
    without_scope_info: true
service:
  telemetry:
    metrics:
      level: normal
      readers: [{pull: {exporter: {prometheus: {host: %q, port: %s}}}}]
  pipelines:
    logs: {receivers: [otlp], exporters: [flowmetrics, flowmetrics/guard]}
    metrics: {receivers: [flowmetrics, flowmetrics/guard], exporters: [prometheus]}
`, otlpAddr, promAddr, telHost, telPort))
	c.waitLog(t, 30*time.Second, "Everything is ready")
	prom := testutil.StartPrometheus(t, map[string]string{"flowlens": promAddr, "otelcol": telAddr})
	prom.WaitQuery(t, 30*time.Second, `sum(up) == 2`, func(s []testutil.Sample) bool { return len(s) == 1 })

	// Wave 1, plus 20 flows to port 9999 from 20 source ports for the guard (budget 5).
	postFlows(t, otlpAddr, fixtureWave(1))
	var guard []fixtureFlow
	web, _, pg := fixtureEnds()
	for i := 0; i < 20; i++ {
		guard = append(guard, fixtureFlow{"node-a", "10.0.0.1", between(web, pg, map[string]any{
			flow.AttrBytes: int64(1), flow.AttrPackets: int64(1), flow.AttrSrcPort: int64(30000 + i), flow.AttrDstPort: int64(9999),
			flow.AttrFlowDirection: flow.DirEgress,
		})})
	}
	postFlows(t, otlpAddr, guard)
	prom.WaitQuery(t, 30*time.Second, `sum(netobserv_namespace_flows_total)`, func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 25 })
	prom.WaitQuery(t, 30*time.Second, `sum(netobserv_e2e_by_port_total)`, func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 20 })
	time.Sleep(time.Second)
	t1 := time.Now() // wave 1 is scraped, wave 2 not sent yet
	time.Sleep(time.Second)

	// Workload totals: the web -> pg flow reported by both nodes is counted once per direction;
	// the inner flow once in each; the external one only as ingress, the DNS exchange (reported
	// by node-a only) only as egress.
	wl := `sum by (SrcK8S_Namespace, SrcK8S_OwnerName, DstK8S_Namespace, DstK8S_OwnerName) (%s)`
	labels := []string{"SrcK8S_Namespace", "SrcK8S_OwnerName", "DstK8S_Namespace", "DstK8S_OwnerName"}
	assert.Equal(t, map[string]float64{"shop|web|db|pg": 10_000, "shop|web|shop|cache": 2_000, "||db|pg": 500},
		testutil.ByLabels(prom.MustQuery(t, fmt.Sprintf(wl, "netobserv_workload_ingress_bytes_total"), t1), labels...))
	assert.Equal(t, map[string]float64{"shop|web|db|pg": 10_140, "shop|web|shop|cache": 2_000}, // + the guard's 20 bytes
		testutil.ByLabels(prom.MustQuery(t, fmt.Sprintf(wl, "netobserv_workload_egress_bytes_total"), t1), labels...))
	assert.Equal(t, map[string]float64{"node-a|node-b": 20, "node-a|node-a": 4, "|node-b": 5},
		testutil.ByLabels(prom.MustQuery(t, `sum by (SrcK8S_HostName, DstK8S_HostName) (netobserv_node_ingress_packets_total)`, t1), "SrcK8S_HostName", "DstK8S_HostName"))
	assert.Equal(t, map[string]float64{"node-a|node-b": 10_140, "node-a|node-a": 2_000},
		testutil.ByLabels(prom.MustQuery(t, `sum by (SrcK8S_HostName, DstK8S_HostName) (netobserv_node_egress_bytes_total)`, t1), "SrcK8S_HostName", "DstK8S_HostName"))
	// flows_total counts records: web -> pg twice (two reporters), as in NetObserv.
	assert.Equal(t, map[string]float64{"shop|db": 3 + 20, "shop|shop": 1, "|db": 1},
		testutil.ByLabels(prom.MustQuery(t, `sum by (SrcK8S_Namespace, DstK8S_Namespace) (netobserv_namespace_flows_total)`, t1), "SrcK8S_Namespace", "DstK8S_Namespace"))
	assert.Equal(t, map[string]float64{"node-a|node-b": 2 + 1 + 20},
		testutil.ByLabels(prom.MustQuery(t, `sum by (SrcK8S_HostName, DstK8S_HostName) (netobserv_node_to_node_ingress_flows_total)`, t1), "SrcK8S_HostName", "DstK8S_HostName"))
	assert.Equal(t, map[string]float64{"SKB_DROP_REASON_NETFILTER_DROP|TCP_SYN_RECV": 1},
		testutil.ByLabels(prom.MustQuery(t, `sum by (PktDropLatestDropCause, PktDropLatestState) (netobserv_namespace_drop_packets_total)`, t1), "PktDropLatestDropCause", "PktDropLatestState"))
	assert.Equal(t, map[string]float64{"": 1}, testutil.ByLabels(prom.MustQuery(t, `max(netobserv_workload_sampling)`, t1)))

	// Histograms: RTT of 3 ms (counted by both reporters of web -> pg) and 30 ms; DNS 12 ms.
	assert.Equal(t, map[string]float64{"0.005": 2, "0.01": 2, "0.02": 2, "0.03": 3, "1": 3, "+Inf": 3},
		pick(testutil.ByLabels(prom.MustQuery(t, `sum by (le) (netobserv_namespace_rtt_seconds_bucket)`, t1), "le"), "0.005", "0.01", "0.02", "0.03", "1", "+Inf"))
	assert.InDelta(t, 0.036, prom.MustQuery(t, `sum(netobserv_namespace_rtt_seconds_sum)`, t1)[0].Value, 1e-9)
	assert.Equal(t, map[string]float64{"NXDOMAIN": 1},
		testutil.ByLabels(prom.MustQuery(t, `sum by (DnsFlagsResponseCode) (netobserv_namespace_dns_latency_seconds_count)`, t1), "DnsFlagsResponseCode"))
	assert.Equal(t, map[string]float64{"": 1}, testutil.ByLabels(prom.MustQuery(t, `sum(netobserv_namespace_dns_latency_seconds_bucket{le="0.02"}) - sum(netobserv_namespace_dns_latency_seconds_bucket{le="0.01"})`, t1)))

	// The guard: 5 label sets, the other 15 records in the overflow series.
	assert.Equal(t, map[string]float64{"": 6}, testutil.ByLabels(prom.MustQuery(t, `count(netobserv_e2e_by_port_total)`, t1)))
	assert.Equal(t, map[string]float64{"": 15}, testutil.ByLabels(prom.MustQuery(t, `sum(netobserv_e2e_by_port_total{otel_metric_overflow="true"})`, t1)))

	// The series Prometheus holds have exactly the names the connector documents (the families
	// of network policy events and IPsec stay empty: flowlens records neither yet).
	names := testutil.ByLabels(prom.MustQuery(t, `count by (__name__) ({__name__=~"netobserv_.+"})`, t1), "__name__")
	assert.Equal(t, []string{
		"netobserv_e2e_by_port_total",
		"netobserv_namespace_dns_latency_seconds_bucket", "netobserv_namespace_dns_latency_seconds_count", "netobserv_namespace_dns_latency_seconds_sum",
		"netobserv_namespace_drop_packets_total", "netobserv_namespace_flows_total", "netobserv_namespace_ingress_packets_total",
		"netobserv_namespace_rtt_seconds_bucket", "netobserv_namespace_rtt_seconds_count", "netobserv_namespace_rtt_seconds_sum",
		"netobserv_node_drop_packets_total", "netobserv_node_egress_bytes_total", "netobserv_node_ingress_bytes_total",
		"netobserv_node_ingress_packets_total", "netobserv_node_to_node_ingress_flows_total",
		"netobserv_workload_egress_bytes_total", "netobserv_workload_ingress_bytes_total", "netobserv_workload_sampling",
	}, keys(names))

	// The connector's own telemetry, through the collector's metrics endpoint.
	prom.WaitQuery(t, 30*time.Second, `sum(otelcol_connector_flowmetrics_series_overflowed{metric="netobserv_e2e_by_port_total"})`,
		func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 15 })
	prom.WaitQuery(t, 30*time.Second, `sum(otelcol_connector_flowmetrics_series_active{metric="netobserv_e2e_by_port_total"})`,
		func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 6 })
	prom.WaitQuery(t, 30*time.Second, `sum(otelcol_connector_flowmetrics_flows)`,
		func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 2*25 }) // both connector instances count

	// Wave 2 (byte counts ×3): the increase between t1 and t2 is exact.
	postFlows(t, otlpAddr, fixtureWave(3))
	prom.WaitQuery(t, 30*time.Second, `sum(netobserv_namespace_flows_total)`, func(s []testutil.Sample) bool { return len(s) == 1 && s[0].Value == 30 })
	time.Sleep(time.Second)
	t2 := time.Now()
	window := fmt.Sprintf("%dms", t2.Sub(t1).Milliseconds())
	incr := fmt.Sprintf(`sum by (SrcK8S_OwnerName, DstK8S_OwnerName) (netobserv_workload_ingress_bytes_total - netobserv_workload_ingress_bytes_total offset %s)`,
		window)
	assert.Equal(t, map[string]float64{"web|pg": 30_000, "web|cache": 6_000, "|pg": 1_500},
		testutil.ByLabels(prom.MustQuery(t, incr, t2), "SrcK8S_OwnerName", "DstK8S_OwnerName"))
	// increase() and rate() extrapolate to the window's edges: close to, not exactly, the bytes fed.
	got := testutil.ByLabels(prom.MustQuery(t, fmt.Sprintf(`sum by (DstK8S_OwnerName) (increase(netobserv_workload_ingress_bytes_total{SrcK8S_OwnerName="web"}[%s]))`, window), t2), "DstK8S_OwnerName")
	assert.InEpsilon(t, 30_000, got["pg"], 0.5)
	assert.InEpsilon(t, 6_000, got["cache"], 0.5)
	rate := prom.MustQuery(t, fmt.Sprintf(`sum(rate(netobserv_workload_ingress_bytes_total{SrcK8S_OwnerName="web", DstK8S_OwnerName="pg"}[%s]))`, window), t2)
	require.Len(t, rate, 1)
	assert.InEpsilon(t, 30_000/t2.Sub(t1).Seconds(), rate[0].Value, 0.5)

	checkDashboardQueries(t, prom)
}

// checkDashboardQueries runs every query of the Grafana dashboard against the real Prometheus:
// each must succeed, and each panel but the overflow share (no overflow in these workload
// series) must show data.
func checkDashboardQueries(t *testing.T, prom *testutil.Prometheus) {
	t.Helper()
	data, err := os.ReadFile("../../connector/flowmetricsconnector/dashboards/flowlens-overview.json")
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(data, &d))
	vars := regexp.MustCompile(`\$\{?(\w+)\}?`)
	panels := 0
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		panels++
		series := 0
		for _, tg := range p.Targets {
			q := vars.ReplaceAllStringFunc(tg.Expr, func(v string) string {
				if strings.Contains(v, "__rate_interval") {
					return "1m"
				}
				return ".*"
			})
			res, err := prom.Query(q, time.Time{})
			require.NoError(t, err, "panel %q", p.Title)
			series += len(res)
		}
		if p.Title != "Overflow share" {
			assert.Positive(t, series, "panel %q shows no data", p.Title)
		}
	}
	assert.Greater(t, panels, 15)
}

func pick(m map[string]float64, keys ...string) map[string]float64 {
	out := map[string]float64{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
