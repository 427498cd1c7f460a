// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"io"
	"net"
	"sync"
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
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			var out net.Conn
			if err := InNamespace(ns, func() error {
				c, err := net.Dial("tcp", target)
				out = c
				return err
			}); err != nil {
				_ = in.Close()
				continue
			}
			wg.Add(2)
			relay := func(dst, src net.Conn) {
				defer wg.Done()
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
			}
			go relay(out, in)
			go relay(in, out)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
