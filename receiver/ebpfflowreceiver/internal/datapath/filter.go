// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/cilium/ebpf"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// MaxFilterRules and MaxPortRanges are the kernel's limits (bpf/types.h).
const (
	MaxFilterRules = 16
	MaxPortRanges  = 4
)

// Filter rule actions and directions, as the kernel encodes them.
const (
	ActionAccept uint8 = 0
	ActionReject uint8 = 1

	DirectionAny     uint8 = 0
	DirectionIngress uint8 = 1
	DirectionEgress  uint8 = 2
)

// TCP flag values of rules (the flow record's encoding, with the combined flags).
const (
	TCPFin    uint16 = 0x01
	TCPSyn    uint16 = 0x02
	TCPRst    uint16 = 0x04
	TCPPsh    uint16 = 0x08
	TCPAck    uint16 = 0x10
	TCPUrg    uint16 = 0x20
	TCPEce    uint16 = 0x40
	TCPCwr    uint16 = 0x80
	TCPSynAck uint16 = 0x100
	TCPFinAck uint16 = 0x200
	TCPRstAck uint16 = 0x400
)

// PortRange is an inclusive range of ports; a single port has Lo == Hi.
type PortRange struct{ Lo, Hi uint16 }

// FilterRule is one flow_filter rule, validated (see the receiver's config).
type FilterRule struct {
	Action    uint8
	CIDR      netip.Prefix // invalid (zero) = any address, IPv4, IPv6 or none
	PeerCIDR  netip.Prefix // invalid (zero) = any
	Protocol  uint8        // 0 = any
	Direction uint8
	Ports     []PortRange // source or destination port
	SrcPorts  []PortRange
	DstPorts  []PortRange
	ICMPType  *uint8
	ICMPCode  *uint8
	TCPFlags  uint16
	Drops     bool
	Sampling  uint32 // 0 = the global sampling
}

// kernelRule converts r to the load-time constant the TC program reads.
func kernelRule(r FilterRule) (bpfgen.FlowFilterRule, error) {
	k := bpfgen.FlowFilterRule{Action: r.Action, Proto: r.Protocol, Direction: r.Direction,
		TcpFlags: r.TCPFlags, Sampling: r.Sampling}
	if len(r.Ports) > MaxPortRanges || len(r.SrcPorts) > MaxPortRanges || len(r.DstPorts) > MaxPortRanges {
		return k, fmt.Errorf("more than %d port ranges", MaxPortRanges)
	}
	for i, p := range r.Ports {
		k.Ports[i].Lo, k.Ports[i].Hi = p.Lo, p.Hi
	}
	for i, p := range r.SrcPorts {
		k.SrcPorts[i].Lo, k.SrcPorts[i].Hi = p.Lo, p.Hi
	}
	for i, p := range r.DstPorts {
		k.DstPorts[i].Lo, k.DstPorts[i].Hi = p.Lo, p.Hi
	}
	k.N_ports, k.N_srcPorts, k.N_dstPorts = uint8(len(r.Ports)), uint8(len(r.SrcPorts)), uint8(len(r.DstPorts))
	if r.ICMPType != nil {
		k.Match |= 0x01 // FR_ICMP_TYPE
		k.IcmpType = *r.ICMPType
	}
	if r.ICMPCode != nil {
		k.Match |= 0x02 // FR_ICMP_CODE
		k.IcmpCode = *r.ICMPCode
	}
	if r.PeerCIDR.IsValid() {
		k.Match |= 0x04 // FR_PEER
	}
	if r.Drops {
		k.Match |= 0x08 // FR_DROPS
	}
	return k, nil
}

// configureFilter sets the filter's load-time constants.
func configureFilter(spec *ebpf.CollectionSpec, rules []FilterRule) error {
	if len(rules) == 0 {
		return nil
	}
	if len(rules) > MaxFilterRules {
		return fmt.Errorf("%d filter rules, at most %d", len(rules), MaxFilterRules)
	}
	var krules [MaxFilterRules]bpfgen.FlowFilterRule
	var anyMask uint32
	sampling, peer := false, false
	for i, r := range rules {
		k, err := kernelRule(r)
		if err != nil {
			return fmt.Errorf("filter rule %d: %w", i, err)
		}
		krules[i] = k
		if !r.CIDR.IsValid() {
			anyMask |= 1 << i
		}
		sampling = sampling || r.Sampling != 0
		peer = peer || r.PeerCIDR.IsValid()
	}
	for _, v := range []struct {
		name string
		v    any
	}{
		{bpfgen.FlowVarEnableFilter, uint8(1)},
		{bpfgen.FlowVarFilterSampling, b2u8(sampling)},
		{bpfgen.FlowVarN_filterRules, uint8(len(rules))},
		{bpfgen.FlowVarFilterAnyMask, anyMask},
		{bpfgen.FlowVarFilterHasPeer, b2u8(peer)},
		{bpfgen.FlowVarFilterRules, krules},
	} {
		if err := setVar(spec, v.name, v.v); err != nil {
			return err
		}
	}
	return nil
}

// LPMKey is a key of the cidr and peer tries: IPv4 as IPv4-mapped IPv6, prefix length + 96.
type LPMKey = bpfgen.FlowLpmKey

func lpmKey(p netip.Prefix) LPMKey {
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return LPMKey{Prefixlen: uint32(bits), Ip: p.Masked().Addr().As16()}
}

// anyPrefix is the cidr of a rule without one: every address (IPv4-mapped ones included).
var anyPrefix = netip.PrefixFrom(netip.IPv6Unspecified(), 0)

// FilterTries computes the entries of the two tries. cidr: each rule's cidr -> the rules with
// exactly that cidr, so the longest prefix holding an address gives the candidate rules. peer:
// each peer_cidr -> the rules whose peer_cidr contains it; as the longest peer prefix holding an
// address is inside every other peer prefix holding it, one lookup yields every rule whose
// peer_cidr holds the address.
func FilterTries(rules []FilterRule) (cidrs, peers map[LPMKey]uint32) {
	cidrs, peers = map[LPMKey]uint32{}, map[LPMKey]uint32{}
	var peerPrefixes []netip.Prefix
	for i, r := range rules {
		c := r.CIDR
		if !c.IsValid() {
			c = anyPrefix
		}
		cidrs[lpmKey(c)] |= 1 << i
		if r.PeerCIDR.IsValid() && !slices.Contains(peerPrefixes, r.PeerCIDR.Masked()) {
			peerPrefixes = append(peerPrefixes, r.PeerCIDR.Masked())
		}
	}
	for _, p := range peerPrefixes {
		k := lpmKey(p)
		for i, r := range rules {
			if r.PeerCIDR.IsValid() && contains(r.PeerCIDR, p) {
				peers[k] |= 1 << i
			}
		}
	}
	return cidrs, peers
}

// contains reports whether prefix outer holds all of prefix inner (same family).
func contains(outer, inner netip.Prefix) bool {
	return outer.Addr().Is4() == inner.Addr().Is4() && outer.Bits() <= inner.Bits() &&
		outer.Contains(inner.Addr())
}

// fillFilter writes the tries before the programs are attached.
func (d *Datapath) fillFilter(rules []FilterRule) error {
	if len(rules) == 0 {
		return nil
	}
	cidrs, peers := FilterTries(rules)
	for k, v := range cidrs {
		if err := d.objs.FilterCidrs.Put(k, v); err != nil {
			return fmt.Errorf("fill filter cidr trie: %w", err)
		}
	}
	for k, v := range peers {
		if err := d.objs.FilterPeers.Put(k, v); err != nil {
			return fmt.Errorf("fill filter peer trie: %w", err)
		}
	}
	return nil
}
