// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor // import "github.com/flowlens/flowlens/processor/k8sflowprocessor"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"k8s.io/client-go/rest"

	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/metadata"
)

// recordsPerLock bounds how many records are enriched under one read lock, so informer
// updates never wait long behind a large batch.
const recordsPerLock = 512

var (
	lookupHit  = metric.WithAttributes(attribute.String("result", "hit"))
	lookupMiss = metric.WithAttributes(attribute.String("result", "miss"))
)

type k8sflowProcessor struct {
	cfg *Config
	log *zap.Logger
	tb  *metadata.TelemetryBuilder
	enr *enricher

	// restConfig builds the API server client; a field so tests can point it elsewhere.
	restConfig func(*Config) (*rest.Config, error)

	store   *kube.Store
	watcher *kube.Watcher
	// waitUntil is the end of the wait_for_sync window, set in Start.
	waitUntil time.Time
}

func newProcessor(set processor.Settings, cfg *Config) (*k8sflowProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	enr, err := newEnricher(cfg)
	if err != nil {
		return nil, err
	}
	return &k8sflowProcessor{
		cfg: cfg, log: set.Logger, tb: tb, enr: enr,
		restConfig: func(c *Config) (*rest.Config, error) { return kube.RestConfig(c.AuthType, c.KubeConfigPath) },
	}, nil
}

func (p *k8sflowProcessor) start(_ context.Context, _ component.Host) error {
	if p.cfg.AuthType == AuthNone {
		p.log.Info("auth_type is none: flows pass through without Kubernetes enrichment")
		return nil
	}
	rc, err := p.restConfig(p.cfg)
	if err != nil {
		return err
	}
	p.store = kube.NewStore()
	p.watcher, err = kube.NewWatcher(rc, p.store)
	if err != nil {
		return err
	}
	if err := p.registerTelemetry(); err != nil {
		return err
	}
	p.waitUntil = time.Now().Add(p.cfg.WaitForSync)
	p.watcher.Start()
	p.log.Info("Watching the API server for flow enrichment", zap.String("host", rc.Host),
		zap.Duration("wait_for_sync", p.cfg.WaitForSync))
	go func() {
		select {
		case <-p.watcher.Synced():
			p.log.Info("Kubernetes caches synced", zap.Any("objects", p.store.Sizes()))
		case <-time.After(time.Minute):
			p.log.Warn("Kubernetes caches not synced after 1m; flows pass unenriched until they are",
				zap.Any("synced", p.watcher.SyncState()))
		}
	}()
	return nil
}

func (p *k8sflowProcessor) shutdown(ctx context.Context) error {
	var err error
	if p.watcher != nil {
		err = p.watcher.Stop(ctx)
	}
	p.tb.Shutdown()
	return err
}

// ready reports whether the caches are synced, waiting for them while the wait_for_sync window
// is open. It never blocks past that window.
func (p *k8sflowProcessor) ready(ctx context.Context) bool {
	select {
	case <-p.watcher.Synced():
		return true
	default:
	}
	wait := time.Until(p.waitUntil)
	if wait <= 0 {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.watcher.Synced():
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (p *k8sflowProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	if p.store == nil {
		return ld, nil // auth_type none
	}
	if !p.ready(ctx) {
		p.tb.ProcessorK8sflowFlowsUnsynced.Add(ctx, int64(ld.LogRecordCount()))
		return ld, nil
	}
	var st lookupStats
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		obs := observer(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for start := 0; start < lrs.Len(); start += recordsPerLock {
				end := min(start+recordsPerLock, lrs.Len())
				p.store.Read(func(v kube.View) {
					for k := start; k < end; k++ {
						p.enr.record(v, obs, lrs.At(k).Attributes(), &st)
					}
				})
			}
		}
	}
	if st.hit > 0 {
		p.tb.ProcessorK8sflowLookups.Add(ctx, st.hit, lookupHit)
	}
	if st.miss > 0 {
		p.tb.ProcessorK8sflowLookups.Add(ctx, st.miss, lookupMiss)
	}
	return ld, nil
}

func (p *k8sflowProcessor) registerTelemetry() error {
	return errors.Join(
		p.tb.RegisterProcessorK8sflowCacheObjectsCallback(func(_ context.Context, o metric.Int64Observer) error {
			for kind, n := range p.store.Sizes() {
				o.Observe(int64(n), metric.WithAttributes(attribute.String("kind", kind)))
			}
			return nil
		}),
		p.tb.RegisterProcessorK8sflowCacheBytesCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(p.store.Bytes())
			return nil
		}),
		p.tb.RegisterProcessorK8sflowInformerSyncedCallback(func(_ context.Context, o metric.Int64Observer) error {
			for res, ok := range p.watcher.SyncState() {
				v := int64(0)
				if ok {
					v = 1
				}
				o.Observe(v, metric.WithAttributes(attribute.String("resource", res)))
			}
			return nil
		}),
	)
}
