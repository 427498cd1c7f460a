// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package testutil holds helpers shared by tests: crafted packets and privilege checks.
package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"net"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Frame describes a packet to craft. Zero fields get defaults that make a valid frame.
type Frame struct {
	SrcMAC, DstMAC net.HardwareAddr
	VLANs          []uint16 // outer first; the first is 802.1ad when there are two
	Src, Dst       net.IP   // IPv4 or IPv6 (both the same family)
	Proto          layers.IPProtocol
	SrcPort        uint16
	DstPort        uint16
	TCPFlags       string // letters among S A F R P U E C
	ICMPType       uint8
	ICMPCode       uint8
	TOS            uint8 // IPv4 TOS / IPv6 traffic class
	Payload        []byte
	// EtherType makes a non-IP frame (ARP, LLDP...) when Src is nil: the Ethernet (and VLAN)
	// headers carry this type and Payload follows them directly.
	EtherType layers.EthernetType
}

// Bytes serializes f with lengths and checksums filled in.
func (f Frame) Bytes(t testing.TB) []byte {
	t.Helper()
	if f.SrcMAC == nil {
		f.SrcMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	}
	if f.DstMAC == nil {
		f.DstMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
	}
	v6 := f.Src.To4() == nil
	ethType := layers.EthernetTypeIPv4
	switch {
	case f.Src == nil:
		ethType = f.EtherType
	case v6:
		ethType = layers.EthernetTypeIPv6
	}
	var ls []gopacket.SerializableLayer
	eth := &layers.Ethernet{SrcMAC: f.SrcMAC, DstMAC: f.DstMAC, EthernetType: ethType}
	ls = append(ls, eth)
	if len(f.VLANs) > 0 {
		eth.EthernetType = layers.EthernetTypeDot1Q
		if len(f.VLANs) > 1 {
			eth.EthernetType = layers.EthernetTypeQinQ
		}
		for i, id := range f.VLANs {
			next := ethType
			if i < len(f.VLANs)-1 {
				next = layers.EthernetTypeDot1Q
			}
			ls = append(ls, &layers.Dot1Q{VLANIdentifier: id, Type: next})
		}
	}
	if f.Src == nil {
		return serialize(t, append(ls, gopacket.Payload(f.Payload)))
	}
	var netLayer gopacket.NetworkLayer
	if v6 {
		ip := &layers.IPv6{Version: 6, SrcIP: f.Src, DstIP: f.Dst, NextHeader: f.Proto, HopLimit: 64, TrafficClass: f.TOS}
		ls = append(ls, ip)
		netLayer = ip
	} else {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, SrcIP: f.Src, DstIP: f.Dst, Protocol: f.Proto, TOS: f.TOS}
		ls = append(ls, ip)
		netLayer = ip
	}
	switch f.Proto {
	case layers.IPProtocolTCP:
		tcp := &layers.TCP{SrcPort: layers.TCPPort(f.SrcPort), DstPort: layers.TCPPort(f.DstPort), Window: 1024, DataOffset: 5}
		for _, c := range f.TCPFlags {
			switch c {
			case 'S':
				tcp.SYN = true
			case 'A':
				tcp.ACK = true
			case 'F':
				tcp.FIN = true
			case 'R':
				tcp.RST = true
			case 'P':
				tcp.PSH = true
			case 'U':
				tcp.URG = true
			case 'E':
				tcp.ECE = true
			case 'C':
				tcp.CWR = true
			}
		}
		_ = tcp.SetNetworkLayerForChecksum(netLayer)
		ls = append(ls, tcp)
	case layers.IPProtocolUDP:
		udp := &layers.UDP{SrcPort: layers.UDPPort(f.SrcPort), DstPort: layers.UDPPort(f.DstPort)}
		_ = udp.SetNetworkLayerForChecksum(netLayer)
		ls = append(ls, udp)
	case layers.IPProtocolSCTP:
		ls = append(ls, &layers.SCTP{SrcPort: layers.SCTPPort(f.SrcPort), DstPort: layers.SCTPPort(f.DstPort)})
	case layers.IPProtocolICMPv4:
		ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(f.ICMPType, f.ICMPCode)})
	case layers.IPProtocolICMPv6:
		icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(f.ICMPType, f.ICMPCode)}
		_ = icmp.SetNetworkLayerForChecksum(netLayer)
		ls = append(ls, icmp)
	}
	return serialize(t, append(ls, gopacket.Payload(f.Payload)))
}

func serialize(t testing.TB, ls []gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatalf("serialize frame: %v", err)
	}
	out := buf.Bytes()
	// Pad like a NIC would to the 60-byte minimum; tests that need a shorter frame slice the
	// result (BPF_PROG_TEST_RUN wants 14 bytes, and on 6.18 a whole IP header after an untagged
	// IPv4/IPv6 ethertype).
	for len(out) < 60 {
		out = append(out, 0)
	}
	return out
}
