// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

func TestRenderPrintsEveryObject(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"render", "-f", "../../config/samples/flowcollector.yaml", "--service-monitor"}, &out, &errOut))
	y := out.String()
	assert.True(t, strings.HasPrefix(y, "# Issues"), "the issues come first, as comments")
	docs, err := crdschema.Decode(out.Bytes())
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, d := range docs {
		kinds[d["kind"].(string)]++
	}
	assert.Equal(t, 3, kinds["ConfigMap"], "node, gateway and console configs are printed")
	assert.Equal(t, 1, kinds["DaemonSet"])
	assert.Equal(t, 2, kinds["Deployment"])
	assert.Equal(t, 2, kinds["ServiceMonitor"])
}

func TestRenderFromStdinWithAllComponents(t *testing.T) {
	in, err := os.Open("../../internal/render/testdata/exporters.input.yaml")
	require.NoError(t, err)
	defer in.Close()
	var out bytes.Buffer
	require.NoError(t, runRender([]string{"-f", "-", "--all-components", "--collector-image", "example/col:1"}, in, &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), "ipfix/export-0:")
	assert.Contains(t, out.String(), "image: example/col:1")
	assert.Contains(t, out.String(), "# Issues: none")
}

func TestRenderErrors(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"render"}, &out, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-f FILE is required")

	bad := t.TempDir() + "/bad.yaml"
	require.NoError(t, os.WriteFile(bad, []byte("apiVersion: flows.netobserv.io/v1beta2\nkind: FlowCollector\nmetadata: {name: cluster}\nspec: {deploymentModel: Kafka}\n"), 0o600))
	err = run([]string{"render", "-f", bad}, &out, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.kafka.address and spec.kafka.topic are required")

	err = run([]string{"frobnicate"}, &out, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown command "frobnicate"`)
}
