// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Maps of the flow program. Userspace owns the life cycle of every entry (see each comment).
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"

// Which generation of maps the programs write into (flows_<active_gen & 1>, and the same for every
// feature map); flipped by the receiver at each eviction.
__u32 active_gen = 0;

// Two flow maps, used in turn. The program writes into flows_<active_gen & 1>; at each eviction
// the receiver flips active_gen, waits for running programs to finish (a grace period forced by
// updating sync_barrier), then reads and deletes every entry of the map that is now idle. No
// packet can race with that read, so no increment is ever lost to eviction.
// max_entries is set at load time from cache_max_flows. The maps are preallocated: an insert
// then costs ~250 ns instead of ~700 ns (docs/performance.md), for memory reserved up front.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows_0 SEC(".maps"), flows_1 SEC(".maps");

// Packets whose flow could not be inserted (map full) travel here one by one; the receiver
// aggregates them into the next eviction. Size set at load time.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} flow_overflow SEC(".maps");

// Per-feature data, keyed by the same flow_key as the flows, and used in turn like them
// (feature_map(drops) picks the active one): eviction drains the idle map of each feature with
// the idle flow map and merges the entries by key. Userspace deletes every entry it reads.
// max_entries is cache_max_flows when the feature is on and 1 when it is off. Not preallocated:
// feature data is sparse (drops, DNS) and its inserts happen once per flow and window.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct drop_stats);
} drops_0 SEC(".maps"), drops_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct rtt_stats);
} rtt_0 SEC(".maps"), rtt_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct dns_stats);
} dns_0 SEC(".maps"), dns_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct xlat_stats);
} xlat_0 SEC(".maps"), xlat_1 SEC(".maps");

// DNS queries waiting for their response: query key -> bpf_ktime_get_ns of its first sighting, or
// 0 once a response matched it (later sightings of that response, on other interfaces, are then
// neither matched again nor counted as unmatched). Nobody deletes entries: the LRU map forgets the
// oldest when full. Sized at load time (1 when DNSTracking is off).
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct dns_query_key);
	__type(value, __u64);
} dns_queries SEC(".maps");

// Scratch space to build a dns_stats (too large for the stack) before inserting it.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_stats);
} dns_scratch SEC(".maps");

// TCP handshakes in progress, for FlowRTT measured in TC (the fallback when no tracing hook can
// run): key of the SYN or SYN-ACK -> its first sighting. Entries are deleted when the next step
// of the handshake is seen; the LRU map forgets handshakes that never complete.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct flow_key);
	__type(value, __u64);
} rtt_handshakes SEC(".maps");

// flow_filter: cidr -> bitmask of the rules with exactly that cidr (longest prefix wins), and
// peer_cidr -> bitmask of the rules whose peer_cidr contains that prefix. Written once by the
// receiver before the programs are attached.
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * MAX_FILTER_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} filter_cidrs SEC(".maps"), filter_peers SEC(".maps");

// Per-CPU counters (enum counter). Read by the receiver, never reset.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

// Updating a map-in-map makes the kernel wait for an RCU grace period (all running BPF programs
// finish). The receiver uses that as a barrier after flipping active_gen. Never read by programs.
struct barrier_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct barrier_inner);
} sync_barrier SEC(".maps");

// The active map of a feature (drops, rtt, dns, xlat), the one the programs write into now.
#define feature_map(name) ((active_gen & 1) ? (void *)&name##_1 : (void *)&name##_0)

static __always_inline void count(enum counter c) {
	__u32 k = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &k);
	if (v)
		*v += 1;
}
