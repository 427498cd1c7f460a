// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/pkg/flow"
)

// derivation marks NetObserv fields computed from several attributes.
type derivation uint8

const (
	notDerived derivation = iota
	derivedSrcName
	derivedDstName
)

// fieldRef is a field as a metric names it: a NetObserv field name or an attribute name. The
// name decides the representation: a NetObserv name reads as in NetObserv's records
// (FlowDirection "1", TimeFlowRttNs in ns, DnsLatencyMs in ms), an attribute name as the
// attribute (network.flow.direction "egress", network.flow.dns.latency in ns).
type fieldRef struct {
	name     string
	attr     string // attribute name; empty for derived and absent fields
	resource bool   // a resource attribute (the observer)
	anyLevel bool   // an attribute unknown to pkg/flow: the record's, else the resource's
	conv     flow.Conv
	typ      flow.Type
	known    bool // in pkg/flow, so typ is meaningful
	derived  derivation
	// absent is a NetObserv field flowlens does not record (IPSecStatus, NetworkEvents...):
	// it is never present. Only predefined families may name one.
	absent bool
}

func (f fieldRef) numeric() bool {
	return f.derived == notDerived && !f.absent && (!f.known || f.typ == flow.TypeInt)
}

// key identifies where the value comes from and how it reads, so two metrics naming the same
// field share one slot.
func (f fieldRef) key() string {
	return fmt.Sprintf("%s|%t|%t|%d|%d|%t", f.attr, f.resource, f.anyLevel, f.conv, f.derived, f.absent)
}

// resolveField accepts our attribute names, NetObserv's field names (package flow's table plus
// the derived SrcK8S_Name/DstK8S_Name), and any other attribute name containing a dot (set by
// another processor). lenient (predefined families) turns other names into never-present
// fields instead of an error, as NetObserv drops labels of features that are off.
func resolveField(name string, lenient bool) (fieldRef, error) {
	if name == "" {
		return fieldRef{}, fmt.Errorf("empty field name")
	}
	if f, ok := flow.ByAttr(name); ok {
		return fieldRef{name: name, attr: f.Attr, resource: f.Resource, typ: f.Type, known: true}, nil
	}
	if f, ok := flow.ByNetObserv(name); ok {
		return fieldRef{name: name, attr: f.Attr, resource: f.Resource, conv: f.Conv, typ: f.Type, known: true}, nil
	}
	switch name {
	case flow.NetObservSrcName:
		return fieldRef{name: name, derived: derivedSrcName, typ: flow.TypeString, known: true}, nil
	case flow.NetObservDstName:
		return fieldRef{name: name, derived: derivedDstName, typ: flow.TypeString, known: true}, nil
	}
	if strings.Contains(name, ".") {
		return fieldRef{name: name, attr: name, anyLevel: true}, nil
	}
	if lenient {
		return fieldRef{name: name, absent: true}, nil
	}
	return fieldRef{}, fmt.Errorf("unknown field %q: neither a flowlens attribute nor a NetObserv field flowlens records "+
		"(docs/flow-schema.md); attributes set by other processors are accepted when their name contains a dot", name)
}
