// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// flowCollector builds a FlowCollector as a user's YAML would be sent (unstructured: only the
// fields written, so the API server's defaults apply as with kubectl).
func flowCollector(t *testing.T, name, spec string) *unstructured.Unstructured {
	t.Helper()
	doc := "apiVersion: flows.netobserv.io/v1beta2\nkind: FlowCollector\nmetadata:\n  name: " + name + "\nspec:\n"
	if strings.TrimSpace(spec) == "" {
		doc += "  {}\n"
	}
	for _, l := range strings.Split(strings.TrimRight(spec, "\n"), "\n") {
		if l != "" {
			doc += "  " + l + "\n"
		}
	}
	u := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(doc), &u.Object))
	return u
}

// TestInvalidFlowCollectorsAreRefused: the API server refuses invalid resources with a message
// naming the field, whether the CRD (schema, CEL) or the webhook catches them.
func TestInvalidFlowCollectorsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, objName, spec string
		by                  string
		want                []string
	}{
		{"second FlowCollector not named cluster", "other", "", "CEL",
			[]string{"metadata.name", "must be named 'cluster'"}},
		{"sampling below zero", "cluster", "agent: {ebpf: {sampling: -1}}", "schema",
			[]string{"spec.agent.ebpf.sampling", "greater than or equal to 0"}},
		{"unknown deployment model", "cluster", "deploymentModel: Sidecar", "schema",
			[]string{"spec.deploymentModel", `supported values: "Service", "Direct", "Kafka"`}},
		{"Kafka model without a broker", "cluster", "deploymentModel: Kafka", "CEL",
			[]string{"spec.kafka.address and spec.kafka.topic are required"}},
		{"bad filter CIDR", "cluster", "agent: {ebpf: {flowFilter: {enable: true, rules: [{cidr: 10.0.0.0/33}]}}}", "CEL",
			[]string{"spec.agent.ebpf.flowFilter.rules[0].cidr", "must be a CIDR"}},
		{"ports with sourcePorts", "cluster", "agent: {ebpf: {flowFilter: {enable: true, rules: [{ports: 80, sourcePorts: 53}]}}}", "CEL",
			[]string{"spec.agent.ebpf.flowFilter.rules[0]", "ports cannot be combined with sourcePorts or destPorts"}},
		{"bad subnet CIDR", "cluster", "processor: {subnetLabels: {customLabels: [{name: x, cidrs: [not-a-cidr]}]}}", "webhook",
			[]string{"spec.processor.subnetLabels.customLabels[0].cidrs[0]", "must be a CIDR"}},
		{"IPFIX exporter without host", "cluster", "exporters: [{type: IPFIX, ipfix: {targetPort: 4739}}]", "CEL",
			[]string{"spec.exporters[0]", "exporters[].ipfix.targetHost is required"}},
		{"port range backwards", "cluster", `agent: {ebpf: {flowFilter: {enable: true, rules: [{destPorts: "100-80"}]}}}`, "webhook",
			[]string{"spec.agent.ebpf.flowFilter.rules[0].destPorts", "must start below its end"}},
		{"three ports", "cluster", `agent: {ebpf: {flowFilter: {enable: true, rules: [{ports: "80,443,8080"}]}}}`, "webhook",
			[]string{"spec.agent.ebpf.flowFilter.rules[0].ports", "exactly two ports"}},
		{"duplicate rules", "cluster", "agent: {ebpf: {flowFilter: {enable: true, rules: [{cidr: 10.0.0.0/8}, {cidr: 10.1.2.3/8}]}}}", "webhook",
			[]string{"spec.agent.ebpf.flowFilter.rules[1]", "same cidr and peer as rules[0]"}},
		{"unordered thresholds", "cluster", `processor: {metrics: {healthRules: [{template: DNSErrors, variants: [{thresholds: {info: "10", warning: "5"}}]}]}}`, "webhook",
			[]string{"spec.processor.metrics.healthRules[0].variants[0].thresholds.warning", "info ≤ warning ≤ critical"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := testClient.Create(context.Background(), flowCollector(t, tc.objName, tc.spec), client.DryRunAll)
			require.Error(t, err, "refused by the %s", tc.by)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.by == "webhook" {
				assert.Contains(t, err.Error(), "admission webhook", "refused by the webhook, not the CRD")
			}
		})
	}
}

// TestWebhookWarnsAboutUnsupportedFields: a valid resource with fields flowlens does not act on
// is accepted, with warnings that name them.
func TestWebhookWarnsAboutUnsupportedFields(t *testing.T) {
	var warnings []string
	cfg := *testCfg
	cfg.WarningHandlerWithContext = warningCollector{&warnings}
	c, err := client.New(&cfg, client.Options{Scheme: testScheme})
	require.NoError(t, err)
	fc := flowCollector(t, "cluster", "processor: {logTypes: All}\nagent: {ebpf: {features: [IPSec]}}")
	require.NoError(t, c.Create(context.Background(), fc, client.DryRunAll))
	joined := strings.Join(warnings, "\n")
	assert.Contains(t, joined, "spec.processor.logTypes: conversation tracking is not supported yet")
	assert.Contains(t, joined, "spec.agent.ebpf.features[0]: feature IPSec is not supported by flowlens")
}

type warningCollector struct{ into *[]string }

func (w warningCollector) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	*w.into = append(*w.into, text)
}
