// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"net"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

func load(t *testing.T, s Settings) *Datapath {
	t.Helper()
	testutil.RequireRoot(t)
	if s.MaxFlows == 0 {
		s.MaxFlows = 1024
	}
	d, err := Load(s)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func evictAll(t *testing.T, d *Datapath) map[Key]Stats {
	t.Helper()
	return collect(t, d.Evict)
}

func drainAll(t *testing.T, d *Datapath) map[Key]Stats {
	t.Helper()
	return collect(t, d.DrainAll)
}

// collect runs one of the Datapath's draining methods and returns the flows it handed over.
func collect(t *testing.T, drain func(DrainFunc) (int, error)) map[Key]Stats {
	t.Helper()
	flows, _ := collectAll(t, drain)
	return flows
}

// collectAll also returns the feature data of each flow.
func collectAll(t *testing.T, drain func(DrainFunc) (int, error)) (map[Key]Stats, map[Key]*Features) {
	t.Helper()
	out := map[Key]Stats{}
	feats := map[Key]*Features{}
	n, err := drain(func(keys []Key, vals []Stats, fs []*Features) {
		for i := range keys {
			_, dup := out[keys[i]]
			require.False(t, dup, "flow %+v handed over twice", keys[i])
			out[keys[i]] = vals[i]
			if fs != nil && fs[i] != nil {
				feats[keys[i]] = fs[i]
			}
		}
	})
	require.NoError(t, err)
	require.Equal(t, len(out), n)
	return out, feats
}

func TestSmoke(t *testing.T) {
	d := load(t, Settings{})
	pkt := testutil.Frame{Src: net.ParseIP("10.0.0.1"), Dst: net.ParseIP("10.0.0.2"), Proto: layers.IPProtocolTCP, SrcPort: 1234, DstPort: 80, TCPFlags: "S"}.Bytes(t)
	for range 3 {
		ret, err := d.Ingress().Run(&ebpf.RunOptions{Data: pkt})
		require.NoError(t, err)
		require.Equal(t, uint32(0xffffffff), ret)
	}
	flows := evictAll(t, d)
	require.Len(t, flows, 1)
	for k, v := range flows {
		t.Logf("key %+v\nval %+v", k, v)
	}
}
