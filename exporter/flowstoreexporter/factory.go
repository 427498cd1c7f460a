// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstoreexporter // import "github.com/flowlens/flowlens/exporter/flowstoreexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/flowlens/flowlens/exporter/flowstoreexporter/internal/metadata"
)

// NewFactory returns the factory of the flowstore exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	q := exporterhelper.NewDefaultQueueConfig()
	// One writer (SQLite writes one transaction at a time); batches of up to 5,000 flows, at
	// least every second.
	q.NumConsumers = 1
	q.Sizer = exporterhelper.RequestSizerTypeItems
	q.QueueSize = 200_000
	b := exporterhelper.NewDefaultBatchConfig()
	b.Sizer = exporterhelper.RequestSizerTypeItems
	b.FlushTimeout = time.Second
	b.MinSize = 1000
	b.MaxSize = 5000
	q.Batch = configoptional.Some(b)
	return &Config{
		Path:          "./data/flows.db",
		Retention:     24 * time.Hour,
		MaxSize:       10 << 30,
		CheckInterval: time.Minute,
		QueueSettings: configoptional.Some(q),
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.push,
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithQueue(c.QueueSettings),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown))
}
