// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// refParse is a Go model of parse_frame (bpf/parse.h) and of the link scoping in flow.c, written
// from their comments: the key of a frame seen on loopback, or false when the frame is
// malformed. Used to check the program on random frames.
func refParse(b []byte) (k Key, flags uint32, ok bool) {
	k, flags, ok = refParseFrame(b)
	if ok && linkScoped(k) {
		k.LinkIfindex, k.LinkDir = loIfindex, 0 // run by the ingress program
	}
	return k, flags, ok
}

func refParseFrame(b []byte) (k Key, flags uint32, ok bool) {
	if len(b) < ethLen {
		return k, 0, false
	}
	proto, off := binary.BigEndian.Uint16(b[12:]), ethLen
	for i := 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++ {
		if len(b) < off+vlanLen {
			return k, 0, false
		}
		proto, off = binary.BigEndian.Uint16(b[off+2:]), off+vlanLen
	}
	k.EthProto = proto
	switch proto {
	case 0x0800:
		if len(b) < off+ipv4Len {
			return k, 0, false
		}
		ihl := int(b[off]&0x0f) * 4
		if ihl < ipv4Len {
			return k, 0, false
		}
		copy(k.SrcIp[:], net.IP(b[off+12:off+16]).To16())
		copy(k.DstIp[:], net.IP(b[off+16:off+20]).To16())
		k.Proto = b[off+9]
		if binary.BigEndian.Uint16(b[off+6:])&0x1fff != 0 {
			return k, 0, true
		}
		off += ihl
	case 0x86dd:
		if len(b) < off+ipv6Len {
			return k, 0, false
		}
		copy(k.SrcIp[:], b[off+8:off+24])
		copy(k.DstIp[:], b[off+24:off+40])
		k.Proto = b[off+6]
		off += ipv6Len
		// Up to 4 extension headers: hop-by-hop, routing, destination options, fragment.
		for i := 0; i < 4 && (k.Proto == 0 || k.Proto == 43 || k.Proto == 60 || k.Proto == 44); i++ {
			if len(b) < off+8 {
				return k, 0, false
			}
			if k.Proto == 44 {
				k.Proto = b[off]
				if binary.BigEndian.Uint16(b[off+2:])&0xfff8 != 0 {
					return k, 0, true
				}
				off += 8
				continue
			}
			k.Proto, off = b[off], off+(int(b[off+1])+1)*8
		}
	default:
		copy(k.SrcIp[:], b[6:12])
		copy(k.DstIp[:], b[0:6])
		return k, 0, true
	}
	need := map[uint8]int{6: 20, 17: 8, 132: 4, 1: 2, 58: 2}[k.Proto]
	if need == 0 {
		return k, 0, true
	}
	if len(b) < off+need {
		return k, 0, false
	}
	l4 := b[off:]
	switch k.Proto {
	case 1, 58:
		k.IcmpType, k.IcmpCode = l4[0], l4[1]
	default:
		k.SrcPort, k.DstPort = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:])
	}
	if k.Proto == 6 {
		flags = uint32(l4[13])
		for _, combo := range []uint32{0x12, 0x11, 0x14} {
			if flags&combo == combo {
				flags |= map[uint32]uint32{0x12: 0x100, 0x11: 0x200, 0x14: 0x400}[combo]
			}
		}
	}
	return k, flags, true
}

// randomFrame makes mostly-random frames biased toward the parser's branches: VLAN tags, IP
// versions, known L4 protocols, short IHLs, fragments and every length around the headers.
func randomFrame(rng *rand.Rand) []byte {
	b := make([]byte, ethLen+rng.IntN(100))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	pick := func(vs ...uint16) uint16 { return vs[rng.IntN(len(vs))] }
	etherAt := func(off int, v uint16) {
		if off+2 <= len(b) {
			binary.BigEndian.PutUint16(b[off:], v)
		}
	}
	off := 12
	for tags := rng.IntN(4); tags > 0 && rng.IntN(2) == 0; tags-- {
		etherAt(off, pick(0x8100, 0x88a8))
		off += vlanLen
	}
	proto := pick(0x0800, 0x0800, 0x86dd, 0x86dd, 0x0806, uint16(rng.Uint32()))
	etherAt(off, proto)
	ip := off + 2
	l4 := pick(6, 17, 132, 1, 58, 47, 0)
	switch {
	case proto == 0x0800 && ip+ipv4Len <= len(b):
		b[ip] = 0x40 | byte(pick(5, 5, 5, 6, 4, 15, 0))
		b[ip+9] = byte(l4)
		if rng.IntN(4) != 0 {
			b[ip+6] &= 0xe0 // most packets are not later fragments
			b[ip+7] = 0
		}
	case proto == 0x86dd && ip+ipv6Len <= len(b):
		b[ip+6] = byte(l4)
		// Sometimes an extension header chain in front of the transport header.
		if ext := ip + ipv6Len; rng.IntN(3) == 0 && ext+8 <= len(b) {
			b[ip+6] = byte(pick(0, 43, 60, 44))
			b[ext] = byte(l4)
			b[ext+1] = byte(pick(0, 0, 1, 200))
			if rng.IntN(2) == 0 {
				b[ext+2], b[ext+3] = 0, 0 // a first fragment, when it is one
			}
		}
	}
	return b
}

// TestProgRandomFrames compares the program with refParse on random frames: same flows, same
// packet and byte counts, same TCP flags, and the rest counted as malformed. The verdict is
// always TC_ACT_UNSPEC, whatever the frame.
func TestProgRandomFrames(t *testing.T) {
	t.Parallel()
	const n = 5000
	d := load(t, Settings{MaxFlows: n})
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[Key]Stats{}
	var malformed uint64
	for range n {
		b := randomFrame(rng)
		if err := runProg(d.Ingress(), b, 0); err != nil {
			// See TestProgEdgeFrames: untagged IP frames shorter than their IP header.
			et := binary.BigEndian.Uint16(b[12:])
			refused := et == 0x0800 && len(b) < ethLen+ipv4Len || et == 0x86dd && len(b) < ethLen+ipv6Len
			require.True(t, refused && errors.Is(err, unix.EINVAL), "frame %x: %v", b, err)
			continue
		}
		k, flags, ok := refParse(b)
		if !ok {
			malformed++
			continue
		}
		s := want[k]
		s.Packets++
		s.Bytes += uint64(len(b))
		s.TcpFlags |= flags
		want[k] = s
	}
	got := map[Key]Stats{}
	for k, s := range evictAll(t, d) {
		got[k] = Stats{Packets: s.Packets, Bytes: s.Bytes, TcpFlags: s.TcpFlags}
	}
	t.Logf("%d frames: %d flows, %d malformed", n, len(want), malformed)
	assert.Greater(t, malformed, uint64(n/10), "the generator should hit the malformed paths often")
	assert.Equal(t, want, got)
	assert.Equal(t, Counters{Malformed: malformed}, counters(t, d))
}
