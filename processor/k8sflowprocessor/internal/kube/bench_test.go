// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// realisticPod is what the API server sends for an ordinary Deployment pod: labels,
// annotations, two containers with env, resources, probes, volumes, status conditions.
func realisticPod(i int) *corev1.Pod {
	yes := true
	ctr := func(name string) corev1.Container {
		return corev1.Container{
			Name: name, Image: "registry.example.com/team/" + name + ":v1.2.3",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {Name: "metrics", ContainerPort: 9090}},
			Env:   []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, {Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
			},
			VolumeMounts: []corev1.VolumeMount{{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"}},
		}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("web-%d-7d9f8c6b5-x%04d", i%500, i), Namespace: fmt.Sprintf("team-%d", i%50),
			UID:    types.UID(fmt.Sprintf("0b6c1d4e-%04d-4f5a-9c3b-2d1e0f9a8b7c", i)),
			Labels: map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5", "team": "payments", "version": "v1"},
			Annotations: map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-11-01T10:00:00Z",
				"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: fmt.Sprintf("web-%d-7d9f8c6b5", i%500), UID: "u", Controller: &yes}},
			ResourceVersion: "123456",
		},
		Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%100), Containers: []corev1.Container{ctr("app"), ctr("sidecar")},
			Volumes: []corev1.Volume{{Name: "kube-api-access"}}, ServiceAccountName: "default"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, HostIP: fmt.Sprintf("10.0.%d.%d", i%100/250, i%100),
			PodIP: podIP(i).String(), PodIPs: []corev1.PodIP{{IP: podIP(i).String()}},
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}, {Type: corev1.PodScheduled, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true, Image: "img", ImageID: "sha256:abc"}, {Name: "sidecar", Ready: true}}},
	}
}

func podIP(i int) netip.Addr    { return netip.AddrFrom4([4]byte{10, 128, byte(i >> 8), byte(i)}) }
func svcIP(i int) netip.Addr    { return netip.AddrFrom4([4]byte{10, 96, byte(i >> 8), byte(i)}) }
func nodeIPOf(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}) }

// fill loads a store the way the informers do: 10,000 pods, 1,000 services, 100 nodes.
func fill(s *Store, cache *[]any) {
	for i := range 100 {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i), Labels: map[string]string{ZoneLabel: fmt.Sprintf("zone-%d", i%3)}},
			Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: nodeIPOf(i).String()}}}}
		obj, _ := shrinkNode(n)
		*cache = append(*cache, obj)
		s.SetNode(unwrap[Node](obj))
	}
	for i := range 1000 {
		sv := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%d", i), Namespace: fmt.Sprintf("team-%d", i%50)},
			Spec: corev1.ServiceSpec{ClusterIP: svcIP(i).String(), ClusterIPs: []string{svcIP(i).String()}}}
		obj, _ := shrinkService(sv)
		*cache = append(*cache, obj)
		s.SetService(unwrap[Service](obj))
	}
	for i := range 500 {
		yes := true
		m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%d-7d9f8c6b5", i), Namespace: fmt.Sprintf("team-%d", i%50),
			OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: fmt.Sprintf("web-%d", i), Controller: &yes}}}}
		obj, _ := shrinkMeta(m)
		*cache = append(*cache, obj)
		r := unwrap[ownerRecord](obj)
		s.SetOwner(KindReplicaSet, r.Namespace, r.Name, r.Owner)
	}
	for i := range 10000 {
		obj, _ := shrinkPod(realisticPod(i))
		*cache = append(*cache, obj)
		s.SetPod(unwrap[Pod](obj))
	}
}

// BenchmarkLookupFlow: both ends of a flow resolved (pod to service), next to a plain map lookup
// of the two addresses as the floor.
func BenchmarkLookupFlow(b *testing.B) {
	s := NewStore()
	var cache []any
	fill(s, &cache)
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		var src, dst Endpoint
		s.Read(func(v View) {
			for i := 0; b.Loop(); i++ {
				v.Lookup(podIP(i%10000), 40000, &src)
				v.Lookup(svcIP(i%1000), 80, &dst)
			}
		})
		if src.Name == "" || dst.Name == "" {
			b.Fatal("lookups failed")
		}
	})
	b.Run("plain-map-floor", func(b *testing.B) {
		m := make(map[netip.Addr]*Pod, 11000)
		for i := range 10000 {
			m[podIP(i)] = &Pod{}
		}
		for i := range 1000 {
			m[svcIP(i)] = &Pod{}
		}
		var hits int
		for i := 0; b.Loop(); i++ {
			if m[podIP(i%10000)] != nil && m[svcIP(i%1000)] != nil {
				hits++
			}
		}
		if hits == 0 {
			b.Fatal("no hits")
		}
	})
}

// BenchmarkCacheMemory measures the heap that 10,000 realistic pods (plus 1,000 services, 100
// nodes and 500 ReplicaSets) take once shrunk by the transforms and indexed, against the same
// pods kept whole as an informer without transforms would.
func BenchmarkCacheMemory(b *testing.B) {
	measure := func(keep func() any) int64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		held := keep()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(held)
		return int64(after.HeapAlloc) - int64(before.HeapAlloc)
	}
	for range b.N {
		var est int64
		shrunk := measure(func() any {
			s := NewStore()
			var cache []any
			fill(s, &cache)
			est = s.Bytes()
			return []any{s, cache}
		})
		whole := measure(func() any {
			pods := make([]*corev1.Pod, 10000)
			for i := range pods {
				pods[i] = realisticPod(i)
			}
			return pods
		})
		b.ReportMetric(float64(shrunk)/1e6, "MB-cache")
		b.ReportMetric(float64(est)/1e6, "MB-estimated")
		b.ReportMetric(float64(whole)/1e6, "MB-pods-untransformed")
	}
	b.ReportMetric(0, "ns/op")
}
