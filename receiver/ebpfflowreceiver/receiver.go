// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/cilium/ebpf/ringbuf"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/metadata"
)

type flowReceiver struct {
	set  receiver.Settings
	cfg  *Config
	next consumer.Logs
	log  *zap.Logger
	tb   *metadata.TelemetryBuilder
	obs  *receiverhelper.ObsReport

	dp       *datapath.Datapath
	plan     *featurePlan
	att      *attach.Attacher
	overflow *overflow
	exp      *exporter
	kernel   kernelEnv

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newReceiver(set receiver.Settings, cfg *Config, next consumer.Logs) (*flowReceiver, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "ebpf", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	return &flowReceiver{set: set, cfg: cfg, next: next, log: set.Logger, tb: tb, obs: obs, kernel: defaultKernelEnv()}, nil
}

// Start loads the programs, attaches them to the selected interfaces and starts evicting.
func (r *flowReceiver) Start(_ context.Context, _ component.Host) error {
	sel, err := r.cfg.selector()
	if err != nil {
		return err
	}
	r.plan, err = planFeatures(r.cfg, r.log, r.kernel)
	if err != nil {
		return fmt.Errorf("ebpfflow: %w", err)
	}
	s := r.plan.settings
	s.Sampling, s.MaxFlows, s.RingBufBytes = r.cfg.Sampling, r.cfg.CacheMaxFlows, r.cfg.RingBufferSize
	r.dp, err = datapath.Load(s)
	if err != nil {
		return errors.Join(fmt.Errorf("ebpfflow: %w (the receiver needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)", err), r.plan.close())
	}
	fail := func(err error) error { return errors.Join(err, r.dp.Close(), r.plan.close()) }
	if err := errors.Join(r.registerKernelCounters(), r.registerFeatureMetrics()); err != nil {
		return fail(err)
	}
	rb, err := ringbuf.NewReader(r.dp.Overflow())
	if err != nil {
		return fail(fmt.Errorf("open overflow ring buffer: %w", err))
	}
	r.overflow = newOverflow(r.log, rb, func() { r.tb.ReceiverEbpfflowRingbufRecords.Add(context.Background(), 1) })
	r.overflow.start()

	r.exp, err = newExporter(r)
	if err != nil {
		return fail(errors.Join(err, r.overflow.stop()))
	}
	if err := r.dp.AttachHooks(); err != nil {
		return fail(errors.Join(fmt.Errorf("ebpfflow: %w", err), r.overflow.stop()))
	}
	r.att = attach.New(r.log, sel, attach.Programs{Ingress: r.dp.Ingress(), Egress: r.dp.Egress()},
		attach.Mode(r.cfg.AttachMode), attachEvents{r})
	if err := r.att.Start(); err != nil {
		return fail(errors.Join(err, r.overflow.stop()))
	}
	r.log.Info("Capturing flows",
		zap.Uint32("sampling", max(r.cfg.Sampling, 1)),
		zap.Duration("cache_active_timeout", r.cfg.CacheActiveTimeout),
		zap.Uint32("cache_max_flows", r.cfg.CacheMaxFlows),
		zap.String("node_ip", r.exp.nodeIP))

	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Add(1)
	go r.evictLoop(ctx)
	return nil
}

func (r *flowReceiver) evictLoop(ctx context.Context) {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.CacheActiveTimeout)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.exp.evict(ctx, false); err != nil {
				r.log.Warn("Eviction failed", zap.Error(err))
			}
		}
	}
}

// Shutdown removes every hook, then exports what the maps and the ring buffer still hold, so the
// flows of the last window are not lost. Safe to call when Start was not.
func (r *flowReceiver) Shutdown(ctx context.Context) error {
	if r.cancel == nil {
		r.tb.Shutdown()
		return nil
	}
	r.cancel()
	r.wg.Wait()
	var errs []error
	if err := r.att.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := r.dp.DetachHooks(); err != nil {
		errs = append(errs, err)
	}
	if err := r.overflow.stop(); err != nil {
		errs = append(errs, err)
	}
	if err := r.exp.evict(ctx, true); err != nil {
		errs = append(errs, fmt.Errorf("final eviction: %w", err))
	}
	errs = append(errs, r.dp.Close(), r.plan.close())
	r.tb.Shutdown()
	r.log.Info("Stopped capturing flows; every hook removed")
	return errors.Join(errs...)
}

func (r *flowReceiver) registerKernelCounters() error {
	read := func(pick func(datapath.Counters) uint64) metric.Int64Callback {
		return func(_ context.Context, o metric.Int64Observer) error {
			c, err := r.dp.Counters()
			if err != nil {
				return err
			}
			o.Observe(int64(pick(c)))
			return nil
		}
	}
	return errors.Join(
		r.tb.RegisterReceiverEbpfflowMapFullCallback(read(func(c datapath.Counters) uint64 { return c.MapFull })),
		r.tb.RegisterReceiverEbpfflowMalformedPacketsCallback(read(func(c datapath.Counters) uint64 { return c.Malformed })),
		r.tb.RegisterReceiverEbpfflowInterfaceOverflowCallback(read(func(c datapath.Counters) uint64 { return c.IfaceOverflow })),
	)
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}
