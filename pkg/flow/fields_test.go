// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lookup maps are built from Fields; a duplicate name would silently shadow another field.
func TestFieldsUnique(t *testing.T) {
	t.Parallel()
	attrs := map[string]bool{}
	netobserv := map[string]bool{}
	for _, f := range Fields {
		require.NotEmpty(t, f.Attr)
		assert.Falsef(t, attrs[f.Attr], "duplicate attribute %q", f.Attr)
		attrs[f.Attr] = true
		assert.NotEmptyf(t, f.Doc, "%s has no description", f.Attr)
		assert.NotEmptyf(t, f.Source, "%s has no source", f.Attr)
		if f.NetObserv == "" {
			continue
		}
		assert.Falsef(t, netobserv[f.NetObserv], "duplicate NetObserv name %q", f.NetObserv)
		netobserv[f.NetObserv] = true
	}
	// The derived names must not collide with a direct mapping either.
	for _, n := range []string{NetObservSrcName, NetObservDstName, NetObservTimeReceived} {
		assert.Falsef(t, netobserv[n], "derived NetObserv name %q is also a field", n)
	}
	// Attribute and NetObserv namespaces must not overlap, or Resolve would be ambiguous.
	for n := range netobserv {
		assert.Falsef(t, attrs[n], "%q is both an attribute and a NetObserv name", n)
	}
}

// Conversions only make sense for some types; a mismatch would panic in AppendNetObservJSON.
func TestFieldsConvTypes(t *testing.T) {
	t.Parallel()
	want := map[Conv]Type{
		ConvNsToMs:     TypeInt,
		ConvDirection:  TypeString,
		ConvDirections: TypeStringSlice,
		ConvTCPFlags:   TypeInt,
	}
	for _, f := range Fields {
		if f.Conv == ConvNone {
			continue
		}
		assert.NotEmptyf(t, f.NetObserv, "%s has a conversion but no NetObserv name", f.Attr)
		assert.Equalf(t, want[f.Conv], f.Type, "%s: conversion %d on a %s", f.Attr, f.Conv, f.Type)
	}
}

func TestFieldsResource(t *testing.T) {
	t.Parallel()
	var res []string
	for _, f := range Fields {
		if f.Resource {
			res = append(res, f.Attr)
		}
	}
	assert.ElementsMatch(t, []string{AttrHostName, AttrLocalAddress}, res)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, attr string
	}{
		{AttrSrcAddress, AttrSrcAddress},
		{"SrcAddr", AttrSrcAddress},
		{AttrEnd, AttrEnd},
		{"TimeFlowEndMs", AttrEnd},
		{"Flags", AttrTCPFlags},
		{"AgentIP", AttrLocalAddress},
		{AttrIfaceName, AttrIfaceName}, // no NetObserv name, still resolvable by ours
		{"DnsLatencyMs", AttrDNSLatency},
	}
	for _, tt := range tests {
		f, ok := Resolve(tt.name)
		require.Truef(t, ok, "Resolve(%q)", tt.name)
		assert.Equal(t, tt.attr, f.Attr, tt.name)
	}
	for _, name := range []string{"", "nope", "srcaddr", NetObservSrcName, NetObservTimeReceived} {
		_, ok := Resolve(name)
		assert.Falsef(t, ok, "Resolve(%q)", name)
	}
}

func TestByAttrByNetObserv(t *testing.T) {
	t.Parallel()
	for i := range Fields {
		f := &Fields[i]
		got, ok := ByAttr(f.Attr)
		require.True(t, ok, f.Attr)
		assert.Same(t, f, got)
		if f.NetObserv == "" {
			continue
		}
		got, ok = ByNetObserv(f.NetObserv)
		require.True(t, ok, f.NetObserv)
		assert.Same(t, f, got)
		// Our names never resolve as NetObserv names.
		_, ok = ByNetObserv(f.Attr)
		assert.False(t, ok, f.Attr)
	}
}

func TestTypeString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "string", TypeString.String())
	assert.Equal(t, "int", TypeInt.String())
	assert.Equal(t, "bool", TypeBool.String())
	assert.Equal(t, "string[]", TypeStringSlice.String())
}

func TestTCPFlagNames(t *testing.T) {
	t.Parallel()
	assert.Empty(t, TCPFlagNames(0))
	assert.Equal(t, []string{"SYN"}, TCPFlagNames(TCPSyn))
	assert.Equal(t, []string{"SYN", "ACK", "SYN_ACK"}, TCPFlagNames(TCPSyn|TCPAck|TCPSynAck))
	assert.Equal(t,
		[]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "SYN_ACK", "FIN_ACK", "RST_ACK"},
		TCPFlagNames(0x7ff))
	// Bits beyond RST_ACK have no name and are dropped.
	assert.Equal(t, []string{"FIN"}, TCPFlagNames(TCPFin|0x800|1<<40))
}

func TestTCPFlagsRoundTrip(t *testing.T) {
	t.Parallel()
	for flags := int64(0); flags <= 0x7ff; flags++ {
		got, err := TCPFlagsFromNames(TCPFlagNames(flags))
		require.NoError(t, err)
		require.Equal(t, flags, got)
	}
}

func TestTCPFlagsFromNames(t *testing.T) {
	t.Parallel()
	got, err := TCPFlagsFromNames([]string{"SYN-ACK"})
	require.NoError(t, err)
	assert.Equal(t, int64(TCPSynAck), got)

	got, err = TCPFlagsFromNames([]string{"FIN-ACK", "RST_ACK", "PSH", "PSH"})
	require.NoError(t, err)
	assert.Equal(t, int64(TCPFinAck|TCPRstAck|TCPPsh), got)

	got, err = TCPFlagsFromNames(nil)
	require.NoError(t, err)
	assert.Zero(t, got)

	// Names are case-sensitive, as in NetObserv.
	for _, bad := range []string{"syn", "SYNACK", "", "SYN ACK"} {
		_, err = TCPFlagsFromNames([]string{"ACK", bad})
		require.Errorf(t, err, "%q", bad)
		assert.Contains(t, err.Error(), `"`+bad+`"`)
		assert.Contains(t, err.Error(), strings.Join(tcpFlagNames[:], ", "))
	}
}
