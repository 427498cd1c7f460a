// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// collectorBinary finds the collector built by `make build`.
func collectorBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FLOWLENS_COLLECTOR")
	if p == "" {
		p, _ = filepath.Abs("../../bin/otelcol-flowlens")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("collector binary %s not found: run `make build` (or set FLOWLENS_COLLECTOR): %v", p, err)
	}
	return p
}

// collector is a running otelcol-flowlens process.
type collector struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

// startCollector runs the collector with config inside network namespace ns ("" = the test's
// own namespace). It is killed at the end of the test if still running.
func startCollector(t *testing.T, ns, config string) *collector {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(config), 0o600))
	args := []string{collectorBinary(t), "--config", cfgPath}
	if ns != "" {
		args = append([]string{"ip", "netns", "exec", ns}, args...)
	}
	c := &collector{cmd: exec.Command(args[0], args[1:]...), done: make(chan struct{})}
	stderr, err := c.cmd.StderrPipe()
	require.NoError(t, err)
	c.cmd.Stdout = c.cmd.Stderr
	require.NoError(t, c.cmd.Start())
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			c.mu.Lock()
			c.logs.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
		}
		_ = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("collector logs:\n%s", c.Logs())
		}
	})
	return c
}

// Logs returns what the collector logged so far.
func (c *collector) Logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// waitLog waits until a log line contains every one of parts.
func (c *collector) waitLog(t *testing.T, timeout time.Duration, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, line := range strings.Split(c.Logs(), "\n") {
			if containsAll(line, parts) {
				return
			}
		}
		select {
		case <-c.done:
			t.Fatalf("collector exited while waiting for %q:\n%s", parts, c.Logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q after %s:\n%s", parts, timeout, c.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("collector did not stop within 30s of SIGTERM:\n%s", c.Logs())
	}
	require.True(t, c.cmd.ProcessState.Success(), "collector exit status %v:\n%s", c.cmd.ProcessState, c.Logs())
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// flowRecord is one exported flow: its attributes and its resource's, as plain values.
type flowRecord struct {
	Attrs    map[string]any
	Resource map[string]any
}

func (f flowRecord) str(k string) string {
	s, _ := f.Attrs[k].(string)
	return s
}

func (f flowRecord) num(k string) int64 {
	switch v := f.Attrs[k].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return -1
}

// readFlows parses what the file exporter wrote: one OTLP/JSON logs request per line.
func readFlows(t *testing.T, path string) []flowRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []flowRecord
	var u plog.JSONUnmarshaler
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		logs, err := u.UnmarshalLogs(line)
		require.NoError(t, err)
		for i := 0; i < logs.ResourceLogs().Len(); i++ {
			rl := logs.ResourceLogs().At(i)
			res := rl.Resource().Attributes().AsRaw()
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					out = append(out, flowRecord{Attrs: lrs.At(k).Attributes().AsRaw(), Resource: res})
				}
			}
		}
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
}

// readFlowsIfAny is readFlows for a file that may not exist yet.
func readFlowsIfAny(t *testing.T, path string) []flowRecord {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readFlows(t, path)
}
