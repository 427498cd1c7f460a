// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"

import (
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// fieldExpr is the SQL expression of a NetObserv field: its column, or its value in the extra
// JSON.
func fieldExpr(field string) (expr string, integer bool) {
	if c, ok := byField[field]; ok {
		return c.name, c.integer
	}
	return `json_extract(extra, '$."` + strings.ReplaceAll(field, `"`, ``) + `"')`, false
}

// whereSQL turns filters into a condition and its arguments.
func whereSQL(fs flowquery.Filters) (string, []any) {
	if len(fs) == 0 {
		return "1", nil
	}
	var args []any
	groups := make([]string, 0, len(fs))
	for _, g := range fs {
		conds := make([]string, 0, len(g))
		for _, m := range g {
			c, a := matchSQL(m)
			conds = append(conds, c)
			args = append(args, a...)
		}
		groups = append(groups, "("+strings.Join(conds, " AND ")+")")
	}
	return "(" + strings.Join(groups, " OR ") + ")", args
}

func matchSQL(m flowquery.Match) (string, []any) {
	expr, integer := fieldExpr(m.Field)
	var conds []string
	var args []any
	for _, v := range m.Values {
		c, a := valueSQL(expr, integer, m.Field, m.Op, v)
		conds = append(conds, c)
		args = append(args, a...)
	}
	any := "(" + strings.Join(conds, " OR ") + ")"
	switch m.Op {
	case flowquery.OpNotEqual, flowquery.OpNotRegex:
		return "NOT " + any, args
	}
	return any, args
}

func valueSQL(expr string, integer bool, field string, op flowquery.Op, v flowquery.Value) (string, []any) {
	switch op {
	case flowquery.OpRegex, flowquery.OpNotRegex:
		return "coalesce(" + expr + ", '') REGEXP ?", []any{v.Text}
	case flowquery.OpGreaterEqual:
		return "CAST(" + expr + " AS REAL) >= ?", []any{v.Text}
	}
	if v.Exact && v.Text == "" {
		return "(" + expr + " IS NULL OR " + expr + " = '')", nil
	}
	if flowquery.IsAddress(field) {
		// Addresses match whole, or by CIDR: 10.1.0.7 must not match 10.1.0.79.
		if strings.Contains(v.Text, "/") {
			return "in_cidr(" + expr + ", ?)", []any{v.Text}
		}
		return "coalesce(" + expr + ", '') = ?", []any{v.Text}
	}
	if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil && (integer || !v.Exact) && (integer || flowquery.IsNumeric(field)) {
		return expr + " = ?", []any{n}
	}
	if v.Exact {
		return "coalesce(" + expr + ", '') = ?", []any{v.Text}
	}
	// Unquoted: case-insensitive substring, NetObserv's partial match.
	return "instr(lower(coalesce(" + expr + ", '')), lower(?)) > 0", []any{v.Text}
}
