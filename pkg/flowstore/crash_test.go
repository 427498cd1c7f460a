// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/flowgen"
)

// crashWriterEnv makes the test binary a writer that never stops (TestMain-less helper mode).
const crashWriterEnv = "FLOWSTORE_CRASH_WRITER"

func init() {
	path := os.Getenv(crashWriterEnv)
	if path == "" {
		return
	}
	w, err := OpenWriter(path)
	if err != nil {
		panic(err)
	}
	gen := flowgen.New(3)
	t := time.Now()
	for i := 0; ; i++ {
		if _, err := w.Write(context.Background(), gen.Logs(t.Add(time.Duration(i)*time.Second), 500, time.Millisecond)); err != nil {
			panic(err)
		}
		os.Stdout.WriteString(strconv.Itoa(i+1) + "\n") // batches committed
	}
}

// TestSurvivesAKilledWriter kills a writing process (SIGKILL, mid-transaction most likely) and
// checks the store opens, is intact, holds every committed batch and takes new writes.
func TestSurvivesAKilledWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flows.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	committed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		committed, _ = strconv.Atoi(strings.TrimSpace(sc.Text()))
		if committed >= 20 {
			break
		}
	}
	require.NoError(t, cmd.Process.Kill())
	// Batches the writer committed after the last line we read count too.
	for sc.Scan() {
		if n, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
			committed = n
		}
	}
	_ = cmd.Wait()
	require.GreaterOrEqual(t, committed, 20)

	r, err := OpenReader(path)
	require.NoError(t, err)
	defer r.Close()
	var check string
	require.NoError(t, r.db.QueryRow("PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	st, err := r.Stats(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, st.Flows, int64(committed*500), "every committed batch")
	assert.Zero(t, st.Flows%500, "no batch half written")

	w, err := OpenWriter(path)
	require.NoError(t, err)
	_, err = w.Write(context.Background(), flowgen.New(4).Logs(time.Now(), 10, time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, w.Close())
}
