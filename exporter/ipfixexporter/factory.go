// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter // import "github.com/flowlens/flowlens/exporter/ipfixexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/flowlens/flowlens/exporter/ipfixexporter/internal/metadata"
)

// NewFactory returns the factory of the ipfix exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	q := exporterhelper.NewDefaultQueueConfig()
	// One connection, in order: records of one flow batch stay together and sequence numbers
	// grow in sending order.
	q.NumConsumers = 1
	return &Config{
		Transport:       TransportUDP,
		EnterpriseID:    2,
		TemplateRefresh: 60 * time.Second,
		MTU:             1500,
		QueueSettings:   configoptional.Some(q),
		BackOffConfig:   configretry.NewDefaultBackOffConfig(),
		TimeoutConfig:   exporterhelper.NewDefaultTimeoutConfig(),
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
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueSettings),
		exporterhelper.WithShutdown(e.shutdown))
}
