// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	def := createDefaultConfig().(*Config)
	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: def},
		{name: "custom", want: &Config{
			AuthType: AuthKubeConfig, KubeConfigPath: "/etc/kube/config", AddZone: false, ClusterName: "prod-eu",
			SubnetLabels: []SubnetLabel{
				{Name: "Pods", CIDRs: []string{"10.128.0.0/14", "fd00:10::/64"}},
				{Name: "EXT:internet", CIDRs: []string{"0.0.0.0/0"}},
			},
			InfraNamespacePrefixes: []string{"kube-", "platform-"}, WaitForSync: 5 * time.Second,
		}},
		{name: "none", want: func() *Config { c := *def; c.AuthType = AuthNone; return &c }()},
		{name: "bad_auth", wantErr: []string{`auth_type: "token" is not valid, must be one of serviceAccount, kubeConfig, none`}},
		{name: "path_without_kubeconfig", wantErr: []string{`kube_config_path is set but auth_type is "serviceAccount"; it needs auth_type: kubeConfig`}},
		{name: "bad_subnet", wantErr: []string{
			`subnet_labels[0].name: "1abc" must match`,
			`subnet_labels[0].cidrs[0]: "10.0.0.0/33" is not a CIDR`,
			`subnet_labels[1].cidrs: at least one CIDR is required`,
		}},
		{name: "bad_prefix", wantErr: []string{`infra_namespace_prefixes[0]: empty prefix`}},
		{name: "bad_wait", wantErr: []string{`wait_for_sync: -1s must not be negative`}},
	}
	for _, tt := range tests {
		t.Run("k8sflow/"+tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := createDefaultConfig()
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
