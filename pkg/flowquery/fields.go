// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowquery // import "github.com/flowlens/flowlens/pkg/flowquery"

import (
	"strings"

	"github.com/flowlens/flowlens/pkg/flow"
)

// filterIDs are NetObserv's console filter ids (netobserv.md §4.11) and their fields.
var filterIDs = map[string]string{
	"src_address": "SrcAddr", "dst_address": "DstAddr", "src_port": "SrcPort", "dst_port": "DstPort",
	"src_mac": "SrcMac", "dst_mac": "DstMac", "src_namespace": "SrcK8S_Namespace", "dst_namespace": "DstK8S_Namespace",
	"src_name": "SrcK8S_Name", "dst_name": "DstK8S_Name", "src_kind": "SrcK8S_Type", "dst_kind": "DstK8S_Type",
	"src_owner_name": "SrcK8S_OwnerName", "dst_owner_name": "DstK8S_OwnerName",
	"src_owner_kind": "SrcK8S_OwnerType", "dst_owner_kind": "DstK8S_OwnerType",
	"src_host_name": "SrcK8S_HostName", "dst_host_name": "DstK8S_HostName",
	"src_host_address": "SrcK8S_HostIP", "dst_host_address": "DstK8S_HostIP",
	"src_zone": "SrcK8S_Zone", "dst_zone": "DstK8S_Zone",
	"src_subnet_label": "SrcSubnetLabel", "dst_subnet_label": "DstSubnetLabel",
	"protocol": "Proto", "dscp": "Dscp", "tcp_flags": "Flags", "node_direction": "FlowDirection",
	"cluster_name": "K8S_ClusterName", "flow_layer": "K8S_FlowLayer", "interfaces": "Interfaces",
	"ifdirections": "IfDirections", "icmp_type": "IcmpType", "icmp_code": "IcmpCode",
	"pkt_drop_cause": "PktDropLatestDropCause", "pkt_drop_state": "PktDropLatestState",
	"dns_flag_response_code": "DnsFlagsResponseCode", "dns_id": "DnsId", "dns_latency": "DnsLatencyMs",
	"dns_name": "DnsName", "dns_errno": "DnsErrno", "time_flow_rtt": "TimeFlowRttNs",
	"xlat_src_address": "XlatSrcAddr", "xlat_dst_address": "XlatDstAddr",
	"xlat_src_port": "XlatSrcPort", "xlat_dst_port": "XlatDstPort", "xlat_zone_id": "ZoneId",
	"type": "_RecordType", "agent_ip": "AgentIP",
}

// eitherEnd are the filter ids that match the source or the destination.
var eitherEnd = map[string][2]string{
	"address": {"SrcAddr", "DstAddr"}, "port": {"SrcPort", "DstPort"}, "mac": {"SrcMac", "DstMac"},
	"namespace": {"SrcK8S_Namespace", "DstK8S_Namespace"}, "name": {"SrcK8S_Name", "DstK8S_Name"},
	"kind": {"SrcK8S_Type", "DstK8S_Type"}, "owner_name": {"SrcK8S_OwnerName", "DstK8S_OwnerName"},
	"owner_kind": {"SrcK8S_OwnerType", "DstK8S_OwnerType"}, "host_name": {"SrcK8S_HostName", "DstK8S_HostName"},
	"host_address": {"SrcK8S_HostIP", "DstK8S_HostIP"}, "zone": {"SrcK8S_Zone", "DstK8S_Zone"},
	"subnet_label": {"SrcSubnetLabel", "DstSubnetLabel"},
}

// ResolveField maps a filter key to NetObserv's field name. For an either-end id it returns the
// source field and, as dst, the destination one.
func ResolveField(key string) (field, dst string, ok bool) {
	if p, ok := eitherEnd[key]; ok {
		return p[0], p[1], true
	}
	if f, ok := filterIDs[key]; ok {
		return f, "", true
	}
	if key == flow.NetObservSrcName || key == flow.NetObservDstName || key == flow.NetObservTimeReceived {
		return key, "", true
	}
	if f, ok := flow.Resolve(key); ok && f.NetObserv != "" {
		return f.NetObserv, "", true
	}
	return "", "", false
}

// FilterIDs returns the filter ids and their fields, for the UI's filter bar.
func FilterIDs() map[string]string {
	out := make(map[string]string, len(filterIDs)+len(eitherEnd))
	for k, v := range filterIDs {
		out[k] = v
	}
	for k, v := range eitherEnd {
		out[k] = v[0] + "|" + v[1]
	}
	return out
}

// IsAddress reports whether a NetObserv field holds an IP address: such values match whole or
// by CIDR, never as substrings.
func IsAddress(field string) bool {
	return strings.HasSuffix(field, "Addr") || strings.HasSuffix(field, "HostIP") || field == "AgentIP"
}

// IsNumeric reports whether a NetObserv field's value is a number (unquoted values compare as
// numbers).
func IsNumeric(field string) bool {
	f, ok := flow.ByNetObserv(field)
	if !ok {
		return false
	}
	return f.Conv == flow.ConvDirection || (f.Type == flow.TypeInt && f.Conv != flow.ConvTCPFlags)
}
