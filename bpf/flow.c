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
//
// Optional features, each in its own header and each turned on by a load-time constant, so a
// feature that is off is dead code the verifier removes: flow filter (filter.h), DNS tracking
// (dns.h), TCP RTT (rtt.h), packet drops (drops.h), address translation (xlat.h). The tracing
// programs of this file are loaded only for the features, and hooks, the receiver picks.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "types.h"
#include "maps.h"
#include "parse.h"
#include "filter.h"
#include "dns.h"
#include "rtt.h"
#include "drops.h"
#include "xlat.h"

char __license[] SEC("license") = "Dual BSD/GPL";

// Load-time settings (spec.Variables); volatile so clang keeps the reads.
volatile const __u32 sampling = 1;
// The sampling done before parsing: sampling, or 1 when flow_filter rules have their own rates
// (the packet's rule is then known only after parsing).
volatile const __u32 early_sampling = 1;
// Some feature runs in the TC programs (flow filter, DNS tracking, handshake RTT).
volatile const __u8 tc_features = 0;

// Unused pointers that make clang emit these types into BTF, for bpf2go's Go mirrors.
const struct flow_record *unused_flow_record __attribute__((unused));
const enum counter *unused_counter __attribute__((unused));

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

// new_flow builds the value of a flow from its first packet. macs points at the Ethernet
// header's addresses (destination, then source); rate is the packet's sampling, 0 for the global.
static __always_inline void new_flow(struct flow_stats *s, struct __sk_buff *skb, __u8 dir,
				     __u16 tcp_flags, __u8 dscp, const __u8 *macs, __u32 rate,
				     __u64 now) {
	__builtin_memset(s, 0, sizeof(*s));
	s->first_seen_ns = now;
	s->last_seen_ns = now;
	s->bytes = skb->len;
	s->packets = 1;
	s->tcp_flags = tcp_flags;
	if (!rate) // the global rate; read here so that a hit does not read it
		rate = sampling;
	s->sampling = rate > 1 ? rate : 1;
	s->n_ifaces = 1;
	s->ifindex[0] = skb->ifindex;
	s->if_dir[0] = 1 << dir;
	s->first_dir = dir;
	s->dscp = dscp;
	__builtin_memcpy(s->src_mac, macs + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(s->dst_mac, macs, ETH_ALEN);
}

// track aggregates the packet into flow map `flows`. It returns the flow's entry when the flow
// existed already (NULL when the packet created it or went to the ring buffer).
static __always_inline struct flow_stats *track(void *flows, struct flow_key *key,
						struct __sk_buff *skb, __u8 dir, __u16 tcp_flags,
						__u8 dscp, const __u8 *macs, __u32 rate, __u64 now) {
	struct flow_stats *s = bpf_map_lookup_elem(flows, key);
	if (s) {
		account_hit(s, skb, dir, tcp_flags, now);
		return s;
	}
	struct flow_stats init;
	new_flow(&init, skb, dir, tcp_flags, dscp, macs, rate, now);
	long err = bpf_map_update_elem(flows, key, &init, BPF_NOEXIST);
	if (err == 0)
		return 0;
	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		s = bpf_map_lookup_elem(flows, key);
		if (s)
			account_hit(s, skb, dir, tcp_flags, now);
		return s;
	}
	// Map full (E2BIG) or busy: hand the packet to userspace.
	count(CNT_MAP_FULL);
	struct flow_record *r = bpf_ringbuf_reserve(&flow_overflow, sizeof(*r), 0);
	if (!r) {
		count(CNT_RINGBUF_LOST);
		return 0;
	}
	__builtin_memcpy(&r->key, key, sizeof(*key));
	__builtin_memcpy(&r->stats, &init, sizeof(init));
	bpf_ringbuf_submit(r, 0);
	return 0;
}

// filter_tc applies flow_filter to a TC packet (meta: TCP flags, and the direction << 16): 1 to
// record it, with *rate its sampling (unchanged when the rule has none). A global function: the
// verifier checks it once, not once per path through the parser (which would exceed its budget).
__attribute__((noinline)) int filter_tc(const struct flow_key *key, __u32 meta, __u32 *rate) {
	if (!key || !rate)
		return 0;
	struct filter_pkt fp = {.key = key, .tcp_flags = meta & 0xffff, .dir = meta >> 16,
				.flags_known = 1};
	__u32 rule_rate = 0;
	switch (filter_flow(&fp, &rule_rate)) {
	case FILTER_ACCEPT:
		count(CNT_FILTER_ACCEPT);
		if (rule_rate)
			*rate = rule_rate;
		return 1;
	case FILTER_REJECT:
		count(CNT_FILTER_REJECT);
		return 0;
	}
	count(CNT_FILTER_NOMATCH);
	return 0;
}

// record_with_features is the path of packets when a feature runs in TC (flow filter, DNS
// tracking, handshake RTT).
static __always_inline int record_with_features(struct __sk_buff *skb, struct flow_key *key,
						struct pkt *p, __u8 dir) {
	__u32 rate = 0; // the global sampling, unless the packet's filter rule has its own
	if (enable_filter && !filter_tc(key, p->tcp_flags | dir << 16, &rate))
		return TC_ACT_UNSPEC;
	if (filter_sampling) {
		__u32 r = rate ? rate : sampling;
		if (r > 1 && (bpf_get_prandom_u32() % r) != 0)
			return TC_ACT_UNSPEC;
	}
	if (link_scoped(key)) {
		key->link_ifindex = skb->ifindex;
		key->link_dir = dir;
	}
	__u32 gen = active_gen;
	__u64 now = bpf_ktime_get_ns();
	if (enable_dns && dns_candidate(key))
		dns_track(skb, key, p->pos - (void *)(long)skb->data, dir | (gen & 1) << 8, now);
	struct flow_stats *s;
	if (gen & 1)
		s = track(&flows_1, key, skb, dir, p->tcp_flags, p->dscp, (const __u8 *)p->eth, rate,
			  now);
	else
		s = track(&flows_0, key, skb, dir, p->tcp_flags, p->dscp, (const __u8 *)p->eth, rate,
			  now);
	if (enable_rtt_tc && key->proto == IPPROTO_TCP)
		rtt_handshake(key, p->tcp_flags | dir << 16 | (gen & 1) << 24, s ? s->tcp_flags : 0, now);
	return TC_ACT_UNSPEC;
}

static __always_inline int flow_monitor(struct __sk_buff *skb, __u8 dir) {
	// Without per-rule sampling, unsampled packets leave before anything is parsed.
	if (early_sampling > 1 && (bpf_get_prandom_u32() % early_sampling) != 0)
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
	// With no feature in TC, the verifier removes the other path: the cost of features that are
	// off is the load of this constant.
	if (tc_features)
		return record_with_features(skb, &key, &p, dir);
	if (link_scoped(&key)) {
		key.link_ifindex = skb->ifindex;
		key.link_dir = dir;
	}
	__u64 now = bpf_ktime_get_ns();
	if (active_gen & 1)
		track(&flows_1, &key, skb, dir, p.tcp_flags, p.dscp, (const __u8 *)p.eth, 0, now);
	else
		track(&flows_0, &key, skb, dir, p.tcp_flags, p.dscp, (const __u8 *)p.eth, 0, now);
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

// PacketDrop (drops.h): the raw tracepoint where the kernel allows it, else the tracepoint.
SEC("raw_tracepoint/kfree_skb")
int drops_raw_tp(struct bpf_raw_tracepoint_args *ctx) {
	// kfree_skb(skb, location, reason[, rx_sk]) since 5.17; the receiver checks it in BTF.
	return on_drop((struct sk_buff *)ctx->args[0], (__u32)ctx->args[2]);
}

SEC("tracepoint/skb/kfree_skb")
int drops_tp(struct trace_event_raw_kfree_skb *ctx) {
	return on_drop(ctx->skbaddr, ctx->reason);
}

// FlowRTT (rtt.h): the receiver loads one of these, the first the kernel runs.
SEC("fentry/tcp_rcv_established")
int BPF_PROG(rtt_fentry, struct sock *sk) {
	return rtt_from_sock(sk);
}

SEC("raw_tracepoint/tcp_probe")
int rtt_raw_tp(struct bpf_raw_tracepoint_args *ctx) {
	return rtt_from_sock((struct sock *)ctx->args[0]);
}

SEC("tracepoint/tcp/tcp_probe")
int rtt_tp(struct trace_event_raw_tcp_probe *ctx) {
	return rtt_from_tcp_probe(ctx);
}

// PacketTranslation (xlat.h): fentry where the kernel has BPF trampolines, else a kprobe.
SEC("fentry/nf_nat_manip_pkt")
int BPF_PROG(xlat_fentry, struct sk_buff *skb, struct nf_conn *ct) {
	return xlat_from_conn(ct);
}

SEC("kprobe/nf_nat_manip_pkt")
int xlat_kprobe(struct pt_regs *ctx) {
	return xlat_from_conn((struct nf_conn *)KPROBE_ARG2(ctx));
}
