// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package dnsname decodes the DNS question names the TC program copies from packets, and names
// DNS response codes.
package dnsname // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/dnsname"

import (
	"strconv"
	"strings"
)

// HeaderLen is the size of the DNS header; the kernel copies what follows it.
const HeaderLen = 12

// maxPointers bounds the compression pointers followed, so a loop cannot run forever.
const maxPointers = 16

// Decode turns the wire-format name at the start of raw into dotted text ("www.example.com",
// "." for the root). raw holds the message bytes from offset HeaderLen on, as the kernel copied
// them. Compression pointers are followed when they point inside raw. ok is false when the name
// is cut short (the packet or the copy ended), malformed (a bad label type, a pointer loop or a
// pointer outside raw); name then holds the labels read so far.
func Decode(raw []byte) (name string, ok bool) {
	var b strings.Builder
	pos, hops := 0, 0
	for {
		if pos >= len(raw) {
			return b.String(), false
		}
		l := int(raw[pos])
		switch {
		case l == 0:
			if b.Len() == 0 {
				return ".", true
			}
			return b.String(), true
		case l&0xc0 == 0xc0:
			if pos+1 >= len(raw) || hops == maxPointers {
				return b.String(), false
			}
			hops++
			target := (l&0x3f)<<8 | int(raw[pos+1]) - HeaderLen
			if target < 0 || target >= len(raw) {
				return b.String(), false
			}
			pos = target
			continue
		case l&0xc0 != 0:
			return b.String(), false // 0x40 and 0x80 label types are obsolete or unused
		}
		if pos+1+l > len(raw) {
			return b.String(), false
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		writeLabel(&b, raw[pos+1:pos+1+l])
		pos += 1 + l
	}
}

// writeLabel writes a label as text, escaping dots, backslashes and bytes that are not printable
// ASCII the way zone files do (\. \\ \DDD), so a name cannot forge a dot or a control character.
func writeLabel(b *strings.Builder, label []byte) {
	for _, c := range label {
		switch {
		case c == '.' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x21 || c > 0x7e:
			b.WriteByte('\\')
			s := strconv.Itoa(int(c))
			b.WriteString(strings.Repeat("0", 3-len(s)) + s)
		default:
			b.WriteByte(c)
		}
	}
}

// rcodes are the response code names of RFC 1035, 2136 and 8490 (those that fit in the header).
var rcodes = [16]string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI"}

// Rcode names the response code in the low 4 bits of the header flags.
func Rcode(flags uint16) string {
	c := flags & 0xf
	if rcodes[c] != "" {
		return rcodes[c]
	}
	return "RCODE" + strconv.Itoa(int(c))
}

// IsResponse reports the QR bit of the header flags.
func IsResponse(flags uint16) bool { return flags&0x8000 != 0 }
