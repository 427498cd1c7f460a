// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package decode // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/decode"

import (
	"net/netip"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/dnsname"
)

// tcpStates are the kernel's TCP state names (include/net/tcp_states.h), as NetObserv reports
// them in PktDropLatestState.
var tcpStates = [...]string{"", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1",
	"TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN",
	"TCP_CLOSING", "TCP_NEW_SYN_RECV", "TCP_BOUND_INACTIVE"}

// TCPStateName names a kernel TCP state; "" for 0 (no socket).
func TCPStateName(s uint8) string {
	if int(s) < len(tcpStates) {
		return tcpStates[s]
	}
	return "TCP_STATE_" + strconv.Itoa(int(s))
}

func (d *Decoder) putFeatures(a pcommon.Map, f *datapath.Features) {
	if x := f.Drops; x != nil {
		a.PutInt(flow.AttrDropBytes, int64(x.Bytes))
		a.PutInt(flow.AttrDropPackets, int64(x.Packets))
		a.PutStr(flow.AttrDropCause, d.dropCause(x.LatestCause))
		if x.LatestState != 0 {
			a.PutStr(flow.AttrDropState, TCPStateName(x.LatestState))
		}
		a.PutInt(flow.AttrDropLatestFlags, int64(x.LatestFlags))
	}
	if x := f.RTT; x != nil {
		a.PutInt(flow.AttrRTT, int64(x.RttNs))
	}
	if x := f.DNS; x != nil {
		a.PutInt(flow.AttrDNSID, int64(x.Id))
		a.PutInt(flow.AttrDNSFlags, int64(x.Flags))
		if dnsname.IsResponse(x.Flags) {
			a.PutStr(flow.AttrDNSRcode, dnsname.Rcode(x.Flags))
			if x.LatencyNs > 0 {
				a.PutInt(flow.AttrDNSLatency, int64(x.LatencyNs))
			}
		}
		a.PutInt(flow.AttrDNSErrno, int64(x.Errno))
		if name, _ := dnsname.Decode(x.Name[:min(int(x.NameLen), len(x.Name))]); name != "" {
			a.PutStr(flow.AttrDNSName, name)
		}
	}
	if x := f.Xlat; x != nil {
		a.PutStr(flow.AttrXlatSrcAddress, d.addrString(x.SrcIp, netip.AddrFrom16(x.SrcIp).Unmap()))
		a.PutInt(flow.AttrXlatSrcPort, int64(x.SrcPort))
		a.PutStr(flow.AttrXlatDstAddress, d.addrString(x.DstIp, netip.AddrFrom16(x.DstIp).Unmap()))
		a.PutInt(flow.AttrXlatDstPort, int64(x.DstPort))
		a.PutInt(flow.AttrXlatZoneID, int64(x.ZoneId))
	}
}

func (d *Decoder) dropCause(reason uint32) string {
	if d.env.DropCause != nil {
		if n := d.env.DropCause(reason); n != "" {
			return n
		}
	}
	return strconv.FormatUint(uint64(reason), 10)
}
