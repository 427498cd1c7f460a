// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDistributionConfigsValidate: every config shipped in distribution/config is accepted by the
// built collector.
func TestDistributionConfigsValidate(t *testing.T) {
	files, err := filepath.Glob("../../distribution/config/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	bin := collectorBinary(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cmd := exec.Command(bin, "validate", "--config", f)
			cmd.Env = append(cmd.Environ(), "NODE_IP=10.0.0.1", "GATEWAY=gateway:4317", "FLOWLENS_DATA="+t.TempDir())
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
}

// TestInvalidConfigNamesTheKey: a bad receiver setting fails validation with a message that names
// the key and the allowed values.
func TestInvalidConfigNamesTheKey(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, cfg, `
receivers:
  ebpfflow:
    attach_mode: xdp
    cache_max_flows: 0
exporters:
  debug:
service:
  pipelines:
    logs: {receivers: [ebpfflow], exporters: [debug]}
`)
	out, err := exec.Command(collectorBinary(t), "validate", "--config", cfg).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), `attach_mode: "xdp" is not valid, must be one of auto, tcx, tc`)
	require.Contains(t, string(out), "cache_max_flows: 0 is out of range")
}
