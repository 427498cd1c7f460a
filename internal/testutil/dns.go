// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// DNSServer is a dnsmasq answering for a local zone inside a namespace, with no upstream.
type DNSServer struct {
	Addr string // ip:53
	cmd  *exec.Cmd
	out  *bytes.Buffer
	mu   sync.Mutex
}

// StartDNSServer runs dnsmasq in ns on ip:53 (UDP and TCP), authoritative for zone: each name of
// records resolves to its IPv4 address, every other name in zone is NXDOMAIN. It stops when the
// test ends.
func StartDNSServer(t testing.TB, ns, ip, zone string, records map[string]string) *DNSServer {
	t.Helper()
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Fatalf("dnsmasq is not installed (hack/deps.sh installs it): %v", err)
	}
	args := []string{"netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--log-facility=-",
		"--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file",
		"--bind-interfaces", "--listen-address=" + ip, "--port=53", "--user=root",
		"--local=/" + zone + "/"}
	for name, addr := range records {
		args = append(args, "--host-record="+name+","+addr)
	}
	s := &DNSServer{Addr: HostPort(ip, 53), out: &bytes.Buffer{}}
	s.cmd = exec.Command("ip", args...)
	s.cmd.Stdout, s.cmd.Stderr = s, s
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start dnsmasq: %v", err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		if t.Failed() {
			t.Logf("dnsmasq output:\n%s", s.Output())
		}
	})
	// Ready once it answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := DNSQuery(ns, s.Addr, "ready."+zone, false); err == nil {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq does not answer on %s:\n%s", s.Addr, s.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *DNSServer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// Output is what dnsmasq printed.
func (s *DNSServer) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// DNSAnswer is what DNSQuery sent and got back.
type DNSAnswer struct {
	ID        uint16
	Rcode     int
	LocalPort int // the client's port: the query's flow is client:LocalPort -> server:53
	Latency   time.Duration
}

// DNSQuery asks server (ip:port) for the A record of name, from namespace ns, over UDP or TCP,
// from a new socket (so each query is a flow of its own).
func DNSQuery(ns, server, name string, tcp bool) (DNSAnswer, error) {
	var a DNSAnswer
	var idb [2]byte
	_, _ = rand.Read(idb[:])
	a.ID = binary.BigEndian.Uint16(idb[:])
	msg := dnsQueryMsg(a.ID, name)
	network := "udp"
	if tcp {
		network = "tcp"
		msg = append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
	}
	var conn net.Conn
	if err := InNamespace(ns, func() error {
		c, err := net.DialTimeout(network, server, 2*time.Second)
		conn = c
		return err
	}); err != nil {
		return a, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	a.LocalPort = localPort(conn.LocalAddr())
	start := time.Now()
	if _, err := conn.Write(msg); err != nil {
		return a, err
	}
	resp := make([]byte, 4096)
	var n int
	var err error
	if tcp {
		var l [2]byte
		if _, err = io.ReadFull(conn, l[:]); err == nil {
			resp = resp[:binary.BigEndian.Uint16(l[:])]
			n, err = io.ReadFull(conn, resp)
		}
	} else {
		n, err = conn.Read(resp)
	}
	a.Latency = time.Since(start)
	if err != nil {
		return a, err
	}
	if n < 12 || binary.BigEndian.Uint16(resp) != a.ID || resp[2]&0x80 == 0 {
		return a, errors.New("not a response to the query")
	}
	a.Rcode = int(resp[3] & 0xf)
	return a, nil
}

func localPort(a net.Addr) int {
	switch x := a.(type) {
	case *net.UDPAddr:
		return x.Port
	case *net.TCPAddr:
		return x.Port
	}
	return 0
}

// dnsQueryMsg is a standard query (RD) for the A record of name.
func dnsQueryMsg(id uint16, name string) []byte {
	m := binary.BigEndian.AppendUint16(nil, id)
	m = append(m, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		m = append(m, byte(len(l)))
		m = append(m, l...)
	}
	return append(m, 0, 0, 1, 0, 1)
}

// String describes the answer for test messages.
func (a DNSAnswer) String() string {
	return fmt.Sprintf("id %#x rcode %d from port %d in %s", a.ID, a.Rcode, a.LocalPort, a.Latency)
}
