// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package v1beta2

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestPortsString(t *testing.T) {
	for _, tc := range []struct {
		in   intstr.IntOrString
		want string
		err  string
	}{
		{intstr.FromInt32(0), "", ""},
		{intstr.FromInt32(443), "443", ""},
		{intstr.FromInt32(70000), "", "out of range"},
		{intstr.FromString(""), "", ""},
		{intstr.FromString("53"), "53", ""},
		{intstr.FromString(" 80 - 100 "), "80-100", ""},
		{intstr.FromString("80,443"), "80,443", ""},
		{intstr.FromString("100-80"), "", "must start below its end"},
		{intstr.FromString("80-80"), "", "must start below its end"},
		{intstr.FromString("80,443,8080"), "", "exactly two ports"},
		{intstr.FromString("http"), "", `must be a port ("80"), a range ("80-100") or two ports ("80,443")`},
		{intstr.FromString("0-10"), "", "between 1 and 65535"},
	} {
		got, err := PortsString(tc.in)
		if tc.err != "" {
			require.Error(t, err, tc.in.String())
			assert.Contains(t, err.Error(), tc.err)
			continue
		}
		require.NoError(t, err, tc.in.String())
		assert.Equal(t, tc.want, got)
	}
}

func TestValidateFlowFilter(t *testing.T) {
	fc := &FlowCollector{}
	fc.Spec.Agent.EBPF.FlowFilter = &EBPFFlowFilter{
		Enable: ptr.To(true),
		Rules: []EBPFFlowFilterRule{
			{CIDR: "10.0.0.0/8", Ports: intstr.FromString("80-100")},
			{CIDR: "10.0.0.1/8", Ports: intstr.FromString("100-80")}, // same network as rules[0]
			{CIDR: "10.0.0.0/8", PeerIP: "192.168.0.1"},
			{CIDR: "10.0.0.0/8", PeerCIDR: "192.168.0.1/32"}, // same as rules[2]
			{CIDR: "fd00::/8", SourcePorts: intstr.FromString("1,2,3")},
		},
	}
	errs := fc.Validate()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	require.Len(t, errs, 4, "%v", msgs)
	assert.Contains(t, msgs[0], "spec.agent.ebpf.flowFilter.rules[1].ports")
	assert.Contains(t, msgs[1], "spec.agent.ebpf.flowFilter.rules[1]: Duplicate value")
	assert.Contains(t, msgs[1], "same cidr and peer as rules[0]")
	assert.Contains(t, msgs[2], "spec.agent.ebpf.flowFilter.rules[3]: Duplicate value")
	assert.Contains(t, msgs[3], "spec.agent.ebpf.flowFilter.rules[4].sourcePorts")
}

func TestValidateHealthRules(t *testing.T) {
	fc := &FlowCollector{}
	fc.Spec.Processor.Metrics.HealthRules = &[]FLPHealthRule{{
		Template: "DNSErrors",
		Variants: []HealthRuleVariant{
			{Thresholds: HealthRuleThresholds{Info: "10", Warning: "5"}},
			{Thresholds: HealthRuleThresholds{Critical: "high"}, LowVolumeThreshold: "x"},
			{},
		},
	}}
	errs := fc.Validate()
	require.Len(t, errs, 4)
	assert.Contains(t, errs[0].Error(), "variants[0].thresholds.warning")
	assert.Contains(t, errs[0].Error(), "info ≤ warning ≤ critical")
	assert.Contains(t, errs[1].Error(), "variants[1].thresholds.critical")
	assert.Contains(t, errs[2].Error(), "variants[1].lowVolumeThreshold")
	assert.Contains(t, errs[3].Error(), "variants[2].thresholds: Required value")
}

func TestIncludeList(t *testing.T) {
	s := &FlowCollectorSpec{}
	assert.NotContains(t, s.IncludeList(), "namespace_drop_packets_total")
	assert.Contains(t, s.IncludeList(), "namespace_flows_total")
	s.Loki.Enable = ptr.To(false)
	assert.Contains(t, s.IncludeList(), "workload_flows_total")
	s.Processor.Metrics.IncludeList = &[]FLPMetric{"node_drop_bytes_total", "node_flows_total"}
	assert.Equal(t, []string{"node_flows_total"}, s.IncludeList())
	s.Agent.EBPF.Features = []AgentFeature{PacketDrop}
	assert.Equal(t, []string{"node_drop_bytes_total", "node_flows_total"}, s.IncludeList())
}
