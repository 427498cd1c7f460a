// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadata"
)

// flowMetrics is the connector: ConsumeLogs counts records into the tables under one lock, and
// a ticker emits every held series, cumulative, each flush_interval. Emitting all series on a
// period, not the ones a batch touched, keeps quiet series alive downstream (the Prometheus
// exporter forgets a series after its metric_expiration) and bounds the output rate whatever
// the input rate.
type flowMetrics struct {
	cfg     *Config
	log     *zap.Logger
	tb      *metadata.TelemetryBuilder
	next    consumer.Metrics
	plan    *plan
	version string

	// now is the clock; a field so tests can move time.
	now func() time.Time

	mu     sync.Mutex
	tables []*table
	attrs  []metric.MeasurementOption   // per table: the metric attribute
	skip   [][]metric.MeasurementOption // per table and reason

	views sync.Pool

	stop chan struct{}
	wg   sync.WaitGroup
}

var skipReasonNames = [...]string{skipMissing: "missing", skipNotNumeric: "not_numeric", skipNegative: "negative"}

func newConnector(set connector.Settings, cfg *Config, next consumer.Metrics) (*flowMetrics, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	c := &flowMetrics{
		cfg: cfg, log: set.Logger, tb: tb, next: next, plan: compile(cfg),
		version: set.BuildInfo.Version, now: time.Now,
	}
	for _, d := range c.plan.metrics {
		c.tables = append(c.tables, newTable(d, cfg.MaxSeriesPerMetric))
		name := attribute.String("metric", d.name)
		c.attrs = append(c.attrs, metric.WithAttributeSet(attribute.NewSet(name)))
		reasons := make([]metric.MeasurementOption, len(skipReasonNames))
		for r := skipMissing; r <= skipNegative; r++ {
			reasons[r] = metric.WithAttributeSet(attribute.NewSet(name, attribute.String("reason", skipReasonNames[r])))
		}
		c.skip = append(c.skip, reasons)
	}
	c.views.New = func() any { return newView(c.plan) }
	return c, nil
}

func (*flowMetrics) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *flowMetrics) Start(context.Context, component.Host) error {
	err := c.tb.RegisterConnectorFlowmetricsSeriesActiveCallback(func(_ context.Context, o metric.Int64Observer) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, t := range c.tables {
			o.Observe(int64(t.active()), c.attrs[i])
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.stop = make(chan struct{})
	c.wg.Add(1)
	go c.run()
	c.log.Info("Flow metrics started", zap.Int("metrics", len(c.tables)),
		zap.Duration("flush_interval", c.cfg.FlushInterval), zap.Int("max_series_per_metric", c.cfg.MaxSeriesPerMetric))
	return nil
}

func (c *flowMetrics) run() {
	defer c.wg.Done()
	tick := time.NewTicker(c.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			if err := c.flush(context.Background()); err != nil {
				c.log.Warn("Emitting flow metrics failed", zap.Error(err))
			}
		}
	}
}

// Shutdown stops the ticker and emits the series one last time: exporters shut down after
// connectors, so the final values still reach them.
func (c *flowMetrics) Shutdown(ctx context.Context) error {
	if c.stop == nil {
		c.tb.Shutdown()
		return nil
	}
	close(c.stop)
	c.wg.Wait()
	c.stop = nil
	err := c.flush(ctx)
	c.tb.Shutdown()
	return err
}

func (c *flowMetrics) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	v := c.views.Get().(*view)
	defer func() { v.release(); c.views.Put(v) }()
	now := c.now().UnixNano()
	n := 0
	c.mu.Lock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		v.setResource(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				v.setRecord(lrs.At(k).Attributes())
				c.count(v, now)
				n++
			}
		}
	}
	c.mu.Unlock()
	c.tb.ConnectorFlowmetricsFlows.Add(ctx, int64(n))
	c.report(ctx)
	return nil
}

// count adds the current record of v to every metric whose filters it passes.
func (c *flowMetrics) count(v *view, now int64) {
	for _, t := range c.tables {
		d := t.def
		pass := true
		for i := range d.filters {
			if !v.match(&d.filters[i]) {
				pass = false
				break
			}
		}
		if !pass {
			continue
		}
		x := 1.0
		if d.value >= 0 {
			var r skipReason
			x, r = v.number(d.value)
			if r == skipNone && x < 0 && d.kind == kindCounter {
				r = skipNegative // a Prometheus counter never goes down
			}
			if r != skipNone {
				t.skipped[r]++
				continue
			}
			x /= d.divider
			if d.scale {
				x *= v.samplingRate()
			}
		}
		s, b := t.lookup(v.key(d.labelSet), now)
		t.update(s, b, x, now)
	}
}

// flush emits every held series, then expires the idle ones (so an expiring series is emitted
// once more with its last value).
func (c *flowMetrics) flush(ctx context.Context) error {
	md := c.collect()
	c.report(ctx)
	if md.MetricCount() == 0 {
		return nil
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		return errors.Join(errors.New("flowmetrics: next consumer refused the metrics"), err)
	}
	return nil
}

func (c *flowMetrics) collect() pmetric.Metrics {
	now := c.now()
	c.mu.Lock()
	snaps := make([]snapshot, len(c.tables))
	for i, t := range c.tables {
		snaps[i] = t.snapshot()
	}
	if c.cfg.SeriesExpiry > 0 {
		cutoff := now.Add(-c.cfg.SeriesExpiry).UnixNano()
		for _, t := range c.tables {
			t.expire(cutoff)
		}
	}
	c.mu.Unlock()

	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(metadata.ScopeName)
	sm.Scope().SetVersion(c.version)
	ts := pcommon.NewTimestampFromTime(now)
	for i := range snaps {
		snaps[i].appendTo(sm.Metrics(), ts)
	}
	return md
}
