// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter // import "github.com/flowlens/flowlens/exporter/lokiflowexporter"

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/metadata"
	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/push"
)

type lokiExporter struct {
	cfg    *Config
	set    exporter.Settings
	tb     *metadata.TelemetryBuilder
	lab    *labeler
	client *http.Client
}

func newExporter(set exporter.Settings, cfg *Config) (*lokiExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &lokiExporter{cfg: cfg, set: set, tb: tb, lab: newLabeler(cfg.Labels, cfg.StaticLabels)}, nil
}

func (e *lokiExporter) start(ctx context.Context, host component.Host) error {
	c, err := e.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), e.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("lokiflow: http client: %w", err)
	}
	e.client = c
	return nil
}

func (e *lokiExporter) shutdown(context.Context) error {
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	e.tb.Shutdown()
	return nil
}

// push sends one batch of flows as one push request. Errors: 429 and 5xx are retried by
// exporterhelper (429 after Retry-After when given); any other 4xx is permanent.
func (e *lokiExporter) push(ctx context.Context, ld plog.Logs) error {
	body, entries := e.encode(ld)
	if entries == 0 {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return consumererror.NewPermanent(err)
	}
	if e.cfg.Format == FormatJSON {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-protobuf")
	}
	req.Header.Set("User-Agent", "flowlens-lokiflow")
	if e.cfg.TenantID != "" {
		req.Header.Set("X-Scope-OrgID", e.cfg.TenantID)
	}
	if e.cfg.BearerTokenFile != "" {
		tok, err := os.ReadFile(e.cfg.BearerTokenFile)
		if err != nil {
			return fmt.Errorf("read bearer_token_file: %w", err) // retried: the file may appear
		}
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("push to %s: %w", e.cfg.Endpoint, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	switch {
	case resp.StatusCode/100 == 2:
		e.tb.ExporterLokiflowEntriesSent.Add(ctx, int64(entries))
		e.tb.ExporterLokiflowBytesSent.Add(ctx, int64(len(body)))
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		err := fmt.Errorf("loki push: %s: %s", resp.Status, bytes.TrimSpace(msg))
		if d := retryAfter(resp.Header.Get("Retry-After")); d > 0 {
			return exporterhelper.NewThrottleRetry(err, d)
		}
		return err
	case resp.StatusCode/100 == 5:
		return fmt.Errorf("loki push: %s: %s", resp.Status, bytes.TrimSpace(msg))
	default:
		e.tb.ExporterLokiflowEntriesRejected.Add(ctx, int64(entries))
		e.set.Logger.Warn("Loki refused a push; its entries are dropped",
			zap.Int("status", resp.StatusCode), zap.Int("entries", entries), zap.ByteString("message", bytes.TrimSpace(msg)))
		return consumererror.NewPermanent(fmt.Errorf("loki push: %s: %s", resp.Status, bytes.TrimSpace(msg)))
	}
}

// encode groups the flows into streams and returns the request body and the entry count.
func (e *lokiExporter) encode(ld plog.Logs) ([]byte, int) {
	b := push.NewBatch()
	var labels []push.Label
	var key []byte
	values := make([]string, len(e.cfg.Labels))
	// One arena for every line of the batch: one allocation (and a few growths) per push
	// instead of one per flow. Slices of it stay valid when it grows: appends never write
	// below a slice's end.
	arena := make([]byte, 0, 400*ld.LogRecordCount())
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				start := len(arena)
				arena = e.lab.split.Append(arena, res, lr, values)
				labels, key = e.lab.labels(values, labels, key)
				b.Add(key, labels, push.Entry{Time: flowEnd(lr), Line: arena[start:len(arena):len(arena)]})
			}
		}
	}
	if e.cfg.Format == FormatJSON {
		return b.JSON(), b.Entries()
	}
	return b.Protobuf(), b.Entries()
}

// flowEnd is the entry's timestamp: the flow end (the record timestamp), else its observation.
func flowEnd(lr plog.LogRecord) time.Time {
	if ts := lr.Timestamp(); ts != 0 {
		return ts.AsTime()
	}
	return lr.ObservedTimestamp().AsTime()
}

func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}
