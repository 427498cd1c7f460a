// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/xlat"
)

// Hooks each feature can use, best first. Start takes the first one the kernel runs.
var featureHooks = map[string][]datapath.Hook{
	// The raw tracepoint needs no tracefs (absent in many containers) and no record is built.
	FeaturePacketDrop: {datapath.HookDropRawTP, datapath.HookDropTracepoint},
	// fentry is the cheapest; of the two tcp_probe hooks the raw tracepoint costs less (the
	// kernel does not build the tracepoint's record: docs/performance.md); handshake timing in
	// TC needs no tracing at all (no CAP_PERFMON, no BTF).
	FeatureFlowRTT:           {datapath.HookRTTFentry, datapath.HookRTTRawTP, datapath.HookRTTTracepoint, datapath.HookRTTHandshake},
	FeatureDNSTracking:       {datapath.HookDNSTC},
	FeaturePacketTranslation: {datapath.HookXlatFentry, datapath.HookXlatKprobe, datapath.HookXlatConntrack},
}

// featurePlan is what Start decided: the hook of each enabled feature and the datapath settings.
type featurePlan struct {
	hooks       map[string]datapath.Hook // by feature
	dropReasons map[uint32]string
	settings    datapath.Settings // the feature part
	conntrack   translator        // PacketTranslation in userspace
}

// translator is the userspace PacketTranslation source (conntrack over netlink).
type translator interface {
	Snapshot() (xlat.Table, error)
	Close() error
}

// kernelEnv is how Start learns what the kernel offers; tests replace it.
type kernelEnv struct {
	probe         func(hooks ...datapath.Hook) datapath.Support
	openConntrack func() (translator, error)
}

func defaultKernelEnv() kernelEnv {
	return kernelEnv{
		probe:         datapath.Probe,
		openConntrack: func() (translator, error) { return xlat.Open() },
	}
}

// planFeatures probes the kernel for the hooks of the enabled features and picks one per feature.
// A feature that no hook can serve fails with the reasons of every hook tried.
func planFeatures(cfg *Config, log *zap.Logger, env kernelEnv) (*featurePlan, error) {
	p := &featurePlan{hooks: map[string]datapath.Hook{}}
	rules, err := cfg.filterRules()
	if err != nil {
		return nil, err
	}
	p.settings.Filter = rules
	var candidates []datapath.Hook
	for _, f := range supportedFeatures {
		if cfg.hasFeature(f) {
			candidates = append(candidates, featureHooks[f]...)
		}
	}
	sup := env.probe(candidates...)
	var errs []error
	for _, f := range supportedFeatures {
		if !cfg.hasFeature(f) {
			continue
		}
		var missing []string
		for _, h := range featureHooks[f] {
			err := sup.Hooks[h]
			if h == datapath.HookXlatConntrack && err == nil {
				p.conntrack, err = env.openConntrack()
			}
			if err == nil {
				p.hooks[f] = h
				break
			}
			missing = append(missing, fmt.Sprintf("%s: %v", h, err))
		}
		h, ok := p.hooks[f]
		if !ok {
			errs = append(errs, fmt.Errorf("feature %s cannot run on this kernel: %s", f, strings.Join(missing, "; ")))
			continue
		}
		log.Info("Feature enabled", zap.String("feature", f), zap.String("hook", string(h)),
			zap.Strings("unavailable_hooks", missing))
	}
	if len(errs) > 0 {
		return nil, errors.Join(append(errs, p.close())...)
	}
	if h, ok := p.hooks[FeaturePacketDrop]; ok {
		p.settings.Drops = h
		p.settings.DropReasonNotSpecified = sup.DropReasonNotSpecified
		p.settings.DropReasonQueuePurge = sup.DropReasonQueuePurge
		p.dropReasons = sup.DropReasons
	}
	p.settings.RTT = p.hooks[FeatureFlowRTT]
	if _, ok := p.hooks[FeatureDNSTracking]; ok {
		p.settings.DNSPorts = cfg.DNSPorts
	}
	if h := p.hooks[FeaturePacketTranslation]; h != datapath.HookXlatConntrack {
		p.settings.Xlat = h
	}
	if len(rules) > 0 {
		log.Info("Flow filter enabled", zap.Int("rules", len(rules)), zap.String("hook", string(datapath.HookFilterTC)))
	}
	return p, nil
}

func (p *featurePlan) close() error {
	if p == nil || p.conntrack == nil {
		return nil
	}
	err := p.conntrack.Close()
	p.conntrack = nil
	return err
}

func (p *featurePlan) dropCause(reason uint32) string { return p.dropReasons[reason] }

// registerFeatureMetrics reports the hook of each feature and the kernel's feature counters.
func (r *flowReceiver) registerFeatureMetrics() error {
	read := func(pick func(datapath.Counters, metric.Int64Observer)) metric.Int64Callback {
		return func(_ context.Context, o metric.Int64Observer) error {
			c, err := r.dp.Counters()
			if err != nil {
				return err
			}
			pick(c, o)
			return nil
		}
	}
	with := func(k, v string) metric.ObserveOption { return metric.WithAttributes(attribute.String(k, v)) }
	return errors.Join(
		r.tb.RegisterReceiverEbpfflowFeatureHookCallback(func(_ context.Context, o metric.Int64Observer) error {
			for f, h := range r.plan.hooks {
				o.Observe(1, metric.WithAttributes(attribute.String("feature", f), attribute.String("hook", string(h))))
			}
			if len(r.cfg.FlowFilter.Rules) > 0 {
				o.Observe(1, metric.WithAttributes(attribute.String("feature", "FlowFilter"), attribute.String("hook", string(datapath.HookFilterTC))))
			}
			return nil
		}),
		r.tb.RegisterReceiverEbpfflowFilterPacketsCallback(read(func(c datapath.Counters, o metric.Int64Observer) {
			if len(r.cfg.FlowFilter.Rules) == 0 {
				return
			}
			o.Observe(int64(c.FilterAccept), with("result", "accept"))
			o.Observe(int64(c.FilterReject), with("result", "reject"))
			o.Observe(int64(c.FilterNoMatch), with("result", "no_match"))
		})),
		r.tb.RegisterReceiverEbpfflowDNSUnmatchedResponsesCallback(read(func(c datapath.Counters, o metric.Int64Observer) {
			o.Observe(int64(c.DNSUnmatched))
		})),
		r.tb.RegisterReceiverEbpfflowDNSMalformedCallback(read(func(c datapath.Counters, o metric.Int64Observer) {
			o.Observe(int64(c.DNSMalformed))
		})),
		r.tb.RegisterReceiverEbpfflowFeatureLostCallback(read(func(c datapath.Counters, o metric.Int64Observer) {
			for f, n := range map[string]uint64{FeaturePacketDrop: c.DropsLost, FeatureFlowRTT: c.RTTLost,
				FeatureDNSTracking: c.DNSLost, FeaturePacketTranslation: c.XlatLost} {
				if r.cfg.hasFeature(f) {
					o.Observe(int64(n), with("feature", f))
				}
			}
		})),
	)
}
