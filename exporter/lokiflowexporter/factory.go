// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter // import "github.com/flowlens/flowlens/exporter/lokiflowexporter"

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/metadata"
)

// NewFactory returns the factory of the lokiflow exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = 10 * time.Second
	queue := exporterhelper.NewDefaultQueueConfig()
	// Batch by bytes and by wait, like NetObserv's Loki client (batchWait 1s): pushes of up to
	// 4 MiB of flows, sent at least every second.
	queue.Sizer = exporterhelper.RequestSizerTypeBytes
	queue.QueueSize = 64 << 20
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.Sizer = exporterhelper.RequestSizerTypeBytes
	batch.FlushTimeout = time.Second
	batch.MinSize = 1 << 20
	batch.MaxSize = 4 << 20
	queue.Batch = configoptional.Some(batch)
	return &Config{
		ClientConfig:  client,
		QueueSettings: configoptional.Some(queue),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		TenantID:      "netobserv",
		Format:        FormatProtobuf,
		Labels:        slices.Clone(DefaultLabels),
		StaticLabels:  map[string]string{"app": "netobserv-flowcollector"},
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
		// The HTTP client's own timeout applies to each push.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueSettings),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown))
}
