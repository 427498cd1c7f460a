// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstoreexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/flowlens/flowlens/exporter/flowstoreexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	require.NoError(t, confmap.Validate(def))
	assert.Equal(t, "./data/flows.db", def.Path)
	assert.Equal(t, 24*time.Hour, def.Retention)
	assert.Equal(t, ByteSize(10<<30), def.MaxSize)

	c := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(c))
	assert.Equal(t, "/var/lib/flowlens/flows.db", c.Path)
	assert.Equal(t, 6*time.Hour, c.Retention)
	assert.Equal(t, ByteSize(2<<30), c.MaxSize)
	assert.Equal(t, 30*time.Second, c.CheckInterval)
}

func TestValidateNamesEveryBadField(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "bad"))
	require.Error(t, err)
	for _, want := range []string{"path: required", "retention: -1h0m0s must not be negative",
		"max_size: 1000 bytes is too small", "check_interval: 10ms is too short"} {
		assert.ErrorContains(t, err, want)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{
		"0": 0, "1048576": 1 << 20, "500MB": 500e6, "1.5GiB": 3 << 29, "10 GiB": 10 << 30, "64KiB": 64 << 10, "7B": 7,
	} {
		var b ByteSize
		require.NoError(t, b.UnmarshalText([]byte(in)), in)
		assert.Equal(t, want, b, in)
	}
	for _, bad := range []string{"", "ten", "-1MB", "5XB"} {
		var b ByteSize
		assert.ErrorContains(t, b.UnmarshalText([]byte(bad)), "is not a size", bad)
	}
}
