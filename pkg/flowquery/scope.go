// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowquery // import "github.com/flowlens/flowlens/pkg/flowquery"

import (
	"slices"
	"strings"
)

// Scope is an aggregation level of the overview and the topology.
type Scope string

const (
	ScopeCluster   Scope = "cluster"
	ScopeZone      Scope = "zone"
	ScopeHost      Scope = "host"
	ScopeNamespace Scope = "namespace"
	ScopeOwner     Scope = "owner"
	ScopeResource  Scope = "resource"
)

// scopes lists, per scope, the NetObserv fields that identify an edge's two ends (NetObserv's
// console scopes, netobserv.md §5.6).
var scopes = map[Scope][]string{
	ScopeCluster:   {"K8S_ClusterName"},
	ScopeZone:      {"SrcK8S_Zone", "DstK8S_Zone"},
	ScopeHost:      {"SrcK8S_HostName", "DstK8S_HostName"},
	ScopeNamespace: {"SrcK8S_Namespace", "DstK8S_Namespace"},
	ScopeOwner: {"SrcK8S_OwnerName", "SrcK8S_OwnerType", "SrcK8S_Namespace", "SrcSubnetLabel",
		"DstK8S_OwnerName", "DstK8S_OwnerType", "DstK8S_Namespace", "DstSubnetLabel"},
	ScopeResource: {"SrcK8S_Name", "SrcK8S_Type", "SrcK8S_OwnerName", "SrcK8S_OwnerType", "SrcK8S_Namespace", "SrcAddr", "SrcK8S_HostName", "SrcSubnetLabel",
		"DstK8S_Name", "DstK8S_Type", "DstK8S_OwnerName", "DstK8S_OwnerType", "DstK8S_Namespace", "DstAddr", "DstK8S_HostName", "DstSubnetLabel"},
}

// StepInto is the scope a node of a scope drills down to.
var StepInto = map[Scope]Scope{
	ScopeCluster: ScopeZone, ScopeZone: ScopeHost, ScopeHost: ScopeResource,
	ScopeNamespace: ScopeOwner, ScopeOwner: ScopeResource,
}

// Fields returns the fields of a scope.
func (s Scope) Fields() []string { return scopes[s] }

// ScopeNames lists the scopes.
func ScopeNames() string {
	var names []string
	for s := range scopes {
		names = append(names, string(s))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
