// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package auth

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

func TestRestrict(t *testing.T) {
	fs, err := flowquery.Parse("DstPort=53|DstPort=443")
	require.NoError(t, err)
	assert.Equal(t, fs, Restrict(fs, &User{Admin: true}))

	got := Restrict(fs, &User{Namespaces: []string{"a", "b"}})
	in := []flowquery.Value{{Text: "a", Exact: true}, {Text: "b", Exact: true}}
	require.Len(t, got, 4)
	for i, field := range []string{"SrcK8S_Namespace", "SrcK8S_Namespace", "DstK8S_Namespace", "DstK8S_Namespace"} {
		assert.Equal(t, flowquery.Match{Field: field, Values: in}, got[i][len(got[i])-1])
		assert.Equal(t, fs[i%2][0], got[i][0])
	}
	// No filter still restricts; no namespace matches nothing.
	assert.Len(t, Restrict(nil, &User{Namespaces: []string{"a"}}), 2)
	none := Restrict(nil, &User{})
	assert.Equal(t, "\x00", none[0][0].Values[0].Text)
}
