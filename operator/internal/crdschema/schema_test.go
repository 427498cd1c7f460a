// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package crdschema

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

func admit(t *testing.T, doc string) (*v1beta2.FlowCollector, error) {
	t.Helper()
	s, err := Load()
	require.NoError(t, err)
	fcs, err := s.AdmitYAML([]byte(doc))
	if err != nil {
		return nil, err
	}
	require.Len(t, fcs, 1)
	return fcs[0], nil
}

const header = "apiVersion: flows.netobserv.io/v1beta2\nkind: FlowCollector\nmetadata: {name: cluster}\n"

func TestDefaults(t *testing.T) {
	fc, err := admit(t, header)
	require.NoError(t, err)
	e := fc.Spec.Agent.EBPF
	assert.Equal(t, int32(50), *e.Sampling)
	assert.Equal(t, "15s", e.CacheActiveTimeout)
	assert.Equal(t, int32(120000), e.CacheMaxFlows)
	assert.Equal(t, []string{"lo"}, e.ExcludeInterfaces)
	assert.Equal(t, v1beta2.DeploymentModelService, fc.Spec.DeploymentModel)
	assert.Equal(t, v1beta2.LokiModeMonolithic, fc.Spec.Loki.Mode)
	assert.Equal(t, "http://loki:3100/", fc.Spec.Loki.Monolithic.URL)
	assert.Equal(t, "netobserv", fc.Spec.Namespace)
	assert.Len(t, fc.Spec.ConsolePlugin.QuickFilters, 6)
	assert.Equal(t, "800Mi", e.Resources.Limits.Memory().String())
}

func TestSampleApplies(t *testing.T) {
	data, err := os.ReadFile("../../config/samples/flowcollector.yaml")
	require.NoError(t, err)
	_, err = admit(t, string(data))
	require.NoError(t, err)
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{header + "spec: {agent: {ebpf: {samplingRate: 3}}}", "spec.agent.ebpf.samplingRate: Unsupported value"},
		{"apiVersion: flows.netobserv.io/v1beta2\nkind: FlowCollector\nmetadata: {name: other}\n", "must be named 'cluster'"},
		{header + "spec: {loki: {mode: Cloud}}", "spec.loki.mode"},
		{header + "spec: {agent: {ebpf: {flowFilter: {enable: true, rules: [{ports: \"9-1\"}]}}}}", "spec.agent.ebpf.flowFilter.rules[0].ports"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "want flows.netobserv.io/v1beta2/FlowCollector"},
	} {
		_, err := admit(t, tc.doc)
		require.Error(t, err, tc.doc)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestDecodeSkipsEmptyDocuments(t *testing.T) {
	objs, err := Decode([]byte("# only a comment\n---\n---\napiVersion: v1\nkind: ConfigMap\n"))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, "ConfigMap", objs[0]["kind"])
}
