// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter // import "github.com/flowlens/flowlens/exporter/ipfixexporter"

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/vmware/go-ipfix/pkg/entities"
	"github.com/vmware/go-ipfix/pkg/registry"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/flowlens/flowlens/pkg/flow"
)

// Enterprise information elements, under the configured PEN. The numbers NetObserv defines are
// kept (7733-7742); owners and zones, which NetObserv does not export, follow.
const (
	ieSourcePodNamespace      = 7733
	ieSourcePodName           = 7734
	ieDestinationPodNamespace = 7735
	ieDestinationPodName      = 7736
	ieSourceNodeName          = 7737
	ieDestinationNodeName     = 7738
	ieTimeFlowRttNs           = 7740
	ieInterfaces              = 7741
	ieDirections              = 7742
	ieSourceOwnerName         = 7743
	ieSourceOwnerType         = 7744
	ieDestinationOwnerName    = 7745
	ieDestinationOwnerType    = 7746
	ieSourceZone              = 7747
	ieDestinationZone         = 7748
)

// selectorAlgorithm 3: random n-out-of-N sampling (RFC 5477), what the kernel program does.
const selectorRandomNOutOfN = 3

var loadRegistry sync.Once

// field is one information element of a template and how to get its value from a flow.
type field struct {
	ie    *entities.InfoElement
	value func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue
}

// flowView gives typed access to a flow's attributes.
type flowView struct{ attrs pcommon.Map }

func (f *flowView) str(k string) string {
	if v, ok := f.attrs.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func (f *flowView) num(k string) int64 {
	if v, ok := f.attrs.Get(k); ok && v.Type() == pcommon.ValueTypeInt {
		return v.Int()
	}
	return 0
}

func (f *flowView) ip(k string, v6 bool) net.IP {
	ip := net.ParseIP(f.str(k))
	if v6 {
		if ip == nil {
			return net.IPv6zero
		}
		return ip.To16()
	}
	if ip4 := ip.To4(); ip4 != nil {
		return ip4
	}
	return net.IPv4zero.To4()
}

func (f *flowView) strings(k string) []string {
	v, ok := f.attrs.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	out := make([]string, v.Slice().Len())
	for i := range out {
		out[i] = v.Slice().At(i).AsString()
	}
	return out
}

func iana(name string) *entities.InfoElement {
	loadRegistry.Do(registry.LoadRegistry)
	ie, err := registry.GetInfoElement(name, registry.IANAEnterpriseID)
	if err != nil {
		panic(fmt.Sprintf("IANA IE %s missing from go-ipfix's registry: %v", name, err)) // a programming error
	}
	return ie
}

func u8(get func(*flowView) int64) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewUnsigned8InfoElement(ie, uint8(get(f)))
	}
}

func u16(get func(*flowView) int64) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewUnsigned16InfoElement(ie, uint16(get(f)))
	}
}

func u64(get func(*flowView) int64) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewUnsigned64InfoElement(ie, uint64(get(f)))
	}
}

func attrNum(k string) func(*flowView) int64 { return func(f *flowView) int64 { return f.num(k) } }

func str(get func(*flowView) string) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewStringInfoElement(ie, get(f))
	}
}

func attrStr(k string) func(*flowView) string { return func(f *flowView) string { return f.str(k) } }

func ipField(k string, v6 bool) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewIPAddressInfoElement(ie, f.ip(k, v6))
	}
}

func macField(k string) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		mac, err := net.ParseMAC(f.str(k))
		if err != nil {
			mac = make(net.HardwareAddr, 6)
		}
		return entities.NewMacAddressInfoElement(ie, mac)
	}
}

func msField(k string) func(*flowView, *entities.InfoElement) entities.InfoElementWithValue {
	return func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
		return entities.NewDateTimeMillisecondsInfoElement(ie, uint64(f.num(k)/1e6))
	}
}

// templateFields returns the elements of the IPv4 or IPv6 template. Every flow of a family
// fills every element (zero when absent), so one template per family is enough.
func templateFields(v6 bool, pen uint32) []field {
	srcAddr, dstAddr, natSrc, natDst := "sourceIPv4Address", "destinationIPv4Address", "postNATSourceIPv4Address", "postNATDestinationIPv4Address"
	icmpType, icmpCode := "icmpTypeIPv4", "icmpCodeIPv4"
	if v6 {
		srcAddr, dstAddr, natSrc, natDst = "sourceIPv6Address", "destinationIPv6Address", "postNATSourceIPv6Address", "postNATDestinationIPv6Address"
		icmpType, icmpCode = "icmpTypeIPv6", "icmpCodeIPv6"
	}
	fs := []field{
		{iana(srcAddr), ipField(flow.AttrSrcAddress, v6)},
		{iana(dstAddr), ipField(flow.AttrDstAddress, v6)},
		{iana(natSrc), ipField(flow.AttrXlatSrcAddress, v6)},
		{iana(natDst), ipField(flow.AttrXlatDstAddress, v6)},
		{iana("protocolIdentifier"), u8(attrNum(flow.AttrProtocol))},
		{iana("sourceTransportPort"), u16(attrNum(flow.AttrSrcPort))},
		{iana("destinationTransportPort"), u16(attrNum(flow.AttrDstPort))},
		{iana("postNAPTSourceTransportPort"), u16(attrNum(flow.AttrXlatSrcPort))},
		{iana("postNAPTDestinationTransportPort"), u16(attrNum(flow.AttrXlatDstPort))},
		{iana("octetDeltaCount"), u64(attrNum(flow.AttrBytes))},
		{iana("packetDeltaCount"), u64(attrNum(flow.AttrPackets))},
		{iana("flowStartMilliseconds"), msField(flow.AttrStart)},
		{iana("flowEndMilliseconds"), msField(flow.AttrEnd)},
		// Only the header's 8 flags: in tcpControlBits (RFC 7125) 0x100 is NS, so the combined
		// SYN-ACK/FIN-ACK/RST-ACK bits of the flow schema must not leak into it.
		{iana("tcpControlBits"), u16(func(f *flowView) int64 { return f.num(flow.AttrTCPFlags) & 0xff })},
		{iana(icmpType), u8(attrNum(flow.AttrICMPType))},
		{iana(icmpCode), u8(attrNum(flow.AttrICMPCode))},
		{iana("sourceMacAddress"), macField(flow.AttrSrcMAC)},
		{iana("destinationMacAddress"), macField(flow.AttrDstMAC)},
		{iana("ipDiffServCodePoint"), u8(attrNum(flow.AttrDSCP))},
		{iana("ethernetType"), u16(attrNum(flow.AttrEtherType))},
		// flowDirection (61): 0 ingress, 1 egress; the node-level direction, the interface's
		// when the flow has none.
		{iana("flowDirection"), u8(func(f *flowView) int64 { return ipfixDirection(f) })},
		{iana("interfaceName"), str(attrStr(flow.AttrIfaceName))},
		{iana("selectorAlgorithm"), u16(func(*flowView) int64 { return selectorRandomNOutOfN })},
		{iana("samplingProbability"), func(f *flowView, ie *entities.InfoElement) entities.InfoElementWithValue {
			return entities.NewFloat64InfoElement(ie, 1/float64(max(f.num(flow.AttrSamplingRate), 1)))
		}},
	}
	if v6 {
		fs = append(fs, field{iana("nextHeaderIPv6"), u8(attrNum(flow.AttrProtocol))})
	}
	ent := func(name string, id uint16, t entities.IEDataType) *entities.InfoElement {
		return entities.NewInfoElement(name, id, t, pen, entities.InfoElementLength[t])
	}
	return append(fs,
		field{ent("sourcePodNamespace", ieSourcePodNamespace, entities.String), str(attrStr(flow.AttrSrcNamespace))},
		field{ent("sourcePodName", ieSourcePodName, entities.String), str(attrStr(flow.AttrSrcPodName))},
		field{ent("destinationPodNamespace", ieDestinationPodNamespace, entities.String), str(attrStr(flow.AttrDstNamespace))},
		field{ent("destinationPodName", ieDestinationPodName, entities.String), str(attrStr(flow.AttrDstPodName))},
		field{ent("sourceNodeName", ieSourceNodeName, entities.String), str(attrStr(flow.AttrSrcNodeName))},
		field{ent("destinationNodeName", ieDestinationNodeName, entities.String), str(attrStr(flow.AttrDstNodeName))},
		field{ent("timeFlowRttNs", ieTimeFlowRttNs, entities.Unsigned64), u64(attrNum(flow.AttrRTT))},
		field{ent("interfaces", ieInterfaces, entities.String), str(func(f *flowView) string {
			return strings.Join(f.strings(flow.AttrIfaces), ",")
		})},
		field{ent("directions", ieDirections, entities.String), str(func(f *flowView) string {
			dirs := f.strings(flow.AttrIfaceDirs)
			for i, d := range dirs {
				dirs[i] = fmt.Sprint(flow.DirectionNumber(d))
			}
			return strings.Join(dirs, ",")
		})},
		field{ent("sourceOwnerName", ieSourceOwnerName, entities.String), str(attrStr(flow.AttrSrcOwnerName))},
		field{ent("sourceOwnerType", ieSourceOwnerType, entities.String), str(attrStr(flow.AttrSrcOwnerType))},
		field{ent("destinationOwnerName", ieDestinationOwnerName, entities.String), str(attrStr(flow.AttrDstOwnerName))},
		field{ent("destinationOwnerType", ieDestinationOwnerType, entities.String), str(attrStr(flow.AttrDstOwnerType))},
		field{ent("sourceZone", ieSourceZone, entities.String), str(attrStr(flow.AttrSrcZone))},
		field{ent("destinationZone", ieDestinationZone, entities.String), str(attrStr(flow.AttrDstZone))},
	)
}

func ipfixDirection(f *flowView) int64 {
	d := f.str(flow.AttrFlowDirection)
	if d == "" || d == flow.DirInner {
		d = f.str(flow.AttrIfaceDir)
	}
	if d == flow.DirEgress {
		return 1
	}
	return 0
}
