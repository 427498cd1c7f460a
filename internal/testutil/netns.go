// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sync"

	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Pair is two network namespaces joined by a veth pair, with IPv4 and IPv6 addresses on each
// end. All test traffic stays between them.
type Pair struct {
	NS1, NS2     string // namespace names
	If1, If2     string // veth ends (If1 in NS1)
	IP1, IP2     string // IPv4 addresses
	IP1v6, IP2v6 string // IPv6 addresses
}

// NewPair creates the namespaces and the veth pair, with the veth ends still down (call Up), so
// a test can hook them before the first packet; they are deleted when the test ends.
// subnet picks 10.199.<subnet>.0/24 and fd00:199:<subnet>::/64, so parallel tests stay apart.
func NewPair(t testing.TB, subnet int) *Pair {
	t.Helper()
	RequireRoot(t)
	id := randomID()
	p := &Pair{
		NS1: "fl-" + id + "-a", NS2: "fl-" + id + "-b",
		If1: "fl" + id + "a", If2: "fl" + id + "b",
		IP1: fmt.Sprintf("10.199.%d.1", subnet), IP2: fmt.Sprintf("10.199.%d.2", subnet),
		IP1v6: fmt.Sprintf("fd00:199:%d::1", subnet), IP2v6: fmt.Sprintf("fd00:199:%d::2", subnet),
	}
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", p.NS1).Run()
		_ = exec.Command("ip", "netns", "del", p.NS2).Run()
	})
	MustRun(t, "ip", "netns", "add", p.NS1)
	MustRun(t, "ip", "netns", "add", p.NS2)
	MustRun(t, "ip", "link", "add", p.If1, "netns", p.NS1, "type", "veth", "peer", "name", p.If2, "netns", p.NS2)
	for _, c := range [][]string{
		{p.NS1, "ip", "addr", "add", p.IP1 + "/24", "dev", p.If1},
		{p.NS2, "ip", "addr", "add", p.IP2 + "/24", "dev", p.If2},
		{p.NS1, "ip", "addr", "add", p.IP1v6 + "/64", "dev", p.If1, "nodad"},
		{p.NS2, "ip", "addr", "add", p.IP2v6 + "/64", "dev", p.If2, "nodad"},
		{p.NS1, "ip", "link", "set", "lo", "up"},
		{p.NS2, "ip", "link", "set", "lo", "up"},
	} {
		MustRun(t, "ip", append([]string{"netns", "exec"}, c...)...)
	}
	return p
}

// Up brings both veth ends up, the NS2 end first: a packet If1 sent while its peer is down would
// be seen by a hook on If1 but counted by the kernel as dropped, not as transmitted.
func (p *Pair) Up(t testing.TB) {
	t.Helper()
	Exec(t, p.NS2, "ip", "link", "set", p.If2, "up")
	Exec(t, p.NS1, "ip", "link", "set", p.If1, "up")
}

// Down brings both veth ends down, so no packet crosses them any more (counters stay).
func (p *Pair) Down(t testing.TB) {
	t.Helper()
	Exec(t, p.NS1, "ip", "link", "set", p.If1, "down")
	Exec(t, p.NS2, "ip", "link", "set", p.If2, "down")
}

// AddLink joins the pair's namespaces with one more veth pair on subnet 10.199.<subnet>.0/24
// and brings it up; it returns the two ends' names and the address of the NS2 end.
func (p *Pair) AddLink(t testing.TB, subnet int) (if1, if2, ip2 string) {
	t.Helper()
	id := randomID()
	if1, if2 = "fl"+id+"c", "fl"+id+"d"
	ip1 := fmt.Sprintf("10.199.%d.1", subnet)
	ip2 = fmt.Sprintf("10.199.%d.2", subnet)
	MustRun(t, "ip", "link", "add", if1, "netns", p.NS1, "type", "veth", "peer", "name", if2, "netns", p.NS2)
	Exec(t, p.NS1, "ip", "addr", "add", ip1+"/24", "dev", if1)
	Exec(t, p.NS2, "ip", "addr", "add", ip2+"/24", "dev", if2)
	Exec(t, p.NS1, "ip", "link", "set", if1, "up")
	Exec(t, p.NS2, "ip", "link", "set", if2, "up")
	return if1, if2, ip2
}

// Exec runs a command inside namespace ns and returns its combined output.
func Exec(t testing.TB, ns string, args ...string) string {
	t.Helper()
	return MustRun(t, "ip", append([]string{"netns", "exec", ns}, args...)...)
}

// MustRun runs a command and fails the test when it fails.
func MustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// IfaceCounter reads /sys/class/net/<iface>/statistics/<name> inside ns.
func IfaceCounter(t testing.TB, ns, iface, name string) uint64 {
	t.Helper()
	out := Exec(t, ns, "cat", "/sys/class/net/"+iface+"/statistics/"+name)
	v, err := strconv.ParseUint(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("parse %s counter %q: %v", name, out, err)
	}
	return v
}

// InNamespace runs fn on an OS thread switched into namespace ns, so sockets fn opens belong to
// ns. It refuses to run fn in the root namespace: test traffic never leaves the namespaces the
// test created.
func InNamespace(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is not unlocked: it is discarded with its namespace when the goroutine ends.
		runtime.LockOSThread()
		h, err := netns.GetFromName(ns)
		if err != nil {
			errc <- fmt.Errorf("open namespace %s: %w", ns, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("enter namespace %s: %w", ns, err)
			return
		}
		if err := refuseRootNamespace(); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// rootNS identifies the network namespace the process started in (the host's), read before any
// thread switches.
var rootNS, rootNSErr = func() (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Stat("/proc/self/ns/net", &st)
	return st, err
}()

// refuseRootNamespace fails when the calling thread is in the namespace the process started in.
func refuseRootNamespace() error {
	if rootNSErr != nil {
		return fmt.Errorf("stat root network namespace: %w", rootNSErr)
	}
	var self unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), &self); err != nil {
		return fmt.Errorf("stat own network namespace: %w", err)
	}
	if self.Ino == rootNS.Ino && self.Dev == rootNS.Dev {
		return fmt.Errorf("refusing to generate traffic from the root network namespace")
	}
	return nil
}

func randomID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WaitFor polls cond until it is true or the timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ForwardIntoNamespace makes target (host:port on the host's loopback, e.g. a test API server)
// reachable from inside namespace ns: it listens on 127.0.0.1 in ns and relays each connection
// to target. Everything stays on this machine's loopback. It returns the address to use in ns.
func ForwardIntoNamespace(t testing.TB, ns, target string) string {
	t.Helper()
	return forward(t, ns, "127.0.0.1:0", target)
}

// ForwardSamePortIntoNamespace is ForwardIntoNamespace listening on target's own address inside
// ns, for protocols that hand out addresses (Kafka brokers advertise theirs in metadata).
func ForwardSamePortIntoNamespace(t testing.TB, ns, target string) {
	t.Helper()
	forward(t, ns, target, target)
}

func forward(t testing.TB, ns, listen, target string) string {
	t.Helper()
	var ln net.Listener
	if err := InNamespace(ns, func() error {
		l, err := net.Listen("tcp", listen)
		ln = l
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", ns, err)
	}
	return relay(t, ln, func() (net.Conn, error) { return net.Dial("tcp", target) })
}

// relay accepts on ln until the test ends and copies each connection both ways to one that
// dial opens. It returns ln's address.
func relay(t testing.TB, ln net.Listener, dial func() (net.Conn, error)) string {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := dial()
			if err != nil {
				_ = in.Close()
				continue
			}
			wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer wg.Done()
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
			}
			go pipe(out, in)
			go pipe(in, out)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
