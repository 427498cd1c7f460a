// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/cilium/ebpf/ringbuf"
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
)

// overflow reads the packets the kernel could not fit in the flow map and aggregates them into
// flows until the next eviction takes them.
type overflow struct {
	log    *zap.Logger
	reader *ringbuf.Reader
	onRead func()

	mu    sync.Mutex
	flows map[datapath.Key]*datapath.Stats

	wg sync.WaitGroup
}

func newOverflow(log *zap.Logger, r *ringbuf.Reader, onRead func()) *overflow {
	return &overflow{log: log, reader: r, onRead: onRead, flows: map[datapath.Key]*datapath.Stats{}}
}

func (o *overflow) start() {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		o.read()
	}()
}

// read reads records until stop flushes the reader (after returning what is left) or closes it.
func (o *overflow) read() {
	var rec ringbuf.Record
	for {
		if err := o.reader.ReadInto(&rec); err != nil {
			if errors.Is(err, ringbuf.ErrFlushed) || errors.Is(err, ringbuf.ErrClosed) {
				return
			}
			o.log.Warn("Reading the overflow ring buffer failed", zap.Error(err))
			continue
		}
		if len(rec.RawSample) < int(unsafe.Sizeof(datapath.Record{})) {
			continue
		}
		r := (*datapath.Record)(unsafe.Pointer(&rec.RawSample[0]))
		o.add(&r.Key, &r.Stats)
		o.onRead()
	}
}

func (o *overflow) add(k *datapath.Key, s *datapath.Stats) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cur, ok := o.flows[*k]; ok {
		mergeStats(cur, s)
		return
	}
	c := *s
	o.flows[*k] = &c
}

// take returns the flows aggregated so far and starts a new window.
func (o *overflow) take() map[datapath.Key]*datapath.Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.flows) == 0 {
		return nil
	}
	out := o.flows
	o.flows = map[datapath.Key]*datapath.Stats{}
	return out
}

// stop reads what is left in the ring buffer, then closes it. Call it once the programs are
// detached, so nothing more arrives.
func (o *overflow) stop() error {
	if err := o.reader.Flush(); err != nil {
		return errors.Join(fmt.Errorf("flush overflow ring buffer: %w", err), o.reader.Close())
	}
	o.wg.Wait()
	return o.reader.Close()
}

// mergeStats adds b's packets into a like the kernel does: counters add up only for packets seen
// on a's counting interface and direction (a packet crossing two interfaces is one packet), times
// widen, flags and interfaces join.
func mergeStats(a, b *datapath.Stats) {
	if b.Ifindex[0] == a.Ifindex[0] && b.FirstDir == a.FirstDir {
		a.Bytes += b.Bytes
		a.Packets += b.Packets
	}
	a.TcpFlags |= b.TcpFlags
	if b.FirstSeenNs < a.FirstSeenNs {
		a.FirstSeenNs = b.FirstSeenNs
	}
	if b.LastSeenNs > a.LastSeenNs {
		a.LastSeenNs = b.LastSeenNs
	}
	nb := min(int(b.N_ifaces), datapath.MaxIfaces)
	for i := 0; i < nb; i++ {
		mergeIface(a, b.Ifindex[i], b.IfDir[i])
	}
}

func mergeIface(a *datapath.Stats, ifindex uint32, dir uint8) {
	n := min(int(a.N_ifaces), datapath.MaxIfaces)
	for i := 0; i < n; i++ {
		if a.Ifindex[i] == ifindex {
			a.IfDir[i] |= dir
			return
		}
	}
	if n == datapath.MaxIfaces {
		return
	}
	a.Ifindex[n] = ifindex
	a.IfDir[n] = dir
	a.N_ifaces = uint32(n + 1)
}

// mergeOverflow adds the overflow ring buffer's aggregate s of a flow into the evicted value a.
// An evicted entry made of feature data only (no packet went to the flow map) takes s whole.
func mergeOverflow(a, s *datapath.Stats, feats []*datapath.Features, i int) {
	if feats != nil && feats[i] != nil && feats[i].NoTraffic {
		*a = *s
		feats[i].NoTraffic = false
		return
	}
	mergeStats(a, s)
}
