// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
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
	fin, fout := -1, -1
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

func openTUN(name string) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("TUNSETIFF %s: %w", name, err)
	}
	return fd, nil
}

type delayed struct {
	due unix.Timespec // CLOCK_MONOTONIC
	pkt []byte
}

// delayLine holds packets for a fixed delay, in order. Its two goroutines run on OS threads of
// their own with a real-time scheduling policy and sleep in the kernel (poll, clock_nanosleep),
// so the delay stays precise when the machine is busy (tests run in parallel).
type delayLine struct {
	in, out int
	delay   time.Duration
	queue   chan delayed
	stopped atomic.Bool
	wg      sync.WaitGroup
	once    sync.Once
}

// realtime moves the calling goroutine's (locked) thread to SCHED_FIFO; best effort.
func realtime() {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	_ = unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_FIFO, Priority: 10}, 0)
}

func (l *delayLine) read() {
	defer l.wg.Done()
	defer close(l.queue)
	realtime()
	fds := []unix.PollFd{{Fd: int32(l.in), Events: unix.POLLIN}}
	for !l.stopped.Load() {
		if n, err := unix.Poll(fds, 100); err != nil || n == 0 {
			continue
		}
		buf := make([]byte, 65536)
		n, err := unix.Read(l.in, buf)
		if err != nil || n <= 0 {
			continue
		}
		var now unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &now)
		due := unix.NsecToTimespec(now.Nano() + l.delay.Nanoseconds())
		select {
		case l.queue <- delayed{due, buf[:n]}:
		default: // the line is full: the packet is lost, as on a real link
		}
	}
}

func (l *delayLine) write() {
	defer l.wg.Done()
	realtime()
	for p := range l.queue {
		for unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &p.due, nil) == unix.EINTR {
		}
		_, _ = unix.Write(l.out, p.pkt)
	}
}

func (l *delayLine) stop() {
	l.once.Do(func() {
		l.stopped.Store(true)
		l.wg.Wait()
		_ = unix.Close(l.in)
		_ = unix.Close(l.out)
	})
}
