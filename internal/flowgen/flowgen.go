// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package flowgen makes synthetic, enriched flows of a small cluster: web shop workloads across
// zones and nodes, services, DNS, scraping, external clients, drops and RTT. Benchmarks, the
// console's browser tests and demos seed stores with it; it never sends a packet.
package flowgen // import "github.com/flowlens/flowlens/internal/flowgen"

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
)

// endpoint is one end of a flow.
type endpoint struct {
	addr, ns, name, kind, owner, ownerKind, node, nodeIP, zone, subnet string
}

// conversation is a client workload talking to a server on a port.
type conversation struct {
	from, to   []endpoint
	port       int64
	proto      int64 // 6 tcp, 17 udp
	bytes      int64 // typical bytes per flow
	weight     int   // relative frequency
	dns        bool
	layer      string
	dropsEvery int // one flow in dropsEvery has drops; 0 never
}

// Generator produces flows. It is deterministic for a seed and not safe for concurrent use.
type Generator struct {
	rnd   *rand.Rand
	convs []conversation
	total int
}

// Nodes, zones and workloads of the synthetic cluster.
var (
	Zones      = []string{"zone-a", "zone-b", "zone-c"}
	Namespaces = []string{"shop", "payments", "monitoring", "kube-system", "ingress"}
)

type cluster struct{ pod, svc, nodeN int }

func (c *cluster) node() (string, string, string) {
	c.nodeN++
	n := (c.nodeN-1)%6 + 1
	return fmt.Sprintf("node-%d", n), fmt.Sprintf("10.0.0.%d", n), Zones[(n-1)%3]
}

func (c *cluster) pods(ns, owner, ownerKind string, replicas int) []endpoint {
	var out []endpoint
	for i := range replicas {
		c.pod++
		node, nodeIP, zone := c.node()
		name := fmt.Sprintf("%s-%x-%d", owner, 0x5f3a+c.pod, i)
		if ownerKind == "StatefulSet" {
			name = fmt.Sprintf("%s-%d", owner, i)
		}
		out = append(out, endpoint{
			addr: fmt.Sprintf("10.128.%d.%d", c.pod/250, c.pod%250+2), ns: ns, name: name, kind: flow.ResTypePod,
			owner: owner, ownerKind: ownerKind, node: node, nodeIP: nodeIP, zone: zone,
		})
	}
	return out
}

func (c *cluster) service(ns, name string) []endpoint {
	c.svc++
	return []endpoint{{addr: fmt.Sprintf("172.30.0.%d", c.svc+10), ns: ns, name: name, kind: flow.ResTypeService, owner: name, ownerKind: flow.ResTypeService}}
}

func external(prefix string, n int) []endpoint {
	var out []endpoint
	for i := range n {
		// Documentation ranges (RFC 5737): this is data, never a destination.
		out = append(out, endpoint{addr: fmt.Sprintf("%s.%d", prefix, 10+i), subnet: "EXT:" + prefix + ".0/24"})
	}
	return out
}

// New returns a generator seeded with seed.
func New(seed uint64) *Generator {
	c := &cluster{}
	web := c.pods("shop", "web", "Deployment", 3)
	cart := c.pods("shop", "cart", "Deployment", 2)
	checkout := c.pods("shop", "checkout", "Deployment", 2)
	cartSvc := c.service("shop", "cart")
	api := c.pods("payments", "payments-api", "Deployment", 2)
	apiSvc := c.service("payments", "payments-api")
	db := c.pods("payments", "postgres", "StatefulSet", 1)
	prom := c.pods("monitoring", "prometheus", "StatefulSet", 1)
	dns := c.pods("kube-system", "coredns", "Deployment", 2)
	router := c.pods("ingress", "router", "Deployment", 2)
	clients := external("203.0.113", 8)
	upstream := external("198.51.100", 3)
	shop := append(append(append([]endpoint{}, web...), cart...), checkout...)
	g := &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.convs = []conversation{
		{from: clients, to: router, port: 443, proto: 6, bytes: 40_000, weight: 12, layer: flow.LayerInfra},
		{from: router, to: web, port: 8080, proto: 6, bytes: 30_000, weight: 12, layer: flow.LayerApp},
		{from: web, to: cartSvc, port: 8080, proto: 6, bytes: 6_000, weight: 8, layer: flow.LayerApp},
		{from: web, to: cart, port: 8080, proto: 6, bytes: 6_000, weight: 8, layer: flow.LayerApp},
		{from: cart, to: checkout, port: 9000, proto: 6, bytes: 3_000, weight: 4, layer: flow.LayerApp, dropsEvery: 25},
		{from: checkout, to: apiSvc, port: 8443, proto: 6, bytes: 4_000, weight: 3, layer: flow.LayerApp},
		{from: checkout, to: api, port: 8443, proto: 6, bytes: 4_000, weight: 3, layer: flow.LayerApp},
		{from: api, to: db, port: 5432, proto: 6, bytes: 12_000, weight: 5, layer: flow.LayerApp, dropsEvery: 40},
		{from: api, to: upstream, port: 443, proto: 6, bytes: 2_000, weight: 2, layer: flow.LayerApp},
		{from: shop, to: dns, port: 53, proto: 17, bytes: 180, weight: 10, layer: flow.LayerInfra, dns: true},
		{from: api, to: dns, port: 53, proto: 17, bytes: 180, weight: 4, layer: flow.LayerInfra, dns: true},
		{from: prom, to: append(append([]endpoint{}, shop...), api...), port: 9090, proto: 6, bytes: 25_000, weight: 6, layer: flow.LayerInfra},
	}
	for _, cv := range g.convs {
		g.total += cv.weight
	}
	return g
}

func (g *Generator) pick() *conversation {
	n := g.rnd.IntN(g.total)
	for i := range g.convs {
		if n -= g.convs[i].weight; n < 0 {
			return &g.convs[i]
		}
	}
	return &g.convs[len(g.convs)-1]
}

// Logs returns n flows whose end times are first, first+spacing, ...: a batch of what a
// collector would export.
func (g *Generator) Logs(first time.Time, n int, spacing time.Duration) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrHostName, "gateway")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	lrs.EnsureCapacity(n)
	for i := range n {
		g.append(lrs.AppendEmpty(), first.Add(time.Duration(i)*spacing))
	}
	return ld
}

func (g *Generator) append(lr plog.LogRecord, end time.Time) {
	cv := g.pick()
	src, dst := cv.from[g.rnd.IntN(len(cv.from))], cv.to[g.rnd.IntN(len(cv.to))]
	lr.SetTimestamp(pcommon.NewTimestampFromTime(end))
	a := lr.Attributes()
	a.EnsureCapacity(40)
	bytes := cv.bytes/2 + g.rnd.Int64N(cv.bytes+1)
	packets := bytes/1200 + 1 + g.rnd.Int64N(3)
	a.PutStr(flow.AttrSrcAddress, src.addr)
	a.PutStr(flow.AttrDstAddress, dst.addr)
	a.PutInt(flow.AttrSrcPort, 32768+g.rnd.Int64N(28000))
	a.PutInt(flow.AttrDstPort, cv.port)
	a.PutInt(flow.AttrProtocol, cv.proto)
	a.PutInt(flow.AttrEtherType, 0x0800)
	a.PutInt(flow.AttrBytes, bytes)
	a.PutInt(flow.AttrPackets, packets)
	a.PutInt(flow.AttrStart, end.Add(-time.Duration(1+g.rnd.IntN(5))*time.Second).UnixNano())
	a.PutInt(flow.AttrEnd, end.UnixNano())
	a.PutInt(flow.AttrSamplingRate, 1)
	a.PutStr(flow.AttrIfaceName, "eth0")
	a.PutStr(flow.AttrFlowLayer, cv.layer)
	// Reported once, by the node of the source when it is in the cluster.
	dir := flow.DirEgress
	if src.node == "" {
		dir = flow.DirIngress
	}
	a.PutStr(flow.AttrFlowDirection, dir)
	putEnd(a, src, true)
	putEnd(a, dst, false)
	if src.zone != "" && dst.zone != "" && src.zone != dst.zone {
		a.PutBool(flow.AttrInterZone, true)
	}
	if cv.proto == 6 {
		a.PutInt(flow.AttrTCPFlags, int64(flow.TCPSyn|flow.TCPAck))
		a.PutInt(flow.AttrRTT, int64(100_000+g.rnd.IntN(900_000))*int64(1+g.rnd.IntN(3)))
	}
	if cv.dns {
		a.PutInt(flow.AttrDNSID, int64(g.rnd.IntN(65535)))
		a.PutInt(flow.AttrDNSLatency, int64(200_000+g.rnd.IntN(4_000_000)))
		rcode, name := "NoError", "cart.shop.svc.cluster.local"
		if g.rnd.IntN(12) == 0 {
			rcode, name = "NXDomain", "cart.shop.svc"
		}
		a.PutStr(flow.AttrDNSRcode, rcode)
		a.PutStr(flow.AttrDNSName, name)
	}
	if cv.dropsEvery > 0 && g.rnd.IntN(cv.dropsEvery) == 0 {
		a.PutInt(flow.AttrDropPackets, 1+g.rnd.Int64N(3))
		a.PutInt(flow.AttrDropBytes, 100+g.rnd.Int64N(1400))
		a.PutStr(flow.AttrDropCause, "SKB_DROP_REASON_TCP_INVALID_SEQUENCE")
		a.PutStr(flow.AttrDropState, "TCP_ESTABLISHED")
	}
}

func putEnd(a pcommon.Map, e endpoint, src bool) {
	ns, name, kind, owner, ownerKind, node, nodeIP, zone, subnet := flow.AttrDstNamespace, flow.AttrDstPodName, flow.AttrDstResType,
		flow.AttrDstOwnerName, flow.AttrDstOwnerType, flow.AttrDstNodeName, flow.AttrDstNodeIP, flow.AttrDstZone, flow.AttrDstSubnet
	if src {
		ns, name, kind, owner, ownerKind, node, nodeIP, zone, subnet = flow.AttrSrcNamespace, flow.AttrSrcPodName, flow.AttrSrcResType,
			flow.AttrSrcOwnerName, flow.AttrSrcOwnerType, flow.AttrSrcNodeName, flow.AttrSrcNodeIP, flow.AttrSrcZone, flow.AttrSrcSubnet
	}
	if e.kind == flow.ResTypeService {
		name = flow.AttrDstSvcName
		if src {
			name = flow.AttrSrcSvcName
		}
	}
	for _, kv := range [...][2]string{{ns, e.ns}, {name, e.name}, {kind, e.kind}, {owner, e.owner}, {ownerKind, e.ownerKind},
		{node, e.node}, {nodeIP, e.nodeIP}, {zone, e.zone}, {subnet, e.subnet}} {
		if kv[1] != "" {
			a.PutStr(kv[0], kv[1])
		}
	}
}
