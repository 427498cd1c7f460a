// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestKafkaModelWithSASL: node side (kafka exporter) and gateway side (kafka receiver in a
// consumer group) authenticate with SASL/PLAIN and SCRAM-SHA-512, as the operator renders them
// from FlowCollector spec.kafka.sasl.
func TestKafkaModelWithSASL(t *testing.T) {
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			kafka := testutil.StartKafkaWith(t, []kfake.Opt{kfake.SeedTopics(1, "flows"), kfake.EnableSASL(),
				kfake.Superuser(mech, "flowlens", "s3cret")})
			sasl := fmt.Sprintf(`{sasl: {mechanism: %s, username: flowlens, password: s3cret}}`, mech)
			otlpAddr := testutil.FreeLoopbackPort(t)
			producer := startCollector(t, "", fmt.Sprintf(`
receivers:
  otlp: {protocols: {http: {endpoint: %q}}}
exporters:
  kafka: {brokers: [%q], auth: %s, logs: {topic: flows, encoding: otlp_proto}}
service:
  telemetry: {metrics: {level: none}}
  pipelines: {logs: {receivers: [otlp], exporters: [kafka]}}
`, otlpAddr, kafka, sasl))
			out := filepath.Join(t.TempDir(), "gateway.json")
			consumer := startCollector(t, "", fmt.Sprintf(`
receivers:
  kafka: {brokers: [%q], auth: %s, logs: {topics: [flows], encoding: otlp_proto}, group_id: gw, initial_offset: earliest}
exporters:
  file: {path: %s, flush_interval: 100ms}
service:
  telemetry: {metrics: {level: none}}
  pipelines: {logs: {receivers: [kafka], exporters: [file]}}
`, kafka, sasl, out))
			producer.waitLog(t, 15*time.Second, "Everything is ready")
			consumer.waitLog(t, 15*time.Second, "Everything is ready")
			postOTLP(t, otlpAddr, flowBatch(0, 30))
			testutil.WaitFor(t, 20*time.Second, "30 flows through Kafka", func() bool {
				return len(readFlowsIfAny(t, out)) >= 30
			})
			consumer.stop(t)
			producer.stop(t)
			var total int64
			for _, f := range readFlowsIfAny(t, out) {
				total += f.num(flow.AttrBytes)
			}
			assert.EqualValues(t, 3000, total)
		})
	}
}
