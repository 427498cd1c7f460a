// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Maps of the flow program. Userspace owns the life cycle of every entry (see each comment).
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"

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

static __always_inline void count(enum counter c) {
	__u32 k = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &k);
	if (v)
		*v += 1;
}
