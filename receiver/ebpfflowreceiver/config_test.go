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

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
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
			DNSPorts:           []uint16{53},
		},
	}, {
		name: "features",
		expected: func() *Config {
			c := createDefaultConfig().(*Config)
			c.Features = []string{"PacketDrop", "DNSTracking", "FlowRTT", "PacketTranslation"}
			c.DNSPorts = []uint16{53, 5353}
			icmp8, code0 := 8, 0
			c.FlowFilter.Rules = []FlowFilterRule{
				{Action: "Accept", CIDR: "10.0.0.0/8", PeerCIDR: "192.0.2.7", Protocol: "TCP", Direction: "Egress", Ports: 443},
				{CIDR: "fd00::/8", SourcePorts: "1000-2000", DestinationPorts: "80,443,8000-8080", TCPFlags: "SYN-ACK"},
				{Action: "Reject", Protocol: "ICMP", ICMPType: &icmp8, ICMPCode: &code0, Sampling: 10},
				{CIDR: "10.1.0.0/16", Drops: true},
			}
			return c
		}(),
	}, {
		name: "unknown_feature",
		errs: []string{`features: "Foo" is not a feature, must be one of PacketDrop, DNSTracking, FlowRTT, PacketTranslation`},
	}, {
		name: "unsupported_feature",
		errs: []string{
			`features: "NetworkEvents" is not supported by flowlens (supported: PacketDrop, DNSTracking, FlowRTT, PacketTranslation)`,
			`features: "IPSec" is not supported by flowlens`,
		},
	}, {
		name: "bad_dns_ports",
		errs: []string{"dns_ports: 9 ports, at most 8", "dns_ports[1]: 0 is not a port, must be between 1 and 65535"},
	}, {
		name: "no_dns_ports",
		errs: []string{"dns_ports: DNSTracking needs at least one port"},
	}, {
		name: "bad_rules",
		errs: []string{
			`flow_filter.rules[0].action: "Drop" is not valid, must be Accept or Reject`,
			`flow_filter.rules[0].cidr: "10.0.0.0/33" is not a CIDR or an IP address`,
			`flow_filter.rules[0].peer_cidr: "nope" is not a CIDR or an IP address`,
			`flow_filter.rules[1].protocol: "tcp" is not valid, must be one of TCP, UDP, ICMP, ICMPv6, SCTP`,
			`flow_filter.rules[1].direction: "In" is not valid, must be Ingress or Egress`,
			`flow_filter.rules[2].ports: "90-80": range start must be below end`,
			`flow_filter.rules[3].ports: "1,2,3,4,5": 5 ports or ranges, at most 4`,
			`flow_filter.rules[3].destination_ports: "0" is not a port (1-65535)`,
			`flow_filter.rules[4].ports: protocol ICMP has no ports`,
			`flow_filter.rules[4].tcp_flags: needs protocol TCP, not ICMP`,
			`flow_filter.rules[5].icmp_type: 300 is out of range, must be between 0 and 255`,
			`flow_filter.rules[5].icmp_code: needs protocol ICMP or ICMPv6, not UDP`,
			`flow_filter.rules[5].tcp_flags: "PUSH" is not valid`,
			`flow_filter.rules[6].drops: needs the PacketDrop feature in features`,
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

func TestFilterRulesConversion(t *testing.T) {
	t.Parallel()
	c := createDefaultConfig().(*Config)
	c.Features = []string{FeaturePacketDrop}
	c.FlowFilter.Rules = []FlowFilterRule{
		{CIDR: "10.1.2.3", PeerCIDR: "fd00::1/64", Ports: "80,8000-8080", Direction: "Ingress", TCPFlags: "RST-ACK"},
		{Action: "Reject", Protocol: "UDP", SourcePorts: 53, Drops: true, Sampling: 5},
	}
	require.NoError(t, c.Validate())
	rules, err := c.filterRules()
	require.NoError(t, err)
	require.Len(t, rules, 2)
	assert.Equal(t, "10.1.2.3/32", rules[0].CIDR.String())
	assert.Equal(t, "fd00::/64", rules[0].PeerCIDR.String())
	assert.Equal(t, []datapath.PortRange{{Lo: 80, Hi: 80}, {Lo: 8000, Hi: 8080}}, rules[0].Ports)
	assert.Equal(t, datapath.DirectionIngress, rules[0].Direction)
	assert.Equal(t, datapath.TCPRstAck, rules[0].TCPFlags)
	assert.Equal(t, datapath.ActionAccept, rules[0].Action)
	assert.Equal(t, datapath.ActionReject, rules[1].Action)
	assert.Equal(t, uint8(17), rules[1].Protocol)
	assert.Equal(t, []datapath.PortRange{{Lo: 53, Hi: 53}}, rules[1].SrcPorts)
	assert.True(t, rules[1].Drops)
	assert.Equal(t, uint32(5), rules[1].Sampling)
	assert.False(t, rules[1].CIDR.IsValid(), "no cidr: every address")
}

func TestTooManyRules(t *testing.T) {
	t.Parallel()
	c := createDefaultConfig().(*Config)
	c.FlowFilter.Rules = make([]FlowFilterRule, 17)
	assert.ErrorContains(t, c.Validate(), "flow_filter.rules: 17 rules, at most 16")
	c.FlowFilter.Rules = c.FlowFilter.Rules[:16]
	assert.NoError(t, c.Validate())
}
