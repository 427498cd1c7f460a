// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/exporter/ipfixexporter/internal/metadata"
	"github.com/flowlens/flowlens/internal/testutil"
)

// BenchmarkPush: enriched flows to IPFIX data records written to a UDP socket on loopback
// (go-ipfix encoding, MTU-sized messages), 1,000 flows per push.
func BenchmarkPush(b *testing.B) {
	col := testutil.StartIPFIXCollector(b, TransportUDP)
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = col.Addr
	e, err := newExporter(exportertest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.shutdown(context.Background()) }()
	ld := plog.NewLogs()
	for range 500 {
		testFlows().ResourceLogs().MoveAndAppendTo(ld.ResourceLogs()) // 2 IP flows each
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.push(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/flow")
}
