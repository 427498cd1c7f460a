// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter

import (
	"testing"

	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/metadata"
)

// BenchmarkEncode: enriched flows to a Loki push body (labels, NetObserv JSON lines, streams,
// protobuf, snappy), 1,000 flows per push.
func BenchmarkEncode(b *testing.B) {
	for _, format := range []string{FormatProtobuf, FormatJSON} {
		b.Run(format, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Format = format
			e, err := newExporter(exportertest.NewNopSettings(metadata.Type), cfg)
			if err != nil {
				b.Fatal(err)
			}
			ld := flows(1000)
			b.ReportAllocs()
			var size int
			for b.Loop() {
				body, _ := e.encode(ld)
				size = len(body)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/flow")
			b.ReportMetric(float64(size)/1000, "B/flow")
		})
	}
}
