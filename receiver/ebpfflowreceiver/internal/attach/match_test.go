// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package attach

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatcher(t *testing.T) {
	t.Parallel()
	m, err := NewMatcher("interfaces", []string{"eth0", "/^veth[0-9a-f]+$/", "/bond/"})
	require.NoError(t, err)
	assert.False(t, m.Empty())

	for _, name := range []string{"eth0", "veth1a2b", "bond0", "mybond"} {
		assert.Truef(t, m.Match(name), "%q", name)
	}
	// Names are exact; patterns are unanchored unless they say otherwise.
	for _, name := range []string{"eth", "eth01", "ETH0", "vethx", "xveth1", ""} {
		assert.Falsef(t, m.Match(name), "%q", name)
	}
}

func TestMatcherSlashes(t *testing.T) {
	t.Parallel()
	// Only an entry that starts and ends with a slash, and is longer than one, is a pattern.
	m, err := NewMatcher("interfaces", []string{"/", "/eth"})
	require.NoError(t, err)
	assert.True(t, m.Match("/"))
	assert.True(t, m.Match("/eth"))
	assert.False(t, m.Match("eth0"))

	// "//" is the empty pattern: it matches everything.
	m, err = NewMatcher("interfaces", []string{"//"})
	require.NoError(t, err)
	assert.True(t, m.Match("anything"))
}

func TestMatcherEmpty(t *testing.T) {
	t.Parallel()
	for _, entries := range [][]string{nil, {}} {
		m, err := NewMatcher("interfaces", entries)
		require.NoError(t, err)
		assert.True(t, m.Empty())
		assert.False(t, m.Match("eth0"))
	}
	// The zero Matcher behaves the same.
	var m Matcher
	assert.True(t, m.Empty())
	assert.False(t, m.Match("eth0"))
}

func TestMatcherErrors(t *testing.T) {
	t.Parallel()
	_, err := NewMatcher("exclude_interfaces", []string{"lo", "/(/"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `exclude_interfaces[1]: invalid regular expression "/(/"`)

	_, err = NewMatcher("interfaces", []string{""})
	require.EqualError(t, err, "interfaces[0]: empty interface name; use a name or a /regex/")
}

func TestSelector(t *testing.T) {
	t.Parallel()
	mk := func(inc, exc []string) Selector {
		i, err := NewMatcher("interfaces", inc)
		require.NoError(t, err)
		e, err := NewMatcher("exclude_interfaces", exc)
		require.NoError(t, err)
		return Selector{Include: i, Exclude: e}
	}
	tests := []struct {
		name     string
		inc, exc []string
		selected map[string]bool
	}{{
		name:     "empty include selects all",
		selected: map[string]bool{"eth0": true, "lo": true, "veth1": true},
	}, {
		name:     "default exclude",
		exc:      []string{"lo"},
		selected: map[string]bool{"eth0": true, "lo": false, "veth1": true},
	}, {
		name:     "include list",
		inc:      []string{"eth0", "/^veth/"},
		selected: map[string]bool{"eth0": true, "eth1": false, "veth1": true, "lo": false},
	}, {
		name:     "exclude wins over include",
		inc:      []string{"/^veth/", "eth0"},
		exc:      []string{"veth2", "/^eth/"},
		selected: map[string]bool{"veth1": true, "veth2": false, "eth0": false},
	}, {
		name:     "exclude pattern with empty include",
		exc:      []string{"/^(lo|docker[0-9]+)$/"},
		selected: map[string]bool{"lo": false, "docker0": false, "docker0x": true, "eth0": true},
	}}
	for _, tt := range tests {
		s := mk(tt.inc, tt.exc)
		for name, want := range tt.selected {
			assert.Equalf(t, want, s.Selected(name), "%s: %q", tt.name, name)
		}
	}
	// The zero Selector selects everything.
	assert.True(t, Selector{}.Selected("eth0"))
}
