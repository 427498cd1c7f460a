// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package frontend builds /api/frontend-config: what the web UI shows (columns, filters, scopes,
// quick filters) and its defaults for a host or a cluster.
package frontend // import "github.com/flowlens/flowlens/console/internal/frontend"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// Mode is host (one Linux machine, no Kubernetes fields) or cluster.
type Mode string

const (
	ModeHost    Mode = "host"
	ModeCluster Mode = "cluster"
)

// QuickFilter is a filter preset: filter ids and their values, joined with &.
type QuickFilter struct {
	Name    string            `json:"name"`
	Filter  map[string]string `json:"filter"`
	Default bool              `json:"default,omitempty"`
}

// FilterString is the quick filter in the filter syntax: its filters joined by &; a key ending
// in ! (NetObserv's way, "src_namespace!") means not equal.
func (q QuickFilter) FilterString() string {
	keys := make([]string, 0, len(q.Filter))
	for k := range q.Filter {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if key, ok := strings.CutSuffix(k, "!"); ok {
			parts = append(parts, key+"!="+q.Filter[k])
		} else {
			parts = append(parts, k+"="+q.Filter[k])
		}
	}
	return strings.Join(parts, "&")
}

// PortNaming shows port numbers as service names.
type PortNaming struct {
	Enable    bool              `json:"enable"`
	PortNames map[string]string `json:"portNames,omitempty"`
}

// File is the console's config file (the operator mounts it at /etc/flowlens-console/config.yaml).
type File struct {
	QuickFilters []QuickFilter `json:"quickFilters"`
	PortNaming   *PortNaming   `json:"portNaming"`
}

// Scope is an aggregation level.
type Scope struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Labels   []string `json:"labels"`
	StepInto string   `json:"stepInto,omitempty"`
}

// Config is the body of /api/frontend-config.
type Config struct {
	Mode          Mode          `json:"mode"`
	DefaultScope  string        `json:"defaultScope"`
	Scopes        []Scope       `json:"scopes"`
	QuickFilters  []QuickFilter `json:"quickFilters"`
	Filters       []Filter      `json:"filters"`
	Columns       []Column      `json:"columns"`
	Features      []string      `json:"features"`
	PortNaming    PortNaming    `json:"portNaming"`
	RecordsLimits []int         `json:"recordsLimits"`
	TopOptions    []int         `json:"topOptions"`
	Backends      Backends      `json:"backends"`
}

// Backends says which kinds of query the configured backends can answer.
type Backends struct {
	Records bool `json:"records"`
	Metrics bool `json:"metrics"`
}

// DefaultQuickFilters are NetObserv's default quick filters.
func DefaultQuickFilters() []QuickFilter {
	return []QuickFilter{
		{Name: "Applications", Filter: map[string]string{"flow_layer": `"app"`}, Default: true},
		{Name: "Infrastructure", Filter: map[string]string{"flow_layer": `"infra"`}},
		{Name: "Pods network", Filter: map[string]string{"src_kind": `"Pod"`, "dst_kind": `"Pod"`}, Default: true},
		{Name: "Services network", Filter: map[string]string{"dst_kind": `"Service"`}},
		{Name: "External ingress", Filter: map[string]string{"src_subnet_label": `"",EXT:`}},
		{Name: "External egress", Filter: map[string]string{"dst_subnet_label": `"",EXT:`}},
	}
}

// HostQuickFilters suit one machine: no Kubernetes fields, nothing on by default.
func HostQuickFilters() []QuickFilter {
	return []QuickFilter{
		{Name: "TCP", Filter: map[string]string{"protocol": "6"}},
		{Name: "UDP", Filter: map[string]string{"protocol": "17"}},
		{Name: "DNS", Filter: map[string]string{"port": "53"}},
		{Name: "Without loopback", Filter: map[string]string{"src_address!": "127.0.0.0/8", "dst_address!": "127.0.0.0/8"}},
		{Name: "Ingress", Filter: map[string]string{"node_direction": "0"}},
		{Name: "Egress", Filter: map[string]string{"node_direction": "1"}},
	}
}

// DefaultPortNames are the well-known ports shown by name.
var DefaultPortNames = map[string]string{
	"22": "ssh", "53": "dns", "80": "http", "123": "ntp", "443": "https", "2379": "etcd", "3100": "loki",
	"4317": "otlp-grpc", "4318": "otlp-http", "5432": "postgresql", "6443": "kube-api", "8080": "http-alt",
	"9090": "prometheus", "9092": "kafka", "10250": "kubelet",
}

// Build returns the frontend config of a mode, with the config file's overrides.
func Build(mode Mode, file *File, backends Backends) Config {
	c := Config{
		Mode: mode, Scopes: scopes(mode), Filters: Filters(), Columns: columns(mode),
		Features:      []string{"pktDrop", "dnsTracking", "flowRTT", "packetTranslation"},
		PortNaming:    PortNaming{Enable: true, PortNames: DefaultPortNames},
		RecordsLimits: []int{50, 100, 500, 1000}, TopOptions: []int{5, 10, 15}, Backends: backends,
	}
	if mode == ModeHost {
		c.DefaultScope, c.QuickFilters = string(flowquery.ScopeResource), HostQuickFilters()
	} else {
		c.DefaultScope, c.QuickFilters = string(flowquery.ScopeNamespace), DefaultQuickFilters()
	}
	if file != nil {
		if file.QuickFilters != nil {
			c.QuickFilters = file.QuickFilters
		}
		if file.PortNaming != nil {
			c.PortNaming = *file.PortNaming
			if c.PortNaming.PortNames == nil {
				c.PortNaming.PortNames = DefaultPortNames
			}
		}
	}
	return c
}

var scopeNames = map[flowquery.Scope]string{
	flowquery.ScopeCluster: "Cluster", flowquery.ScopeZone: "Zone", flowquery.ScopeHost: "Node",
	flowquery.ScopeNamespace: "Namespace", flowquery.ScopeOwner: "Owner", flowquery.ScopeResource: "Resource",
}

func scopes(mode Mode) []Scope {
	order := []flowquery.Scope{flowquery.ScopeCluster, flowquery.ScopeZone, flowquery.ScopeHost,
		flowquery.ScopeNamespace, flowquery.ScopeOwner, flowquery.ScopeResource}
	if mode == ModeHost {
		order = []flowquery.Scope{flowquery.ScopeResource}
	}
	out := make([]Scope, 0, len(order))
	for _, s := range order {
		sc := Scope{ID: string(s), Name: scopeNames[s], Labels: s.Fields()}
		if next, ok := flowquery.StepInto[s]; ok && mode == ModeCluster {
			sc.StepInto = string(next)
		}
		out = append(out, sc)
	}
	return out
}

// LoadFile reads the console config file. A missing file is no error when optional.
func LoadFile(path string, optional bool) (*File, error) {
	b, err := os.ReadFile(path)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console config: %w", err)
	}
	var f File
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		return nil, fmt.Errorf("console config %s: %w", path, err)
	}
	for i, q := range f.QuickFilters {
		if q.Name == "" {
			return nil, fmt.Errorf("console config %s: quickFilters[%d].name: required", path, i)
		}
		if _, err := flowquery.Parse(q.FilterString()); err != nil {
			return nil, fmt.Errorf("console config %s: quickFilters[%d] (%s): %w", path, i, q.Name, err)
		}
	}
	if f.PortNaming != nil {
		for p := range f.PortNaming.PortNames {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("console config %s: portNaming.portNames: %q is not a port (1-65535)", path, p)
			}
		}
	}
	return &f, nil
}
