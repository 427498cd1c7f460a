// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

// The repository root, from this package.
const root = "../../.."

// TestGeneratedFilesAreCurrent regenerates the CRD, RBAC, webhook configuration, deepcopy and
// install.yaml into a temporary folder and compares them with the committed ones, so CI fails
// when the API types or markers changed without `make manifests`.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	gen, err := filepath.Abs(filepath.Join(root, ".tools", "bin", "controller-gen"))
	require.NoError(t, err)
	if _, err := os.Stat(gen); err != nil {
		t.Fatalf("controller-gen not found at %s: run `make deps` (hack/tools.sh installs it): %v", gen, err)
	}
	out := t.TempDir()
	cmd := exec.Command(gen, "crd", "rbac:roleName=flowlens-operator", "webhook", "paths=./operator/...",
		"output:crd:artifacts:config="+filepath.Join(out, "crd", "bases"),
		"output:rbac:artifacts:config="+filepath.Join(out, "rbac"),
		"output:webhook:artifacts:config="+filepath.Join(out, "webhook"))
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	cmd = exec.Command(gen, "object:headerFile=operator/hack/boilerplate.go.txt", "paths=./operator/api/...", "output:object:stdout")
	cmd.Dir = root
	deepcopy, err := cmd.Output()
	require.NoError(t, err)

	config := filepath.Join(root, "operator", "config")
	for _, f := range []string{"crd/bases/flows.netobserv.io_flowcollectors.yaml", "rbac/role.yaml", "webhook/manifests.yaml"} {
		assertSameFile(t, filepath.Join(config, f), filepath.Join(out, f))
	}
	committed, err := os.ReadFile(filepath.Join(root, "operator", "api", "v1beta2", "zz_generated.deepcopy.go"))
	require.NoError(t, err)
	assert.True(t, string(committed) == string(deepcopy), "zz_generated.deepcopy.go is stale: run `make manifests`")

	// install.yaml from the committed inputs (the comparisons above vouch for them).
	install, err := generate(config, "", "", "")
	require.NoError(t, err)
	committed, err = os.ReadFile(filepath.Join(config, "install.yaml"))
	require.NoError(t, err)
	assert.True(t, string(committed) == install, "operator/config/install.yaml is stale: run `make manifests`")
}

func assertSameFile(t *testing.T, committed, generated string) {
	t.Helper()
	want, err := os.ReadFile(generated)
	require.NoError(t, err)
	got, err := os.ReadFile(committed)
	require.NoError(t, err, "%s missing: run `make manifests`", committed)
	assert.True(t, string(want) == string(got), "%s is stale: run `make manifests` (diff %s %s)", committed, generated, committed)
}

// TestInstallPointsTheWebhookAtTheOperator checks the rewrites of the generated webhook
// configuration and the image flags.
func TestInstallPointsTheWebhookAtTheOperator(t *testing.T) {
	y, err := generate(filepath.Join(root, "operator", "config"), "example/op:1", "example/col:2", "example/console:3")
	require.NoError(t, err)
	docs, err := crdschema.Decode([]byte(y))
	require.NoError(t, err)
	kinds := map[string]*unstructured.Unstructured{}
	for _, d := range docs {
		u := &unstructured.Unstructured{Object: d}
		kinds[u.GetKind()] = u
	}
	hook := kinds["ValidatingWebhookConfiguration"]
	require.NotNil(t, hook)
	assert.Equal(t, webhookName, hook.GetName())
	hooks, _, _ := unstructured.NestedSlice(hook.Object, "webhooks")
	require.Len(t, hooks, 1)
	svc, _, _ := unstructured.NestedStringMap(hooks[0].(map[string]any), "clientConfig", "service")
	assert.Equal(t, webhookService, svc["name"])
	assert.Equal(t, namespace, svc["namespace"])
	containers, _, _ := unstructured.NestedSlice(kinds["Deployment"].Object, "spec", "template", "spec", "containers")
	c := containers[0].(map[string]any)
	assert.Equal(t, "example/op:1", c["image"])
	assert.Equal(t, []any{"manager", "--collector-image=example/col:2", "--console-image=example/console:3"}, c["args"])
	for _, k := range []string{"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "Service", "Namespace"} {
		assert.Contains(t, kinds, k)
	}
}
