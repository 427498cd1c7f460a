// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package kube

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func ips(ss ...string) []netip.Addr { return parseIPs(ss...) }

func lookup(s *Store, ip string, port uint16) (Endpoint, bool) {
	var e Endpoint
	var ok bool
	s.Read(func(v View) { ok = v.Lookup(netip.MustParseAddr(ip), port, &e) })
	return e, ok
}

func TestOwnerChain(t *testing.T) {
	t.Parallel()
	s := NewStore()
	s.SetNode(&Node{Name: "n1", IPs: ips("10.0.0.1"), Zone: "z1"})
	s.SetOwner(KindReplicaSet, "ns", "web-1", Owner{KindDeployment, "web"})
	s.SetOwner(KindJob, "ns", "job-1", Owner{KindCronJob, "cron"})
	s.SetPod(&Pod{Namespace: "ns", Name: "a", NodeName: "n1", OwnerKind: KindReplicaSet, OwnerName: "web-1", IPs: ips("10.1.0.1")})
	s.SetPod(&Pod{Namespace: "ns", Name: "b", NodeName: "n1", OwnerKind: KindJob, OwnerName: "job-1", IPs: ips("10.1.0.2")})
	s.SetPod(&Pod{Namespace: "ns", Name: "c", NodeName: "n1", OwnerKind: KindReplicaSet, OwnerName: "orphan-rs", IPs: ips("10.1.0.3")})
	s.SetPod(&Pod{Namespace: "ns", Name: "d", NodeName: "n1", IPs: ips("10.1.0.4")})
	for ip, want := range map[string][2]string{
		"10.1.0.1": {KindDeployment, "web"},
		"10.1.0.2": {KindCronJob, "cron"},
		"10.1.0.3": {KindReplicaSet, "orphan-rs"}, // a ReplicaSet without controller is the top owner
		"10.1.0.4": {KindPod, "d"},                // no controller: the pod owns itself
	} {
		e, ok := lookup(s, ip, 0)
		assert.True(t, ok, ip)
		assert.Equal(t, want, [2]string{e.OwnerType, e.OwnerName}, ip)
		assert.Equal(t, "z1", e.Zone, "zone from the pod's node")
		assert.Equal(t, "10.0.0.1", e.NodeIP, "node IP from the node when the pod has no hostIP")
	}
	// The owner going away changes the answer at once (resolution happens at lookup).
	s.SetOwner(KindReplicaSet, "ns", "web-1", Owner{})
	e, _ := lookup(s, "10.1.0.1", 0)
	assert.Equal(t, [2]string{KindReplicaSet, "web-1"}, [2]string{e.OwnerType, e.OwnerName})
}

func TestReusedIP(t *testing.T) {
	t.Parallel()
	s := NewStore()
	old := &Pod{Namespace: "ns", Name: "old", IPs: ips("10.1.0.9"), Created: 100}
	s.SetPod(old)
	s.SetPod(&Pod{Namespace: "ns", Name: "new", IPs: ips("10.1.0.9"), Created: 200})
	e, _ := lookup(s, "10.1.0.9", 0)
	assert.Equal(t, "new", e.Name)
	// The old pod is updated (deletion started): it must not take the IP back.
	s.SetPod(&Pod{Namespace: "ns", Name: "old", IPs: ips("10.1.0.9"), Created: 100, Deleting: true})
	e, _ = lookup(s, "10.1.0.9", 0)
	assert.Equal(t, "new", e.Name)
	s.DeletePod("ns", "old")
	e, _ = lookup(s, "10.1.0.9", 0)
	assert.Equal(t, "new", e.Name)
	s.DeletePod("ns", "new")
	_, ok := lookup(s, "10.1.0.9", 0)
	assert.False(t, ok)
	assert.Empty(t, s.shadowed, "no claimant left behind")

	// Deleting the holder hands the IP to the remaining claimant.
	s.SetPod(&Pod{Namespace: "ns", Name: "x", IPs: ips("10.1.0.8"), Created: 100})
	s.SetPod(&Pod{Namespace: "ns", Name: "y", IPs: ips("10.1.0.8"), Created: 200})
	s.DeletePod("ns", "y")
	e, _ = lookup(s, "10.1.0.8", 0)
	assert.Equal(t, "x", e.Name)
}

func TestHostNetworkByPort(t *testing.T) {
	t.Parallel()
	s := NewStore()
	s.SetNode(&Node{Name: "n1", IPs: ips("10.0.0.1", "203.0.113.1")})
	s.SetPod(&Pod{Namespace: "mon", Name: "exporter", NodeName: "n1", HostNetwork: true, IPs: ips("10.0.0.1"), Ports: []uint16{9100}})
	e, _ := lookup(s, "10.0.0.1", 9100)
	assert.Equal(t, [2]string{KindPod, "exporter"}, [2]string{e.Type, e.Name})
	for _, port := range []uint16{0, 22} {
		e, _ = lookup(s, "10.0.0.1", port)
		assert.Equal(t, [2]string{KindNode, "n1"}, [2]string{e.Type, e.Name}, "port %d", port)
	}
	e, _ = lookup(s, "203.0.113.1", 0)
	assert.Equal(t, "n1", e.Name, "external IP")
	assert.Equal(t, "10.0.0.1", e.NodeIP, "internal IP first")
	s.DeletePod("mon", "exporter")
	e, _ = lookup(s, "10.0.0.1", 9100)
	assert.Equal(t, KindNode, e.Type)
	assert.Empty(t, s.hostNetPod)
}

func TestServicesAndNodesFollowUpdates(t *testing.T) {
	t.Parallel()
	s := NewStore()
	s.SetService(&Service{Namespace: "ns", Name: "api", IPs: ips("10.96.0.1", "fd00:96::1", "None")})
	for _, ip := range []string{"10.96.0.1", "fd00:96::1"} {
		e, ok := lookup(s, ip, 0)
		assert.True(t, ok)
		assert.Equal(t, Endpoint{Namespace: "ns", Name: "api", Type: KindService, OwnerName: "api", OwnerType: KindService}, e)
	}
	s.SetService(&Service{Namespace: "ns", Name: "api", IPs: ips("10.96.0.2")})
	_, ok := lookup(s, "10.96.0.1", 0)
	assert.False(t, ok, "the old ClusterIP is gone")
	s.DeleteService("ns", "api")
	_, ok = lookup(s, "10.96.0.2", 0)
	assert.False(t, ok)

	s.SetNode(&Node{Name: "n", IPs: ips("10.0.0.5"), Zone: "a"})
	s.SetNode(&Node{Name: "n", IPs: ips("10.0.0.6"), Zone: "b"})
	_, ok = lookup(s, "10.0.0.5", 0)
	assert.False(t, ok)
	e, _ := lookup(s, "10.0.0.6", 0)
	assert.Equal(t, "b", e.Zone)
	assert.Equal(t, map[string]int{KindPod: 0, KindService: 0, KindNode: 1, KindReplicaSet: 0, KindJob: 0}, s.Sizes())
	assert.Positive(t, s.Bytes())
}
