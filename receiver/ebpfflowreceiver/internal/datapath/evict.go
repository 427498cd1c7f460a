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

// DrainFunc gets evicted flows in chunks; the slices are reused after it returns. feats is nil
// when no feature is on; otherwise feats[i] holds the feature data of keys[i] (nil when none).
type DrainFunc func(keys []Key, vals []Stats, feats []*Features)

// Evict flips the active maps, waits until no program still writes into the previous ones, then
// reads and deletes every flow and feature entry they hold. Feature entries are merged into their
// flow; those whose flow has no entry come last, as records of their own. It returns the number
// of records handed to fn.
func (d *Datapath) Evict(fn DrainFunc) (int, error) {
	d.evictMu.Lock()
	defer d.evictMu.Unlock()
	idle := d.gen
	d.gen++
	if err := d.objs.ActiveGen.Set(d.gen); err != nil {
		return 0, fmt.Errorf("flip active flow map: %w", err)
	}
	if err := d.waitForPrograms(); err != nil {
		return 0, err
	}
	return d.drainGen(idle, fn)
}

// DrainAll empties the maps of both generations without flipping. Use it after the programs are
// detached.
func (d *Datapath) DrainAll(fn DrainFunc) (int, error) {
	d.evictMu.Lock()
	defer d.evictMu.Unlock()
	if err := d.waitForPrograms(); err != nil {
		return 0, err
	}
	n0, err0 := d.drainGen(0, fn)
	n1, err1 := d.drainGen(1, fn)
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

// drainGen drains the maps of generation gen (its parity picks the maps).
func (d *Datapath) drainGen(gen uint32, fn DrainFunc) (int, error) {
	feats, ferr := d.drainFeatures(gen)
	flows := d.objs.Flows0
	if gen&1 == 1 {
		flows = d.objs.Flows1
	}
	if d.keys == nil {
		d.keys = make([]Key, batchSize)
		d.vals = make([]Stats, batchSize)
	}
	var fbuf []*Features
	n := 0
	err := drainInto(flows, d.keys, d.vals, func(keys []Key, vals []Stats) {
		if feats == nil {
			fn(keys, vals, nil)
			n += len(keys)
			return
		}
		if fbuf == nil {
			fbuf = make([]*Features, batchSize)
		}
		fs := fbuf[:len(keys)]
		for i := range keys {
			fs[i] = feats[keys[i]]
			if fs[i] != nil {
				delete(feats, keys[i])
			}
		}
		fn(keys, vals, fs)
		n += len(keys)
	})
	if len(feats) > 0 {
		n += orphans(feats, fn)
	}
	return n, errors.Join(ferr, err)
}

// drainMap reads and deletes every entry of m, batch entries at a time.
func drainMap[K, V any](m *ebpf.Map, batch int, fn func(keys []K, vals []V)) error {
	return drainInto(m, make([]K, batch), make([]V, batch), fn)
}

func drainInto[K, V any](m *ebpf.Map, keys []K, vals []V, fn func(keys []K, vals []V)) error {
	var cursor ebpf.MapBatchCursor
	for {
		n, err := m.BatchLookupAndDelete(&cursor, keys, vals, nil)
		if n > 0 {
			fn(keys[:n], vals[:n])
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if errors.Is(err, ebpf.ErrNotSupported) {
			return drainByIteration(m, keys, vals, fn)
		}
		if err != nil {
			return fmt.Errorf("drain %s: %w", m, err)
		}
	}
}

// drainByIteration is the fallback for kernels without batch map operations (< 5.6). The map
// is idle, so iterating and deleting cannot race with the programs.
func drainByIteration[K, V any](m *ebpf.Map, keys []K, vals []V, fn func(keys []K, vals []V)) error {
	for {
		var k K
		var v V
		n := 0
		it := m.Iterate()
		for n < len(keys) && it.Next(&k, &v) {
			keys[n], vals[n] = k, v
			n++
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("iterate %s: %w", m, err)
		}
		for i := range n {
			if err := m.Delete(&keys[i]); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
				return fmt.Errorf("delete from %s: %w", m, err)
			}
		}
		if n > 0 {
			fn(keys[:n], vals[:n])
		}
		if n < len(keys) {
			return nil
		}
	}
}

func joinErrs(errs []error) error { return errors.Join(errs...) }
