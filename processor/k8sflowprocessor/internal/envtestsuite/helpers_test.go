// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/metadatatest"
)

// running is a k8sflow processor started against the test API server.
type running struct {
	p    processor.Logs
	sink *consumertest.LogsSink
	tel  *componenttest.Telemetry
}

// startProcessor creates the processor through its factory, with auth_type kubeConfig pointed
// at the test API server's kubeconfig, and starts it.
func startProcessor(t *testing.T, edit func(*k8sflowprocessor.Config)) *running {
	t.Helper()
	f := k8sflowprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*k8sflowprocessor.Config)
	cfg.AuthType = k8sflowprocessor.AuthKubeConfig
	cfg.KubeConfigPath = api.Kubeconfig
	if edit != nil {
		edit(cfg)
	}
	require.NoError(t, cfg.Validate())
	r := &running{sink: new(consumertest.LogsSink), tel: componenttest.NewTelemetry()}
	var err error
	r.p, err = f.CreateLogs(context.Background(), metadatatest.NewSettings(r.tel), cfg, r.sink)
	require.NoError(t, err)
	require.NoError(t, r.p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, r.p.Shutdown(context.Background()))
		require.NoError(t, r.tel.Shutdown(context.Background()))
	})
	return r
}

// fl is one flow to feed: addresses, ports and the observing node.
type fl struct {
	src      string
	srcPort  int64
	dst      string
	dstPort  int64
	observer string
	ifDir    string
}

func (f fl) logs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	if f.observer != "" {
		rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, f.observer)
	}
	a := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes()
	a.PutStr(flow.AttrSrcAddress, f.src)
	a.PutStr(flow.AttrDstAddress, f.dst)
	if f.srcPort != 0 {
		a.PutInt(flow.AttrSrcPort, f.srcPort)
		a.PutInt(flow.AttrDstPort, f.dstPort)
	}
	dir := f.ifDir
	if dir == "" {
		dir = flow.DirEgress
	}
	a.PutStr(flow.AttrIfaceDir, dir)
	a.PutInt(flow.AttrBytes, 100)
	return ld
}

// enrich feeds one flow and returns its attributes after the processor.
func (r *running) enrich(t *testing.T, f fl) map[string]any {
	t.Helper()
	r.sink.Reset()
	require.NoError(t, r.p.ConsumeLogs(context.Background(), f.logs()))
	all := r.sink.AllLogs()
	require.Len(t, all, 1)
	return all[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw()
}

// eventually feeds the flow until check accepts its attributes: informer events arrive
// asynchronously.
func (r *running) eventually(t *testing.T, f fl, what string, check func(map[string]any) bool) map[string]any {
	t.Helper()
	var got map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		got = r.enrich(t, f)
		if check(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within 20s; last attributes: %v", what, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// has reports whether attrs contain every key/value of want (nil value: key absent).
func has(attrs, want map[string]any) bool {
	for k, v := range want {
		got, ok := attrs[k]
		if v == nil {
			if ok {
				return false
			}
			continue
		}
		if !ok || got != v {
			return false
		}
	}
	return true
}
