// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowfieldsprocessor

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/flowfieldsprocessor/internal/metadata"
)

func oneFlow() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, "10.0.0.1")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Unix(1700000000, 0)))
	a := lr.Attributes()
	a.PutStr(flow.AttrSrcAddress, "10.1.0.1")
	a.PutInt(flow.AttrBytes, 1500)
	a.PutInt(flow.AttrEnd, 1_700_000_000_123_000_000)
	a.PutStr(flow.AttrFlowDirection, flow.DirIngress)
	a.PutInt(flow.AttrTCPFlags, flow.TCPSyn)
	a.PutStr(flow.AttrSrcResType, "Pod")
	a.PutStr(flow.AttrSrcPodName, "web-1")
	a.PutStr(flow.AttrSrcMAC, "0A:58:00:00:00:01")
	a.PutStr("custom.attribute", "kept")
	return ld
}

func run(t *testing.T, cfg *Config) plog.LogRecord {
	t.Helper()
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeLogs(context.Background(), oneFlow()))
	return sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

func TestNetObservNaming(t *testing.T) {
	t.Parallel()
	lr := run(t, &Config{Naming: NamingNetObserv})
	assert.Equal(t, map[string]any{
		"AgentIP": "10.0.0.1", "SrcAddr": "10.1.0.1", "Bytes": int64(1500), "TimeFlowEndMs": int64(1_700_000_000_123),
		"FlowDirection": int64(0), "Flags": []any{"SYN"}, "SrcK8S_Type": "Pod", "SrcK8S_Name": "web-1",
		"SrcMac": "0A:58:00:00:00:01", "TimeReceived": int64(1700000000), "custom.attribute": "kept",
	}, lr.Attributes().AsRaw())
}

func TestFieldsMapping(t *testing.T) {
	t.Parallel()
	lr := run(t, &Config{Naming: NamingNetObserv, Mapping: []FieldMapping{
		{Input: "SrcAddr", Output: "source.ip"},
		{Input: "Bytes", Output: "bits", Multiplier: 8},
		{Input: "TimeFlowEndMs", Output: "end_seconds", Multiplier: 0.001},
		{Input: "Absent", Output: "nothing"},
	}})
	a := lr.Attributes().AsRaw()
	assert.Equal(t, "10.1.0.1", a["source.ip"])
	assert.Equal(t, int64(12000), a["bits"])
	assert.InDelta(t, 1_700_000_000.123, a["end_seconds"], 1e-3)
	assert.NotContains(t, a, "SrcAddr")
	assert.NotContains(t, a, "nothing")
}

func TestBodyNetObservJSON(t *testing.T) {
	t.Parallel()
	lr := run(t, &Config{Body: BodyNetObservJSON})
	var m map[string]any
	require.NoError(t, json.Unmarshal(lr.Body().Bytes().AsRaw(), &m))
	assert.Equal(t, "10.1.0.1", m["SrcAddr"])
	assert.EqualValues(t, 1_700_000_000_123, m["TimeFlowEndMs"])
	assert.Equal(t, "web-1", m["SrcK8S_Name"])
	assert.Equal(t, "10.1.0.1", lr.Attributes().AsRaw()[flow.AttrSrcAddress], "attributes untouched")
}

func TestValidate(t *testing.T) {
	t.Parallel()
	err := (&Config{Naming: "otel", Body: "xml", Mapping: []FieldMapping{{Input: "a"}, {Input: "b", Output: "c", Multiplier: -1}}}).Validate()
	require.Error(t, err)
	for _, want := range []string{`naming: "otel" is not valid`, `body: "xml" is not valid`, "mapping[0]: input and output are required", "mapping[1].multiplier"} {
		assert.Contains(t, err.Error(), want)
	}
}
