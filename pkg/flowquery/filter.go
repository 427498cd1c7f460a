// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowquery // import "github.com/flowlens/flowlens/pkg/flowquery"

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Op is a comparison of a filter.
type Op int

const (
	OpEqual        Op = iota // key=v1,v2: any value matches
	OpNotEqual               // key!=v: no value matches
	OpRegex                  // key~re
	OpNotRegex               // key!~re
	OpGreaterEqual           // key>=n
)

// Value is one value of a filter. Exact values were quoted: "foo" matches foo only; unquoted
// text matches as a case-insensitive substring (numbers compare as numbers). An exact empty
// value ("") matches a field that is empty or absent.
type Value struct {
	Text  string
	Exact bool
}

// Match is one filter: a NetObserv field, a comparison and its values.
type Match struct {
	Field  string
	Op     Op
	Values []Value
}

// Group is filters that must all match (joined by &).
type Group []Match

// Filters are groups of which any must match (joined by |). No group matches everything.
type Filters []Group

// Parse reads NetObserv's filter syntax: groups separated by |, filters in a group separated by
// &, each filter key=v1,v2 | key!=v | key~re | key!~re | key>=n, values "quoted" for exact
// matching. Keys are NetObserv field names (SrcK8S_Namespace), flowlens attribute names
// (source.k8s.namespace.name) or NetObserv filter ids (src_namespace); endpoint ids without side
// (namespace, name...) match either end.
func Parse(s string) (Filters, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out Filters
	for _, gs := range splitOutsideQuotes(s, '|') {
		var g Group
		for _, fs := range splitOutsideQuotes(gs, '&') {
			fs = strings.TrimSpace(fs)
			if fs == "" {
				continue
			}
			ms, err := parseMatch(fs)
			if err != nil {
				return nil, err
			}
			g = append(g, ms...)
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return expandEitherEnd(out), nil
}

var ops = []struct {
	tok string
	op  Op
}{{"!~", OpNotRegex}, {"!=", OpNotEqual}, {">=", OpGreaterEqual}, {"~", OpRegex}, {"=", OpEqual}}

func parseMatch(s string) ([]Match, error) {
	// The operator is the first one in the text; at one position the longest wins (!= over =).
	best, bestAt := -1, len(s)
	for i, o := range ops {
		at := indexOutsideQuotes(s, o.tok)
		if at > 0 && (at < bestAt || (at == bestAt && len(o.tok) > len(ops[best].tok))) {
			best, bestAt = i, at
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("filter %q: expected key=value, key!=value, key~regex, key!~regex or key>=number", s)
	}
	o := ops[best]
	key := strings.TrimSpace(s[:bestAt])
	field, either, ok := ResolveField(key)
	if !ok {
		return nil, fmt.Errorf("filter %q: unknown field %q (use a NetObserv field like SrcK8S_Namespace, or a filter id like src_namespace)", s, key)
	}
	m := Match{Field: field, Op: o.op}
	for _, v := range splitOutsideQuotes(s[bestAt+len(o.tok):], ',') {
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			// Only \" is an escape: a quoted regex keeps its backslashes ("svc\.local").
			m.Values = append(m.Values, Value{Text: strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), Exact: true})
		} else {
			m.Values = append(m.Values, Value{Text: v})
		}
	}
	if err := m.check(s); err != nil {
		return nil, err
	}
	if either != "" {
		return []Match{m, {Field: eitherMarker, Values: []Value{{Text: either}}}}, nil
	}
	return []Match{m}, nil
}

func (m Match) check(src string) error {
	if len(m.Values) == 0 {
		return fmt.Errorf("filter %q: no value", src)
	}
	for _, v := range m.Values {
		if v.Text == "" && !v.Exact {
			return fmt.Errorf(`filter %q: empty value (write "" to match an empty field)`, src)
		}
		switch m.Op {
		case OpRegex, OpNotRegex:
			if _, err := regexp.Compile(v.Text); err != nil {
				return fmt.Errorf("filter %q: bad regular expression: %w", src, err)
			}
		case OpGreaterEqual:
			if _, err := strconv.ParseFloat(v.Text, 64); err != nil {
				return fmt.Errorf("filter %q: >= needs a number", src)
			}
		}
	}
	return nil
}

// eitherMarker tags a match on a source field that stands for "either end": expandEitherEnd
// turns the group into two groups, one per end.
const eitherMarker = "\x00either"

// expandEitherEnd turns a group with "namespace=foo" into (SrcK8S_Namespace=foo ...) |
// (DstK8S_Namespace=foo ...), NetObserv's back-and-forth expansion of endpoint filters.
func expandEitherEnd(fs Filters) Filters {
	var out Filters
	for _, g := range fs {
		variants := []Group{nil}
		for i := 0; i < len(g); i++ {
			m := g[i]
			if i+1 < len(g) && g[i+1].Field == eitherMarker {
				dst := m
				dst.Field = g[i+1].Values[0].Text
				i++
				var next []Group
				for _, v := range variants {
					next = append(next, append(append(Group(nil), v...), m), append(append(Group(nil), v...), dst))
				}
				variants = next
				continue
			}
			for j := range variants {
				variants[j] = append(variants[j], m)
			}
		}
		out = append(out, variants...)
	}
	return out
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == sep && !inQuote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func indexOutsideQuotes(s, tok string) int {
	inQuote := false
	for i := 0; i+len(tok) <= len(s); i++ {
		if s[i] == '"' {
			inQuote = !inQuote
		}
		if !inQuote && s[i:i+len(tok)] == tok {
			return i
		}
	}
	return -1
}

// WholeRegex is the RE2 that v matches as a whole, for engines that anchor label regexes (Loki,
// Prometheus): a regex filter anywhere in the value, an exact value literally, other text as a
// case-insensitive substring.
func (v Value) WholeRegex(op Op) string {
	switch {
	case op == OpRegex || op == OpNotRegex:
		return ".*(?:" + v.Text + ").*"
	case v.Exact:
		return regexp.QuoteMeta(v.Text)
	default:
		return "(?i).*" + regexp.QuoteMeta(v.Text) + ".*"
	}
}
