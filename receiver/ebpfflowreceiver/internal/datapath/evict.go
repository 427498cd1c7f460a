// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// batchSize is how many flows one BPF_MAP_LOOKUP_AND_DELETE_BATCH call moves. 4096 keeps the
// buffers at ~540 KiB and the syscall count at 25 for 100,000 flows.
const batchSize = 4096

// Evict flips the active flow map, waits until no program still writes into the previous one,
// then reads and deletes every flow it holds. fn gets the flows in chunks; the slices are reused
// after fn returns. It returns the number of flows evicted.
func (d *Datapath) Evict(fn func(keys []Key, vals []Stats)) (int, error) {
	d.evictMu.Lock()
	defer d.evictMu.Unlock()
	idle := d.objs.Flows0
	if d.gen&1 == 1 {
		idle = d.objs.Flows1
	}
	d.gen++
	if err := d.objs.ActiveGen.Set(d.gen); err != nil {
		return 0, fmt.Errorf("flip active flow map: %w", err)
	}
	if err := d.waitForPrograms(); err != nil {
		return 0, err
	}
	return d.drain(idle, fn)
}

// DrainAll empties both flow maps without flipping. Use it after the programs are detached.
func (d *Datapath) DrainAll(fn func(keys []Key, vals []Stats)) (int, error) {
	d.evictMu.Lock()
	defer d.evictMu.Unlock()
	if err := d.waitForPrograms(); err != nil {
		return 0, err
	}
	n0, err0 := d.drain(d.objs.Flows0, fn)
	n1, err1 := d.drain(d.objs.Flows1, fn)
	return n0 + n1, errors.Join(err0, err1)
}

// waitForPrograms returns once every program run that started before the call has finished:
// updating a map-in-map makes the kernel wait for an RCU grace period.
func (d *Datapath) waitForPrograms() error {
	if err := d.objs.SyncBarrier.Put(uint32(0), d.barrier); err != nil {
		return fmt.Errorf("wait for running flow programs: %w", err)
	}
	return nil
}

func (d *Datapath) drain(m *ebpf.Map, fn func(keys []Key, vals []Stats)) (int, error) {
	if d.keys == nil {
		d.keys = make([]Key, batchSize)
		d.vals = make([]Stats, batchSize)
	}
	var cursor ebpf.MapBatchCursor
	total := 0
	for {
		n, err := m.BatchLookupAndDelete(&cursor, d.keys, d.vals, nil)
		if n > 0 {
			fn(d.keys[:n], d.vals[:n])
			total += n
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return total, nil
		}
		if errors.Is(err, ebpf.ErrNotSupported) {
			more, err := d.drainByIteration(m, fn)
			return total + more, err
		}
		if err != nil {
			return total, fmt.Errorf("drain %s: %w", m, err)
		}
	}
}

// drainByIteration is the fallback for kernels without batch map operations (< 5.6). The map
// is idle, so iterating and deleting cannot race with the programs.
func (d *Datapath) drainByIteration(m *ebpf.Map, fn func(keys []Key, vals []Stats)) (int, error) {
	var k Key
	var v Stats
	n := 0
	it := m.Iterate()
	for it.Next(&k, &v) {
		d.keys[n], d.vals[n] = k, v
		n++
		if n == len(d.keys) {
			break
		}
	}
	if err := it.Err(); err != nil {
		return 0, fmt.Errorf("iterate %s: %w", m, err)
	}
	for i := range n {
		if err := m.Delete(&d.keys[i]); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return 0, fmt.Errorf("delete from %s: %w", m, err)
		}
	}
	if n > 0 {
		fn(d.keys[:n], d.vals[:n])
	}
	if n == len(d.keys) {
		more, err := d.drainByIteration(m, fn)
		return n + more, err
	}
	return n, nil
}
