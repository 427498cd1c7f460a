// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"
)

// ZoneLabel is the node label that gives the zone of a node and of its pods.
const ZoneLabel = "topology.kubernetes.io/zone"

// The shrink* transforms run before objects enter the informers' caches. They replace each
// object by a cached value: the identity the cache needs (name, namespace, resource version)
// plus the index's own record, which the event handlers put in the Store as is. 10,000 pods
// then take a few MB instead of the ~75 MB of whole pods (BenchmarkCacheMemory).

// cached is what the informer caches hold. It is a runtime.Object and a metav1.Object (through
// the embedded ObjectMeta) for the caches' key functions; it is never modified once built.
type cached[T any] struct {
	metav1.ObjectMeta
	v *T
}

func (c *cached[T]) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }
func (c *cached[T]) DeepCopyObject() runtime.Object   { cp := *c; return &cp }

func newCached[T any](m *metav1.ObjectMeta, v *T) *cached[T] {
	return &cached[T]{ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, ResourceVersion: m.ResourceVersion}, v: v}
}

// unwrap returns the index record of a cached object, or of a tombstone's last known state.
func unwrap[T any](obj any) *T {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	if c, ok := obj.(*cached[T]); ok {
		return c.v
	}
	return nil
}

func shrinkPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil // a tombstone, or already shrunk
	}
	return newCached(&p.ObjectMeta, podFrom(p)), nil
}

func shrinkService(obj any) (any, error) {
	s, ok := obj.(*corev1.Service)
	if !ok {
		return obj, nil
	}
	ips := append([]string{s.Spec.ClusterIP}, s.Spec.ClusterIPs...)
	// "None" (headless) does not parse and is skipped.
	return newCached(&s.ObjectMeta, &Service{Namespace: s.Namespace, Name: s.Name, IPs: parseIPs(ips...)}), nil
}

func shrinkNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	var internal, external []string
	for _, a := range n.Status.Addresses {
		switch a.Type {
		case corev1.NodeInternalIP:
			internal = append(internal, a.Address)
		case corev1.NodeExternalIP:
			external = append(external, a.Address)
		}
	}
	return newCached(&n.ObjectMeta, &Node{Name: n.Name, IPs: parseIPs(append(internal, external...)...), Zone: n.Labels[ZoneLabel]}), nil
}

// ownerRecord is what the index keeps of a ReplicaSet or a Job.
type ownerRecord struct {
	Namespace, Name string
	Owner           Owner
}

func shrinkMeta(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return newCached(&m.ObjectMeta, &ownerRecord{Namespace: m.Namespace, Name: m.Name, Owner: controllerOf(m.OwnerReferences)}), nil
}

// podFrom keeps what the index needs of a pod: identity, node, controller, IPs, creation and
// deletion times (which of two pods holds a reused IP), and the declared ports of hostNetwork
// pods (which tell them apart from their node, see View.Lookup).
func podFrom(p *corev1.Pod) *Pod {
	out := &Pod{UID: string(p.UID), Namespace: p.Namespace, Name: p.Name, NodeName: p.Spec.NodeName,
		HostIP: p.Status.HostIP, HostNetwork: p.Spec.HostNetwork,
		Created: p.CreationTimestamp.Unix(), Deleting: p.DeletionTimestamp != nil}
	o := controllerOf(p.OwnerReferences)
	out.OwnerKind, out.OwnerName = o.Kind, o.Name
	ips := []string{p.Status.PodIP}
	for _, ip := range p.Status.PodIPs {
		ips = append(ips, ip.IP)
	}
	out.IPs = parseIPs(ips...)
	if p.Spec.HostNetwork {
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				out.Ports = append(out.Ports, uint16(cp.ContainerPort))
			}
		}
	}
	return out
}

// controllerOf returns the controller owner reference, if any.
func controllerOf(refs []metav1.OwnerReference) Owner {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return Owner{Kind: r.Kind, Name: r.Name}
		}
	}
	return Owner{}
}

// parseIPs parses addresses, skipping empty, invalid ("None") and repeated ones.
func parseIPs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		a = a.Unmap()
		dup := false
		for _, x := range out {
			dup = dup || x == a
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}
