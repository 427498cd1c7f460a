// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

// TestOfflineAdmissionMatchesTheAPIServer: `flowlens-operator render -f` and the golden tests
// default FlowCollectors without a cluster (crdschema). Each golden input, sent to the real API
// server as a dry run, must come back with the same spec, so the goldens show what a cluster
// would store.
func TestOfflineAdmissionMatchesTheAPIServer(t *testing.T) {
	schema, err := crdschema.Load()
	require.NoError(t, err)
	inputs, err := filepath.Glob(filepath.Join("..", "render", "testdata", "*.input.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	inputs = append(inputs, filepath.Join("..", "..", "config", "samples", "flowcollector.yaml"))
	for _, in := range inputs {
		t.Run(strings.TrimSuffix(filepath.Base(in), ".input.yaml"), func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			objs, err := crdschema.Decode(data)
			require.NoError(t, err)
			require.Len(t, objs, 1)
			// Admit defaults its argument in place, as the API server's decoder does.
			offline := runtimeCopy(objs[0]).(map[string]any)
			_, err = schema.Admit(offline)
			require.NoError(t, err)

			u := &unstructured.Unstructured{Object: objs[0]}
			require.NoError(t, testClient.Create(context.Background(), u, client.DryRunAll))
			fromServer, err := json.Marshal(u.Object["spec"])
			require.NoError(t, err)
			fromSchema, err := json.Marshal(offline["spec"])
			require.NoError(t, err)
			assert.JSONEq(t, string(fromServer), string(fromSchema))
		})
	}
}
