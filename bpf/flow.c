// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
//go:build ignore

// Flow tracking on TC/TCX ingress and egress.
//
// Every packet (or 1 in `sampling`) is parsed into a flow_key and aggregated into the active flow
// map: bytes and packets on the first interface+direction the flow was seen on, and the list of
// all interfaces it crossed. The receiver flips the active map every cache_active_timeout and
// drains the idle one (see maps.h). When the active map is full, the packet is sent through the
// flow_overflow ring buffer instead; when that is full too, a counter records the loss.
//
// The programs never change a packet and always return TC_ACT_UNSPEC, which is TCX_NEXT for TCX
// links and "continue with the next filter, else pass" for legacy clsact filters.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "types.h"
#include "maps.h"
#include "parse.h"

char __license[] SEC("license") = "Dual BSD/GPL";

// Load-time settings (spec.Variables); volatile so clang keeps the reads.
volatile const __u32 sampling = 1;

// Unused pointers that make clang emit these types into BTF, for bpf2go's Go mirrors.
const struct flow_record *unused_flow_record __attribute__((unused));
const enum counter *unused_counter __attribute__((unused));

// Which flow map packets go to; flipped by the receiver at each eviction.
__u32 active_gen = 0;

// account_hit updates an existing flow. Only the interface+direction that created the flow counts
// bytes and packets, so a packet crossing veth -> bridge -> uplink, or leaving and re-entering
// lo, is counted once.
static __always_inline void account_hit(struct flow_stats *s, struct __sk_buff *skb, __u8 dir,
					__u16 tcp_flags, __u64 now) {
	s->last_seen_ns = now;
	if ((s->tcp_flags & tcp_flags) != tcp_flags)
		__sync_fetch_and_or(&s->tcp_flags, tcp_flags);
	if (s->ifindex[0] == skb->ifindex && s->first_dir == dir) {
		__sync_fetch_and_add(&s->bytes, skb->len);
		__sync_fetch_and_add(&s->packets, 1);
		return;
	}
	__u32 n = s->n_ifaces;
#pragma unroll
	for (int i = 0; i < MAX_IFACES; i++) {
		if (i >= n)
			break;
		if (s->ifindex[i] == skb->ifindex) {
			if (!(s->if_dir[i] & (1 << dir)))
				s->if_dir[i] |= 1 << dir;
			return;
		}
	}
	// The list is full and the overflow already counted: nothing more to record.
	if (n > MAX_IFACES)
		return;
	// A new interface for this flow. Two CPUs racing here may both append it: userspace merges.
	__u32 slot = __sync_fetch_and_add(&s->n_ifaces, 1);
	if (slot >= MAX_IFACES) {
		if (slot == MAX_IFACES)
			count(CNT_IFACE_OVERFLOW);
		return;
	}
	s->ifindex[slot] = skb->ifindex;
	s->if_dir[slot] = 1 << dir;
}

// new_flow builds the value of a flow from its first packet.
static __always_inline void new_flow(struct flow_stats *s, struct pkt *p, struct __sk_buff *skb,
				     __u8 dir, __u64 now) {
	__builtin_memset(s, 0, sizeof(*s));
	s->first_seen_ns = now;
	s->last_seen_ns = now;
	s->bytes = skb->len;
	s->packets = 1;
	s->tcp_flags = p->tcp_flags;
	s->sampling = sampling > 1 ? sampling : 1;
	s->n_ifaces = 1;
	s->ifindex[0] = skb->ifindex;
	s->if_dir[0] = 1 << dir;
	s->first_dir = dir;
	s->dscp = p->dscp;
	__builtin_memcpy(s->src_mac, p->eth->h_source, ETH_ALEN);
	__builtin_memcpy(s->dst_mac, p->eth->h_dest, ETH_ALEN);
}

static __always_inline void track(void *flows, struct flow_key *key, struct pkt *p,
				  struct __sk_buff *skb, __u8 dir) {
	__u64 now = bpf_ktime_get_ns();
	struct flow_stats *s = bpf_map_lookup_elem(flows, key);
	if (s) {
		account_hit(s, skb, dir, p->tcp_flags, now);
		return;
	}
	struct flow_stats init;
	new_flow(&init, p, skb, dir, now);
	long err = bpf_map_update_elem(flows, key, &init, BPF_NOEXIST);
	if (err == 0)
		return;
	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		s = bpf_map_lookup_elem(flows, key);
		if (s)
			account_hit(s, skb, dir, p->tcp_flags, now);
		return;
	}
	// Map full (E2BIG) or busy: hand the packet to userspace.
	count(CNT_MAP_FULL);
	struct flow_record *r = bpf_ringbuf_reserve(&flow_overflow, sizeof(*r), 0);
	if (!r) {
		count(CNT_RINGBUF_LOST);
		return;
	}
	__builtin_memcpy(&r->key, key, sizeof(*key));
	__builtin_memcpy(&r->stats, &init, sizeof(init));
	bpf_ringbuf_submit(r, 0);
}

static __always_inline int flow_monitor(struct __sk_buff *skb, __u8 dir) {
	if (sampling > 1 && (bpf_get_prandom_u32() % sampling) != 0)
		return TC_ACT_UNSPEC;

	struct flow_key key;
	__builtin_memset(&key, 0, sizeof(key));
	struct pkt p = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};
	if (!parse_frame(&p, &key)) {
		count(CNT_MALFORMED);
		return TC_ACT_UNSPEC;
	}
	if (link_scoped(&key)) {
		key.link_ifindex = skb->ifindex;
		key.link_dir = dir;
	}
	if (active_gen & 1)
		track(&flows_1, &key, &p, skb, dir);
	else
		track(&flows_0, &key, &p, skb, dir);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int flow_ingress(struct __sk_buff *skb) {
	return flow_monitor(skb, DIR_INGRESS);
}

SEC("tc")
int flow_egress(struct __sk_buff *skb) {
	return flow_monitor(skb, DIR_EGRESS);
}
