// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/metadatatest"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/xlat"
)

// fakeKernel offers the hooks of ok; every other hook fails with "not here".
func fakeKernel(conntrackErr error, ok ...datapath.Hook) kernelEnv {
	return kernelEnv{
		probe: func(hooks ...datapath.Hook) datapath.Support {
			s := datapath.Support{Hooks: map[datapath.Hook]error{}, DropReasons: map[uint32]string{12: "NETFILTER_DROP"}, DropReasonNotSpecified: 2}
			for _, h := range hooks {
				s.Hooks[h] = errors.New("not here")
				if h == datapath.HookDNSTC || h == datapath.HookRTTHandshake || h == datapath.HookXlatConntrack {
					s.Hooks[h] = nil // TC and userspace: always there, as datapath.Probe says
				}
				for _, o := range ok {
					if h == o {
						s.Hooks[h] = nil
					}
				}
			}
			return s
		},
		openConntrack: func() (translator, error) {
			if conntrackErr != nil {
				return nil, conntrackErr
			}
			return fakeTranslator{}, nil
		},
	}
}

type fakeTranslator struct{}

func (fakeTranslator) Snapshot() (xlat.Table, error) { return xlat.Table{}, nil }
func (fakeTranslator) Close() error                  { return nil }

func TestPlanFeaturesPicksTheBestHook(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Features = []string{FeaturePacketDrop, FeatureFlowRTT, FeatureDNSTracking, FeaturePacketTranslation}
	core, logs := observer.New(zap.InfoLevel)
	// This project's machines: tracepoints and raw tracepoints, no fentry, no kprobes.
	p, err := planFeatures(cfg, zap.New(core), fakeKernel(nil, datapath.HookDropRawTP, datapath.HookDropTracepoint,
		datapath.HookRTTRawTP, datapath.HookRTTTracepoint, datapath.HookXlatConntrack))
	require.NoError(t, err)
	assert.Equal(t, map[string]datapath.Hook{
		FeaturePacketDrop:        datapath.HookDropRawTP,
		FeatureFlowRTT:           datapath.HookRTTRawTP,
		FeatureDNSTracking:       datapath.HookDNSTC,
		FeaturePacketTranslation: datapath.HookXlatConntrack,
	}, p.hooks)
	assert.Equal(t, datapath.HookDropRawTP, p.settings.Drops)
	assert.Equal(t, uint32(2), p.settings.DropReasonNotSpecified)
	assert.Equal(t, datapath.HookRTTRawTP, p.settings.RTT)
	assert.Equal(t, []uint16{53}, p.settings.DNSPorts)
	assert.Empty(t, p.settings.Xlat, "translation runs in userspace")
	assert.NotNil(t, p.conntrack)
	assert.Equal(t, "NETFILTER_DROP", p.dropCause(12))
	// One log line per feature, naming the hook and why the better ones could not be used.
	for _, e := range logs.FilterMessage("Feature enabled").All() {
		if e.ContextMap()["feature"] == FeatureFlowRTT {
			assert.Equal(t, string(datapath.HookRTTRawTP), e.ContextMap()["hook"])
			assert.Equal(t, []any{"fentry/tcp_rcv_established: not here"}, e.ContextMap()["unavailable_hooks"])
		}
	}
	assert.Equal(t, 4, logs.FilterMessage("Feature enabled").Len())

	// With fentry everywhere, fentry is taken; with no tracing at all, RTT falls back to TC.
	p, err = planFeatures(cfg, zap.NewNop(), fakeKernel(nil, datapath.HookDropTracepoint, datapath.HookRTTFentry, datapath.HookXlatFentry))
	require.NoError(t, err)
	assert.Equal(t, datapath.HookRTTFentry, p.hooks[FeatureFlowRTT])
	assert.Equal(t, datapath.HookXlatFentry, p.settings.Xlat)
	assert.Nil(t, p.conntrack)
	p, err = planFeatures(cfg, zap.NewNop(), fakeKernel(nil, datapath.HookDropTracepoint, datapath.HookXlatKprobe))
	require.NoError(t, err)
	assert.Equal(t, datapath.HookRTTHandshake, p.settings.RTT)
	assert.Equal(t, datapath.HookXlatKprobe, p.settings.Xlat)
}

func TestPlanFeaturesFailsClearly(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Features = []string{FeaturePacketDrop, FeaturePacketTranslation, FeatureFlowRTT}
	_, err := planFeatures(cfg, zap.NewNop(), fakeKernel(errors.New("permission denied")))
	require.Error(t, err)
	assert.ErrorContains(t, err, "feature PacketDrop cannot run on this kernel: raw_tracepoint/kfree_skb: not here; tracepoint/skb/kfree_skb: not here")
	assert.ErrorContains(t, err, "feature PacketTranslation cannot run on this kernel: fentry/nf_nat_manip_pkt: not here; "+
		"kprobe/nf_nat_manip_pkt: not here; netlink/conntrack: permission denied")
	assert.NotContains(t, err.Error(), "FlowRTT", "RTT always has the TC fallback")
}

// TestLifecycleWithEveryFeature starts the receiver with every feature and a filter on this
// kernel (no traffic: no interface is selected), checks the hooks it reports, and shuts down
// with nothing left running (goleak).
func TestLifecycleWithEveryFeature(t *testing.T) {
	testutil.RequireRoot(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Interfaces = []string{"fl-no-such-interface"}
	cfg.CacheActiveTimeout = 200 * time.Millisecond
	cfg.Features = []string{FeaturePacketDrop, FeatureFlowRTT, FeatureDNSTracking, FeaturePacketTranslation}
	cfg.FlowFilter.Rules = []FlowFilterRule{{CIDR: "10.0.0.0/8"}, {Action: "Reject"}}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	r, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tt), cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	fr := r.(*flowReceiver)
	// The metric reports the hook of every feature.
	var want []metricdata.DataPoint[int64]
	for f, h := range fr.plan.hooks {
		want = append(want, metricdata.DataPoint[int64]{Value: 1,
			Attributes: attribute.NewSet(attribute.String("feature", f), attribute.String("hook", string(h)))})
	}
	want = append(want, metricdata.DataPoint[int64]{Value: 1,
		Attributes: attribute.NewSet(attribute.String("feature", "FlowFilter"), attribute.String("hook", "tc"))})
	metadatatest.AssertEqualReceiverEbpfflowFeatureHook(t, tt, want, metricdatatest.IgnoreTimestamp())
	sup := datapath.Probe(datapath.HookRTTFentry, datapath.HookXlatFentry, datapath.HookXlatKprobe)
	for f, h := range fr.plan.hooks {
		t.Logf("%s: %s", f, h)
	}
	if sup.Hooks[datapath.HookRTTFentry] != nil {
		assert.Equal(t, datapath.HookRTTRawTP, fr.plan.hooks[FeatureFlowRTT], "no fentry here: the raw tracepoint")
	}
	assert.Equal(t, datapath.HookDropRawTP, fr.plan.hooks[FeaturePacketDrop])
	if sup.Hooks[datapath.HookXlatFentry] != nil && sup.Hooks[datapath.HookXlatKprobe] != nil {
		assert.Equal(t, datapath.HookXlatConntrack, fr.plan.hooks[FeaturePacketTranslation])
	}
	time.Sleep(300 * time.Millisecond) // one eviction, with a conntrack dump
	require.NoError(t, r.Shutdown(context.Background()))
}
