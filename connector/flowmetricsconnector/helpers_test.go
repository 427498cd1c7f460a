// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadatatest"
	"github.com/flowlens/flowlens/pkg/flow"
)

// attrs is a flow record's attributes, as plain values (string, int, int64, float64, bool).
type attrs map[string]any

// with returns a copy of a with more attributes (nil deletes).
func (a attrs) with(more attrs) attrs {
	out := attrs{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range more {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// observer is the resource of the node that reported a flow.
type observer struct {
	node, ip string
}

// batch builds one plog.Logs: each record under the resource of its observer.
type batch struct {
	ld plog.Logs
}

func newBatch() *batch { return &batch{ld: plog.NewLogs()} }

func (b *batch) add(obs observer, recs ...attrs) *batch {
	rl := b.ld.ResourceLogs().AppendEmpty()
	if obs.node != "" {
		rl.Resource().Attributes().PutStr(flow.AttrHostName, obs.node)
	}
	if obs.ip != "" {
		rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, obs.ip)
	}
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, r := range recs {
		lr := lrs.AppendEmpty()
		putAttrs(lr.Attributes(), r)
	}
	return b
}

// putAttrs puts a's attributes in name order: a producer writes its attributes in one order.
func putAttrs(m pcommon.Map, a attrs) {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := a[k]
		switch x := v.(type) {
		case string:
			m.PutStr(k, x)
		case int:
			m.PutInt(k, int64(x))
		case int64:
			m.PutInt(k, x)
		case float64:
			m.PutDouble(k, x)
		case bool:
			m.PutBool(k, x)
		default:
			panic(fmt.Sprintf("attribute %s: unsupported %T", k, v))
		}
	}
}

// harness is a connector with a controllable clock, fed directly, read through collect.
type harness struct {
	t    *testing.T
	c    *flowMetrics
	tel  *componenttest.Telemetry
	sink *consumertest.MetricsSink
	now  time.Time
}

func newHarness(t *testing.T, cfg *Config) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := &consumertest.MetricsSink{}
	c, err := newConnector(metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	h := &harness{t: t, c: c, tel: tel, sink: sink, now: time.Unix(1_700_000_000, 0)}
	c.now = func() time.Time { return h.now }
	return h
}

// config returns the default configuration with only these predefined metrics and these
// custom ones.
func config(include []string, custom ...MetricConfig) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.IncludeList = include
	cfg.Metrics = custom
	return cfg
}

func (h *harness) feed(b *batch) {
	h.t.Helper()
	require.NoError(h.t, h.c.ConsumeLogs(context.Background(), b.ld))
}

func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

// point is one data point, flattened.
type point struct {
	value   float64
	count   uint64
	buckets []uint64
	bounds  []float64
	start   pcommon.Timestamp
	labels  map[string]string
}

// collect emits (as a flush would) and returns metric name -> label string -> point, where the
// label string is "k=v,k=v" sorted ("" for no labels).
func (h *harness) collect() map[string]map[string]point {
	h.t.Helper()
	md := h.c.collect()
	return flatten(h.t, md)
}

func flatten(t *testing.T, md pmetric.Metrics) map[string]map[string]point {
	t.Helper()
	out := map[string]map[string]point{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				pts := map[string]point{}
				add := func(a pcommon.Map, p point) {
					p.labels = map[string]string{}
					for k, v := range a.All() {
						p.labels[k] = v.AsString()
					}
					key := labelString(p.labels)
					_, dup := pts[key]
					require.False(t, dup, "%s: two points with labels %s", m.Name(), key)
					pts[key] = p
				}
				number := func(dp pmetric.NumberDataPoint) float64 {
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						return float64(dp.IntValue())
					}
					return dp.DoubleValue()
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					require.True(t, m.Sum().IsMonotonic())
					require.Equal(t, pmetric.AggregationTemporalityCumulative, m.Sum().AggregationTemporality())
					for l := 0; l < m.Sum().DataPoints().Len(); l++ {
						dp := m.Sum().DataPoints().At(l)
						add(dp.Attributes(), point{value: number(dp), start: dp.StartTimestamp()})
					}
				case pmetric.MetricTypeGauge:
					for l := 0; l < m.Gauge().DataPoints().Len(); l++ {
						dp := m.Gauge().DataPoints().At(l)
						add(dp.Attributes(), point{value: number(dp)})
					}
				case pmetric.MetricTypeHistogram:
					require.Equal(t, pmetric.AggregationTemporalityCumulative, m.Histogram().AggregationTemporality())
					for l := 0; l < m.Histogram().DataPoints().Len(); l++ {
						dp := m.Histogram().DataPoints().At(l)
						add(dp.Attributes(), point{
							value: dp.Sum(), count: dp.Count(), buckets: dp.BucketCounts().AsRaw(),
							bounds: dp.ExplicitBounds().AsRaw(), start: dp.StartTimestamp(),
						})
					}
				default:
					t.Fatalf("%s: unexpected type %s", m.Name(), m.Type())
				}
				out[m.Name()] = pts
			}
		}
	}
	return out
}

var sprintf = fmt.Sprintf

func labelString(l map[string]string) string {
	var parts []string
	for k, v := range l {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// total sums a metric's points (values, or histogram counts when counts is set).
func total(pts map[string]point) float64 {
	var s float64
	for _, p := range pts {
		s += p.value
	}
	return s
}

// A small cluster: node-a (10.0.0.1) runs shop/web pods, node-b (10.0.0.2) runs db/pg pods.
var (
	nodeA = observer{"node-a", "10.0.0.1"}
	nodeB = observer{"node-b", "10.0.0.2"}

	// webToPg is a flow from a shop/web pod on node-a to a db/pg pod on node-b, as k8sflow
	// enriches it (without the direction, which depends on the observer).
	webToPg = attrs{
		flow.AttrSrcAddress: "10.128.0.10", flow.AttrDstAddress: "10.129.0.20",
		flow.AttrSrcPort: 41000, flow.AttrDstPort: 5432, flow.AttrProtocol: 6, flow.AttrTransport: "tcp",
		flow.AttrBytes: 1000, flow.AttrPackets: 10, flow.AttrSamplingRate: 1,
		flow.AttrSrcNamespace: "shop", flow.AttrSrcPodName: "web-1", flow.AttrSrcResType: "Pod",
		flow.AttrSrcOwnerName: "web", flow.AttrSrcOwnerType: "Deployment", flow.AttrSrcNodeName: "node-a", flow.AttrSrcNodeIP: "10.0.0.1",
		flow.AttrDstNamespace: "db", flow.AttrDstPodName: "pg-0", flow.AttrDstResType: "Pod",
		flow.AttrDstOwnerName: "pg", flow.AttrDstOwnerType: "StatefulSet", flow.AttrDstNodeName: "node-b", flow.AttrDstNodeIP: "10.0.0.2",
		flow.AttrFlowLayer: "app",
	}
)

// reportedByBoth returns the two records of one flow between two nodes: the source node sees
// it leave (egress), the destination node sees it arrive (ingress).
func reportedByBoth(b *batch, f attrs, src, dst observer) *batch {
	b.add(src, f.with(attrs{flow.AttrFlowDirection: flow.DirEgress}))
	b.add(dst, f.with(attrs{flow.AttrFlowDirection: flow.DirIngress}))
	return b
}
