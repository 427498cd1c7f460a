// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

// Type is the pdata type of an attribute value.
type Type uint8

const (
	TypeString Type = iota
	TypeInt
	TypeBool
	TypeStringSlice
)

func (t Type) String() string {
	return [...]string{"string", "int", "bool", "string[]"}[t]
}

// Conv says how a value changes between our attribute and NetObserv's field.
type Conv uint8

const (
	ConvNone       Conv = iota
	ConvNsToMs          // unix ns (ours) <-> ms (NetObserv)
	ConvDirection       // ingress/egress/inner <-> 0/1/2
	ConvDirections      // [ingress, egress] <-> [0, 1]
	ConvTCPFlags        // bitmask <-> ["SYN", "ACK", ...]
)

// Field is one attribute of the flow record.
type Field struct {
	Attr      string // our attribute name
	NetObserv string // NetObserv's field name; empty when NetObserv has none
	Type      Type
	Resource  bool   // a resource attribute (describes the observer)
	Conv      Conv   // conversion to NetObserv's representation
	Source    string // who sets it: ebpfflow, k8sflow, or a feature name
	Doc       string
}

// Fields lists every attribute of the flow record. docs/flow-schema.md is generated from it.
var Fields = []Field{
	{AttrHostName, "", TypeString, true, ConvNone, "ebpfflow", "Host name of the observing node."},
	{AttrLocalAddress, "AgentIP", TypeString, true, ConvNone, "ebpfflow", "IP of the observing node (config node_ip, else detected)."},

	{AttrSrcAddress, "SrcAddr", TypeString, false, ConvNone, "ebpfflow", "Source IP."},
	{AttrSrcPort, "SrcPort", TypeInt, false, ConvNone, "ebpfflow", "Source port (TCP, UDP, SCTP)."},
	{AttrSrcMAC, "SrcMac", TypeString, false, ConvNone, "ebpfflow", "Source MAC of the first packet, upper-case, colon-separated."},
	{AttrDstAddress, "DstAddr", TypeString, false, ConvNone, "ebpfflow", "Destination IP."},
	{AttrDstPort, "DstPort", TypeInt, false, ConvNone, "ebpfflow", "Destination port (TCP, UDP, SCTP)."},
	{AttrDstMAC, "DstMac", TypeString, false, ConvNone, "ebpfflow", "Destination MAC of the first packet."},
	{AttrTransport, "", TypeString, false, ConvNone, "ebpfflow", "tcp, udp, sctp, icmp or icmpv6; absent for other protocols."},
	{AttrNetworkType, "", TypeString, false, ConvNone, "ebpfflow", "ipv4 or ipv6; absent for non-IP frames."},
	{AttrProtocol, "Proto", TypeInt, false, ConvNone, "ebpfflow", "IANA protocol number (0 for non-IP frames)."},
	{AttrEtherType, "Etype", TypeInt, false, ConvNone, "ebpfflow", "Ethertype after VLAN tags (2048 IPv4, 34525 IPv6)."},
	{AttrDSCP, "Dscp", TypeInt, false, ConvNone, "ebpfflow", "DSCP of the first packet."},
	{AttrTCPFlags, "Flags", TypeInt, false, ConvTCPFlags, "ebpfflow", "OR of the TCP flags seen (FIN 0x1 ... CWR 0x80) plus SYN-ACK 0x100, FIN-ACK 0x200, RST-ACK 0x400."},
	{AttrICMPType, "IcmpType", TypeInt, false, ConvNone, "ebpfflow", "ICMP / ICMPv6 type."},
	{AttrICMPCode, "IcmpCode", TypeInt, false, ConvNone, "ebpfflow", "ICMP / ICMPv6 code."},
	{AttrBytes, "Bytes", TypeInt, false, ConvNone, "ebpfflow", "Bytes of the sampled packets (L2 length)."},
	{AttrPackets, "Packets", TypeInt, false, ConvNone, "ebpfflow", "Sampled packets (kernel skbs)."},
	{AttrStart, "TimeFlowStartMs", TypeInt, false, ConvNsToMs, "ebpfflow", "First packet, unix ns."},
	{AttrEnd, "TimeFlowEndMs", TypeInt, false, ConvNsToMs, "ebpfflow", "Latest packet, unix ns (also the log record timestamp)."},
	{AttrSamplingRate, "Sampling", TypeInt, false, ConvNone, "ebpfflow", "1 packet in N was recorded."},
	{AttrIfaceName, "", TypeString, false, ConvNone, "ebpfflow", "Interface that counted the bytes and packets."},
	{AttrIfaceDir, "", TypeString, false, ConvNone, "ebpfflow", "ingress or egress, at that interface."},
	{AttrIfaces, "Interfaces", TypeStringSlice, false, ConvNone, "ebpfflow", "Every interface the flow was seen on, the counting one first."},
	{AttrIfaceDirs, "IfDirections", TypeStringSlice, false, ConvDirections, "ebpfflow", "Direction at each of those interfaces."},
	{AttrFlowDirection, "FlowDirection", TypeString, false, ConvDirection, "ebpfflow, k8sflow", "Node-level direction: ingress, egress or inner (both ends on the node)."},
	{AttrRecordType, "_RecordType", TypeString, false, ConvNone, "conversation tracking", "Absent on plain flows (NetObserv's flowLog); newConnection, heartbeat or endConnection once conversation tracking exists."},

	{AttrClusterName, "K8S_ClusterName", TypeString, false, ConvNone, "k8sflow", "Cluster name (config cluster_name)."},
	{AttrSrcNamespace, "SrcK8S_Namespace", TypeString, false, ConvNone, "k8sflow", "Namespace of the source."},
	{AttrSrcPodName, "", TypeString, false, ConvNone, "k8sflow", "Source pod (NetObserv SrcK8S_Name when the type is Pod)."},
	{AttrSrcSvcName, "", TypeString, false, ConvNone, "k8sflow", "Source service (NetObserv SrcK8S_Name when the type is Service)."},
	{AttrSrcResType, "SrcK8S_Type", TypeString, false, ConvNone, "k8sflow", "Pod, Service or Node."},
	{AttrSrcOwnerName, "SrcK8S_OwnerName", TypeString, false, ConvNone, "k8sflow", "Top owner (Deployment, StatefulSet, DaemonSet, CronJob, Job...)."},
	{AttrSrcOwnerType, "SrcK8S_OwnerType", TypeString, false, ConvNone, "k8sflow", "Kind of that owner."},
	{AttrSrcNodeName, "SrcK8S_HostName", TypeString, false, ConvNone, "k8sflow", "Node of the source pod, or the source node."},
	{AttrSrcNodeIP, "SrcK8S_HostIP", TypeString, false, ConvNone, "k8sflow", "IP of that node."},
	{AttrSrcZone, "SrcK8S_Zone", TypeString, false, ConvNone, "k8sflow", "topology.kubernetes.io/zone of that node (add_zone)."},
	{AttrSrcSubnet, "SrcSubnetLabel", TypeString, false, ConvNone, "k8sflow", "Label of the configured subnet holding the source."},
	{AttrDstNamespace, "DstK8S_Namespace", TypeString, false, ConvNone, "k8sflow", "Namespace of the destination."},
	{AttrDstPodName, "", TypeString, false, ConvNone, "k8sflow", "Destination pod."},
	{AttrDstSvcName, "", TypeString, false, ConvNone, "k8sflow", "Destination service."},
	{AttrDstResType, "DstK8S_Type", TypeString, false, ConvNone, "k8sflow", "Pod, Service or Node."},
	{AttrDstOwnerName, "DstK8S_OwnerName", TypeString, false, ConvNone, "k8sflow", "Top owner of the destination."},
	{AttrDstOwnerType, "DstK8S_OwnerType", TypeString, false, ConvNone, "k8sflow", "Kind of that owner."},
	{AttrDstNodeName, "DstK8S_HostName", TypeString, false, ConvNone, "k8sflow", "Node of the destination pod, or the destination node."},
	{AttrDstNodeIP, "DstK8S_HostIP", TypeString, false, ConvNone, "k8sflow", "IP of that node."},
	{AttrDstZone, "DstK8S_Zone", TypeString, false, ConvNone, "k8sflow", "Zone of that node (add_zone)."},
	{AttrDstSubnet, "DstSubnetLabel", TypeString, false, ConvNone, "k8sflow", "Label of the configured subnet holding the destination."},
	{AttrInterZone, "", TypeBool, false, ConvNone, "k8sflow", "Both zones known and different."},
	{AttrFlowLayer, "K8S_FlowLayer", TypeString, false, ConvNone, "k8sflow", "infra when an end is in an infra namespace, else app."},

	{AttrDropBytes, "PktDropBytes", TypeInt, false, ConvNone, "PacketDrop", "Bytes dropped by the kernel."},
	{AttrDropPackets, "PktDropPackets", TypeInt, false, ConvNone, "PacketDrop", "Packets dropped by the kernel."},
	{AttrDropCause, "PktDropLatestDropCause", TypeString, false, ConvNone, "PacketDrop", "Latest drop reason (SKB_DROP_REASON_* name)."},
	{AttrDropState, "PktDropLatestState", TypeString, false, ConvNone, "PacketDrop", "TCP state at the latest drop."},
	{AttrDropLatestFlags, "PktDropLatestFlags", TypeInt, false, ConvNone, "PacketDrop", "TCP flags of the latest dropped packet."},
	{AttrRTT, "TimeFlowRttNs", TypeInt, false, ConvNone, "FlowRTT", "Smoothed TCP round-trip time, ns."},
	{AttrDNSID, "DnsId", TypeInt, false, ConvNone, "DNSTracking", "DNS transaction id."},
	{AttrDNSFlags, "DnsFlags", TypeInt, false, ConvNone, "DNSTracking", "DNS header flags of the response."},
	{AttrDNSRcode, "DnsFlagsResponseCode", TypeString, false, ConvNone, "DNSTracking", "Response code name (NOERROR, NXDOMAIN...)."},
	{AttrDNSLatency, "DnsLatencyMs", TypeInt, false, ConvNsToMs, "DNSTracking", "Query to response, ns."},
	{AttrDNSErrno, "DnsErrno", TypeInt, false, ConvNone, "DNSTracking", "Error recording the DNS query, 0 when none."},
	{AttrDNSName, "DnsName", TypeString, false, ConvNone, "DNSTracking", "Queried name."},
	{AttrXlatSrcAddress, "XlatSrcAddr", TypeString, false, ConvNone, "PacketTranslation", "Source address after translation."},
	{AttrXlatSrcPort, "XlatSrcPort", TypeInt, false, ConvNone, "PacketTranslation", "Source port after translation."},
	{AttrXlatDstAddress, "XlatDstAddr", TypeString, false, ConvNone, "PacketTranslation", "Destination address after translation."},
	{AttrXlatDstPort, "XlatDstPort", TypeInt, false, ConvNone, "PacketTranslation", "Destination port after translation."},
	{AttrXlatZoneID, "ZoneId", TypeInt, false, ConvNone, "PacketTranslation", "Conntrack zone of the translation."},
}

// Derived NetObserv fields: computed from several of our attributes, not one.
const (
	NetObservSrcName      = "SrcK8S_Name"  // pod, service or node name, by SrcK8S_Type
	NetObservDstName      = "DstK8S_Name"  // same for the destination
	NetObservTimeReceived = "TimeReceived" // observed timestamp, unix seconds
)

var (
	byAttr      = map[string]*Field{}
	byNetObserv = map[string]*Field{}
)

func init() {
	for i := range Fields {
		f := &Fields[i]
		byAttr[f.Attr] = f
		if f.NetObserv != "" {
			byNetObserv[f.NetObserv] = f
		}
	}
}

// ByAttr returns the field of one of our attribute names.
func ByAttr(attr string) (*Field, bool) {
	f, ok := byAttr[attr]
	return f, ok
}

// ByNetObserv returns the field for a NetObserv field name.
func ByNetObserv(name string) (*Field, bool) {
	f, ok := byNetObserv[name]
	return f, ok
}

// Resolve accepts either naming (ours or NetObserv's) and returns the field.
func Resolve(name string) (*Field, bool) {
	if f, ok := byAttr[name]; ok {
		return f, true
	}
	return ByNetObserv(name)
}
