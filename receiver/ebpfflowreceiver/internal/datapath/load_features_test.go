// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// fullRules is the largest filter there is: 16 rules using every criterion.
func fullRules() []FilterRule {
	var rules []FilterRule
	t, c := uint8(8), uint8(0)
	for i := range MaxFilterRules {
		rules = append(rules, FilterRule{
			Action:    uint8(i % 2),
			CIDR:      netip.MustParsePrefix("10.0.0.0/8"),
			PeerCIDR:  netip.MustParsePrefix("fd00::/8"),
			Protocol:  6,
			Direction: DirectionEgress,
			Ports:     []PortRange{{1, 2}, {3, 4}, {5, 6}, {7, 8}},
			SrcPorts:  []PortRange{{1, 2}, {3, 4}, {5, 6}, {7, 8}},
			DstPorts:  []PortRange{{1, 2}, {3, 4}, {5, 6}, {7, 8}},
			ICMPType:  &t, ICMPCode: &c,
			TCPFlags: TCPSynAck, Drops: true, Sampling: 3,
		})
	}
	return rules
}

// TestLoadEveryConfiguration: the verifier accepts the programs with every feature, every hook
// the kernel can load (fentry needs BPF trampolines; elsewhere it is checked by Probe), and the
// largest filter.
func TestLoadEveryConfiguration(t *testing.T) {
	testutil.RequireRoot(t)
	sup := Probe()
	require.NoError(t, sup.BTF)
	for _, c := range []struct {
		name string
		s    Settings
	}{
		{"none", Settings{}},
		{"drops raw tracepoint", Settings{Drops: HookDropRawTP, DropReasonNotSpecified: sup.DropReasonNotSpecified}},
		{"drops tracepoint", Settings{Drops: HookDropTracepoint, DropReasonNotSpecified: sup.DropReasonNotSpecified}},
		{"rtt raw tracepoint", Settings{RTT: HookRTTRawTP}},
		{"rtt tracepoint", Settings{RTT: HookRTTTracepoint}},
		{"rtt handshake", Settings{RTT: HookRTTHandshake}},
		{"dns", Settings{DNSPorts: []uint16{53, 5353, 1, 2, 3, 4, 5, 6}}},
		{"xlat kprobe", Settings{Xlat: HookXlatKprobe}},
		{"filter", Settings{Filter: fullRules()}},
		{"everything", Settings{Drops: HookDropRawTP, RTT: HookRTTHandshake, DNSPorts: []uint16{53}, Xlat: HookXlatKprobe, Filter: fullRules(), Sampling: 50}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.s.MaxFlows = 64
			d, err := Load(c.s)
			require.NoError(t, err)
			assert.NoError(t, d.Close())
		})
	}
}
