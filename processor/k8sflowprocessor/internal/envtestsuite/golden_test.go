// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenFlows feeds a batch of flows through the running processor and compares the whole
// pdata output (OTLP/JSON, indented) with a golden file.
func goldenFlows(t *testing.T, r *running, name string, flows []fl) {
	t.Helper()
	in := plog.NewLogs()
	for _, f := range flows {
		f.logs().ResourceLogs().MoveAndAppendTo(in.ResourceLogs())
	}
	r.sink.Reset()
	require.NoError(t, r.p.ConsumeLogs(context.Background(), in))
	require.Len(t, r.sink.AllLogs(), 1)
	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(r.sink.AllLogs()[0])
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, json.Indent(&got, raw, "", "  "))
	got.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, got.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run: go test ./processor/k8sflowprocessor/internal/envtestsuite -update")
	require.Equal(t, string(want), got.String(), "golden %s differs; if intended, rerun with -update", path)
}
