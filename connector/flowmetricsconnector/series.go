// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"sort"
)

type skipReason uint8

const (
	skipNone skipReason = iota
	skipMissing
	skipNotNumeric
	skipNegative
)

// series is one label set of a metric. Series live in a slab (no pointer per series for the
// garbage collector to chase); the key string is both the index's key and the label values.
type series struct {
	key   string  // encoded label values (view.key)
	value float64 // counter total, gauge value, or histogram sum
	count uint64  // histogram observations
	start int64   // unix ns of the first update: the cumulative start time; 0 marks a free slot
	last  int64   // unix ns of the latest update, for expiry
}

func (s *series) live() bool { return s.start != 0 }

// table holds the series of one metric and the guard's state. Callers hold the connector lock.
type table struct {
	def   *metricDef
	max   int
	index map[string]int32
	slab  []series
	free  []int32
	nb    int      // histogram buckets per series (bounds + 1)
	hist  []uint64 // histogram bucket counts, nb per slab entry

	overflow     series
	overflowHist []uint64
	hasOverflow  bool

	// telemetry since the last report
	created, overflowed, expired int64
	skipped                      [skipNegative + 1]int64
}

func newTable(def *metricDef, maxSeries int) *table {
	t := &table{def: def, max: maxSeries, index: map[string]int32{}}
	if def.kind == kindHistogram {
		t.nb = len(def.bounds) + 1
		t.overflowHist = make([]uint64, t.nb)
	}
	return t
}

// active is the number of series held, the overflow series included.
func (t *table) active() int {
	n := len(t.index)
	if t.hasOverflow {
		n++
	}
	return n
}

// lookup returns the series of key, creating it within the budget, else the overflow series.
func (t *table) lookup(key []byte, now int64) (*series, []uint64) {
	if i, ok := t.index[string(key)]; ok {
		return &t.slab[i], t.buckets(i)
	}
	if len(t.index) >= t.max {
		t.overflowed++
		if !t.hasOverflow {
			t.hasOverflow = true
			t.overflow = series{start: now}
			clear(t.overflowHist)
		}
		return &t.overflow, t.overflowHist
	}
	var i int32
	if n := len(t.free); n > 0 {
		i, t.free = t.free[n-1], t.free[:n-1]
	} else {
		i = int32(len(t.slab))
		t.slab = append(t.slab, series{})
		if t.nb > 0 {
			t.hist = append(t.hist, make([]uint64, t.nb)...)
		}
	}
	k := string(key)
	t.slab[i] = series{key: k, start: now}
	t.index[k] = i
	t.created++
	b := t.buckets(i)
	clear(b)
	return &t.slab[i], b
}

func (t *table) buckets(i int32) []uint64 {
	if t.nb == 0 {
		return nil
	}
	return t.hist[int(i)*t.nb : (int(i)+1)*t.nb]
}

// update applies one record's value x to series s.
func (t *table) update(s *series, b []uint64, x float64, now int64) {
	s.last = now
	switch t.def.kind {
	case kindCounter:
		s.value += x
	case kindGauge:
		s.value = x
	case kindHistogram:
		// Bucket i counts values <= bounds[i] (Prometheus' le); the last one is +Inf.
		b[sort.SearchFloat64s(t.def.bounds, x)]++
		s.count++
		s.value += x
	}
}

// expire drops series without an update since cutoff (unix ns) and returns how many.
func (t *table) expire(cutoff int64) {
	for i := range t.slab {
		s := &t.slab[i]
		if !s.live() || s.last >= cutoff {
			continue
		}
		delete(t.index, s.key)
		*s = series{}
		t.free = append(t.free, int32(i))
		t.expired++
	}
	if t.hasOverflow && t.overflow.last < cutoff {
		t.hasOverflow = false
		t.expired++
	}
	// Give memory back once most of a large slab is free (after a burst of label sets).
	if len(t.slab) > 1024 && len(t.free) > 3*len(t.slab)/4 {
		t.compact()
	}
}

// compact rebuilds the slab with only the live series.
func (t *table) compact() {
	slab := make([]series, 0, len(t.index))
	var hist []uint64
	for i := range t.slab {
		s := t.slab[i]
		if !s.live() {
			continue
		}
		t.index[s.key] = int32(len(slab))
		slab = append(slab, s)
		if t.nb > 0 {
			hist = append(hist, t.buckets(int32(i))...)
		}
	}
	t.slab, t.hist, t.free = slab, hist, nil
}
