// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package frontend

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

func TestEveryFilterResolvesToItsField(t *testing.T) {
	for _, f := range Filters() {
		field, _, ok := flowquery.ResolveField(f.ID)
		require.True(t, ok, f.ID)
		assert.Equal(t, f.Field, field, f.ID)
		assert.Contains(t, []string{"source", "destination", "common"}, f.Category)
	}
}

func TestEveryColumnIsAField(t *testing.T) {
	known := map[string]bool{flow.NetObservSrcName: true, flow.NetObservDstName: true}
	for _, f := range flow.Fields {
		if f.NetObserv != "" {
			known[f.NetObserv] = true
		}
	}
	for _, mode := range []Mode{ModeHost, ModeCluster} {
		cols := columns(mode)
		defaults := 0
		for _, c := range cols {
			assert.True(t, known[c.Field], "%s: %s", c.ID, c.Field)
			if c.Default {
				defaults++
			}
		}
		assert.Greater(t, defaults, 6, mode)
	}
	for _, c := range columns(ModeHost) {
		if c.Field == "SrcK8S_Namespace" {
			assert.False(t, c.Default, "no Kubernetes column by default on a host")
		}
	}
}

func TestQuickFiltersParse(t *testing.T) {
	for _, q := range append(DefaultQuickFilters(), HostQuickFilters()...) {
		_, err := flowquery.Parse(q.FilterString())
		assert.NoError(t, err, q.Name)
	}
	assert.Equal(t, `dst_address!=127.0.0.0/8&src_address!=127.0.0.0/8`, HostQuickFilters()[3].FilterString())
	host := Build(ModeHost, nil, Backends{})
	for _, q := range host.QuickFilters {
		assert.False(t, q.Default, "nothing filtered by default on a host: %s", q.Name)
	}
	assert.Equal(t, "resource", host.DefaultScope)
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	f, err := LoadFile(filepath.Join(dir, "absent.yaml"), true)
	require.NoError(t, err)
	assert.Nil(t, f)
	_, err = LoadFile(filepath.Join(dir, "absent.yaml"), false)
	assert.ErrorContains(t, err, "no such file")

	write := func(s string) string {
		p := filepath.Join(dir, "c.yaml")
		require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
		return p
	}
	f, err = LoadFile(write("quickFilters:\n- name: Mine\n  filter: {src_namespace: '\"shop\"'}\n  default: true\nportNaming: {enable: false}\n"), false)
	require.NoError(t, err)
	c := Build(ModeCluster, f, Backends{})
	assert.Equal(t, []QuickFilter{{Name: "Mine", Filter: map[string]string{"src_namespace": `"shop"`}, Default: true}}, c.QuickFilters)
	assert.False(t, c.PortNaming.Enable)

	for body, want := range map[string]string{
		"quickFilters:\n- filter: {a: b}\n":                  "quickFilters[0].name: required",
		"quickFilters:\n- name: X\n  filter: {nope: b}\n":    `quickFilters[0] (X): filter "nope=b": unknown field`,
		"portNaming: {enable: true, portNames: {http: x}}\n": `portNaming.portNames: "http" is not a port`,
		"quickFilter: []\n":                                  `unknown field "quickFilter"`,
	} {
		_, err := LoadFile(write(body), false)
		assert.ErrorContains(t, err, want, body)
	}
}
