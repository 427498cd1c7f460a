// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// StartVictoriaLogs runs VictoriaLogs (Apache-2.0; built by hack/victorialogs.sh) on a free
// loopback port: a real server of Loki's push protocol. It returns its base URL.
func StartVictoriaLogs(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(RepoRoot(), "hack", "victorialogs.sh")).Output()
	if err != nil {
		t.Fatalf("hack/victorialogs.sh (builds the server from the Go module proxy): %v", err)
	}
	bin := strings.TrimSpace(string(out))
	addr := FreeLoopbackPort(t)
	cmd := exec.Command(bin, "-httpListenAddr="+addr, "-storageDataPath="+t.TempDir(), "-loggerLevel=WARN")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start victoria-logs: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("victoria-logs output:\n%s", logs.String())
		}
	})
	WaitFor(t, 20*time.Second, "victoria-logs to be healthy", func() bool {
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return "http://" + addr
}

// LogsQL runs a LogsQL query on VictoriaLogs and returns the result rows.
func LogsQL(t testing.TB, base, query string) []map[string]string {
	t.Helper()
	resp, err := http.PostForm(base+"/select/logsql/query", url.Values{"query": {query}})
	if err != nil {
		t.Fatalf("logsql query: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logsql query %q: %s", query, resp.Status)
	}
	var rows []map[string]string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var row map[string]string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("logsql row %q: %v", sc.Text(), err)
		}
		rows = append(rows, row)
	}
	return rows
}

// FreeLoopbackPort returns a 127.0.0.1:port nothing listens on right now.
func FreeLoopbackPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
