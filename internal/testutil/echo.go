// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// ServeTCPEcho echoes whatever its clients send, inside ns, until the test ends. Unlike
// ServeTCP's one-shot exchange, a connection stays established for many round trips (the
// kernel's TCP RTT is only sampled on established connections).
func ServeTCPEcho(t testing.TB, ns, addr string) string {
	t.Helper()
	var ln net.Listener
	if err := InNamespace(ns, func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", ns, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// TCPPingPong connects from ns to an echo server at addr and does rounds request/response
// round trips of size bytes each, on one connection. It returns the client's local port.
func TCPPingPong(ns, addr string, rounds, size int) (int, error) {
	var conn net.Conn
	if err := InNamespace(ns, func() (err error) {
		conn, err = net.DialTimeout("tcp", addr, 5*time.Second)
		return err
	}); err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	msg, buf := make([]byte, size), make([]byte, size)
	for i := range rounds {
		if _, err := conn.Write(msg); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(conn, buf); err != nil {
			return 0, fmt.Errorf("round %d: %w", i, err)
		}
	}
	return conn.LocalAddr().(*net.TCPAddr).Port, nil
}
