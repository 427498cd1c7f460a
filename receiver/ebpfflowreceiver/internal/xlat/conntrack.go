// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package xlat finds the address translations (NAT) of flows in userspace, from the kernel's
// connection tracking table over netlink: the PacketTranslation path for kernels where neither
// fentry nor kprobes can run. Once per eviction, one dump of the translated connections (the
// kernel filters them by status where it can) is joined with the evicted flows, instead of one
// query per flow.
package xlat // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/xlat"

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ti-mo/conntrack"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

const (
	protoTCP  = 6
	protoUDP  = 17
	protoSCTP = 132
)

// Conntrack reads the connection tracking table of the network namespace it was opened in.
type Conntrack struct {
	conn *conntrack.Conn
}

// Open dials ctnetlink and checks that a dump works (it needs CAP_NET_ADMIN).
func Open() (*Conntrack, error) {
	c, err := conntrack.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("open conntrack netlink: %w", err)
	}
	ct := &Conntrack{conn: c}
	if _, err := ct.Snapshot(); err != nil {
		_ = c.Close()
		return nil, err
	}
	return ct, nil
}

// Close releases the netlink socket.
func (c *Conntrack) Close() error { return c.conn.Close() }

// Table maps a flow key to the flow's addresses and ports after translation.
type Table map[datapath.Key]datapath.XlatStats

// Snapshot dumps the translated connections. Each gives two entries: the flow of the original
// direction (client -> service) translated into the reply tuple reversed (client -> endpoint,
// with SNAT applied), and the flow of the reverse direction (service -> client) translated into
// the reply tuple (endpoint -> client), as the kernel hooks record them.
func (c *Conntrack) Snapshot() (Table, error) {
	t := Table{}
	seen := map[uint32]bool{}
	var errs []error
	for _, st := range []conntrack.Status{conntrack.StatusSrcNAT, conntrack.StatusDstNAT} {
		flows, err := c.conn.DumpFilter(conntrack.NewFilter().Status(st), nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("dump conntrack (status %s): %w", st, err))
			continue
		}
		for i := range flows {
			f := &flows[i]
			// Kernels before 5.15 ignore the status filter: check it here too.
			if f.Status&conntrack.StatusNATMask == 0 || seen[f.ID] {
				continue
			}
			seen[f.ID] = true
			t.add(f)
		}
	}
	return t, errors.Join(errs...)
}

func (t Table) add(f *conntrack.Flow) {
	o, r := f.TupleOrig, f.TupleReply
	p := o.Proto.Protocol
	if p != protoTCP && p != protoUDP && p != protoSCTP {
		return
	}
	fwd := key(o.IP.SourceAddress, o.IP.DestinationAddress, o.Proto.SourcePort, o.Proto.DestinationPort, p)
	rev := key(o.IP.DestinationAddress, o.IP.SourceAddress, o.Proto.DestinationPort, o.Proto.SourcePort, p)
	t[fwd] = xlat(r.IP.DestinationAddress, r.IP.SourceAddress, r.Proto.DestinationPort, r.Proto.SourcePort, f.Zone)
	t[rev] = xlat(r.IP.SourceAddress, r.IP.DestinationAddress, r.Proto.SourcePort, r.Proto.DestinationPort, f.Zone)
}

func key(src, dst netip.Addr, sport, dport uint16, proto uint8) datapath.Key {
	k := datapath.Key{SrcIp: src.As16(), DstIp: dst.As16(), SrcPort: sport, DstPort: dport, Proto: proto, EthProto: 0x86dd}
	if src.Unmap().Is4() {
		k.EthProto = 0x0800
	}
	return k
}

func xlat(src, dst netip.Addr, sport, dport, zone uint16) datapath.XlatStats {
	x := datapath.XlatStats{SrcIp: src.As16(), DstIp: dst.As16(), SrcPort: sport, DstPort: dport, ZoneId: zone, EthProto: 0x86dd}
	if src.Unmap().Is4() {
		x.EthProto = 0x0800
	}
	return x
}
