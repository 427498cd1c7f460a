// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"strconv"
	"strings"
)

// column is a NetObserv field kept in its own column.
type column struct {
	name    string // SQL column
	field   string // NetObserv field
	integer bool
}

// columns are the fields the console filters and groups on. Order is the INSERT order.
var columns = []column{
	{"end_ms", "TimeFlowEndMs", true},
	{"start_ms", "TimeFlowStartMs", true},
	{"agent_ip", "AgentIP", false},
	{"src_addr", "SrcAddr", false},
	{"dst_addr", "DstAddr", false},
	{"src_port", "SrcPort", true},
	{"dst_port", "DstPort", true},
	{"proto", "Proto", true},
	{"bytes", "Bytes", true},
	{"packets", "Packets", true},
	{"sampling", "Sampling", true},
	{"direction", "FlowDirection", true},
	{"src_ns", "SrcK8S_Namespace", false},
	{"src_name", "SrcK8S_Name", false},
	{"src_kind", "SrcK8S_Type", false},
	{"src_owner", "SrcK8S_OwnerName", false},
	{"src_owner_kind", "SrcK8S_OwnerType", false},
	{"src_host", "SrcK8S_HostName", false},
	{"src_zone", "SrcK8S_Zone", false},
	{"src_subnet", "SrcSubnetLabel", false},
	{"dst_ns", "DstK8S_Namespace", false},
	{"dst_name", "DstK8S_Name", false},
	{"dst_kind", "DstK8S_Type", false},
	{"dst_owner", "DstK8S_OwnerName", false},
	{"dst_owner_kind", "DstK8S_OwnerType", false},
	{"dst_host", "DstK8S_HostName", false},
	{"dst_zone", "DstK8S_Zone", false},
	{"dst_subnet", "DstSubnetLabel", false},
	{"cluster", "K8S_ClusterName", false},
	{"layer", "K8S_FlowLayer", false},
	{"drop_bytes", "PktDropBytes", true},
	{"drop_packets", "PktDropPackets", true},
	{"drop_cause", "PktDropLatestDropCause", false},
	{"rtt_ns", "TimeFlowRttNs", true},
	{"dns_latency_ms", "DnsLatencyMs", true},
	{"dns_rcode", "DnsFlagsResponseCode", false},
	{"dns_name", "DnsName", false},
}

var byField = func() map[string]column {
	m := map[string]column{}
	for _, c := range columns {
		m[c.field] = c
	}
	return m
}()

var byName = func() map[string]column {
	m := map[string]column{}
	for _, c := range columns {
		m[c.name] = c
	}
	return m
}()

// columnIndex is the position of a column in columns.
func columnIndex(name string) int {
	for i, c := range columns {
		if c.name == name {
			return i
		}
	}
	panic("flowstore: no column " + name)
}

// columnValue is the SQL argument of a column's text value: NULL when empty, a number for
// integer columns (NULL when it is not one).
func columnValue(c column, v string) any {
	switch {
	case v == "":
		return nil
	case c.integer:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
		return nil
	}
	return v
}

// columnFields lists the NetObserv fields that have a column, in column order.
func columnFields() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.field
	}
	return out
}

// schemaVersion is stored in user_version. Stores of versions 1 (no rollup) and 2 (no latency
// histograms) are upgraded in place; a store of a newer version is refused.
const schemaVersion = 3

func createSQL() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS flows (\n  id INTEGER PRIMARY KEY,\n")
	for _, c := range columns {
		typ := "TEXT"
		if c.integer {
			typ = "INTEGER"
		}
		b.WriteString("  " + c.name + " " + typ + ",\n")
	}
	b.WriteString("  extra TEXT\n);\n")
	// Time first everywhere: every query has a time range.
	for _, idx := range []string{"end_ms", "end_ms, src_ns", "end_ms, dst_ns", "src_addr, end_ms", "dst_addr, end_ms"} {
		name := "flows_" + strings.NewReplacer(", ", "_").Replace(idx)
		b.WriteString("CREATE INDEX IF NOT EXISTS " + name + " ON flows(" + idx + ");\n")
	}
	b.WriteString(rollupCreateSQL())
	return b.String()
}
