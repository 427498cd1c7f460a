// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"fmt"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// Counters are the kernel-side counters, summed over CPUs, since load.
type Counters struct {
	MapFull       uint64 // packets sent through the overflow ring buffer because the map was full
	RingBufLost   uint64 // packets lost because the ring buffer was full too
	IfaceOverflow uint64 // flows seen on more interfaces than a flow remembers
	Malformed     uint64 // frames too short or truncated to be recorded

	FilterAccept  uint64 // packets a flow_filter rule accepted
	FilterReject  uint64 // packets a flow_filter rule rejected
	FilterNoMatch uint64 // packets no flow_filter rule matched (not recorded)
	DNSUnmatched  uint64 // DNS responses whose query was not seen
	DNSMalformed  uint64 // packets on a DNS port too short for a DNS header
	DropsLost     uint64 // drops not recorded: drop map full
	RTTLost       uint64 // RTT samples not recorded: RTT map full
	DNSLost       uint64 // DNS messages not recorded: DNS map full
	XlatLost      uint64 // translations not recorded: translation map full
}

// Counters reads the per-CPU counters map.
func (d *Datapath) Counters() (Counters, error) {
	var c Counters
	targets := map[bpfgen.FlowCounter]*uint64{
		bpfgen.FlowCounterCNT_MAP_FULL:       &c.MapFull,
		bpfgen.FlowCounterCNT_RINGBUF_LOST:   &c.RingBufLost,
		bpfgen.FlowCounterCNT_IFACE_OVERFLOW: &c.IfaceOverflow,
		bpfgen.FlowCounterCNT_MALFORMED:      &c.Malformed,
		bpfgen.FlowCounterCNT_FILTER_ACCEPT:  &c.FilterAccept,
		bpfgen.FlowCounterCNT_FILTER_REJECT:  &c.FilterReject,
		bpfgen.FlowCounterCNT_FILTER_NOMATCH: &c.FilterNoMatch,
		bpfgen.FlowCounterCNT_DNS_UNMATCHED:  &c.DNSUnmatched,
		bpfgen.FlowCounterCNT_DNS_MALFORMED:  &c.DNSMalformed,
		bpfgen.FlowCounterCNT_DROPS_LOST:     &c.DropsLost,
		bpfgen.FlowCounterCNT_RTT_LOST:       &c.RTTLost,
		bpfgen.FlowCounterCNT_DNS_LOST:       &c.DNSLost,
		bpfgen.FlowCounterCNT_XLAT_LOST:      &c.XlatLost,
	}
	var perCPU []uint64
	for idx, dst := range targets {
		if err := d.objs.Counters.Lookup(uint32(idx), &perCPU); err != nil {
			return c, fmt.Errorf("read counter %d: %w", idx, err)
		}
		for _, v := range perCPU {
			*dst += v
		}
	}
	return c, nil
}
