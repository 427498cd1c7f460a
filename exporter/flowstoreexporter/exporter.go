// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstoreexporter // import "github.com/flowlens/flowlens/exporter/flowstoreexporter"

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/exporter/flowstoreexporter/internal/metadata"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

type storeExporter struct {
	cfg *Config
	log *zap.Logger
	tb  *metadata.TelemetryBuilder

	mu     sync.Mutex // the writer is shared by pushes and the retention loop
	w      *flowstore.Writer
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newExporter(set exporter.Settings, cfg *Config) (*storeExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &storeExporter{cfg: cfg, log: set.Logger, tb: tb}, nil
}

func (e *storeExporter) start(context.Context, component.Host) error {
	w, err := flowstore.OpenWriter(e.cfg.Path)
	if err != nil {
		return err
	}
	e.w = w
	if err := e.tb.RegisterExporterFlowstoreSizeCallback(func(ctx context.Context, o metric.Int64Observer) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.w == nil {
			return nil
		}
		n, err := e.w.UsedBytes(ctx)
		if err == nil {
			o.Observe(n)
		}
		return err
	}); err != nil {
		return errors.Join(err, w.Close())
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.wg.Add(1)
	go e.retentionLoop(ctx)
	e.log.Info("Writing flows to the flow store", zap.String("path", e.cfg.Path),
		zap.Duration("retention", e.cfg.Retention), zap.Int64("max_size", int64(e.cfg.MaxSize)))
	return nil
}

func (e *storeExporter) push(ctx context.Context, ld plog.Logs) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, err := e.w.Write(ctx, ld)
	if err != nil {
		return err // retried by exporterhelper: a busy or full disk may recover
	}
	e.tb.ExporterFlowstoreFlowsWritten.Add(ctx, int64(n))
	return nil
}

func (e *storeExporter) retentionLoop(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			e.enforce(ctx, now)
		}
	}
}

func (e *storeExporter) enforce(ctx context.Context, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, err := e.w.Enforce(ctx, flowstore.Retention{MaxAge: e.cfg.Retention, MaxSize: int64(e.cfg.MaxSize)}, now)
	if n > 0 {
		e.tb.ExporterFlowstoreFlowsDeleted.Add(ctx, n)
	}
	if err != nil && ctx.Err() == nil {
		e.log.Warn("Flow store retention failed", zap.Error(err))
	}
}

func (e *storeExporter) shutdown(context.Context) error {
	if e.cancel != nil {
		e.cancel()
		e.wg.Wait()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var err error
	if e.w != nil {
		err = e.w.Close()
		e.w = nil
	}
	e.tb.Shutdown()
	return err
}
