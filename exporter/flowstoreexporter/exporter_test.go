// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstoreexporter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/flowlens/flowlens/exporter/flowstoreexporter/internal/metadata"
	"github.com/flowlens/flowlens/exporter/flowstoreexporter/internal/metadatatest"
	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

// flows returns n flows ending one second apart from end.
func flows(end time.Time, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrHostName, "host-1")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		t := end.Add(time.Duration(i) * time.Second)
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
		a := lr.Attributes()
		a.PutStr(flow.AttrSrcAddress, fmt.Sprintf("10.1.0.%d", i%200+1))
		a.PutStr(flow.AttrDstAddress, "10.2.0.1")
		a.PutInt(flow.AttrSrcPort, int64(40000+i))
		a.PutInt(flow.AttrDstPort, 443)
		a.PutInt(flow.AttrProtocol, 6)
		a.PutInt(flow.AttrBytes, 1500)
		a.PutInt(flow.AttrPackets, 3)
		a.PutInt(flow.AttrStart, t.Add(-time.Second).UnixNano())
		a.PutInt(flow.AttrEnd, t.UnixNano())
		a.PutStr(flow.AttrFlowDirection, flow.DirEgress)
	}
	return ld
}

func startExporter(t *testing.T, cfg *Config) (*storeExporter, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	e, err := newExporter(metadatatest.NewSettings(tel), cfg)
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	return e, tel
}

func TestWritesThroughTheQueueAndReadsBack(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Path = filepath.Join(t.TempDir(), "flows.db")
	set := exportertest.NewNopSettings(metadata.Type)
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	end := time.Now().Add(-time.Minute).Truncate(time.Second)
	for range 3 {
		require.NoError(t, exp.ConsumeLogs(context.Background(), flows(end, 700)))
	}
	// Shutdown drains the queue: every accepted flow is in the file afterwards.
	require.NoError(t, exp.Shutdown(context.Background()))

	r, err := flowstore.OpenReader(cfg.Path)
	require.NoError(t, err)
	defer r.Close()
	st, err := r.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2100, st.Flows)

	f, err := flowquery.Parse("SrcAddr=10.1.0.7")
	require.NoError(t, err)
	recs, err := r.Records(context.Background(), flowquery.Records{
		Filters: f, Start: end.Add(-time.Hour), End: end.Add(time.Hour), Limit: 100,
	})
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	for _, rec := range recs {
		assert.Equal(t, "10.1.0.7", rec["SrcAddr"])
		assert.EqualValues(t, 1500, rec["Bytes"])
		assert.EqualValues(t, 443, rec["DstPort"])
	}
}

func TestRetentionDeletesAndCounts(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Path = filepath.Join(t.TempDir(), "flows.db")
	cfg.Retention = time.Hour
	e, tel := startExporter(t, cfg)
	defer func() { require.NoError(t, e.shutdown(context.Background())) }()

	now := time.Now()
	require.NoError(t, e.push(context.Background(), flows(now.Add(-3*time.Hour), 50)))
	require.NoError(t, e.push(context.Background(), flows(now.Add(-time.Minute), 30)))
	e.enforce(context.Background(), now)

	r, err := flowstore.OpenReader(cfg.Path)
	require.NoError(t, err)
	defer r.Close()
	st, err := r.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 30, st.Flows)

	metadatatest.AssertEqualExporterFlowstoreFlowsWritten(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 80}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExporterFlowstoreFlowsDeleted(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 50}}, metricdatatest.IgnoreTimestamp())
	size, err := tel.GetMetric("otelcol_exporter_flowstore_size")
	require.NoError(t, err)
	assert.Positive(t, size.Data.(metricdata.Gauge[int64]).DataPoints[0].Value)
}

func TestStartFailsOnUnwritablePath(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Path = filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(cfg.Path, nil, 0o600))
	cfg.Path = filepath.Join(cfg.Path, "flows.db") // a directory that is a file
	e, err := newExporter(exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	err = e.start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.ErrorContains(t, err, filepath.Dir(cfg.Path))
	require.NoError(t, e.shutdown(context.Background()))
}
