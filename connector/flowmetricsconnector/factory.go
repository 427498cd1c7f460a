// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/flowlens/flowlens/connector/flowmetricsconnector/internal/metadata"
)

// NewFactory returns the factory of the flowmetrics connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(metadata.Type, createDefaultConfig,
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability))
}

func createDefaultConfig() component.Config {
	return &Config{
		IncludeList:        slices.Clone(DefaultIncludeList),
		MaxSeriesPerMetric: 5000,
		SeriesExpiry:       5 * time.Minute,
		FlushInterval:      15 * time.Second,
	}
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	c := *(cfg.(*Config))
	return newConnector(set, &c, next)
}
