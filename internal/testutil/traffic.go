// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The traffic generators below open their sockets inside a test namespace (InNamespace refuses
// the root namespace), so test traffic never leaves the namespaces the test created.

// TCPServer accepts connections in a namespace. Each client sends an 8-byte big-endian reply
// size followed by its payload, closes its write side, and gets that many bytes back.
type TCPServer struct {
	Addr string
	ln   net.Listener
	wg   sync.WaitGroup
}

// ServeTCP listens on addr (host:port, port 0 for any) inside ns until the test ends.
func ServeTCP(t testing.TB, ns, addr string) *TCPServer {
	t.Helper()
	s := &TCPServer{}
	err := InNamespace(ns, func() error {
		ln, err := net.Listen("tcp", addr)
		s.ln = ln
		return err
	})
	if err != nil {
		t.Fatalf("listen in %s: %v", ns, err)
	}
	s.Addr = s.ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				var hdr [8]byte
				if _, err := io.ReadFull(c, hdr[:]); err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, c)
				_, _ = c.Write(make([]byte, binary.BigEndian.Uint64(hdr[:])))
			}()
		}
	}()
	t.Cleanup(func() { _ = s.ln.Close(); s.wg.Wait() })
	return s
}

// TCPExchange connects from ns to addr, sends send bytes of payload (after the 8-byte header),
// and reads reply bytes back. It returns the client's local port.
func TCPExchange(ns, addr string, send, reply int) (int, error) {
	var conn net.Conn
	if err := InNamespace(ns, func() error {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		conn = c
		return err
	}); err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var hdr [8]byte
	binary.BigEndian.PutUint64(hdr[:], uint64(reply))
	if _, err := conn.Write(append(hdr[:], make([]byte, send)...)); err != nil {
		return 0, err
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, conn)
	if err != nil {
		return 0, err
	}
	if int(n) != reply {
		return 0, fmt.Errorf("got %d reply bytes, want %d", n, reply)
	}
	return conn.LocalAddr().(*net.TCPAddr).Port, nil
}

// UDPSend sends one datagram per payload size from ns to addr, from one socket, and returns the
// local port. Nothing needs to listen: the kernel answers with ICMP port unreachable, which is
// traffic of its own.
func UDPSend(ns, addr string, sizes ...int) (int, error) {
	var conn net.Conn
	if err := InNamespace(ns, func() error {
		c, err := net.Dial("udp", addr)
		conn = c
		return err
	}); err != nil {
		return 0, err
	}
	defer conn.Close()
	for _, n := range sizes {
		if _, err := conn.Write(make([]byte, n)); err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
			return 0, err
		}
		time.Sleep(time.Millisecond)
	}
	return conn.LocalAddr().(*net.UDPAddr).Port, nil
}

// UDPSink receives datagrams in ns on addr until the test ends, and counts them.
type UDPSink struct {
	Addr string
	mu   sync.Mutex
	n    int
}

// ServeUDP listens on addr inside ns.
func ServeUDP(t testing.TB, ns, addr string) *UDPSink {
	t.Helper()
	s := &UDPSink{}
	var pc net.PacketConn
	if err := InNamespace(ns, func() error {
		c, err := net.ListenPacket("udp", addr)
		pc = c
		return err
	}); err != nil {
		t.Fatalf("listen udp in %s: %v", ns, err)
	}
	s.Addr = pc.LocalAddr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			s.mu.Lock()
			s.n++
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { _ = pc.Close(); <-done })
	return s
}

// Received returns how many datagrams arrived.
func (s *UDPSink) Received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Ping sends count ICMP echo requests from ns with the system ping (IPv4 or IPv6 by address).
func Ping(t testing.TB, ns, addr string, count int) {
	t.Helper()
	Exec(t, ns, "ping", "-n", "-q", "-c", strconv.Itoa(count), "-i", "0.2", "-W", "2", addr)
}

// HostPort joins a host (IPv4 or IPv6) and a port.
func HostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
