// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

// Attribute names. Resource attributes describe the observing node; all others are set on each
// flow log record.
const (
	// Resource: the observer.
	AttrHostName     = "host.name"
	AttrLocalAddress = "network.local.address" // IP of the observing node (NetObserv AgentIP)

	// Addresses and transport.
	AttrSrcAddress    = "source.address"
	AttrSrcPort       = "source.port"
	AttrSrcMAC        = "source.mac"
	AttrDstAddress    = "destination.address"
	AttrDstPort       = "destination.port"
	AttrDstMAC        = "destination.mac"
	AttrTransport     = "network.transport" // tcp, udp, sctp, icmp, icmpv6 (absent for others)
	AttrNetworkType   = "network.type"      // ipv4, ipv6 (absent for non-IP frames)
	AttrProtocol      = "network.flow.protocol"
	AttrEtherType     = "network.flow.ethertype"
	AttrDSCP          = "network.flow.dscp"
	AttrTCPFlags      = "network.flow.tcp_flags"
	AttrICMPType      = "network.flow.icmp.type"
	AttrICMPCode      = "network.flow.icmp.code"
	AttrBytes         = "network.io.bytes"
	AttrPackets       = "network.io.packets"
	AttrStart         = "network.flow.start" // unix ns
	AttrEnd           = "network.flow.end"   // unix ns
	AttrSamplingRate  = "network.flow.sampling_rate"
	AttrIfaceName     = "network.interface.name"      // interface that counted the flow
	AttrIfaceDir      = "network.interface.direction" // ingress | egress, at that interface
	AttrIfaces        = "network.flow.interfaces"     // every interface the flow was seen on
	AttrIfaceDirs     = "network.flow.interface_directions"
	AttrFlowDirection = "network.flow.direction" // node level: ingress | egress | inner
	AttrRecordType    = "network.flow.record_type"

	// Kubernetes enrichment, per end (k8sflow processor).
	AttrClusterName  = "k8s.cluster.name"
	AttrSrcNamespace = "source.k8s.namespace.name"
	AttrSrcPodName   = "source.k8s.pod.name"
	AttrSrcSvcName   = "source.k8s.service.name"
	AttrSrcResType   = "source.k8s.resource.type" // Pod | Service | Node
	AttrSrcOwnerName = "source.k8s.owner.name"
	AttrSrcOwnerType = "source.k8s.owner.type"
	AttrSrcNodeName  = "source.k8s.node.name" // the pod's node, or the node itself
	AttrSrcNodeIP    = "source.k8s.node.ip"
	AttrSrcZone      = "source.cloud.availability_zone"
	AttrSrcSubnet    = "source.subnet.label"
	AttrDstNamespace = "destination.k8s.namespace.name"
	AttrDstPodName   = "destination.k8s.pod.name"
	AttrDstSvcName   = "destination.k8s.service.name"
	AttrDstResType   = "destination.k8s.resource.type"
	AttrDstOwnerName = "destination.k8s.owner.name"
	AttrDstOwnerType = "destination.k8s.owner.type"
	AttrDstNodeName  = "destination.k8s.node.name"
	AttrDstNodeIP    = "destination.k8s.node.ip"
	AttrDstZone      = "destination.cloud.availability_zone"
	AttrDstSubnet    = "destination.subnet.label"
	AttrInterZone    = "network.flow.inter_zone"
	AttrFlowLayer    = "network.flow.layer" // app | infra

	// Feature PacketDrop.
	AttrDropBytes       = "network.flow.drop.bytes"
	AttrDropPackets     = "network.flow.drop.packets"
	AttrDropCause       = "network.flow.drop.latest_cause" // kernel SKB_DROP_REASON_* name
	AttrDropState       = "network.flow.drop.latest_state" // TCP state name
	AttrDropLatestFlags = "network.flow.drop.latest_flags"

	// Feature FlowRTT.
	AttrRTT = "network.flow.rtt" // smoothed TCP RTT, ns

	// Feature DNSTracking.
	AttrDNSID      = "network.flow.dns.id"
	AttrDNSFlags   = "network.flow.dns.flags"
	AttrDNSRcode   = "network.flow.dns.response_code" // NOERROR, NXDOMAIN...
	AttrDNSLatency = "network.flow.dns.latency"       // ns
	AttrDNSErrno   = "network.flow.dns.errno"
	AttrDNSName    = "dns.question.name"

	// Feature PacketTranslation.
	AttrXlatSrcAddress = "source.xlat.address"
	AttrXlatSrcPort    = "source.xlat.port"
	AttrXlatDstAddress = "destination.xlat.address"
	AttrXlatDstPort    = "destination.xlat.port"
	AttrXlatZoneID     = "network.flow.xlat.zone_id"
)

// Values of the enumerated attributes.
const (
	DirIngress = "ingress"
	DirEgress  = "egress"
	DirInner   = "inner"

	ResTypePod     = "Pod"
	ResTypeService = "Service"
	ResTypeNode    = "Node"

	LayerApp   = "app"
	LayerInfra = "infra"

	RecordTypeFlowLog = "flowLog"
)
