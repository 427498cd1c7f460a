// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/metadata"
)

// NewFactory returns the factory of the ebpfflow receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	return &Config{
		ExcludeInterfaces:  []string{"lo"},
		Sampling:           1,
		CacheActiveTimeout: 5 * time.Second,
		CacheMaxFlows:      100000,
		RingBufferSize:     16 << 20,
		AttachMode:         "auto",
		MaxFlowsPerBatch:   10000,
		DNSPorts:           []uint16{53},
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	c := *(cfg.(*Config))
	return newReceiver(set, &c, next)
}
