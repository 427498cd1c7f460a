// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package kube keeps what the k8sflow processor needs from the Kubernetes API: an index from IP
// address to the object behind it (pod, service, node) and the owner chain of pods. Informers
// (informers.go) feed the Store; the processor only reads it.
package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"
	"sync"
)

// Kinds reported as the resource type of a flow end, and the owner kinds walked through.
const (
	KindPod         = "Pod"
	KindService     = "Service"
	KindNode        = "Node"
	KindReplicaSet  = "ReplicaSet"
	KindDeployment  = "Deployment"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
)

// Pod is the part of a pod the index keeps.
type Pod struct {
	UID         string
	Namespace   string
	Name        string
	NodeName    string
	HostIP      string
	OwnerKind   string // kind of the controller owner reference ("" when none)
	OwnerName   string
	HostNetwork bool
	IPs         []netip.Addr
	Ports       []uint16 // declared container ports (used for hostNetwork pods)
	Created     int64    // creation time, unix seconds: the newer of two pods claiming an IP wins
	Deleting    bool     // has a deletion timestamp: it no longer claims its IPs
}

// newerThan reports whether p should hold an IP rather than q.
func (p *Pod) newerThan(q *Pod) bool {
	if p.Deleting != q.Deleting {
		return q.Deleting
	}
	return p.Created >= q.Created
}

// Service is the part of a service the index keeps.
type Service struct {
	Namespace string
	Name      string
	IPs       []netip.Addr // every ClusterIP (dual-stack)
}

// Node is the part of a node the index keeps.
type Node struct {
	Name string
	IPs  []netip.Addr // InternalIP first, then ExternalIP
	IP   string       // IPs[0] as a string, kept to spare a formatting per lookup
	Zone string       // topology.kubernetes.io/zone
}

// Owner is a controller owner reference (kind and name in the object's namespace).
type Owner struct {
	Kind string
	Name string
}

// Endpoint is what a lookup tells about one end of a flow.
type Endpoint struct {
	Namespace string
	Name      string
	Type      string // Pod, Service or Node
	OwnerName string
	OwnerType string
	NodeName  string // the pod's node, or the node itself
	NodeIP    string
	Zone      string
}

type nsName struct{ ns, name string }

// Store is the IP index. Writers are the informer event handlers; readers take a View per batch
// of flows, so a batch sees one consistent state and pays one lock.
type Store struct {
	mu sync.RWMutex

	pods       map[nsName]*Pod
	podByIP    map[netip.Addr]*Pod   // pods with their own IPs: the pod each IP means now
	shadowed   map[netip.Addr][]*Pod // other pods still claiming an IP (a reused IP, briefly)
	hostNetPod map[netip.Addr][]*Pod // hostNetwork pods, by the node IP they share
	services   map[nsName]*Service
	svcByIP    map[netip.Addr]*Service
	nodes      map[string]*Node
	nodeByIP   map[netip.Addr]*Node
	rsOwner    map[nsName]Owner // ReplicaSet -> its controller (Deployment)
	jobOwner   map[nsName]Owner // Job -> its controller (CronJob)
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		pods: map[nsName]*Pod{}, podByIP: map[netip.Addr]*Pod{}, shadowed: map[netip.Addr][]*Pod{},
		hostNetPod: map[netip.Addr][]*Pod{},
		services:   map[nsName]*Service{}, svcByIP: map[netip.Addr]*Service{},
		nodes: map[string]*Node{}, nodeByIP: map[netip.Addr]*Node{},
		rsOwner: map[nsName]Owner{}, jobOwner: map[nsName]Owner{},
	}
}

// SetPod adds or replaces a pod. When two pods claim one IP (the IP of a deleted pod reused
// before the deletion arrives), the pod not being deleted, then the newer one, holds it.
// Terminated pods must be deleted instead: the informer leaves them out.
func (s *Store) SetPod(p *Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := nsName{p.Namespace, p.Name}
	if old, ok := s.pods[k]; ok {
		s.unindexPod(old)
	}
	s.pods[k] = p
	for _, ip := range p.IPs {
		if p.HostNetwork {
			s.hostNetPod[ip] = append(s.hostNetPod[ip], p)
			continue
		}
		cur, taken := s.podByIP[ip]
		switch {
		case !taken:
			s.podByIP[ip] = p
		case p.newerThan(cur):
			s.podByIP[ip] = p
			s.shadowed[ip] = append(s.shadowed[ip], cur)
		default:
			s.shadowed[ip] = append(s.shadowed[ip], p)
		}
	}
}

// DeletePod removes a pod; an IP it held goes to another pod still claiming it, if any.
func (s *Store) DeletePod(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := nsName{namespace, name}
	if old, ok := s.pods[k]; ok {
		s.unindexPod(old)
		delete(s.pods, k)
	}
}

func (s *Store) unindexPod(p *Pod) {
	for _, ip := range p.IPs {
		if p.HostNetwork {
			s.hostNetPod[ip] = removePod(s.hostNetPod[ip], p)
			if len(s.hostNetPod[ip]) == 0 {
				delete(s.hostNetPod, ip)
			}
			continue
		}
		shadow := removePod(s.shadowed[ip], p)
		if s.podByIP[ip] == p {
			delete(s.podByIP, ip)
			// Promote the best remaining claimant.
			best := -1
			for i, q := range shadow {
				if best < 0 || q.newerThan(shadow[best]) {
					best = i
				}
			}
			if best >= 0 {
				s.podByIP[ip] = shadow[best]
				shadow = append(shadow[:best:best], shadow[best+1:]...)
			}
		}
		if len(shadow) == 0 {
			delete(s.shadowed, ip)
		} else {
			s.shadowed[ip] = shadow
		}
	}
}

// removePod returns list without p, in a new slice (views may still read the old one).
func removePod(list []*Pod, p *Pod) []*Pod {
	out := make([]*Pod, 0, len(list))
	for _, q := range list {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}

// SetService adds or replaces a service.
func (s *Store) SetService(svc *Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := nsName{svc.Namespace, svc.Name}
	if old, ok := s.services[k]; ok {
		s.unindexService(old)
	}
	s.services[k] = svc
	for _, ip := range svc.IPs {
		s.svcByIP[ip] = svc
	}
}

// DeleteService removes a service.
func (s *Store) DeleteService(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := nsName{namespace, name}
	if old, ok := s.services[k]; ok {
		s.unindexService(old)
		delete(s.services, k)
	}
}

func (s *Store) unindexService(svc *Service) {
	for _, ip := range svc.IPs {
		if s.svcByIP[ip] == svc {
			delete(s.svcByIP, ip)
		}
	}
}

// SetNode adds or replaces a node.
func (s *Store) SetNode(n *Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.nodes[n.Name]; ok {
		s.unindexNode(old)
	}
	if len(n.IPs) > 0 {
		n.IP = n.IPs[0].String()
	}
	s.nodes[n.Name] = n
	for _, ip := range n.IPs {
		s.nodeByIP[ip] = n
	}
}

// DeleteNode removes a node.
func (s *Store) DeleteNode(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.nodes[name]; ok {
		s.unindexNode(old)
		delete(s.nodes, name)
	}
}

func (s *Store) unindexNode(n *Node) {
	for _, ip := range n.IPs {
		if s.nodeByIP[ip] == n {
			delete(s.nodeByIP, ip)
		}
	}
}

// SetOwner records the controller of a ReplicaSet or a Job; an empty owner removes it.
func (s *Store) SetOwner(kind, namespace, name string, owner Owner) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownerMap(kind)
	if m == nil {
		return
	}
	if owner.Kind == "" {
		delete(m, nsName{namespace, name})
		return
	}
	m[nsName{namespace, name}] = owner
}

func (s *Store) ownerMap(kind string) map[nsName]Owner {
	switch kind {
	case KindReplicaSet:
		return s.rsOwner
	case KindJob:
		return s.jobOwner
	}
	return nil
}

// Sizes reports how many objects of each kind the store holds.
func (s *Store) Sizes() map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return map[string]int{
		KindPod: len(s.pods), KindService: len(s.services), KindNode: len(s.nodes),
		KindReplicaSet: len(s.rsOwner), KindJob: len(s.jobOwner),
	}
}
