// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"fmt"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// Counters are the kernel-side loss counters, summed over CPUs, since load.
type Counters struct {
	MapFull       uint64 // packets sent through the overflow ring buffer because the map was full
	RingBufLost   uint64 // packets lost because the ring buffer was full too
	IfaceOverflow uint64 // flows seen on more interfaces than a flow remembers
	Malformed     uint64 // frames too short or truncated to be recorded
}

// Counters reads the per-CPU counters map.
func (d *Datapath) Counters() (Counters, error) {
	var c Counters
	targets := map[bpfgen.FlowCounter]*uint64{
		bpfgen.FlowCounterCNT_MAP_FULL:       &c.MapFull,
		bpfgen.FlowCounterCNT_RINGBUF_LOST:   &c.RingBufLost,
		bpfgen.FlowCounterCNT_IFACE_OVERFLOW: &c.IfaceOverflow,
		bpfgen.FlowCounterCNT_MALFORMED:      &c.Malformed,
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
