// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"fmt"
	"slices"
	"strings"
)

// predefinedPrefix starts every predefined metric name, as in NetObserv (include_list names
// are without it).
const predefinedPrefix = "netobserv_"

// Label sets of NetObserv's predefined families (operator internal/pkg/metrics). Labels whose
// field flowlens does not record (the UDN network names) are dropped when compiled; all other
// labels are left out of a data point whose flow lacks the attribute, which in Prometheus is the
// same series as NetObserv's with the label removed (an empty label is no label).
var (
	nodeLabels      = []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_HostName", "DstK8S_HostName"}
	namespaceLabels = []string{"K8S_ClusterName", "SrcK8S_Zone", "DstK8S_Zone", "SrcK8S_Namespace", "DstK8S_Namespace",
		"K8S_FlowLayer", "SrcSubnetLabel", "DstSubnetLabel"}
	workloadLabels = append(slices.Clone(namespaceLabels), "SrcK8S_NetworkName", "DstK8S_NetworkName",
		"SrcK8S_OwnerName", "DstK8S_OwnerName", "SrcK8S_OwnerType", "DstK8S_OwnerType", "SrcK8S_Type", "DstK8S_Type")

	// latencyBuckets are NetObserv's buckets for RTT and DNS latency, in seconds.
	latencyBuckets = []float64{.005, .01, .02, .03, .04, .05, .075, .1, .25, 1}
)

// DefaultIncludeList is NetObserv's default includeList (FlowCollector with Loki enabled).
var DefaultIncludeList = []string{
	"node_ingress_bytes_total",
	"node_egress_bytes_total",
	"node_ingress_packets_total",
	"node_drop_packets_total",
	"workload_sampling",
	"workload_ingress_bytes_total",
	"workload_egress_bytes_total",
	"namespace_flows_total",
	"namespace_ingress_packets_total",
	"namespace_drop_packets_total",
	"namespace_rtt_seconds",
	"namespace_dns_latency_seconds",
	"namespace_network_policy_events_total",
	"node_ipsec_flows_total",
	"node_to_node_ingress_flows_total",
}

// predefined is one NetObserv family member: a FlowMetric-shaped definition plus what pdata
// needs (description, unit).
type predefined struct {
	MetricConfig
	description string
	unit        string
}

var (
	predefinedList   []predefined
	predefinedByName = map[string]*predefined{}
)

func init() {
	groups := []struct {
		name   string
		labels []string
	}{{"node", nodeLabels}, {"namespace", namespaceLabels}, {"workload", workloadLabels}}
	add := func(p predefined) { predefinedList = append(predefinedList, p) }
	for _, g := range groups {
		for _, v := range []struct{ tag, field, unit string }{{"bytes", "Bytes", "By"}, {"packets", "Packets", "{packet}"}} {
			for _, dir := range []string{DirectionEgress, DirectionIngress} {
				low := strings.ToLower(dir)
				add(predefined{
					MetricConfig: MetricConfig{
						Name: fmt.Sprintf("%s_%s_%s_total", g.name, low, v.tag), Type: TypeCounter,
						ValueField: v.field, Direction: dir, Labels: g.labels,
					},
					description: fmt.Sprintf("Total %s per %s in %s direction.", v.tag, g.name, low),
					unit:        v.unit,
				})
			}
		}
		add(predefined{
			MetricConfig: MetricConfig{Name: g.name + "_sampling", Type: TypeGauge, ValueField: "Sampling", Labels: g.labels},
			description:  fmt.Sprintf("Sampling rate of the latest flow per %s.", g.name),
		})
		add(predefined{
			MetricConfig: MetricConfig{Name: g.name + "_flows_total", Type: TypeCounter, Labels: g.labels},
			description:  fmt.Sprintf("Total flows per %s.", g.name),
			unit:         "{flow}",
		})
	}
	for _, g := range groups {
		add(predefined{
			MetricConfig: MetricConfig{
				Name: g.name + "_rtt_seconds", Type: TypeHistogram, ValueField: "TimeFlowRttNs",
				Filters: []FilterConfig{{Field: "TimeFlowRttNs", MatchType: MatchPresence}},
				Labels:  g.labels, Divider: 1e9, Buckets: latencyBuckets,
			},
			description: fmt.Sprintf("Round-trip time latency in seconds per %s.", g.name),
			unit:        "s",
		})
	}
	for _, g := range groups {
		labels := append(slices.Clone(g.labels), "PktDropLatestState", "PktDropLatestDropCause")
		for _, v := range []struct{ tag, field, unit string }{{"packets", "PktDropPackets", "{packet}"}, {"bytes", "PktDropBytes", "By"}} {
			add(predefined{
				MetricConfig: MetricConfig{
					Name: fmt.Sprintf("%s_drop_%s_total", g.name, v.tag), Type: TypeCounter, ValueField: v.field,
					Filters: []FilterConfig{{Field: v.field, MatchType: MatchPresence}}, Labels: labels,
				},
				description: fmt.Sprintf("Total dropped %s per %s.", v.tag, g.name),
				unit:        v.unit,
			})
		}
	}
	for _, g := range groups {
		add(predefined{
			MetricConfig: MetricConfig{
				Name: g.name + "_dns_latency_seconds", Type: TypeHistogram, ValueField: "DnsLatencyMs",
				Filters: []FilterConfig{{Field: "DnsId", MatchType: MatchPresence}},
				Labels:  append(slices.Clone(g.labels), "DnsFlagsResponseCode"), Divider: 1000, Buckets: latencyBuckets,
			},
			description: fmt.Sprintf("DNS latency in seconds per %s.", g.name),
			unit:        "s",
		})
	}
	for _, g := range groups {
		// NetObserv flattens its NetworkEvents list here; flowlens records no network events yet,
		// so the filter never matches and the metric stays empty until it does.
		add(predefined{
			MetricConfig: MetricConfig{
				Name: g.name + "_network_policy_events_total", Type: TypeCounter,
				Filters: []FilterConfig{{Field: "NetworkEvents", Value: "acl", MatchType: MatchEqual}}, Labels: g.labels,
			},
			description: fmt.Sprintf("Total network policy events per %s.", g.name),
			unit:        "{event}",
		})
	}
	for _, g := range groups {
		add(predefined{
			MetricConfig: MetricConfig{
				Name: g.name + "_ipsec_flows_total", Type: TypeCounter,
				Filters: []FilterConfig{{Field: "IPSecStatus", MatchType: MatchPresence}},
				Labels:  append(slices.Clone(g.labels), "IPSecStatus"),
			},
			description: fmt.Sprintf("Total IPsec encrypted flows per %s.", g.name),
			unit:        "{flow}",
		})
	}
	add(predefined{
		MetricConfig: MetricConfig{
			Name: "node_to_node_ingress_flows_total", Type: TypeCounter, Labels: nodeLabels,
			Filters: []FilterConfig{
				{Field: "FlowDirection", Value: "2", MatchType: MatchNotEqual},
				{Field: "SrcK8S_HostName", MatchType: MatchPresence},
				{Field: "DstK8S_HostName", MatchType: MatchPresence},
			},
		},
		description: "Total ingress flows between nodes.",
		unit:        "{flow}",
	})
	for i := range predefinedList {
		predefinedByName[predefinedList[i].Name] = &predefinedList[i]
	}
}

// PredefinedNames returns every name include_list accepts, sorted.
func PredefinedNames() []string {
	names := make([]string, 0, len(predefinedList))
	for _, p := range predefinedList {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return names
}
