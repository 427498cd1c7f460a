// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

var protocols = map[string]uint8{"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPv6": 58, "SCTP": 132}

var tcpFlagNames = map[string]uint16{
	"FIN": datapath.TCPFin, "SYN": datapath.TCPSyn, "RST": datapath.TCPRst, "PSH": datapath.TCPPsh,
	"ACK": datapath.TCPAck, "URG": datapath.TCPUrg, "ECE": datapath.TCPEce, "CWR": datapath.TCPCwr,
	"SYN-ACK": datapath.TCPSynAck, "FIN-ACK": datapath.TCPFinAck, "RST-ACK": datapath.TCPRstAck,
}

// parse validates rule i and converts it; errors name the rule and the field.
func (r *FlowFilterRule) parse(i int, drops bool) (datapath.FilterRule, error) {
	var out datapath.FilterRule
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("flow_filter.rules[%d].%s: %s", i, field, fmt.Sprintf(format, args...)))
	}
	switch r.Action {
	case "", "Accept":
		out.Action = datapath.ActionAccept
	case "Reject":
		out.Action = datapath.ActionReject
	default:
		fail("action", "%q is not valid, must be Accept or Reject", r.Action)
	}
	var err error
	if out.CIDR, err = parseCIDR(r.CIDR); err != nil {
		fail("cidr", "%v", err)
	}
	if out.PeerCIDR, err = parseCIDR(r.PeerCIDR); err != nil {
		fail("peer_cidr", "%v", err)
	}
	if r.Protocol != "" {
		p, ok := protocols[r.Protocol]
		if !ok {
			fail("protocol", "%q is not valid, must be one of TCP, UDP, ICMP, ICMPv6, SCTP", r.Protocol)
		}
		out.Protocol = p
	}
	switch r.Direction {
	case "":
	case "Ingress":
		out.Direction = datapath.DirectionIngress
	case "Egress":
		out.Direction = datapath.DirectionEgress
	default:
		fail("direction", "%q is not valid, must be Ingress or Egress", r.Direction)
	}
	for _, f := range []struct {
		name string
		v    any
		dst  *[]datapath.PortRange
	}{{"ports", r.Ports, &out.Ports}, {"source_ports", r.SourcePorts, &out.SrcPorts}, {"destination_ports", r.DestinationPorts, &out.DstPorts}} {
		if *f.dst, err = parsePorts(f.v); err != nil {
			fail(f.name, "%v", err)
		}
	}
	if len(out.Ports) > 0 && (len(out.SrcPorts) > 0 || len(out.DstPorts) > 0) {
		fail("ports", "cannot be combined with source_ports or destination_ports")
	}
	if len(out.Ports)+len(out.SrcPorts)+len(out.DstPorts) > 0 && (out.Protocol == 1 || out.Protocol == 58) {
		fail("ports", "protocol %s has no ports", r.Protocol)
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  **uint8
	}{{"icmp_type", r.ICMPType, &out.ICMPType}, {"icmp_code", r.ICMPCode, &out.ICMPCode}} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > 255 {
			fail(f.name, "%d is out of range, must be between 0 and 255", *f.v)
			continue
		}
		v := uint8(*f.v)
		*f.dst = &v
		if out.Protocol != 0 && out.Protocol != 1 && out.Protocol != 58 {
			fail(f.name, "needs protocol ICMP or ICMPv6, not %s", r.Protocol)
		}
	}
	if r.TCPFlags != "" {
		f, ok := tcpFlagNames[r.TCPFlags]
		if !ok {
			fail("tcp_flags", "%q is not valid, must be one of SYN, SYN-ACK, ACK, FIN, RST, URG, ECE, CWR, FIN-ACK, RST-ACK, PSH", r.TCPFlags)
		}
		if out.Protocol != 0 && out.Protocol != 6 {
			fail("tcp_flags", "needs protocol TCP, not %s", r.Protocol)
		}
		out.TCPFlags = f
	}
	if r.Drops && !drops {
		fail("drops", "needs the PacketDrop feature in features")
	}
	out.Drops = r.Drops
	out.Sampling = r.Sampling
	return out, errors.Join(errs...)
}

// parseCIDR accepts a CIDR or a single address (a /32 or /128). "" is no prefix.
func parseCIDR(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not a CIDR or an IP address", s)
}

// parsePorts accepts a port number, or a string: a port, a range "lo-hi", or a comma-separated
// list of those (at most datapath.MaxPortRanges).
func parsePorts(v any) ([]datapath.PortRange, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = x
	case int, int64, uint64, float64:
		s = fmt.Sprint(x)
	default:
		return nil, fmt.Errorf("%v is not a port, a range or a list", v)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	items := strings.Split(s, ",")
	if len(items) > datapath.MaxPortRanges {
		return nil, fmt.Errorf("%q: %d ports or ranges, at most %d", s, len(items), datapath.MaxPortRanges)
	}
	var out []datapath.PortRange
	for _, it := range items {
		it = strings.TrimSpace(it)
		bad := func(p string) error {
			if p == s {
				return fmt.Errorf("%q is not a port (1-65535)", s)
			}
			return fmt.Errorf("%q: %q is not a port (1-65535)", s, p)
		}
		lo, hi, isRange := strings.Cut(it, "-")
		a, ok := parsePort(lo)
		if !ok {
			return nil, bad(lo)
		}
		b := a
		if isRange {
			if b, ok = parsePort(hi); !ok {
				return nil, bad(hi)
			}
			if a >= b {
				return nil, fmt.Errorf("%q: range start must be below end", s)
			}
		}
		out = append(out, datapath.PortRange{Lo: a, Hi: b})
	}
	return out, nil
}

func parsePort(s string) (uint16, bool) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	return uint16(n), err == nil && n != 0
}
