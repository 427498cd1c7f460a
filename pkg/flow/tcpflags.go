// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

import (
	"fmt"
	"strings"
)

// TCP flag bits of network.flow.tcp_flags: the header's own bits, then the combined ones.
const (
	TCPFin    = 0x01
	TCPSyn    = 0x02
	TCPRst    = 0x04
	TCPPsh    = 0x08
	TCPAck    = 0x10
	TCPUrg    = 0x20
	TCPEce    = 0x40
	TCPCwr    = 0x80
	TCPSynAck = 0x100
	TCPFinAck = 0x200
	TCPRstAck = 0x400
)

// tcpFlagNames are NetObserv's names for each bit, in bit order.
var tcpFlagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "SYN_ACK", "FIN_ACK", "RST_ACK"}

// TCPFlagNames returns the names of the bits set in flags, in bit order.
func TCPFlagNames(flags int64) []string {
	var out []string
	for i, name := range tcpFlagNames {
		if flags&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// TCPFlagsFromNames is the inverse of TCPFlagNames; it also accepts the dashed forms used in
// FlowCollector filters (SYN-ACK).
func TCPFlagsFromNames(names []string) (int64, error) {
	var flags int64
	for _, n := range names {
		found := false
		for i, name := range tcpFlagNames {
			if n == name || n == dashed(name) {
				flags |= 1 << i
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown TCP flag %q, want one of %s", n, strings.Join(tcpFlagNames[:], ", "))
		}
	}
	return flags, nil
}

func dashed(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}
