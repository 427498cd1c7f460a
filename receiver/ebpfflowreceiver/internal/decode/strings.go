// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package decode // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/decode"

import "strconv"

// stringCache keeps the string form of addresses seen recently, so a busy node does not format
// (and allocate) the same address for every flow. It is cleared when full: bounded memory, and
// the working set refills it within one eviction.
type stringCache[K comparable] struct {
	m     map[K]string
	limit int
}

func newStringCache[K comparable](limit int) stringCache[K] {
	return stringCache[K]{m: make(map[K]string, limit/4), limit: limit}
}

func (c *stringCache[K]) lookup(k K) (string, bool) {
	s, ok := c.m[k]
	return s, ok
}

func (c *stringCache[K]) store(k K, s string) {
	if len(c.m) >= c.limit {
		clear(c.m)
	}
	c.m[k] = s
}

const hexUpper = "0123456789ABCDEF"

// macString formats a MAC as NetObserv does: upper-case hex, colon-separated.
func macString(m [6]byte) string {
	var b [17]byte
	for i, v := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hexUpper[v>>4]
		b[i*3+1] = hexUpper[v&0xf]
	}
	return string(b[:])
}

func ifindexName(idx uint32) string {
	return "if" + strconv.FormatUint(uint64(idx), 10)
}
