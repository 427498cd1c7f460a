// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"os"
	"testing"
)

// RequireRoot skips t, saying why, unless the test runs as root: loading BPF programs and
// creating network namespaces need it. CI runs as root, so these tests run there.
// Set FLOWLENS_REQUIRE_ROOT_TESTS=1 to turn the skip into a failure (CI does).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("FLOWLENS_REQUIRE_ROOT_TESTS") == "1" {
		t.Fatalf("%s needs root, and FLOWLENS_REQUIRE_ROOT_TESTS=1 forbids skipping it", t.Name())
	}
	t.Skipf("SKIP %s: needs root (loads BPF programs / creates network namespaces); run `sudo make test`", t.Name())
}
