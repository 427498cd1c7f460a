// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadata"
	"github.com/flowlens/flowlens/pkg/flow"
)

// benchRecords builds a batch of n records as the receiver and k8sflow emit them (~37
// attributes), spread over `workloads` distinct source workloads; each run of `workloads`
// records has the next direction (ingress, egress, inner).
func benchRecords(n, workloads int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrHostName, "node-b")
	rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, "10.0.0.2")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	dirs := []string{flow.DirIngress, flow.DirEgress, flow.DirInner}
	for i := 0; i < n; i++ {
		a := lrs.AppendEmpty().Attributes()
		putAttrs(a, webToPg.with(attrs{
			flow.AttrSrcOwnerName: fmt.Sprintf("web-%d", i%workloads), flow.AttrFlowDirection: dirs[(i/workloads)%3],
			flow.AttrSrcMAC: "0A:58:0A:80:00:0A", flow.AttrDstMAC: "0A:58:0A:81:00:14", flow.AttrNetworkType: "ipv4",
			flow.AttrEtherType: 2048, flow.AttrDSCP: 0, flow.AttrTCPFlags: 27, flow.AttrStart: int64(1.7e18), flow.AttrEnd: int64(1.7e18 + 5e9),
			flow.AttrIfaceName: "eth0", flow.AttrIfaceDir: "ingress", flow.AttrInterZone: false,
			flow.AttrSrcSubnet: "Pods", flow.AttrDstSubnet: "Pods", flow.AttrClusterName: "prod",
			flow.AttrSrcZone: "eu-1a", flow.AttrDstZone: "eu-1b", flow.AttrRTT: int64(1e6 + i%7*3e6),
		}))
		a.PutEmptySlice(flow.AttrIfaces).AppendEmpty().SetStr("eth0")
		a.PutEmptySlice(flow.AttrIfaceDirs).AppendEmpty().SetStr("ingress")
	}
	return ld
}

// BenchmarkConsume measures flows through the connector with 1,000 active series per metric
// (1,000 source workloads): the default include list (15 metrics, 9 of which get data from
// these records) and three metrics (flowlogs-pipeline's measured case).
func BenchmarkConsume(b *testing.B) {
	for _, bc := range []struct {
		name    string
		include []string
	}{
		{"default_include_list", DefaultIncludeList},
		{"three_metrics", []string{"workload_ingress_bytes_total", "workload_egress_bytes_total", "namespace_flows_total"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.IncludeList = bc.include
			c, err := newConnector(connectortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
			if err != nil {
				b.Fatal(err)
			}
			const batch = 3000
			ld := benchRecords(batch, 1000)
			ctx := context.Background()
			_ = c.ConsumeLogs(ctx, ld) // create the series
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i += batch {
				_ = c.ConsumeLogs(ctx, ld)
			}
			el := time.Since(start)
			b.StopTimer()
			flows := float64((b.N + batch - 1) / batch * batch)
			b.ReportMetric(flows/el.Seconds(), "flows/s")
			b.ReportMetric(float64(el.Nanoseconds())/flows, "ns/flow")
			for _, t := range c.tables {
				if t.def.name == "netobserv_workload_ingress_bytes_total" && t.active() != 1000 {
					b.Fatalf("expected 1,000 active series, got %d", t.active())
				}
			}
		})
	}
}

// BenchmarkFlush measures one emission with the default include list and 1,000 workloads
// (the three workload metrics hold 1,000 series each).
func BenchmarkFlush(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	c, err := newConnector(connectortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	_ = c.ConsumeLogs(context.Background(), benchRecords(3000, 1000))
	points := c.collect().DataPointCount()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = c.flush(context.Background())
	}
	b.ReportMetric(float64(points), "points/flush")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(points), "ns/point")
}

// BenchmarkMemoryPerSeries measures the heap held per series of a workload metric (14 labels)
// and of a histogram (namespace RTT, 11 buckets), from 100,000 series.
func BenchmarkMemoryPerSeries(b *testing.B) {
	for _, bc := range []struct{ name, metric string }{
		{"workload_counter", "workload_ingress_bytes_total"},
		{"namespace_histogram", "namespace_rtt_seconds"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const n = 100_000
			var ld plog.Logs
			if bc.name == "workload_counter" {
				ld = benchRecords(n, n)
			} else {
				ld = benchRecords(n, 1)
				lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
				for i := 0; i < n; i++ {
					lrs.At(i).Attributes().PutStr(flow.AttrSrcNamespace, fmt.Sprintf("ns-%d", i))
				}
			}
			for i := 0; i < b.N; i++ {
				cfg := createDefaultConfig().(*Config)
				cfg.IncludeList = []string{bc.metric}
				cfg.MaxSeriesPerMetric = n
				c, err := newConnector(connectortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
				if err != nil {
					b.Fatal(err)
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				_ = c.ConsumeLogs(context.Background(), ld)
				runtime.GC()
				runtime.ReadMemStats(&after)
				if got := c.tables[0].active(); got != n {
					b.Fatalf("expected %d series, got %d", n, got)
				}
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/series")
				runtime.KeepAlive(c)
			}
		})
	}
}
