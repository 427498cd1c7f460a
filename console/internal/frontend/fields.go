// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package frontend // import "github.com/flowlens/flowlens/console/internal/frontend"

import "github.com/flowlens/flowlens/pkg/flowquery"

// Filter is a filter the filter bar offers.
type Filter struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Category     string `json:"category"` // source, destination, common
	Field        string `json:"field"`
	Autocomplete bool   `json:"autocomplete,omitempty"`
	Hint         string `json:"hint,omitempty"`
}

// endpointFilters exist for the source and the destination.
var endpointFilters = []struct {
	id, name, hint string
	autocomplete   bool
}{
	{"namespace", "Namespace", "Kubernetes namespace; quote for an exact match", true},
	{"name", "Name", "pod, service or node name", true},
	{"kind", "Kind", "Pod, Service or Node", true},
	{"owner_name", "Owner name", "Deployment, StatefulSet... name", true},
	{"owner_kind", "Owner kind", "Deployment, StatefulSet, DaemonSet, Job...", true},
	{"address", "IP", "an address, or a CIDR like 10.0.0.0/16", false},
	{"port", "Port", "a port number", false},
	{"mac", "MAC", "a MAC address", false},
	{"host_name", "Node name", "the node of the pod", true},
	{"host_address", "Node IP", "the IP of the node of the pod", false},
	{"zone", "Zone", "availability zone", true},
	{"subnet_label", "Subnet label", "subnet label, EXT: for external addresses", true},
}

// commonFilters apply to the flow. Filters' fields come from flowquery's ids.
var commonFilters = []Filter{
	{ID: "protocol", Name: "Protocol", Hint: "6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6"},
	{ID: "node_direction", Name: "Node direction", Hint: "0 ingress, 1 egress, 2 inner"},
	{ID: "flow_layer", Name: "Flow layer", Hint: `"app" or "infra"`},
	{ID: "interfaces", Name: "Interface", Autocomplete: true, Hint: "network interface name"},
	{ID: "tcp_flags", Name: "TCP flags", Hint: "flags as a number (2 SYN, 16 ACK, 18 SYN+ACK)"},
	{ID: "dscp", Name: "DSCP", Hint: "a DSCP value"},
	{ID: "icmp_type", Name: "ICMP type"},
	{ID: "icmp_code", Name: "ICMP code"},
	{ID: "pkt_drop_cause", Name: "Drop cause", Autocomplete: true, Hint: "kernel drop reason, e.g. SKB_DROP_REASON_NO_SOCKET"},
	{ID: "pkt_drop_state", Name: "Drop TCP state", Autocomplete: true, Hint: "TCP state, e.g. TCP_ESTABLISHED"},
	{ID: "dns_name", Name: "DNS name", Autocomplete: true},
	{ID: "dns_flag_response_code", Name: "DNS response code", Autocomplete: true, Hint: "NoError, NXDomain, ServFail..."},
	{ID: "dns_latency", Name: "DNS latency (ms)", Hint: "use >= for at least, e.g. dns_latency>=10"},
	{ID: "time_flow_rtt", Name: "Flow RTT (ns)", Hint: "use >= for at least"},
	{ID: "cluster_name", Name: "Cluster", Autocomplete: true},
	{ID: "agent_ip", Name: "Observer IP", Hint: "IP of the node that saw the flow"},
}

// Filters lists the filter bar's filters: source, destination, then common.
func Filters() []Filter {
	var out []Filter
	for _, side := range []struct{ cat, id string }{{"source", "src_"}, {"destination", "dst_"}} {
		for _, f := range endpointFilters {
			out = append(out, Filter{ID: side.id + f.id, Name: f.name, Category: side.cat, Autocomplete: f.autocomplete, Hint: f.hint})
		}
	}
	for _, f := range commonFilters {
		f.Category = "common"
		out = append(out, f)
	}
	for i := range out {
		out[i].Field, _, _ = flowquery.ResolveField(out[i].ID)
	}
	return out
}

// Column is a column of the flow table.
type Column struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Field   string `json:"field"`
	Default bool   `json:"default,omitempty"`
	Format  string `json:"format,omitempty"`
	Group   string `json:"group,omitempty"` // Source, Destination or empty
}

type columnDef struct {
	Column
	cluster bool // a Kubernetes field: not shown by default on a host
}

func col(id, name, field, format string, def bool) columnDef {
	return columnDef{Column: Column{ID: id, Name: name, Field: field, Format: format, Default: def}}
}

func k8s(c columnDef) columnDef { c.cluster = true; return c }

func endpointColumns(side, prefix string) []columnDef {
	cs := []columnDef{
		k8s(col(prefix+"Name", "Name", prefix+"K8S_Name", "", true)),
		k8s(col(prefix+"Kind", "Kind", prefix+"K8S_Type", "", false)),
		k8s(col(prefix+"Namespace", "Namespace", prefix+"K8S_Namespace", "", true)),
		k8s(col(prefix+"OwnerName", "Owner", prefix+"K8S_OwnerName", "", false)),
		k8s(col(prefix+"OwnerKind", "Owner kind", prefix+"K8S_OwnerType", "", false)),
		col(prefix+"Addr", "IP", prefix+"Addr", "", false),
		col(prefix+"Port", "Port", prefix+"Port", "port", true),
		col(prefix+"Mac", "MAC", prefix+"Mac", "", false),
		k8s(col(prefix+"HostIP", "Node IP", prefix+"K8S_HostIP", "", false)),
		k8s(col(prefix+"HostName", "Node", prefix+"K8S_HostName", "", false)),
		k8s(col(prefix+"Zone", "Zone", prefix+"K8S_Zone", "", false)),
		k8s(col(prefix+"SubnetLabel", "Subnet label", prefix+"SubnetLabel", "", false)),
	}
	for i := range cs {
		cs[i].Group = side
	}
	return cs
}

func columnDefs() []columnDef {
	defs := []columnDef{
		col("EndTime", "End Time", "TimeFlowEndMs", "time", true),
		col("StartTime", "Start Time", "TimeFlowStartMs", "time", false),
	}
	defs = append(defs, endpointColumns("Source", "Src")...)
	defs = append(defs, endpointColumns("Destination", "Dst")...)
	return append(defs,
		k8s(col("ClusterName", "Cluster", "K8S_ClusterName", "", false)),
		k8s(col("FlowLayer", "Flow layer", "K8S_FlowLayer", "", false)),
		col("Proto", "Protocol", "Proto", "proto", true),
		col("Dscp", "DSCP", "Dscp", "number", false),
		col("IcmpType", "ICMP type", "IcmpType", "number", false),
		col("IcmpCode", "ICMP code", "IcmpCode", "number", false),
		col("FlowDirection", "Node direction", "FlowDirection", "direction", false),
		col("Interfaces", "Interfaces", "Interfaces", "", false),
		col("IfDirections", "Interface directions", "IfDirections", "", false),
		col("Flags", "TCP flags", "Flags", "flags", false),
		col("Bytes", "Bytes", "Bytes", "bytes", true),
		col("Packets", "Packets", "Packets", "number", true),
		col("PktDropBytes", "Dropped bytes", "PktDropBytes", "bytes", false),
		col("PktDropPackets", "Dropped packets", "PktDropPackets", "number", false),
		col("PktDropLatestState", "Drop state", "PktDropLatestState", "", false),
		col("PktDropLatestDropCause", "Drop cause", "PktDropLatestDropCause", "", false),
		col("DnsLatencyMs", "DNS latency", "DnsLatencyMs", "ms", true),
		col("DnsFlagsResponseCode", "DNS response code", "DnsFlagsResponseCode", "", true),
		col("DnsName", "DNS name", "DnsName", "", false),
		col("DnsId", "DNS id", "DnsId", "number", false),
		col("DnsErrno", "DNS error", "DnsErrno", "number", false),
		col("TimeFlowRttNs", "Flow RTT", "TimeFlowRttNs", "duration", true),
		col("XlatSrcAddr", "Xlat source IP", "XlatSrcAddr", "", false),
		col("XlatSrcPort", "Xlat source port", "XlatSrcPort", "port", false),
		col("XlatDstAddr", "Xlat destination IP", "XlatDstAddr", "", false),
		col("XlatDstPort", "Xlat destination port", "XlatDstPort", "port", false),
		col("ZoneId", "Xlat zone id", "ZoneId", "number", false),
		col("Sampling", "Sampling", "Sampling", "number", false),
		col("AgentIP", "Observer IP", "AgentIP", "", false),
	)
}

// columns returns the table's columns. On a host the Kubernetes columns exist but are off, and
// addresses are on instead of names.
func columns(mode Mode) []Column {
	defs := columnDefs()
	out := make([]Column, len(defs))
	for i, d := range defs {
		c := d.Column
		if mode == ModeHost {
			switch {
			case d.cluster:
				c.Default = false
			case c.ID == "SrcAddr" || c.ID == "DstAddr" || c.ID == "Interfaces" || c.ID == "FlowDirection":
				c.Default = true
			}
		}
		out[i] = c
	}
	return out
}
