// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/flow-schema.md from Fields")

const schemaDoc = "../../docs/flow-schema.md"

// The checked-in schema document must be what MarkdownTable renders today.
func TestFlowSchemaDoc(t *testing.T) {
	want := MarkdownTable()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(schemaDoc), 0o755))
		require.NoError(t, os.WriteFile(schemaDoc, []byte(want), 0o644))
		return
	}
	got, err := os.ReadFile(schemaDoc)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing; run: go test ./pkg/flow -run TestFlowSchemaDoc -update", schemaDoc)
	}
	require.NoError(t, err)
	if string(got) != want {
		t.Fatalf("%s is stale; run: go test ./pkg/flow -run TestFlowSchemaDoc -update", schemaDoc)
	}
}

func TestMarkdownTable(t *testing.T) {
	t.Parallel()
	md := MarkdownTable()
	lines := strings.Split(md, "\n")
	rows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "| `") && strings.Count(l, " | ") == 5 {
			rows++
		}
	}
	assert.Equal(t, len(Fields), rows, "one six-column row per field")
	for _, f := range Fields {
		assert.Contains(t, md, "| `"+f.Attr+"`")
		if f.NetObserv != "" {
			assert.Contains(t, md, "`"+f.NetObserv+"`")
		}
	}
	assert.Contains(t, md, "| `host.name` (resource) |")
	assert.Contains(t, md, "| `network.flow.start` | int | `TimeFlowStartMs` | ns → ms |")
	for _, n := range []string{NetObservSrcName, NetObservDstName, NetObservTimeReceived} {
		assert.Contains(t, md, "| `"+n+"` |")
	}
	assert.True(t, strings.HasSuffix(md, "\n"))
}

func TestMDCell(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `a \| b c`, mdCell("a | b\nc"))
}
