// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package datapath loads the flow programs into the kernel and drains what they record: the two
// flow maps used in turn, the overflow ring buffer and the loss counters. It knows nothing of
// interfaces (package attach) or of pdata (package decode).
package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// Key and Stats are the Go mirrors of struct flow_key and struct flow_stats (bpf/types.h).
type (
	Key    = bpfgen.FlowFlowKey
	Stats  = bpfgen.FlowFlowStats
	Record = bpfgen.FlowFlowRecord
)

// MaxIfaces is how many interfaces one flow remembers (MAX_IFACES in bpf/types.h).
const MaxIfaces = len(Stats{}.Ifindex)

// Settings are the load-time parameters of the programs.
type Settings struct {
	// Sampling: 1 packet in Sampling is recorded; 0 and 1 record every packet.
	Sampling uint32
	// MaxFlows is the capacity of each of the two flow maps.
	MaxFlows uint32
	// RingBufBytes is the size of the overflow ring buffer (a power of two, at least a page).
	RingBufBytes uint32

	// Map layout knobs, for benchmarks that compare the alternatives.
	mapType    ebpf.MapType
	noPrealloc bool
}

// Datapath is a loaded flow program set. Its methods are safe for one evicting goroutine plus
// any number of readers of Counters.
type Datapath struct {
	objs    bpfgen.FlowObjects
	barrier *ebpf.Map // inner map swapped into sync_barrier to force a grace period
	gen     uint32

	evictMu sync.Mutex
	keys    []Key
	vals    []Stats
}

// Load verifies and loads the programs. Nothing is attached yet.
func Load(s Settings) (*Datapath, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	spec, err := bpfgen.LoadFlow()
	if err != nil {
		return nil, err
	}
	sampling := s.Sampling
	if sampling == 0 {
		sampling = 1
	}
	if err := spec.Variables[bpfgen.FlowVarSampling].Set(sampling); err != nil {
		return nil, fmt.Errorf("set sampling: %w", err)
	}
	for _, name := range []string{bpfgen.FlowMapFlows0, bpfgen.FlowMapFlows1} {
		m := spec.Maps[name]
		m.MaxEntries = max(s.MaxFlows, 1)
		if s.mapType != 0 {
			m.Type = s.mapType
		}
		if s.noPrealloc {
			m.Flags |= 1 // BPF_F_NO_PREALLOC
		}
	}
	if s.RingBufBytes != 0 {
		spec.Maps[bpfgen.FlowMapFlowOverflow].MaxEntries = s.RingBufBytes
	}
	d := &Datapath{}
	if err := spec.LoadAndAssign(&d.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("load flow programs: %w\n%+v", err, ve)
		}
		return nil, fmt.Errorf("load flow programs: %w", err)
	}
	d.barrier, err = ebpf.NewMap(spec.Maps[bpfgen.FlowMapSyncBarrier].InnerMap)
	if err != nil {
		d.objs.Close()
		return nil, fmt.Errorf("create barrier map: %w", err)
	}
	return d, nil
}

// Ingress and Egress are the programs to attach to each interface.
func (d *Datapath) Ingress() *ebpf.Program { return d.objs.FlowIngress }
func (d *Datapath) Egress() *ebpf.Program  { return d.objs.FlowEgress }

// Overflow is the ring buffer that carries packets whose flow did not fit in the map.
func (d *Datapath) Overflow() *ebpf.Map { return d.objs.FlowOverflow }

// Close releases the programs and maps. Links must be closed first.
func (d *Datapath) Close() error {
	return errors.Join(d.barrier.Close(), d.objs.Close())
}
