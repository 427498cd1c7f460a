// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"net"
	"net/netip"
	"sync/atomic"
)

// localAddrs is the set of this host's addresses, refreshed at each eviction; the decoder uses it
// for the node-level direction of each flow.
type localAddrs struct {
	set atomic.Pointer[map[netip.Addr]struct{}]
}

func (l *localAddrs) refresh() error {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return err
	}
	m := make(map[netip.Addr]struct{}, len(addrs))
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			m[p.Addr().Unmap()] = struct{}{}
		}
	}
	l.set.Store(&m)
	return nil
}

func (l *localAddrs) contains(a netip.Addr) bool {
	m := l.set.Load()
	if m == nil {
		return false
	}
	_, ok := (*m)[a]
	return ok
}

// detectNodeIP picks the address that identifies this node when node_ip is not set: the first
// global unicast address, IPv4 first. It reads interface addresses only; it sends nothing.
func detectNodeIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	var v6 string
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil || !p.Addr().IsGlobalUnicast() {
			continue
		}
		if p.Addr().Is4() {
			return p.Addr().String()
		}
		if v6 == "" {
			v6 = p.Addr().String()
		}
	}
	return v6
}
