// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor

import (
	"fmt"
	"net/netip"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"
)

// BenchmarkEnrich: one flow (pod to service, a typical record from ebpfflow) enriched on both
// ends with 10,000 pods, 1,000 services and 100 nodes in the cache. Each op enriches a fresh
// copy of a decoded record, so the cost of writing the new attributes is included.
func BenchmarkEnrich(b *testing.B) {
	s := kube.NewStore()
	a4 := func(x, y, z, w int) netip.Addr { return netip.AddrFrom4([4]byte{byte(x), byte(y), byte(z), byte(w)}) }
	for i := range 100 {
		s.SetNode(&kube.Node{Name: fmt.Sprintf("node-%d", i), IPs: []netip.Addr{a4(10, 0, 0, i)}, Zone: fmt.Sprintf("zone-%d", i%3)})
	}
	for i := range 500 {
		s.SetOwner(kube.KindReplicaSet, fmt.Sprintf("team-%d", i%50), fmt.Sprintf("web-%d-abc", i), kube.Owner{Kind: kube.KindDeployment, Name: fmt.Sprintf("web-%d", i)})
	}
	for i := range 10000 {
		s.SetPod(&kube.Pod{Namespace: fmt.Sprintf("team-%d", i%50), Name: fmt.Sprintf("web-%d-abc-%05d", i%500, i),
			NodeName: fmt.Sprintf("node-%d", i%100), HostIP: a4(10, 0, 0, i%100).String(),
			OwnerKind: kube.KindReplicaSet, OwnerName: fmt.Sprintf("web-%d-abc", i%500), IPs: []netip.Addr{a4(10, 128, i>>8, i)}})
	}
	for i := range 1000 {
		s.SetService(&kube.Service{Namespace: fmt.Sprintf("team-%d", i%50), Name: fmt.Sprintf("svc-%d", i), IPs: []netip.Addr{a4(10, 96, i>>8, i)}})
	}
	cfg := createDefaultConfig().(*Config)
	cfg.ClusterName = "prod"
	cfg.SubnetLabels = []SubnetLabel{{Name: "Pods", CIDRs: []string{"10.128.0.0/14"}}, {Name: "Services", CIDRs: []string{"10.96.0.0/12"}}}
	e, err := newEnricher(cfg)
	if err != nil {
		b.Fatal(err)
	}
	// Records as the receiver decodes them (~21 attributes), prepared outside the timer.
	const n = 1000
	template := plog.NewLogRecordSlice()
	for i := range n {
		a := template.AppendEmpty().Attributes()
		a.PutStr(flow.AttrSrcAddress, a4(10, 128, (i*7)>>8, i*7).String())
		a.PutStr(flow.AttrDstAddress, a4(10, 96, (i%1000)>>8, i%1000).String())
		for _, k := range []string{flow.AttrNetworkType, flow.AttrTransport, flow.AttrSrcMAC, flow.AttrDstMAC, flow.AttrIfaceName, flow.AttrIfaceDir} {
			a.PutStr(k, "x")
		}
		for _, k := range []string{flow.AttrSrcPort, flow.AttrDstPort, flow.AttrProtocol, flow.AttrTCPFlags, flow.AttrDSCP,
			flow.AttrEtherType, flow.AttrBytes, flow.AttrPackets, flow.AttrStart, flow.AttrEnd, flow.AttrSamplingRate} {
			a.PutInt(k, 1)
		}
	}
	var st lookupStats
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		b.StopTimer()
		recs := plog.NewLogRecordSlice()
		template.CopyTo(recs)
		b.StartTimer()
		s.Read(func(v kube.View) {
			for k := 0; k < n && i+k < b.N; k++ {
				e.record(v, "10.0.0.7", recs.At(k).Attributes(), &st)
			}
		})
	}
	if st.hit == 0 {
		b.Fatal("no lookup hit")
	}
}
