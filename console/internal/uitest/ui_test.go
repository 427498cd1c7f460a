// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package uitest drives the console's web UI in headless Chromium against a real
// flowlens-console serving a store seeded with synthetic flows, and runs the UI's unit tests.
// Both need console/web/node_modules (console/web/deps.sh) and /usr/bin/chromium; without them
// the tests skip, or fail when FLOWLENS_REQUIRE_UI_TESTS=1 (CI).
package uitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/flowgen"
	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flowstore"
)

const chromium = "/usr/bin/chromium"

// requireUITools skips (or fails, when CI asks for the UI tests) when node, the web UI's npm
// packages or Chromium are missing. It returns console/web.
func requireUITools(t *testing.T, needBrowser bool) string {
	t.Helper()
	web := filepath.Join(testutil.RepoRoot(), "console", "web")
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (Debian package nodejs)")
	}
	for _, pkg := range []string{"playwright-core", "vitest"} {
		if _, err := os.Stat(filepath.Join(web, "node_modules", pkg, "package.json")); err != nil {
			missing = append(missing, "console/web/node_modules/"+pkg)
		}
	}
	if needBrowser {
		if _, err := os.Stat(chromium); err != nil {
			missing = append(missing, chromium+" (Debian package chromium)")
		}
	}
	if len(missing) == 0 {
		return web
	}
	msg := fmt.Sprintf("web UI tests need %s: run console/web/deps.sh (npm ci into console/web/node_modules); "+
		"node >= 20.19 must be on PATH; chromium is a Debian package (hack/deps.sh)", strings.Join(missing, ", "))
	if os.Getenv("FLOWLENS_REQUIRE_UI_TESTS") == "1" {
		t.Fatal(msg + " (FLOWLENS_REQUIRE_UI_TESTS=1)")
	}
	t.Skip(msg + " (skipped; FLOWLENS_REQUIRE_UI_TESTS=1 makes this a failure)")
	return ""
}

// seedStore writes n synthetic flows ending now, spread over span, to a new store.
func seedStore(t *testing.T, path string, n int, span time.Duration) {
	t.Helper()
	w, err := flowstore.OpenWriter(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, w.Close()) }()
	gen := flowgen.New(7)
	spacing := span / time.Duration(n)
	first := time.Now().Add(-span)
	const batch = 2000
	for i := 0; i < n; i += batch {
		m := min(batch, n-i)
		written, err := w.Write(context.Background(), gen.Logs(first.Add(time.Duration(i)*spacing), m, spacing))
		require.NoError(t, err)
		require.Equal(t, m, written)
	}
}

// runNode runs a node script in console/web and fails the test with its output when it fails.
func runNode(t *testing.T, web string, timeout time.Duration, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("node %s: timed out after %s\n%s", strings.Join(args, " "), timeout, out)
	}
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestConsoleUI seeds a store with 20,000 flows over the last 30 minutes, serves it with
// flowlens-console and checks the three views, the filter bar, the topology drill-down, the
// flow detail panel and the CSV export in Chromium (console/web/e2e/ui.mjs). Screenshots go to
// tests/artifacts/screenshots.
func TestConsoleUI(t *testing.T) {
	web := requireUITools(t, true)
	store := filepath.Join(t.TempDir(), "flows.db")
	seedStore(t, store, 20000, 30*time.Minute)
	// flowgen's flows are a cluster's: the cluster mode shows its namespaces and scopes. The
	// same store in host mode checks the host defaults (no Kubernetes columns, resource scope).
	url := testutil.StartConsole(t, "--store="+store, "--auth=none", "--mode=cluster").URL
	hostURL := testutil.StartConsole(t, "--store="+store, "--auth=none", "--mode=host").URL
	shots := filepath.Join(testutil.RepoRoot(), "tests", "artifacts", "screenshots")
	require.NoError(t, os.MkdirAll(shots, 0o755))
	out := runNode(t, web, 90*time.Second, "e2e/ui.mjs", url, shots, hostURL)
	t.Logf("e2e/ui.mjs:\n%s", out)
}

// TestWebUnit runs the UI's unit tests (filters, formatting, scopes, state) with vitest.
func TestWebUnit(t *testing.T) {
	web := requireUITools(t, false)
	out := runNode(t, web, 90*time.Second, "node_modules/vitest/vitest.mjs", "run", "--reporter=dot")
	t.Logf("vitest:\n%s", out)
}
