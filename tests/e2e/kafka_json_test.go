// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flowlens/flowlens/internal/testutil"
)

// TestKafkaExportNetObservJSON is NetObserv's exporters[].kafka: enriched flows written to a
// topic as JSON with NetObserv's field names, one flow per message, for third parties.
func TestKafkaExportNetObservJSON(t *testing.T) {
	kafka := testutil.StartKafka(t, "netobserv-flows")
	otlpAddr := testutil.FreeLoopbackPort(t)
	c := startCollector(t, "", fmt.Sprintf(`
receivers:
  otlp: {protocols: {http: {endpoint: %q}}}
processors:
  flowfields: {body: netobserv_json}
exporters:
  kafka:
    brokers: [%q]
    logs: {topic: netobserv-flows, encoding: raw}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], processors: [flowfields], exporters: [kafka]}
`, otlpAddr, kafka))
	c.waitLog(t, 15*time.Second, "Everything is ready")
	postOTLP(t, otlpAddr, flowBatch(0, 25))

	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka), kgo.ConsumeTopics("netobserv-flows"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer cl.Close()
	ports := map[float64]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(ports) < 25 && ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(r *kgo.Record) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(r.Value, &m), "one JSON flow per message: %s", r.Value)
			assert.EqualValues(t, 100, m["Bytes"])
			ports[m["SrcPort"].(float64)] = true
		})
	}
	assert.Len(t, ports, 25)
	c.stop(t)
}
