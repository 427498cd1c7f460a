// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package k8sflowprocessor // import "github.com/flowlens/flowlens/processor/k8sflowprocessor"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"
)

// end names the attributes of one end of a flow.
type end struct {
	addr, port                                             string
	namespace, pod, service, resType, ownerName, ownerType string
	nodeName, nodeIP, zone, subnet                         string
}

var (
	srcEnd = end{flow.AttrSrcAddress, flow.AttrSrcPort, flow.AttrSrcNamespace, flow.AttrSrcPodName, flow.AttrSrcSvcName,
		flow.AttrSrcResType, flow.AttrSrcOwnerName, flow.AttrSrcOwnerType, flow.AttrSrcNodeName, flow.AttrSrcNodeIP,
		flow.AttrSrcZone, flow.AttrSrcSubnet}
	dstEnd = end{flow.AttrDstAddress, flow.AttrDstPort, flow.AttrDstNamespace, flow.AttrDstPodName, flow.AttrDstSvcName,
		flow.AttrDstResType, flow.AttrDstOwnerName, flow.AttrDstOwnerType, flow.AttrDstNodeName, flow.AttrDstNodeIP,
		flow.AttrDstZone, flow.AttrDstSubnet}
)

type subnet struct {
	name     string
	prefixes []netip.Prefix
}

type lookupStats struct{ hit, miss int64 }

// enricher holds what the per-record work needs, prepared once from the config.
type enricher struct {
	addZone     bool
	clusterName string
	subnets     []subnet
	infra       []string
}

func newEnricher(cfg *Config) (*enricher, error) {
	e := &enricher{addZone: cfg.AddZone, clusterName: cfg.ClusterName, infra: cfg.InfraNamespacePrefixes}
	for _, l := range cfg.SubnetLabels {
		s := subnet{name: l.Name}
		for _, c := range l.CIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, err
			}
			s.prefixes = append(s.prefixes, p.Masked())
		}
		e.subnets = append(e.subnets, s)
	}
	return e, nil
}

// observer is the IP of the node that saw the flows of a resource (set by the ebpfflow
// receiver), used for the node-level direction.
func observer(res pcommon.Map) string {
	if v, ok := res.Get(flow.AttrLocalAddress); ok {
		return v.Str()
	}
	return ""
}

// record enriches one flow's attributes in place.
func (e *enricher) record(v kube.View, obs string, a pcommon.Map, st *lookupStats) {
	var src, dst kube.Endpoint
	srcAddr, srcOK := e.resolve(v, a, srcEnd, &src, st)
	dstAddr, dstOK := e.resolve(v, a, dstEnd, &dst, st)
	if e.clusterName != "" {
		a.PutStr(flow.AttrClusterName, e.clusterName)
	}
	e.putSubnet(a, srcEnd, srcAddr)
	e.putSubnet(a, dstEnd, dstAddr)
	if e.isApp(src, srcOK) || e.isApp(dst, dstOK) {
		a.PutStr(flow.AttrFlowLayer, flow.LayerApp)
	} else {
		a.PutStr(flow.AttrFlowLayer, flow.LayerInfra)
	}
	if e.addZone && src.Zone != "" && dst.Zone != "" {
		a.PutBool(flow.AttrInterZone, src.Zone != dst.Zone)
	}
	putDirection(a, obs, src.NodeIP, dst.NodeIP)
}

// resolve looks one end up and writes its attributes. It returns the parsed address.
func (e *enricher) resolve(v kube.View, a pcommon.Map, en end, ep *kube.Endpoint, st *lookupStats) (netip.Addr, bool) {
	av, ok := a.Get(en.addr)
	if !ok {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(av.Str())
	if err != nil {
		return netip.Addr{}, false
	}
	var port uint16
	if pv, ok := a.Get(en.port); ok {
		port = uint16(pv.Int())
	}
	if !v.Lookup(addr, port, ep) {
		st.miss++
		return addr, false
	}
	st.hit++
	if ep.Namespace != "" {
		a.PutStr(en.namespace, ep.Namespace)
	}
	switch ep.Type {
	case kube.KindPod:
		a.PutStr(en.pod, ep.Name)
	case kube.KindService:
		a.PutStr(en.service, ep.Name)
	}
	a.PutStr(en.resType, ep.Type)
	a.PutStr(en.ownerName, ep.OwnerName)
	a.PutStr(en.ownerType, ep.OwnerType)
	if ep.NodeName != "" {
		a.PutStr(en.nodeName, ep.NodeName)
	}
	if ep.NodeIP != "" {
		a.PutStr(en.nodeIP, ep.NodeIP)
	}
	if e.addZone && ep.Zone != "" {
		a.PutStr(en.zone, ep.Zone)
	}
	return addr, true
}

func (e *enricher) putSubnet(a pcommon.Map, en end, addr netip.Addr) {
	if !addr.IsValid() {
		return
	}
	for _, s := range e.subnets {
		for _, p := range s.prefixes {
			if p.Contains(addr) {
				a.PutStr(en.subnet, s.name)
				return
			}
		}
	}
}

// isApp is NetObserv's layer rule: a flow is app traffic when one of its known ends lives in a
// namespace that is not infrastructure (and is not the API server's default/kubernetes).
func (e *enricher) isApp(ep kube.Endpoint, known bool) bool {
	if !known || ep.Namespace == "" {
		return false
	}
	for _, p := range e.infra {
		if strings.HasPrefix(ep.Namespace, p) {
			return false
		}
	}
	return !(ep.Namespace == "default" && (ep.Name == "kubernetes" || ep.Name == "openshift"))
}

// putDirection sets network.flow.direction the way NetObserv sets FlowDirection: from the
// observing node against the nodes of both ends. When that says nothing, the receiver's value
// (from the host's own addresses) stays, else the interface direction is used, so every flow has
// one and each flow can be counted once by direction.
func putDirection(a pcommon.Map, obs, srcNode, dstNode string) {
	var dir string
	switch {
	case srcNode != dstNode && obs != "" && srcNode == obs:
		dir = flow.DirEgress
	case srcNode != dstNode && obs != "" && dstNode == obs:
		dir = flow.DirIngress
	case srcNode == dstNode && srcNode != "" && obs != "":
		dir = flow.DirInner
	}
	if dir != "" {
		a.PutStr(flow.AttrFlowDirection, dir)
		return
	}
	if _, ok := a.Get(flow.AttrFlowDirection); ok {
		return
	}
	if v, ok := a.Get(flow.AttrIfaceDir); ok {
		a.PutStr(flow.AttrFlowDirection, v.Str())
	}
}
