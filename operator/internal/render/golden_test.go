// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/operator/internal/crdschema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenOptions are the per-case environment facts (default: none of the optional CRDs).
var goldenOptions = map[string]Options{
	"zones-subnets": {ServiceMonitorCRD: true, PrometheusRuleCRD: true},
}

// TestGolden renders every testdata/<case>.input.yaml twice: with the collector's components
// (<case>.yaml, every collector config validated by bin/otelcol-flowlens) and with every
// component (<case>.all.yaml: the shape each output takes once its component ships).
func TestGolden(t *testing.T) {
	bin := collectorBinary(t)
	schema, err := crdschema.Load()
	require.NoError(t, err)
	inputs, err := filepath.Glob("testdata/*.input.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			fcs, err := schema.AdmitYAML(data)
			require.NoError(t, err)
			require.Len(t, fcs, 1)
			for _, v := range []struct {
				suffix string
				avail  Components
			}{{".yaml", Available}, {".all.yaml", All()}} {
				opts := goldenOptions[name]
				opts.Available = v.avail
				res, err := Render(fcs[0], opts)
				require.NoError(t, err)
				out, err := YAML(res.Objects)
				require.NoError(t, err)
				got := fmt.Sprintf("# Rendered from %s.input.yaml with %s.\n%s%s", name, availName(v.suffix), Comments(res), out)
				compareGolden(t, filepath.Join("testdata", name+v.suffix), got)
				if v.suffix == ".yaml" {
					validateConfigs(t, bin, res.Objects)
				}
			}
		})
	}
}

func availName(suffix string) string {
	if suffix == ".yaml" {
		return "the components of bin/otelcol-flowlens (render.Available)"
	}
	return "every component (render.All: outputs that are not in the collector yet included)"
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./operator/internal/render -update")
	assert.Equal(t, string(want), got, "%s is stale: run go test ./operator/internal/render -update and review the diff", path)
}

// validateConfigs runs `otelcol-flowlens validate` on the collector config of every workload,
// with the workload's environment variables set (NODE_IP, SASL credentials...).
func validateConfigs(t *testing.T, bin string, objs []client.Object) {
	t.Helper()
	configs := map[string]string{} // namespace/name of ConfigMap -> config
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok && (cm.Name == NodeConfigMap || cm.Name == GatewayConfigMap) {
			configs[cm.Namespace+"/"+cm.Name] = cm.Data[ConfigKey]
		}
	}
	validated := 0
	for _, o := range objs {
		var pod *corev1.PodSpec
		switch w := o.(type) {
		case *appsv1.DaemonSet:
			pod = &w.Spec.Template.Spec
		case *appsv1.Deployment:
			pod = &w.Spec.Template.Spec
		default:
			continue
		}
		cfgName := ""
		for _, v := range pod.Volumes {
			if v.Name == "config" && v.ConfigMap != nil {
				cfgName = o.GetNamespace() + "/" + v.ConfigMap.Name
			}
		}
		cfg, ok := configs[cfgName]
		if !ok {
			continue // the console
		}
		path := filepath.Join(t.TempDir(), "config.yaml")
		require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
		cmd := exec.Command(bin, "validate", "--config", path)
		cmd.Env = os.Environ()
		for _, e := range pod.Containers[0].Env {
			val := e.Value
			if e.ValueFrom != nil {
				val = "10.0.0.1" // NODE_IP, and a stand-in for secret values
			}
			cmd.Env = append(cmd.Env, e.Name+"="+val)
		}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s config rejected by %s validate:\n%s\nconfig:\n%s", o.GetName(), bin, out, cfg)
		validated++
	}
	require.Equal(t, len(configs), validated, "every collector config must be validated")
}

// collectorBinary is bin/otelcol-flowlens (or $FLOWLENS_COLLECTOR). Missing, the test fails:
// CI must not pass without validating the rendered configs.
func collectorBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FLOWLENS_COLLECTOR")
	if p == "" {
		p, _ = filepath.Abs("../../../bin/otelcol-flowlens")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("collector binary %s not found: run `make build` (or set FLOWLENS_COLLECTOR): %v", p, err)
	}
	return p
}

// TestAvailableMatchesCollector fails when Available claims a component (or config key) that
// bin/otelcol-flowlens lacks, and logs the ones it has gained so they can be switched on.
func TestAvailableMatchesCollector(t *testing.T) {
	bin := collectorBinary(t)
	out, err := exec.Command(bin, "components").Output()
	require.NoError(t, err)
	var listed map[string]any
	require.NoError(t, yaml.Unmarshal(out, &listed))
	has := Components{}
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		items, _ := listed[kind].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			has[Component(strings.TrimSuffix(kind, "s")+"/"+fmt.Sprint(m["name"]))] = true
		}
	}
	for _, key := range []struct {
		c      Component
		config string
	}{
		{ReceiverEBPFFlowFeatures, "features: []"},
		{ReceiverEBPFFlowFlowFilter, "flow_filter: {rules: []}"},
	} {
		if has[ReceiverEBPFFlow] && acceptsReceiverKey(t, bin, key.config) {
			has[key.c] = true
		}
	}
	for c, on := range Available {
		if on {
			assert.True(t, has[c], "render.Available claims %s, which %s does not have", c, bin)
		} else if has[c] {
			t.Logf("%s now has %s: set it in render.Available and run go test ./operator/internal/render -update", bin, c)
		}
	}
}

func acceptsReceiverKey(t *testing.T, bin, key string) bool {
	cfg := fmt.Sprintf("receivers:\n  ebpfflow: {%s}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    logs: {receivers: [ebpfflow], exporters: [debug]}\n", key)
	path := filepath.Join(t.TempDir(), "probe.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return exec.Command(bin, "validate", "--config", path).Run() == nil
}
