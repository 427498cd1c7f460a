// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

// Feature names, NetObserv's (spec.agent.ebpf.features).
const (
	FeaturePacketDrop        = "PacketDrop"
	FeatureDNSTracking       = "DNSTracking"
	FeatureFlowRTT           = "FlowRTT"
	FeaturePacketTranslation = "PacketTranslation"
)

var supportedFeatures = []string{FeaturePacketDrop, FeatureDNSTracking, FeatureFlowRTT, FeaturePacketTranslation}

// NetObserv features flowlens does not implement: OVN-Kubernetes specific, or NetObserv's own
// deployment mechanics.
var unsupportedFeatures = []string{"NetworkEvents", "UDNMapping", "IPSec", "EbpfManager"}

// FlowFilterConfig is NetObserv's flowFilter: in-kernel selection of the flows to record.
type FlowFilterConfig struct {
	// Rules, at most 16. With at least one rule, flows that match no rule are not recorded.
	Rules []FlowFilterRule `mapstructure:"rules"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FlowFilterRule is one rule of flow_filter (NetObserv's flowFilter.rules[] in snake_case).
type FlowFilterRule struct {
	// Action is Accept (default) or Reject.
	Action string `mapstructure:"action"`
	// CIDR (or a single IP) one end of the flow must be in; the longest matching prefix among
	// the rules' cidrs picks the candidate rules. Empty: any address.
	CIDR string `mapstructure:"cidr"`
	// PeerCIDR (or a single IP) the other end must be in. Empty: any.
	PeerCIDR string `mapstructure:"peer_cidr"`
	// Protocol is TCP, UDP, ICMP, ICMPv6 or SCTP. Empty: any.
	Protocol string `mapstructure:"protocol"`
	// Direction is the interface direction, Ingress or Egress. Empty: both.
	Direction string `mapstructure:"direction"`
	// Ports matches the source or the destination port: a port (80), a range ("80-100") or a
	// list ("80,443", up to 4 ports or ranges). Not with SourcePorts or DestinationPorts.
	Ports any `mapstructure:"ports"`
	// SourcePorts matches the source port (same syntax as ports).
	SourcePorts any `mapstructure:"source_ports"`
	// DestinationPorts matches the destination port (same syntax as ports).
	DestinationPorts any `mapstructure:"destination_ports"`
	// ICMPType matches the ICMP or ICMPv6 type.
	ICMPType *int `mapstructure:"icmp_type"`
	// ICMPCode matches the ICMP or ICMPv6 code.
	ICMPCode *int `mapstructure:"icmp_code"`
	// TCPFlags matches packets with this flag: SYN, SYN-ACK, ACK, FIN, RST, URG, ECE, CWR,
	// FIN-ACK, RST-ACK (PSH too).
	TCPFlags string `mapstructure:"tcp_flags"`
	// Drops keeps only what the kernel dropped of the flows the rule matches (needs PacketDrop).
	Drops bool `mapstructure:"drops"`
	// Sampling records 1 packet in N of the packets this rule accepts, instead of the global
	// sampling; 0 keeps the global one. The rate is on each record.
	Sampling uint32 `mapstructure:"sampling"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func (c *Config) hasFeature(name string) bool { return slices.Contains(c.Features, name) }

// validateFeatures checks features, dns_ports and flow_filter.
func (c *Config) validateFeatures() []error {
	var errs []error
	for _, f := range c.Features {
		switch {
		case slices.Contains(supportedFeatures, f):
		case slices.Contains(unsupportedFeatures, f):
			errs = append(errs, fmt.Errorf("features: %q is not supported by flowlens (supported: %s)",
				f, strings.Join(supportedFeatures, ", ")))
		default:
			errs = append(errs, fmt.Errorf("features: %q is not a feature, must be one of %s",
				f, strings.Join(supportedFeatures, ", ")))
		}
	}
	if len(c.DNSPorts) == 0 && c.hasFeature(FeatureDNSTracking) {
		errs = append(errs, errors.New("dns_ports: DNSTracking needs at least one port"))
	}
	if len(c.DNSPorts) > datapath.MaxDNSPorts {
		errs = append(errs, fmt.Errorf("dns_ports: %d ports, at most %d", len(c.DNSPorts), datapath.MaxDNSPorts))
	}
	for i, p := range c.DNSPorts {
		if p == 0 {
			errs = append(errs, fmt.Errorf("dns_ports[%d]: 0 is not a port, must be between 1 and 65535", i))
		}
	}
	if n := len(c.FlowFilter.Rules); n > datapath.MaxFilterRules {
		errs = append(errs, fmt.Errorf("flow_filter.rules: %d rules, at most %d", n, datapath.MaxFilterRules))
	}
	for i := range c.FlowFilter.Rules {
		if _, err := c.FlowFilter.Rules[i].parse(i, c.hasFeature(FeaturePacketDrop)); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// filterRules converts the validated rules for the datapath.
func (c *Config) filterRules() ([]datapath.FilterRule, error) {
	var out []datapath.FilterRule
	var errs []error
	for i := range c.FlowFilter.Rules {
		r, err := c.FlowFilter.Rules[i].parse(i, c.hasFeature(FeaturePacketDrop))
		errs = append(errs, err)
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}
