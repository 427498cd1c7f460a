// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowquery

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Filters
	}{
		{"", nil},
		{"SrcK8S_Namespace=shop", Filters{{{Field: "SrcK8S_Namespace", Values: []Value{{Text: "shop"}}}}}},
		{`src_namespace="shop",web & dst_port!=53`, Filters{{
			{Field: "SrcK8S_Namespace", Values: []Value{{Text: "shop", Exact: true}, {Text: "web"}}},
			{Field: "DstPort", Op: OpNotEqual, Values: []Value{{Text: "53"}}},
		}}},
		{"source.k8s.namespace.name~^sh.p$ | Bytes>=1000", Filters{
			{{Field: "SrcK8S_Namespace", Op: OpRegex, Values: []Value{{Text: "^sh.p$"}}}},
			{{Field: "Bytes", Op: OpGreaterEqual, Values: []Value{{Text: "1000"}}}},
		}},
		{`DnsName!~.*\.local`, Filters{{{Field: "DnsName", Op: OpNotRegex, Values: []Value{{Text: `.*\.local`}}}}}},
		// Quotes protect separators and operators.
		{`SrcK8S_Name="a|b&c=d,e"`, Filters{{{Field: "SrcK8S_Name", Values: []Value{{Text: "a|b&c=d,e", Exact: true}}}}}},
		// Exact empty: the field is empty or absent.
		{`DstK8S_Namespace=""`, Filters{{{Field: "DstK8S_Namespace", Values: []Value{{Text: "", Exact: true}}}}}},
	} {
		got, err := Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseExpandsEitherEnd(t *testing.T) {
	got, err := Parse("namespace=shop & port=443 & protocol=6")
	require.NoError(t, err)
	ns := func(f string) Match { return Match{Field: f, Values: []Value{{Text: "shop"}}} }
	port := func(f string) Match { return Match{Field: f, Values: []Value{{Text: "443"}}} }
	proto := Match{Field: "Proto", Values: []Value{{Text: "6"}}}
	assert.Equal(t, Filters{
		{ns("SrcK8S_Namespace"), port("SrcPort"), proto},
		{ns("SrcK8S_Namespace"), port("DstPort"), proto},
		{ns("DstK8S_Namespace"), port("SrcPort"), proto},
		{ns("DstK8S_Namespace"), port("DstPort"), proto},
	}, got)
}

func TestParseErrorsNameTheFilter(t *testing.T) {
	for in, want := range map[string]string{
		"SrcK8S_Namespace":     `filter "SrcK8S_Namespace": expected key=value`,
		"Nope=1":               `unknown field "Nope"`,
		"DstPort=":             `filter "DstPort=": empty value`,
		"DstPort=1,":           "empty value",
		"DnsName~([":           "bad regular expression",
		"Bytes>=many":          ">= needs a number",
		"=shop":                "expected key=value",
		"a=1 & SrcPort=1 | x~": `unknown field "a"`,
	} {
		_, err := Parse(in)
		assert.ErrorContains(t, err, want, in)
	}
}

func TestResolveField(t *testing.T) {
	for key, want := range map[string]string{
		"src_owner_name": "SrcK8S_OwnerName", "SrcK8S_OwnerName": "SrcK8S_OwnerName",
		"destination.port": "DstPort", "pkt_drop_cause": "PktDropLatestDropCause",
	} {
		f, _, ok := ResolveField(key)
		assert.True(t, ok, key)
		assert.Equal(t, want, f, key)
	}
	f, dst, ok := ResolveField("host_name")
	assert.True(t, ok)
	assert.Equal(t, [2]string{"SrcK8S_HostName", "DstK8S_HostName"}, [2]string{f, dst})
}

func TestMetricsValidate(t *testing.T) {
	now := time.Now()
	ok := Metrics{Start: now.Add(-time.Hour), End: now, Type: TypeBytes, Function: FuncRate, Scope: ScopeNamespace, Step: 30 * time.Second}
	require.NoError(t, ok.Validate())
	for name, tc := range map[string]struct {
		mut  func(*Metrics)
		want string
	}{
		"type":     {func(m *Metrics) { m.Type = "Octets" }, `type: "Octets" is not valid, must be one of Bytes`},
		"function": {func(m *Metrics) { m.Function = "median" }, `function: "median" is not valid`},
		"scope":    {func(m *Metrics) { m.Scope = "pod" }, `aggregateBy: "pod" is not valid, must be one of cluster, host, namespace, owner, resource, zone`},
		"step":     {func(m *Metrics) { m.Step = 0 }, "step: must be positive"},
		"range":    {func(m *Metrics) { m.End = m.Start }, "end must be after start"},
	} {
		m := ok
		tc.mut(&m)
		assert.ErrorContains(t, m.Validate(), tc.want, name)
	}
}

func TestStepIntoEndsAtResource(t *testing.T) {
	for s := range scopes {
		seen := map[Scope]bool{}
		for next, ok := s, true; ok; next, ok = StepInto[next] {
			require.False(t, seen[next], "loop at %s", next)
			seen[next] = true
			require.NotEmpty(t, next.Fields(), next)
		}
	}
}

func TestQuotedValuesKeepBackslashes(t *testing.T) {
	got, err := Parse(`DnsName~"svc\.cluster" & SrcK8S_Name="say \"hi\""`)
	require.NoError(t, err)
	assert.Equal(t, `svc\.cluster`, got[0][0].Values[0].Text)
	assert.Equal(t, `say "hi"`, got[0][1].Values[0].Text)
}
