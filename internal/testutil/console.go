// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	consoleOnce sync.Once
	consoleBin  string
	consoleErr  error
)

// ConsoleBinary builds flowlens-console once per test process ($FLOWLENS_CONSOLE skips the
// build) and returns its path.
func ConsoleBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FLOWLENS_CONSOLE"); p != "" {
		return p
	}
	consoleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flowlens-console-bin-")
		if err != nil {
			consoleErr = err
			return
		}
		consoleBin = filepath.Join(dir, "flowlens-console")
		cmd := exec.Command("go", "build", "-o", consoleBin, "./console/cmd/flowlens-console")
		cmd.Dir = RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			consoleErr = fmt.Errorf("go build flowlens-console: %w\n%s", err, out)
		}
	})
	if consoleErr != nil {
		t.Fatal(consoleErr)
	}
	return consoleBin
}

// Console is a running flowlens-console.
type Console struct {
	URL string
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *Console) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(b)
}

// Output is what the console logged so far.
func (c *Console) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// StartConsole runs flowlens-console on a free loopback port with args (add --store,
// --loki-url...) and waits until /api/status answers. It stops with the test.
func StartConsole(t testing.TB, args ...string) *Console {
	t.Helper()
	addr := FreeLoopbackPort(t)
	c := &Console{URL: "http://" + addr}
	// An empty config file: the default path may exist on this machine.
	cfg := filepath.Join(t.TempDir(), "console.yaml")
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ConsoleBinary(t), append([]string{"--listen=" + addr, "--config=" + cfg, "--log-level=debug"}, args...)...)
	done := startProcess(t, "flowlens-console", cmd, c)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(c.URL + "/api/status")
		if err == nil {
			_ = resp.Body.Close()
			return c
		}
		select {
		case <-done:
			t.Fatalf("flowlens-console exited:\n%s", c.Output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("flowlens-console not answering after 20s:\n%s", c.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startProcess starts cmd with its output in out, and stops it (SIGTERM, then SIGKILL after 10 s)
// when the test ends, logging out's content if the test failed. done closes when it exits.
func startProcess(t testing.TB, name string, cmd *exec.Cmd, out interface {
	io.Writer
	Output() string
}) (done <-chan struct{}) {
	t.Helper()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	ch := make(chan struct{})
	go func() { _ = cmd.Wait(); close(ch) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-ch
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.Output())
		}
	})
	return ch
}
