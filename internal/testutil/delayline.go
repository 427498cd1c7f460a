// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// AddDelay makes the router hold every packet it forwards, in both directions, for d: packets
// from either veth are routed into a TUN device; a forwarder reads them, waits d, and writes them
// into a second TUN device, from where the kernel forwards them to their destination. The
// kernel's TCP between client and server then has a real round-trip time of 2*d (this kernel has
// no netem). Packets addressed to the router itself are not delayed.
func (r *Routed) AddDelay(t testing.TB, d time.Duration) {
	t.Helper()
	in, out := "fl"+r.id+"t0", "fl"+r.id+"t1"
	var fin, fout *os.File
	err := InNamespace(r.Router, func() error {
		var err error
		if fin, err = openTUN(in); err != nil {
			return err
		}
		fout, err = openTUN(out)
		return err
	})
	if err != nil {
		t.Fatalf("create TUN devices in %s: %v", r.Router, err)
	}
	for _, c := range [][]string{
		{"ip", "link", "set", in, "up"},
		{"ip", "link", "set", out, "up"},
		// Asymmetric paths: reverse-path filtering would drop what comes out of the line.
		{"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"},
		{"sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0"},
		{"sysctl", "-qw", "net.ipv4.conf." + out + ".rp_filter=0"},
		{"sysctl", "-qw", "net.ipv4.conf." + out + ".accept_local=1"},
		// What arrives from a veth goes into the line; what leaves the line follows the main
		// table (the connected routes) to its veth.
		{"ip", "route", "add", "default", "dev", in, "table", "200"},
		{"ip", "rule", "add", "iif", r.RouterClientIf, "lookup", "200", "priority", "100"},
		{"ip", "rule", "add", "iif", r.RouterServerIf, "lookup", "200", "priority", "101"},
	} {
		Exec(t, r.Router, c...)
	}
	dl := &delayLine{in: fin, out: fout, delay: d, queue: make(chan delayed, 4096)}
	dl.wg.Add(2)
	go dl.read()
	go dl.write()
	t.Cleanup(dl.stop)
}

func openTUN(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		_ = unix.Close(fd)
		return nil, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %w", name, err)
	}
	// Non-blocking, so the runtime poller serves reads and Close interrupts them.
	return os.NewFile(uintptr(fd), name), nil
}

type delayed struct {
	due time.Time
	pkt []byte
}

// delayLine holds packets for a fixed delay, in order.
type delayLine struct {
	in, out *os.File
	delay   time.Duration
	queue   chan delayed
	wg      sync.WaitGroup
	once    sync.Once
}

func (l *delayLine) read() {
	defer l.wg.Done()
	defer close(l.queue)
	for {
		buf := make([]byte, 65536)
		n, err := l.in.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				return
			}
			continue
		}
		select {
		case l.queue <- delayed{time.Now().Add(l.delay), buf[:n]}:
		default: // the line is full: the packet is lost, as on a real link
		}
	}
}

func (l *delayLine) write() {
	defer l.wg.Done()
	for p := range l.queue {
		time.Sleep(time.Until(p.due))
		_, _ = l.out.Write(p.pkt)
	}
}

func (l *delayLine) stop() {
	l.once.Do(func() {
		_ = l.in.Close()
		l.wg.Wait()
		_ = l.out.Close()
	})
}
