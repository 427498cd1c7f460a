// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// Kafka consumer group of the gateways: every gateway pod shares the topic's partitions.
const kafkaGroupID = "flowlens-gateway"

// kafkaClient maps a FlowCollectorKafka to the contrib Kafka components' client keys.
func (r *renderer) kafkaClient(st *stage, k v1beta2.FlowCollectorKafka, envPrefix string) map[string]any {
	cfg := map[string]any{"brokers": brokers(k.Address)}
	if tls := r.clientTLS(st, k.TLS); tls != nil {
		cfg["tls"] = tls
	}
	if auth := r.saslAuth(st, k.SASL, envPrefix); auth != nil {
		cfg["auth"] = auth
	}
	return cfg
}

// kafkaTransportExporter sends the node collector's flows to spec.kafka as OTLP protobuf
// (Kafka model).
func (r *renderer) kafkaTransportExporter(node *stage) {
	cfg := r.kafkaClient(node, r.spec.Kafka, "KAFKA")
	cfg["logs"] = map[string]any{"topic": r.spec.Kafka.Topic, "encoding": "otlp_proto"}
	if n := r.spec.Agent.EBPF.KafkaBatchSize; n > 0 {
		cfg["producer"] = map[string]any{"max_message_bytes": n}
	}
	node.addLogsExporter("kafka", cfg)
}

// kafkaTransportReceiver consumes spec.kafka in the gateway (Kafka model).
func (r *renderer) kafkaTransportReceiver(gw *stage) {
	cfg := r.kafkaClient(gw, r.spec.Kafka, "KAFKA")
	cfg["logs"] = map[string]any{"topics": []string{r.spec.Kafka.Topic}, "encoding": "otlp_proto"}
	cfg["group_id"] = kafkaGroupID
	if n := r.spec.Processor.KafkaConsumerBatchSize; n > 0 {
		cfg["max_fetch_size"] = n
	}
	gw.cfg.Receivers["kafka"] = cfg
	gw.logs().Receivers = []string{"kafka"}
}

// kafkaExport sends enriched flows to an exporters[] Kafka entry as NetObserv does: one JSON
// message per flow with NetObserv's field names. flowfields writes that JSON into the record
// body and the kafka exporter sends bodies as they are (raw encoding).
func (r *renderer) kafkaExport(st *stage, i int, e *v1beta2.FlowCollectorExporter) {
	if !r.need(fmt.Sprintf("spec.exporters[%d]", i), ExporterKafka, ProcessorFlowFields) {
		return
	}
	cfg := r.kafkaClient(st, e.Kafka, fmt.Sprintf("EXPORT_%d_KAFKA", i))
	cfg["logs"] = map[string]any{"topic": e.Kafka.Topic, "encoding": "raw"}
	name := fmt.Sprintf("export-%d", i)
	st.addBranch(name, "flowfields/"+name, map[string]any{"body": "netobserv_json"}, "kafka/"+name, cfg)
}

// brokers splits NetObserv's address (one host:port, or several comma separated).
func brokers(address string) []string {
	var out []string
	for _, b := range strings.Split(address, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}
