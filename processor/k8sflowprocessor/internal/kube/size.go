// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// mapEntryOverhead approximates what a Go map spends per entry beyond key and value.
const mapEntryOverhead = 16

// Bytes estimates the memory of the cache: the shrunk objects the informers keep plus this
// index. It counts struct sizes and string bytes; it is an estimate for the telemetry, checked
// against measured heap growth in BenchmarkCacheMemory.
func (s *Store) Bytes() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var n int64
	addr := int64(unsafe.Sizeof(netip.Addr{})) + 16 // netip.Addr plus its zone/IPv6 allocation
	for _, p := range s.pods {
		n += int64(unsafe.Sizeof(corev1.Pod{})+unsafe.Sizeof(Pod{})) + 2*mapEntryOverhead
		n += int64(2 * (len(p.UID) + len(p.Namespace) + len(p.Name) + len(p.NodeName) + len(p.HostIP) + len(p.OwnerKind) + len(p.OwnerName)))
		n += int64(len(p.IPs))*(addr+mapEntryOverhead+8) + int64(len(p.Ports))*2
	}
	for _, svc := range s.services {
		n += int64(unsafe.Sizeof(corev1.Service{})+unsafe.Sizeof(Service{})) + 2*mapEntryOverhead
		n += int64(2*(len(svc.Namespace)+len(svc.Name))) + int64(len(svc.IPs))*(addr+mapEntryOverhead+8)
	}
	for _, nd := range s.nodes {
		n += int64(unsafe.Sizeof(corev1.Node{})+unsafe.Sizeof(Node{})) + 2*mapEntryOverhead
		n += int64(2*(len(nd.Name)+len(nd.Zone))+len(nd.IP)) + int64(len(nd.IPs))*(addr+mapEntryOverhead+8)
	}
	meta := int64(unsafe.Sizeof(metav1.PartialObjectMetadata{}) + unsafe.Sizeof(Owner{}) + 2*mapEntryOverhead + 64)
	n += int64(len(s.rsOwner)+len(s.jobOwner)) * meta
	return n
}
