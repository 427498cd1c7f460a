// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package attach // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/attach"

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// filterName marks our clsact filters, so they can be told apart from other tools' filters.
const filterName = "flowlens"

// hook is the pair of programs attached to one interface.
type hook struct {
	name  string
	mode  Mode
	links []io.Closer // TCX links
	// tc mode: our filters, and whether we created the clsact qdisc.
	filters      []*netlink.BpfFilter
	createdQdisc *netlink.Clsact
}

func attachHook(idx int, name string, mode Mode, p Programs) (*hook, error) {
	h := &hook{name: name}
	var err error
	switch mode {
	case ModeTC:
		err = h.attachTC(idx, p)
	default:
		err = h.attachTCX(idx, p)
	}
	if err != nil {
		_ = h.release(true)
		return nil, err
	}
	return h, nil
}

func (h *hook) attachTCX(idx int, p Programs) error {
	for _, x := range []struct {
		prog *ebpf.Program
		at   ebpf.AttachType
	}{{p.Ingress, ebpf.AttachTCXIngress}, {p.Egress, ebpf.AttachTCXEgress}} {
		l, err := link.AttachTCX(link.TCXOptions{Interface: idx, Program: x.prog, Attach: x.at})
		if err != nil {
			return fmt.Errorf("tcx attach: %w", err)
		}
		h.links = append(h.links, l)
	}
	return nil
}

func (h *hook) attachTC(idx int, p Programs) error {
	q := &netlink.Clsact{QdiscAttrs: netlink.QdiscAttrs{
		LinkIndex: idx, Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT,
	}}
	switch err := netlink.QdiscAdd(q); {
	case err == nil:
		h.createdQdisc = q
	case errors.Is(err, unix.EEXIST):
	default:
		return fmt.Errorf("add clsact qdisc: %w", err)
	}
	for _, x := range []struct {
		prog   *ebpf.Program
		parent uint32
	}{{p.Ingress, netlink.HANDLE_MIN_INGRESS}, {p.Egress, netlink.HANDLE_MIN_EGRESS}} {
		f := &netlink.BpfFilter{
			FilterAttrs: netlink.FilterAttrs{
				LinkIndex: idx, Parent: x.parent, Handle: netlink.MakeHandle(0, 1),
				Protocol: unix.ETH_P_ALL, Priority: 1,
			},
			Fd: x.prog.FD(), Name: filterName, DirectAction: true,
		}
		if err := netlink.FilterAdd(f); err != nil {
			return fmt.Errorf("add tc filter: %w", err)
		}
		h.filters = append(h.filters, f)
	}
	return nil
}

// release removes the hooks. With detach false the device is gone and only handles are freed.
func (h *hook) release(detach bool) error {
	var errs []error
	for _, l := range h.links {
		if err := l.Close(); err != nil && detach {
			errs = append(errs, err)
		}
	}
	h.links = nil
	if detach {
		for _, f := range h.filters {
			if err := netlink.FilterDel(f); err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENODEV) {
				errs = append(errs, fmt.Errorf("delete tc filter: %w", err))
			}
		}
		if h.createdQdisc != nil {
			if err := netlink.QdiscDel(h.createdQdisc); err != nil && !errors.Is(err, unix.ENOENT) &&
				!errors.Is(err, unix.ENODEV) && !errors.Is(err, unix.EINVAL) {
				errs = append(errs, fmt.Errorf("delete clsact qdisc: %w", err))
			}
		}
	}
	h.filters = nil
	h.createdQdisc = nil
	return errors.Join(errs...)
}
