// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"
	"slices"
)

// View reads the store under its read lock; get one with Store.Read.
type View struct{ s *Store }

// Read calls fn with a View valid for the duration of the call. Keep fn short: informer updates
// wait while it runs.
func (s *Store) Read(fn func(View)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(View{s})
}

// Lookup resolves one end of a flow. port is that end's port (0 when unknown): an IP shared by
// a node and its hostNetwork pods resolves to the pod that declares that port, else to the node.
// Order: pod IP, then hostNetwork pod by port, then node IP, then service ClusterIP.
func (v View) Lookup(ip netip.Addr, port uint16, e *Endpoint) bool {
	s := v.s
	if p, ok := s.podByIP[ip]; ok {
		v.fillPod(p, e)
		return true
	}
	if port != 0 {
		for _, p := range s.hostNetPod[ip] {
			if slices.Contains(p.Ports, port) {
				v.fillPod(p, e)
				return true
			}
		}
	}
	if n, ok := s.nodeByIP[ip]; ok {
		*e = Endpoint{Name: n.Name, Type: KindNode, OwnerName: n.Name, OwnerType: KindNode,
			NodeName: n.Name, NodeIP: n.IP, Zone: n.Zone}
		return true
	}
	if svc, ok := s.svcByIP[ip]; ok {
		*e = Endpoint{Namespace: svc.Namespace, Name: svc.Name, Type: KindService,
			OwnerName: svc.Name, OwnerType: KindService}
		return true
	}
	return false
}

// NodeIPs returns the IPs of a node by name (for tests and the direction rule).
func (v View) NodeIPs(name string) []netip.Addr {
	if n, ok := v.s.nodes[name]; ok {
		return n.IPs
	}
	return nil
}

func (v View) fillPod(p *Pod, e *Endpoint) {
	*e = Endpoint{Namespace: p.Namespace, Name: p.Name, Type: KindPod, NodeName: p.NodeName, NodeIP: p.HostIP}
	e.OwnerType, e.OwnerName = v.topOwner(p)
	if n, ok := v.s.nodes[p.NodeName]; ok {
		e.Zone = n.Zone
		if e.NodeIP == "" {
			e.NodeIP = n.IP
		}
	}
}

// topOwner walks Pod -> ReplicaSet -> Deployment and Pod -> Job -> CronJob; other controllers
// (StatefulSet, DaemonSet, custom ones) are reported as they are. A pod without a controller
// owns itself, as in NetObserv.
func (v View) topOwner(p *Pod) (kind, name string) {
	switch p.OwnerKind {
	case "":
		return KindPod, p.Name
	case KindReplicaSet:
		if o, ok := v.s.rsOwner[nsName{p.Namespace, p.OwnerName}]; ok {
			return o.Kind, o.Name
		}
	case KindJob:
		if o, ok := v.s.jobOwner[nsName{p.Namespace, p.OwnerName}]; ok {
			return o.Kind, o.Name
		}
	}
	return p.OwnerKind, p.OwnerName
}
