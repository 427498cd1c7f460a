// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube // import "github.com/flowlens/flowlens/processor/k8sflowprocessor/internal/kube"

import (
	"net/netip"
	"unsafe"
)

// entryOverhead approximates what one object costs in the informer cache and in our maps beyond
// the object itself: the cache's key string and map entries, ours, and allocator rounding.
const entryOverhead = 160

// Bytes estimates the memory of the cache: the cached values the informers keep (identity plus
// the records this index shares with them) and the index maps. It is an estimate for telemetry,
// compared with the measured heap in BenchmarkCacheMemory (docs/performance.md).
func (s *Store) Bytes() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cachedSize := int64(unsafe.Sizeof(cached[Pod]{})) + entryOverhead
	addr := int64(unsafe.Sizeof(netip.Addr{})) + 32 // the address and its index entry
	var n int64
	for _, p := range s.pods {
		n += cachedSize + int64(unsafe.Sizeof(Pod{}))
		n += int64(2*(len(p.Namespace)+len(p.Name)) + len(p.UID) + len(p.NodeName) + len(p.HostIP) + len(p.OwnerKind) + len(p.OwnerName))
		n += int64(len(p.IPs))*addr + int64(len(p.Ports))*2
	}
	for _, svc := range s.services {
		n += cachedSize + int64(unsafe.Sizeof(Service{})) + int64(2*(len(svc.Namespace)+len(svc.Name))) + int64(len(svc.IPs))*addr
	}
	for _, nd := range s.nodes {
		n += cachedSize + int64(unsafe.Sizeof(Node{})) + int64(2*len(nd.Name)+len(nd.Zone)+len(nd.IP)) + int64(len(nd.IPs))*addr
	}
	owner := cachedSize + int64(unsafe.Sizeof(ownerRecord{})) + 64
	return n + int64(len(s.rsOwner)+len(s.jobOwner))*owner
}
