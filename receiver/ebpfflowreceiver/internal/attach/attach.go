// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package attach hooks the flow programs on the host's interfaces, with TCX links where the
// kernel has them (6.6+) and netlink clsact filters otherwise, and follows interfaces that appear
// and vanish while the receiver runs.
package attach // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// Mode is how programs are attached.
type Mode string

const (
	ModeAuto Mode = "auto" // TCX when the kernel has it, else tc
	ModeTCX  Mode = "tcx"
	ModeTC   Mode = "tc"
)

// Events receives what the attacher does, for the receiver's telemetry.
type Events interface {
	Attached(iface string, mode Mode)
	Detached(iface string, mode Mode)
	AttachFailed(iface string, err error)
}

// Programs are the two programs to hook on each interface.
type Programs struct {
	Ingress, Egress *ebpf.Program
}

// Attacher keeps the programs attached to every selected interface.
type Attacher struct {
	log    *zap.Logger
	sel    Selector
	progs  Programs
	events Events
	want   Mode

	mu       sync.Mutex
	mode     Mode              // resolved from want on the first attach
	hooks    map[int]*hook     // by ifindex
	names    map[uint32]string // every link seen, for decoding; deleted ones kept a while
	gone     map[uint32]time.Time
	snapshot atomic.Pointer[map[uint32]string]

	cancel  context.CancelFunc
	closing atomic.Bool
	wg      sync.WaitGroup
}

// New returns an attacher; nothing happens before Start.
func New(log *zap.Logger, sel Selector, progs Programs, want Mode, events Events) *Attacher {
	a := &Attacher{log: log, sel: sel, progs: progs, events: events, want: want,
		hooks: map[int]*hook{}, names: map[uint32]string{}, gone: map[uint32]time.Time{}}
	empty := map[uint32]string{}
	a.snapshot.Store(&empty)
	return a
}

// Start attaches to the existing interfaces and then follows link changes until Close.
func (a *Attacher) Start() error {
	updates := make(chan netlink.LinkUpdate, 256)
	done := make(chan struct{})
	err := netlink.LinkSubscribeWithOptions(updates, done, netlink.LinkSubscribeOptions{
		ListExisting: true,
		ErrorCallback: func(err error) {
			if a.closing.Load() {
				return // the subscription socket errors out when Close stops it
			}
			a.log.Warn("Link watch error; interfaces added from now on may be missed until restart", zap.Error(err))
		},
	})
	if err != nil {
		return fmt.Errorf("subscribe to link changes: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case u, ok := <-updates:
				if !ok {
					return
				}
				a.handle(u)
			}
		}
	}()
	return nil
}

// Sync waits until the interfaces that exist now have been handled; tests and start-up use it.
func (a *Attacher) Sync(timeout time.Duration) error {
	links, err := netlink.LinkList()
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for _, l := range links {
		idx := uint32(l.Attrs().Index)
		for {
			a.mu.Lock()
			_, seen := a.names[idx]
			a.mu.Unlock()
			if seen {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("interface %s not handled after %s", l.Attrs().Name, timeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

func (a *Attacher) handle(u netlink.LinkUpdate) {
	attrs := u.Link.Attrs()
	idx, name := attrs.Index, attrs.Name
	a.mu.Lock()
	defer a.mu.Unlock()
	switch u.Header.Type {
	case unix.RTM_DELLINK:
		if h, ok := a.hooks[idx]; ok {
			// The kernel already dropped the hooks with the device; release our handles.
			_ = h.release(false)
			delete(a.hooks, idx)
			a.log.Info("Interface gone; flow programs released", zap.String("interface", h.name))
			a.events.Detached(h.name, h.mode)
		}
		a.gone[uint32(idx)] = time.Now()
	case unix.RTM_NEWLINK:
		a.names[uint32(idx)] = name
		delete(a.gone, uint32(idx))
		h, attached := a.hooks[idx]
		switch {
		case attached && h.name != name && !a.sel.Selected(name):
			// Renamed out of the selection.
			if err := h.release(true); err != nil {
				a.log.Warn("Detach failed", zap.String("interface", h.name), zap.Error(err))
			}
			delete(a.hooks, idx)
			a.events.Detached(h.name, h.mode)
		case attached:
			h.name = name
		case a.sel.Selected(name):
			a.attach(idx, name)
		}
	}
	a.publishNames()
}

func (a *Attacher) attach(idx int, name string) {
	mode := a.mode
	if mode == "" {
		mode = a.want
	}
	h, err := attachHook(idx, name, mode, a.progs)
	if mode == ModeAuto {
		if err == nil {
			mode = ModeTCX
		} else if errors.Is(err, ebpf.ErrNotSupported) {
			h, err = attachHook(idx, name, ModeTC, a.progs)
			mode = ModeTC
		}
	}
	if err != nil {
		a.events.AttachFailed(name, err)
		a.log.Warn("Could not attach flow programs; this interface's traffic is not recorded",
			zap.String("interface", name), zap.Error(err))
		return
	}
	if a.mode == "" {
		a.mode = mode
	}
	a.log.Info("Attached flow programs", zap.String("interface", name), zap.String("mode", string(mode)))
	h.mode = mode
	a.hooks[idx] = h
	a.events.Attached(name, mode)
}

// Mode returns how programs are attached ("" before the first attach).
func (a *Attacher) Mode() Mode {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mode
}

// Attached returns the names of the interfaces the programs are attached to.
func (a *Attacher) Attached() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.hooks))
	for _, h := range a.hooks {
		out = append(out, h.name)
	}
	return out
}

// IfaceName resolves an interface index without locking; safe from any goroutine.
func (a *Attacher) IfaceName(idx uint32) string {
	return (*a.snapshot.Load())[idx]
}

// ForgetGone drops the names of interfaces deleted before t; call it after each eviction so
// flows evicted after their interface vanished still get its name.
func (a *Attacher) ForgetGone(t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := false
	for idx, when := range a.gone {
		if when.Before(t) {
			delete(a.gone, idx)
			delete(a.names, idx)
			changed = true
		}
	}
	if changed {
		a.publishNames()
	}
}

func (a *Attacher) publishNames() {
	m := make(map[uint32]string, len(a.names))
	for k, v := range a.names {
		m[k] = v
	}
	a.snapshot.Store(&m)
}

// Close stops watching and removes every hook. It is safe to call when Start was not.
func (a *Attacher) Close() error {
	a.closing.Store(true)
	if a.cancel != nil {
		a.cancel()
		a.wg.Wait()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for idx, h := range a.hooks {
		if err := h.release(true); err != nil {
			errs = append(errs, fmt.Errorf("detach from %s: %w", h.name, err))
		}
		delete(a.hooks, idx)
		a.events.Detached(h.name, h.mode)
	}
	return errors.Join(errs...)
}
