// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package controller

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

// TestInstallManifestApplies server-side applies operator/config/install.yaml (what `make
// deploy` applies) to the API server. Everything but the namespace is a dry run: a live
// webhook configuration would point the API server at an operator that is not running.
func TestInstallManifestApplies(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "install.yaml"))
	require.NoError(t, err)
	docs, err := crdschema.Decode(data)
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	for _, d := range docs {
		u := &unstructured.Unstructured{Object: d}
		opts := []client.ApplyOption{client.FieldOwner("make-deploy"), client.ForceOwnership}
		if u.GetKind() != "Namespace" {
			opts = append(opts, client.DryRunAll)
		}
		require.NoError(t, testClient.Apply(bg, client.ApplyConfigurationFromUnstructured(u), opts...), "%s %s", u.GetKind(), u.GetName())
	}
}
