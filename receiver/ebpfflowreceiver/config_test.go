// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name     string
		expected *Config
		// Each error must name the YAML key and say what is allowed.
		errs []string
	}{{
		name:     "",
		expected: createDefaultConfig().(*Config),
	}, {
		name: "custom",
		expected: &Config{
			Interfaces:         []string{"eth0", "/^veth/"},
			ExcludeInterfaces:  []string{"/^docker[0-9]+$/"},
			Sampling:           50,
			CacheActiveTimeout: 15 * time.Second,
			CacheMaxFlows:      250000,
			RingBufferSize:     1 << 20,
			AttachMode:         "tc",
			NodeIP:             "192.0.2.10",
			MaxFlowsPerBatch:   500,
		},
	}, {
		name: "bad_regex",
		errs: []string{`interfaces[1]: invalid regular expression "/[a-/"`},
	}, {
		name: "empty_interface",
		errs: []string{"interfaces[1]: empty interface name; use a name or a /regex/"},
	}, {
		name: "empty_exclude",
		errs: []string{"exclude_interfaces[0]: empty interface name; use a name or a /regex/"},
	}, {
		name: "short_timeout",
		errs: []string{"cache_active_timeout: 10ms is too short, must be at least 100ms"},
	}, {
		name: "zero_flows",
		errs: []string{"cache_max_flows: 0 is out of range, must be between 1 and 16777216"},
	}, {
		name: "too_many_flows",
		errs: []string{"cache_max_flows: 33554432 is out of range, must be between 1 and 16777216"},
	}, {
		name: "bad_ring_buffer",
		errs: []string{"ring_buffer_size: 5000 must be a power of two and at least 4096"},
	}, {
		name: "small_ring_buffer",
		errs: []string{"ring_buffer_size: 2048 must be a power of two and at least 4096"},
	}, {
		name: "xdp",
		errs: []string{`attach_mode: "xdp" is not valid, must be one of auto, tcx, tc`},
	}, {
		name: "bad_node_ip",
		errs: []string{`node_ip: "nope" is not an IP address`},
	}, {
		name: "zero_batch",
		errs: []string{"max_flows_per_batch: 0 must be at least 1"},
	}, {
		// Every problem is reported at once, not only the first.
		name: "all_invalid",
		errs: []string{"cache_active_timeout:", "attach_mode:", "node_ip:"},
	}}
	for _, tt := range tests {
		id := component.NewIDWithName(metadata.Type, tt.name)
		t.Run(id.String(), func(t *testing.T) {
			t.Parallel()
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			// confmap.Validate is what the collector runs (xconfmap.Validate moved there).
			err = confmap.Validate(cfg)
			if len(tt.errs) == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.expected, cfg)
				return
			}
			require.Error(t, err)
			for _, want := range tt.errs {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}

func TestDefaultConfigValid(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"lo"}, cfg.ExcludeInterfaces)
	assert.Empty(t, cfg.Interfaces, "empty include list selects every interface")

	sel, err := cfg.selector()
	require.NoError(t, err)
	assert.True(t, sel.Selected("eth0"))
	assert.False(t, sel.Selected("lo"))
}

func TestConfigValidateBounds(t *testing.T) {
	t.Parallel()
	valid := func(mut func(*Config)) error {
		c := createDefaultConfig().(*Config)
		mut(c)
		return c.Validate()
	}
	// The edges of each range are accepted.
	require.NoError(t, valid(func(c *Config) { c.CacheActiveTimeout = minTimeout }))
	require.NoError(t, valid(func(c *Config) { c.CacheMaxFlows = 1 }))
	require.NoError(t, valid(func(c *Config) { c.CacheMaxFlows = maxCacheFlows }))
	require.NoError(t, valid(func(c *Config) { c.RingBufferSize = 4096 }))
	require.NoError(t, valid(func(c *Config) { c.RingBufferSize = 1 << 31 }))
	require.NoError(t, valid(func(c *Config) { c.MaxFlowsPerBatch = 1 }))
	require.NoError(t, valid(func(c *Config) { c.NodeIP = "fd00::1" }))
	require.NoError(t, valid(func(c *Config) { c.Sampling = 0 }))
	for _, m := range []string{"auto", "tcx", "tc"} {
		require.NoError(t, valid(func(c *Config) { c.AttachMode = m }), m)
	}
	// And just outside them, rejected.
	require.Error(t, valid(func(c *Config) { c.CacheActiveTimeout = minTimeout - 1 }))
	require.Error(t, valid(func(c *Config) { c.CacheMaxFlows = maxCacheFlows + 1 }))
	require.Error(t, valid(func(c *Config) { c.RingBufferSize = 4096 + 4096 + 1 }))
	require.Error(t, valid(func(c *Config) { c.RingBufferSize = 0 }))
	require.Error(t, valid(func(c *Config) { c.MaxFlowsPerBatch = -1 }))
	require.Error(t, valid(func(c *Config) { c.AttachMode = "" }))
	require.Error(t, valid(func(c *Config) { c.AttachMode = "TC" }))
	require.Error(t, valid(func(c *Config) { c.NodeIP = "10.0.0.1/24" }))
}
