// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ZoneLabel is the node label that gives the zone of a node and of its pods.
const ZoneLabel = "topology.kubernetes.io/zone"

// The shrink* transforms run before objects enter the informers' caches: they keep only what
// the index uses, so the cache of 10,000 pods is a few MB, not hundreds.

func shrinkPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil // a DeletedFinalStateUnknown tombstone
	}
	out := &corev1.Pod{ObjectMeta: shrinkObjectMeta(&p.ObjectMeta)}
	out.Spec.NodeName = p.Spec.NodeName
	out.Spec.HostNetwork = p.Spec.HostNetwork
	if p.Spec.HostNetwork {
		// Declared ports tell hostNetwork pods apart from their node (see View.Lookup).
		for _, c := range p.Spec.Containers {
			var ports []corev1.ContainerPort
			for _, cp := range c.Ports {
				ports = append(ports, corev1.ContainerPort{ContainerPort: cp.ContainerPort})
			}
			out.Spec.Containers = append(out.Spec.Containers, corev1.Container{Ports: ports})
		}
	}
	out.Status.PodIP = p.Status.PodIP
	out.Status.PodIPs = p.Status.PodIPs
	out.Status.HostIP = p.Status.HostIP
	return out, nil
}

func shrinkService(obj any) (any, error) {
	s, ok := obj.(*corev1.Service)
	if !ok {
		return obj, nil
	}
	out := &corev1.Service{ObjectMeta: shrinkObjectMeta(&s.ObjectMeta)}
	out.Spec.ClusterIP = s.Spec.ClusterIP
	out.Spec.ClusterIPs = s.Spec.ClusterIPs
	return out, nil
}

func shrinkNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	out := &corev1.Node{ObjectMeta: shrinkObjectMeta(&n.ObjectMeta)}
	if z, ok := n.Labels[ZoneLabel]; ok {
		out.Labels = map[string]string{ZoneLabel: z}
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP || a.Type == corev1.NodeExternalIP {
			out.Status.Addresses = append(out.Status.Addresses, a)
		}
	}
	return out, nil
}

func shrinkMeta(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta, ObjectMeta: shrinkObjectMeta(&m.ObjectMeta)}, nil
}

// shrinkObjectMeta keeps the identity, the resource version (informers need it), the creation
// and deletion times (which of two pods holds a reused IP) and the controller owner reference.
func shrinkObjectMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp}
	for _, r := range m.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			out.OwnerReferences = []metav1.OwnerReference{{Kind: r.Kind, Name: r.Name, Controller: r.Controller}}
			break
		}
	}
	return out
}

func podOf(obj any) *Pod {
	p := obj.(*corev1.Pod)
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
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			out.Ports = append(out.Ports, uint16(cp.ContainerPort))
		}
	}
	return out
}

func serviceOf(obj any) *Service {
	s := obj.(*corev1.Service)
	ips := append([]string{s.Spec.ClusterIP}, s.Spec.ClusterIPs...)
	return &Service{Namespace: s.Namespace, Name: s.Name, IPs: parseIPs(ips...)} // "None" is skipped
}

func nodeOf(obj any) *Node {
	n := obj.(*corev1.Node)
	var internal, external []string
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			internal = append(internal, a.Address)
		} else {
			external = append(external, a.Address)
		}
	}
	return &Node{Name: n.Name, IPs: parseIPs(append(internal, external...)...), Zone: n.Labels[ZoneLabel]}
}

func metaOf(obj any) *metav1.PartialObjectMetadata { return obj.(*metav1.PartialObjectMetadata) }

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
