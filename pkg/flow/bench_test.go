// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkAppendNetObservJSON: one enriched flow as NetObserv JSON (the Kafka export body and
// the Loki line).
func BenchmarkAppendNetObservJSON(b *testing.B) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(AttrLocalAddress, "10.0.0.1")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	a := lr.Attributes()
	for _, k := range []string{AttrSrcAddress, AttrDstAddress, AttrSrcMAC, AttrDstMAC, AttrSrcNamespace, AttrSrcPodName,
		AttrSrcOwnerName, AttrSrcOwnerType, AttrSrcNodeName, AttrSrcNodeIP, AttrDstNamespace, AttrDstSvcName, AttrDstOwnerName, AttrDstOwnerType} {
		a.PutStr(k, "value-"+k)
	}
	a.PutStr(AttrSrcResType, ResTypePod)
	a.PutStr(AttrDstResType, ResTypeService)
	a.PutStr(AttrFlowDirection, DirEgress)
	a.PutStr(AttrFlowLayer, LayerApp)
	for _, k := range []string{AttrSrcPort, AttrDstPort, AttrProtocol, AttrEtherType, AttrDSCP, AttrBytes, AttrPackets, AttrStart, AttrEnd, AttrSamplingRate} {
		a.PutInt(k, 123456)
	}
	a.PutInt(AttrTCPFlags, TCPSyn|TCPAck)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendNetObservJSON(buf[:0], rl.Resource().Attributes(), lr, nil)
	}
	b.ReportMetric(float64(len(buf)), "B/flow")
}
