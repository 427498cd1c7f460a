// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowfieldsprocessor // import "github.com/flowlens/flowlens/processor/flowfieldsprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/flowlens/flowlens/processor/flowfieldsprocessor/internal/metadata"
)

// NewFactory returns the factory of the flowfields processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(metadata.Type, func() component.Config { return &Config{} },
		processor.WithLogs(createLogs, metadata.LogsStability))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p := &fieldsProcessor{cfg: cfg.(*Config)}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
