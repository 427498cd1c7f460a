// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package decode turns the kernel's flow entries into OTLP log records with the attribute names
// of package flow. It is pure: no kernel access, so its tests need no privileges.
package decode // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/decode"

import (
	"net/netip"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

const (
	ethIPv4 = 0x0800
	ethIPv6 = 0x86DD

	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
)

// Env is what the decoder needs to know about the host.
type Env struct {
	// IfaceName returns the name of an interface index ("" when unknown).
	IfaceName func(ifindex uint32) string
	// IsLocal reports whether an address belongs to this host; it sets network.flow.direction.
	// Nil leaves the direction to a later processor.
	IsLocal func(netip.Addr) bool
	// DropCause names a kernel drop reason (the running kernel's enum skb_drop_reason, without
	// its SKB_DROP_REASON_ prefix). Nil, or "" for an unknown value, gives the number.
	DropCause func(reason uint32) string
}

// Decoder converts flows. It caches address strings, so reuse one per receiver; it is not safe
// for concurrent use.
type Decoder struct {
	env   Env
	addrs stringCache[[16]byte]
	macs  stringCache[[6]byte]
	// monoToWall is added to bpf_ktime_get_ns values to get unix ns; set by SetClock.
	monoToWall int64
}

// New returns a Decoder.
func New(env Env) *Decoder {
	return &Decoder{env: env, addrs: newStringCache[[16]byte](8192), macs: newStringCache[[6]byte](4096)}
}

// SetClock records the offset between the kernel's monotonic clock and the wall clock. Call it
// once per eviction with readings taken close together.
func (d *Decoder) SetClock(monoNow, wallNow int64) { d.monoToWall = wallNow - monoNow }

// Append adds one log record per flow to sl. feats, when not nil, holds each flow's feature data
// (nil entries for none). observed is the export time.
func (d *Decoder) Append(sl plog.LogRecordSlice, keys []datapath.Key, vals []datapath.Stats, feats []*datapath.Features, observed pcommon.Timestamp) {
	sl.EnsureCapacity(sl.Len() + len(keys))
	for i := range keys {
		var f *datapath.Features
		if feats != nil {
			f = feats[i]
		}
		d.appendOne(sl.AppendEmpty(), &keys[i], &vals[i], f, observed)
	}
}

func (d *Decoder) appendOne(lr plog.LogRecord, k *datapath.Key, s *datapath.Stats, f *datapath.Features, observed pcommon.Timestamp) {
	start := int64(s.FirstSeenNs) + d.monoToWall
	end := int64(s.LastSeenNs) + d.monoToWall
	lr.SetTimestamp(pcommon.Timestamp(end))
	lr.SetObservedTimestamp(observed)

	a := lr.Attributes()
	a.EnsureCapacity(24)
	ip := k.EthProto == ethIPv4 || k.EthProto == ethIPv6
	if ip {
		src, dst := addrOf(k.SrcIp), addrOf(k.DstIp)
		a.PutStr(flow.AttrSrcAddress, d.addrString(k.SrcIp, src))
		a.PutStr(flow.AttrDstAddress, d.addrString(k.DstIp, dst))
		if k.EthProto == ethIPv4 {
			a.PutStr(flow.AttrNetworkType, "ipv4")
		} else {
			a.PutStr(flow.AttrNetworkType, "ipv6")
		}
		a.PutInt(flow.AttrProtocol, int64(k.Proto))
		if t := transportName(k.Proto); t != "" {
			a.PutStr(flow.AttrTransport, t)
		}
		switch k.Proto {
		case protoTCP, protoUDP, protoSCTP:
			a.PutInt(flow.AttrSrcPort, int64(k.SrcPort))
			a.PutInt(flow.AttrDstPort, int64(k.DstPort))
		case protoICMP, protoICMPv6:
			a.PutInt(flow.AttrICMPType, int64(k.IcmpType))
			a.PutInt(flow.AttrICMPCode, int64(k.IcmpCode))
		}
		noTraffic := f != nil && f.NoTraffic
		if k.Proto == protoTCP && !noTraffic {
			a.PutInt(flow.AttrTCPFlags, int64(s.TcpFlags))
		}
		if !noTraffic {
			a.PutInt(flow.AttrDSCP, int64(s.Dscp))
		}
		if d.env.IsLocal != nil {
			if dir := nodeDirection(d.env.IsLocal(src), d.env.IsLocal(dst)); dir != "" {
				a.PutStr(flow.AttrFlowDirection, dir)
			}
		}
	} else {
		a.PutInt(flow.AttrProtocol, 0)
	}
	a.PutInt(flow.AttrEtherType, int64(k.EthProto))
	a.PutInt(flow.AttrBytes, int64(s.Bytes))
	a.PutInt(flow.AttrPackets, int64(s.Packets))
	a.PutInt(flow.AttrStart, start)
	a.PutInt(flow.AttrEnd, end)
	a.PutInt(flow.AttrSamplingRate, int64(max(s.Sampling, 1)))
	if f == nil {
		a.PutStr(flow.AttrSrcMAC, d.macString(s.SrcMac))
		a.PutStr(flow.AttrDstMAC, d.macString(s.DstMac))
		d.putInterfaces(a, s)
		return
	}
	if f.NoTraffic {
		// Only feature data: no MACs, and the interface only where the feature knows it.
		if s.N_ifaces > 0 {
			a.PutStr(flow.AttrIfaceName, d.ifname(s.Ifindex[0]))
		}
	} else {
		a.PutStr(flow.AttrSrcMAC, d.macString(s.SrcMac))
		a.PutStr(flow.AttrDstMAC, d.macString(s.DstMac))
		d.putInterfaces(a, s)
	}
	d.putFeatures(a, f)
}

// putInterfaces writes the counting interface and the list of all interfaces with their
// directions. Slots appended twice by racing CPUs are merged here.
func (d *Decoder) putInterfaces(a pcommon.Map, s *datapath.Stats) {
	n := min(int(s.N_ifaces), datapath.MaxIfaces)
	first := d.ifname(s.Ifindex[0])
	a.PutStr(flow.AttrIfaceName, first)
	a.PutStr(flow.AttrIfaceDir, dirName(s.FirstDir))
	names := a.PutEmptySlice(flow.AttrIfaces)
	dirs := a.PutEmptySlice(flow.AttrIfaceDirs)
	names.EnsureCapacity(n + 1)
	dirs.EnsureCapacity(n + 1)
	for i := 0; i < n; i++ {
		if dup(s, i) {
			continue
		}
		bits := s.IfDir[i]
		for j := i + 1; j < n; j++ {
			if s.Ifindex[j] == s.Ifindex[i] {
				bits |= s.IfDir[j]
			}
		}
		name := first
		if i > 0 {
			name = d.ifname(s.Ifindex[i])
		}
		// A flow seen both ways on one interface (hairpin) is listed once per direction; on the
		// counting interface the counting direction comes first, so entry 0 is the counted one.
		var dir0 uint8
		if i == 0 {
			dir0 = s.FirstDir & 1
		}
		for o := uint8(0); o < 2; o++ {
			if dir := dir0 ^ o; bits&(1<<dir) != 0 {
				names.AppendEmpty().SetStr(name)
				dirs.AppendEmpty().SetStr(dirName(dir))
			}
		}
	}
}

func dup(s *datapath.Stats, i int) bool {
	for j := 0; j < i; j++ {
		if s.Ifindex[j] == s.Ifindex[i] {
			return true
		}
	}
	return false
}

func (d *Decoder) addrString(raw [16]byte, a netip.Addr) string {
	if s, ok := d.addrs.lookup(raw); ok {
		return s
	}
	s := a.String()
	d.addrs.store(raw, s)
	return s
}

func (d *Decoder) macString(raw [6]byte) string {
	if s, ok := d.macs.lookup(raw); ok {
		return s
	}
	s := macString(raw)
	d.macs.store(raw, s)
	return s
}

func (d *Decoder) ifname(idx uint32) string {
	if d.env.IfaceName != nil {
		if n := d.env.IfaceName(idx); n != "" {
			return n
		}
	}
	return ifindexName(idx)
}

func dirName(d uint8) string {
	if d == 1 {
		return flow.DirEgress
	}
	return flow.DirIngress
}

// nodeDirection is NetObserv's FlowDirection from the host's point of view.
func nodeDirection(srcLocal, dstLocal bool) string {
	switch {
	case srcLocal && dstLocal:
		return flow.DirInner
	case srcLocal:
		return flow.DirEgress
	case dstLocal:
		return flow.DirIngress
	}
	return ""
}

func addrOf(b [16]byte) netip.Addr {
	return netip.AddrFrom16(b).Unmap()
}

func transportName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoSCTP:
		return "sctp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	}
	return ""
}
