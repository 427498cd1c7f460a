// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	zapobserver "go.uber.org/zap/zaptest/observer"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadata"
	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadatatest"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestPeriodicCumulativeEmission runs the connector through its factory: every flush emits all
// held series with cumulative values and a stable start time, and Shutdown emits once more.
func TestPeriodicCumulativeEmission(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.IncludeList = []string{"namespace_flows_total"}
	cfg.FlushInterval = 20 * time.Millisecond
	sink := &consumertest.MetricsSink{}
	c, err := NewFactory().CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	assert.False(t, c.Capabilities().MutatesData)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))

	require.NoError(t, c.ConsumeLogs(context.Background(), newBatch().add(nodeA, webToPg).ld))
	require.Eventually(t, func() bool { return sink.DataPointCount() > 0 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, c.ConsumeLogs(context.Background(), newBatch().add(nodeA, webToPg, webToPg).ld))
	require.Eventually(t, func() bool { return lastValue(sink) == 3 }, 5*time.Second, 5*time.Millisecond)
	n := len(sink.AllMetrics())
	time.Sleep(100 * time.Millisecond)
	require.Greater(t, len(sink.AllMetrics()), n+1, "quiet series are emitted again on every flush")
	require.NoError(t, c.ConsumeLogs(context.Background(), newBatch().add(nodeA, webToPg).ld))
	require.NoError(t, c.Shutdown(context.Background()))
	assert.InDelta(t, 4, lastValue(sink), 0, "Shutdown emits the final values")

	starts := map[int64]bool{}
	for _, md := range sink.AllMetrics() {
		dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0)
		starts[int64(dp.StartTimestamp())] = true
		assert.Greater(t, dp.Timestamp(), dp.StartTimestamp())
	}
	assert.Len(t, starts, 1, "one start time: the series never reset")
	assert.Equal(t, metadata.ScopeName, sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Scope().Name())
}

func lastValue(sink *consumertest.MetricsSink) float64 {
	all := sink.AllMetrics()
	if len(all) == 0 {
		return -1
	}
	return float64(all[len(all)-1].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).IntValue())
}

// TestNothingToEmit: without series, a flush sends nothing downstream.
func TestNothingToEmit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(DefaultIncludeList))
	require.NoError(t, h.c.flush(context.Background()))
	assert.Zero(t, h.sink.DataPointCount())
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrSrcNamespace: nil, flow.AttrDstNamespace: nil})))
	require.NoError(t, h.c.flush(context.Background()))
	assert.Equal(t, 1, len(h.sink.AllMetrics()))
}

// TestFlushErrorIsLogged: a refused emission is logged and retried with the next flush (the
// values are cumulative, so nothing is lost).
func TestFlushErrorIsLogged(t *testing.T) {
	t.Parallel()
	core, logs := zapobserver.New(zap.WarnLevel)
	set := connectortest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	cfg := config([]string{"namespace_flows_total"})
	cfg.FlushInterval = 10 * time.Millisecond
	refuse := consumertest.NewErr(errors.New("exporter queue full"))
	c, err := newConnector(set, cfg, refuse)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeLogs(context.Background(), newBatch().add(nodeA, webToPg).ld))
	require.Eventually(t, func() bool { return logs.FilterMessage("Emitting flow metrics failed").Len() > 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Error(t, c.Shutdown(context.Background()))
}

// TestConcurrentConsumers feeds from several goroutines (receivers may call ConsumeLogs
// concurrently) while flushing; run with -race.
func TestConcurrentConsumers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config(DefaultIncludeList))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				assert.NoError(t, h.c.ConsumeLogs(context.Background(), reportedByBoth(newBatch(), webToPg, nodeA, nodeB).ld))
			}
		}()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				_ = h.c.flush(context.Background())
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	got := h.collect()
	assert.InDelta(t, 4*200*1000, total(got["netobserv_workload_ingress_bytes_total"]), 0)
	assert.InDelta(t, 4*200*1000, total(got["netobserv_workload_egress_bytes_total"]), 0)
}

// TestActiveSeriesTelemetry reads the async gauge of held series.
func TestActiveSeriesTelemetry(t *testing.T) {
	t.Parallel()
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	cfg := config([]string{"namespace_flows_total", "node_ingress_bytes_total"})
	cfg.MaxSeriesPerMetric = 1
	c, err := newConnector(metadatatest.NewSettings(tel), cfg, consumer.Metrics(consumertest.NewNop()))
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeLogs(context.Background(), newBatch().add(nodeA, webToPg, webToPg.with(attrs{flow.AttrSrcNamespace: "ops"})).ld))
	metadatatest.AssertEqualConnectorFlowmetricsSeriesActive(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: metricAttr("netobserv_namespace_flows_total")}, // one series + the overflow one
		{Value: 1, Attributes: metricAttr("netobserv_node_ingress_bytes_total")},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, c.Shutdown(context.Background()))
}

// TestOutputShape checks the resource and scope of what is emitted and the unit and
// description of a predefined metric.
func TestOutputShape(t *testing.T) {
	t.Parallel()
	h := newHarness(t, config([]string{"namespace_rtt_seconds"}))
	h.c.version = "1.2.3"
	h.feed(newBatch().add(nodeA, webToPg.with(attrs{flow.AttrRTT: int64(1e6)})))
	md := h.c.collect()
	require.Equal(t, 1, md.ResourceMetrics().Len())
	rm := md.ResourceMetrics().At(0)
	assert.Equal(t, 0, rm.Resource().Attributes().Len(), "no resource: Prometheus adds job and instance")
	sm := rm.ScopeMetrics().At(0)
	assert.Equal(t, "1.2.3", sm.Scope().Version())
	m := sm.Metrics().At(0)
	assert.Equal(t, "netobserv_namespace_rtt_seconds", m.Name())
	assert.Equal(t, "s", m.Unit())
	assert.Equal(t, "Round-trip time latency in seconds per namespace.", m.Description())
	assert.Equal(t, pmetric.MetricTypeHistogram, m.Type())
}
