// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package envtestsuite

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/flowlens/flowlens/internal/testutil"
)

// api is the API server shared by the package's tests; each test works in its own namespaces
// and its own IP range so they stay independent.
var api *testutil.KubeAPI

func TestMain(m *testing.M) {
	var err error
	api, err = testutil.StartKubeAPI()
	if err != nil {
		// No skip: CI must run this suite. hack/envtest-assets.sh builds what it needs.
		fmt.Fprintf(os.Stderr, "FAIL: cannot start the envtest API server: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := api.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
	}
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreCurrent()); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: goroutines left after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
