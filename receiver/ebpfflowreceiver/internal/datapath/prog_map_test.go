// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf/ringbuf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// packetsByKey keeps only the packet counts, for compact comparisons.
func packetsByKey(flows map[Key]Stats) map[Key]uint32 {
	out := map[Key]uint32{}
	for k, s := range flows {
		out[k] = s.Packets
	}
	return out
}

// readOverflow returns every record waiting in the overflow ring buffer, without blocking.
func readOverflow(t *testing.T, rd *ringbuf.Reader) []Record {
	t.Helper()
	var out []Record
	rd.SetDeadline(time.Now()) // a past deadline: return what is there, then ErrDeadlineExceeded
	for {
		raw, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return out
		}
		require.NoError(t, err)
		require.Len(t, raw.RawSample, binary.Size(Record{}))
		var r Record
		require.NoError(t, binary.Read(bytes.NewReader(raw.RawSample), binary.NativeEndian, &r))
		out = append(out, r)
	}
}

func overflowReader(t *testing.T, d *Datapath) *ringbuf.Reader {
	t.Helper()
	rd, err := ringbuf.NewReader(d.Overflow())
	require.NoError(t, err)
	t.Cleanup(func() { _ = rd.Close() })
	return rd
}

func TestProgDoubleBuffer(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{})
	fa, fb, fc, fd := tcpFrame(1, "A"), tcpFrame(2, "A"), tcpFrame(3, "A"), tcpFrame(4, "A")
	a, b := fa.Bytes(t), fb.Bytes(t)

	send(t, d.Ingress(), a, 3)
	assert.Equal(t, map[Key]uint32{keyOf(fa): 3}, packetsByKey(evictAll(t, d)))

	// The first eviction deleted what it read: only the packets sent since come back.
	send(t, d.Ingress(), a, 2)
	send(t, d.Ingress(), b, 1)
	assert.Equal(t, map[Key]uint32{keyOf(fa): 2, keyOf(fb): 1}, packetsByKey(evictAll(t, d)))
	assert.Empty(t, evictAll(t, d))
	assert.Empty(t, evictAll(t, d))

	// DrainAll empties both maps. The programs only write the active one, so the test flips
	// active_gen behind Evict's back to put a flow in the idle map too.
	send(t, d.Ingress(), fc.Bytes(t), 1)
	require.NoError(t, d.objs.ActiveGen.Set(d.gen+1))
	send(t, d.Ingress(), fd.Bytes(t), 2)
	require.NoError(t, d.objs.ActiveGen.Set(d.gen))
	assert.Equal(t, map[Key]uint32{keyOf(fc): 1, keyOf(fd): 2}, packetsByKey(drainAll(t, d)))
	assert.Empty(t, drainAll(t, d))
	assert.Empty(t, evictAll(t, d))
	assert.Empty(t, evictAll(t, d))

	// DrainAll does not flip: the programs keep writing the same map, which Evict then reads.
	send(t, d.Ingress(), a, 1)
	assert.Equal(t, map[Key]uint32{keyOf(fa): 1}, packetsByKey(evictAll(t, d)))
	assert.Equal(t, Counters{}, counters(t, d))
}

func TestProgMapFull(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{MaxFlows: 2})
	rd := overflowReader(t, d)
	var fs []testutil.Frame
	var frames [][]byte
	for i := range 5 {
		f := tcpFrame(uint16(100+i), "S")
		fs = append(fs, f)
		frames = append(frames, f.Bytes(t))
	}
	since := monotonicNs(t)
	for _, frame := range frames {
		send(t, d.Ingress(), frame, 1)
	}
	assert.Equal(t, Counters{MapFull: 3}, counters(t, d))
	// A packet of a flow already in the full map is a hit, not an insert.
	send(t, d.Ingress(), frames[0], 1)
	assert.Equal(t, Counters{MapFull: 3}, counters(t, d))
	// Each packet of a flow that did not fit travels alone.
	send(t, d.Egress(), frames[4], 1)
	assert.Equal(t, Counters{MapFull: 4}, counters(t, d))

	recs := readOverflow(t, rd)
	require.Len(t, recs, 4)
	for i, r := range recs[:3] {
		assert.Equal(t, keyOf(fs[2+i]), r.Key, "record %d", i)
		assert.Equal(t, statsOf(fs[2+i], frames[2+i], 1, 0, loIfindex), withoutTimes(t, r.Stats, since), "record %d", i)
	}
	assert.Equal(t, keyOf(fs[4]), recs[3].Key)
	assert.Equal(t, statsOf(fs[4], frames[4], 1, 1, loIfindex), withoutTimes(t, recs[3].Stats, since))

	assert.Equal(t, map[Key]uint32{keyOf(fs[0]): 2, keyOf(fs[1]): 1}, packetsByKey(evictAll(t, d)))

	// After the flip the other map, empty, takes new flows again: MaxFlows is per map.
	for _, frame := range frames[2:] {
		send(t, d.Ingress(), frame, 1)
	}
	assert.Equal(t, Counters{MapFull: 5}, counters(t, d))
	recs = readOverflow(t, rd)
	require.Len(t, recs, 1)
	assert.Equal(t, keyOf(fs[4]), recs[0].Key)
	assert.Equal(t, map[Key]uint32{keyOf(fs[2]): 1, keyOf(fs[3]): 1}, packetsByKey(evictAll(t, d)))
}

func TestProgRingBufLost(t *testing.T) {
	t.Parallel()
	page := os.Getpagesize()
	d := load(t, Settings{MaxFlows: 1, RingBufBytes: uint32(page)})
	rd := overflowReader(t, d)
	require.Equal(t, page, rd.BufferSize())

	const n = 200
	var keys []Key
	for i := range n + 1 {
		f := tcpFrame(uint16(1000+i), "A")
		keys = append(keys, keyOf(f))
		send(t, d.Ingress(), f.Bytes(t), 1) // the first fills the map, the rest overflow
	}
	c := counters(t, d)
	recs := readOverflow(t, rd)
	assert.Equal(t, uint64(n), c.MapFull)
	assert.Equal(t, c.MapFull, uint64(len(recs))+c.RingBufLost)
	// Each record takes an 8-byte header plus the record, rounded up to 8 bytes.
	slot := (8 + binary.Size(Record{}) + 7) &^ 7
	assert.Equal(t, page/slot, len(recs), "records that fit in one page")
	for i, r := range recs {
		assert.Equal(t, keys[1+i], r.Key, "the first overflowing flows are the ones kept")
	}

	// Once read, the ring has room again.
	send(t, d.Ingress(), tcpFrame(999, "A").Bytes(t), 1)
	recs2 := readOverflow(t, rd)
	require.Len(t, recs2, 1)
	assert.Equal(t, keyOf(tcpFrame(999, "A")), recs2[0].Key)
	assert.Equal(t, c.RingBufLost, counters(t, d).RingBufLost)
	t.Logf("ring of %d bytes: %d records kept, %d lost", page, len(recs), c.RingBufLost)
}
