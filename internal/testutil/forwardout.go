// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"net"
	"testing"
)

// ForwardOutOfNamespace makes target (host:port on the loopback of namespace ns, e.g. a
// collector's Prometheus endpoint) reachable from the host: it listens on the host's 127.0.0.1
// and relays each connection to target, dialed inside ns. Everything stays on loopback. It
// returns the host address.
func ForwardOutOfNamespace(t testing.TB, ns, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return relay(t, ln, func() (out net.Conn, err error) {
		err = InNamespace(ns, func() error {
			out, err = net.Dial("tcp", target)
			return err
		})
		return out, err
	})
}
