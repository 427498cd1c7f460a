// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package dnsname

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Wire builds a wire-format name from dotted text (test helper, no escapes).
func wire(name string) []byte {
	var b []byte
	for _, l := range strings.Split(name, ".") {
		if l == "" {
			continue
		}
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	longest := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)
	for _, c := range []struct {
		name string
		raw  []byte
		want string
		ok   bool
	}{
		{"simple", append(wire("www.example.com"), 0, 1, 0, 1), "www.example.com", true},
		{"root", []byte{0, 0, 1, 0, 1}, ".", true},
		{"longest legal name (255 bytes)", wire(longest), longest, true},
		// "www" then a pointer to offset 12+9, where "example.com" sits after some bytes.
		{"compressed, pointer inside the copy", append([]byte{3, 'w', 'w', 'w', 0xc0, 12 + 9, 0xff, 0xff, 0xff}, wire("example.com")...), "www.example.com", true},
		{"pointer to the header", []byte{3, 'w', 'w', 'w', 0xc0, 2}, "www", false},
		{"pointer beyond the copy", []byte{3, 'w', 'w', 'w', 0xc0, 200}, "www", false},
		{"pointer loop", []byte{1, 'a', 0xc0, 12}, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a", false},
		{"pointer cut in half", []byte{1, 'a', 0xc0}, "a", false},
		{"name cut by the end of the packet", []byte{7, 'e', 'x', 'a', 'm'}, "", false},
		{"label cut after one label", []byte{3, 'w', 'w', 'w', 7, 'e', 'x'}, "www", false},
		{"no terminator", []byte{3, 'w', 'w', 'w'}, "www", false},
		{"empty", nil, "", false},
		{"reserved label type", []byte{0x41, 'x', 0}, "", false},
		{"escapes", []byte{3, 'a', '.', 'b', 2, 0x00, '\\', 0}, `a\.b.\000\\`, true},
	} {
		got, ok := Decode(c.raw)
		assert.Equal(t, c.want, got, c.name)
		assert.Equal(t, c.ok, ok, c.name)
	}
}

func TestRcode(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "NOERROR", Rcode(0x8180))
	assert.Equal(t, "NXDOMAIN", Rcode(0x8183))
	assert.Equal(t, "REFUSED", Rcode(0x8185))
	assert.Equal(t, "RCODE15", Rcode(0x800f))
	assert.True(t, IsResponse(0x8180))
	assert.False(t, IsResponse(0x0100))
}
