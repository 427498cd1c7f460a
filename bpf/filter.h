// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Flow filter (flow_filter.rules, NetObserv's flowFilter). Decides, after parsing and before
// anything is recorded, whether a packet (or a drop, or an RTT sample) belongs to the flows the
// user wants.
//
// Semantics, as NetObserv's: the source address is looked up in the cidr trie; the rules whose
// cidr is the longest prefix holding it are candidates, in the order they were configured; the
// first candidate whose other criteria all match decides (Accept or Reject). When none does, the
// destination address is tried the same way. When neither decides, the packet is not recorded
// (no match). A rule without cidr has cidr ::/0 (every IPv4 and IPv6 address, and non-IP frames).
//
// The rules are load-time constants, read by one global function (filter_rule_matches) for the
// candidate rules only; with the filter off (enable_filter = 0) none of this code runs.
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"
#include "maps.h"
#include "parse.h"

volatile const __u8 enable_filter = 0;
// Some rule has its own sampling: sampling happens after the filter, at the rate of the rule.
volatile const __u8 filter_sampling = 0;
volatile const __u8 n_filter_rules = 0;
// Rules without cidr: the only ones a non-IP frame can match.
volatile const __u32 filter_any_mask = 0;
// Some rule has a peer_cidr: the peer trie is looked up once per side.
volatile const __u8 filter_has_peer = 0;
volatile const struct filter_rule filter_rules[MAX_FILTER_RULES] = {};

#define FILTER_NOMATCH 2

// Direction of drops and RTT samples: they are not seen on an interface.
#define DIR_UNKNOWN 0xff

// filter_pkt is what the rules are matched against.
struct filter_pkt {
	const struct flow_key *key;
	__u16 tcp_flags;
	__u8 dir;         // DIR_INGRESS, DIR_EGRESS, or DIR_UNKNOWN: the rule's direction is not checked
	__u8 drop;        // a packet the kernel dropped (drops-only rules match only these)
	__u8 flags_known; // 0 for RTT samples: the rule's tcp_flags are not checked
};

// in_ranges: port is in one of the first n ranges (written out: clang does not unroll this loop
// inside the unrolled loop over rules, and constant indexes let the verifier know every bound).
#define IN_RANGE(i) (n > i && port >= r[i].lo && port <= r[i].hi)
_Static_assert(MAX_PORT_RANGES == 4, "in_ranges checks 4 ranges");
static __always_inline int in_ranges(__u16 port, const volatile struct port_range *r, __u8 n) {
	return IN_RANGE(0) || IN_RANGE(1) || IN_RANGE(2) || IN_RANGE(3);
}
#undef IN_RANGE

static __always_inline __u32 lpm_mask(void *trie, const __u8 *ip) {
	struct lpm_key lk = {.prefixlen = 128};
	__builtin_memcpy(lk.ip, ip, 16);
	__u32 *m = bpf_map_lookup_elem(trie, &lk);
	return m ? *m : 0;
}

static __always_inline int is_ip(const struct flow_key *k) {
	return k->eth_proto == ETH_P_IP || k->eth_proto == ETH_P_IPV6;
}

// Packed arguments of filter_rule_matches (a global function takes scalars).
#define FP_PORTS(c) ((__u64)(c)->key->src_port | (__u64)(c)->key->dst_port << 16)
#define FP_MISC(c)                                                                                 \
	((__u64)(c)->key->proto | (__u64)(c)->key->icmp_type << 8 |                                \
	 (__u64)(c)->key->icmp_code << 16 | (__u64)(c)->dir << 24 | (__u64)(c)->tcp_flags << 32 |  \
	 (__u64)(c)->drop << 48 | (__u64)(c)->flags_known << 49 | (__u64)is_ip((c)->key) << 50)

// filter_rule_matches checks every criterion of rule i but its cidr: ports packs the source and
// destination ports, misc the other packet fields (FP_MISC), peer the peer trie's answer for the
// address at the other end. It is a global function: the verifier checks it once, on its own,
// instead of once per rule and per path (16 inlined rules exceed the verifier's budget).
__attribute__((noinline)) int filter_rule_matches(__u32 i, __u64 ports, __u64 misc, __u32 peer) {
	if (i >= MAX_FILTER_RULES)
		return 0;
	const volatile struct filter_rule *r = &filter_rules[i];
	__u16 sport = ports, dport = ports >> 16;
	__u8 proto = misc, icmp_type = misc >> 8, icmp_code = misc >> 16, dir = misc >> 24;
	__u16 tcp_flags = misc >> 32;
	if (r->proto && r->proto != proto)
		return 0;
	if (r->direction && dir != DIR_UNKNOWN && r->direction != dir + 1)
		return 0;
	if (r->n_ports && !in_ranges(sport, r->ports, r->n_ports) &&
	    !in_ranges(dport, r->ports, r->n_ports))
		return 0;
	if (r->n_src_ports && !in_ranges(sport, r->src_ports, r->n_src_ports))
		return 0;
	if (r->n_dst_ports && !in_ranges(dport, r->dst_ports, r->n_dst_ports))
		return 0;
	__u8 match = r->match;
	if (match & (FR_ICMP_TYPE | FR_ICMP_CODE)) {
		if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6_)
			return 0;
		if ((match & FR_ICMP_TYPE) && icmp_type != r->icmp_type)
			return 0;
		if ((match & FR_ICMP_CODE) && icmp_code != r->icmp_code)
			return 0;
	}
	__u16 want = r->tcp_flags;
	if (want && ((misc >> 49) & 1) && (tcp_flags & want) != want)
		return 0;
	if ((match & FR_DROPS) && !((misc >> 48) & 1))
		return 0;
	if ((match & FR_PEER) && (!((misc >> 50) & 1) || !(peer & (1u << i))))
		return 0;
	return 1;
}

// filter_side tries the candidate rules (bits of mask) in order; the first that matches decides.
static __always_inline int filter_side(__u32 mask, const struct filter_pkt *c,
				       const __u8 *other_ip, __u32 *rate) {
	if (!mask)
		return FILTER_NOMATCH;
	__u32 peer = 0;
	if (filter_has_peer && is_ip(c->key))
		peer = lpm_mask(&filter_peers, other_ip);
	__u64 ports = FP_PORTS(c), misc = FP_MISC(c);
#pragma unroll
	for (int i = 0; i < MAX_FILTER_RULES; i++) {
		if (i >= n_filter_rules)
			break;
		if (!(mask & (1u << i)))
			continue;
		if (!filter_rule_matches(i, ports, misc, peer))
			continue;
		*rate = filter_rules[i].sampling;
		return filter_rules[i].action;
	}
	return FILTER_NOMATCH;
}

// filter_flow returns FILTER_ACCEPT, FILTER_REJECT or FILTER_NOMATCH; *rate is the sampling of
// the deciding rule (0: the global rate).
static __always_inline int filter_flow(const struct filter_pkt *c, __u32 *rate) {
	const struct flow_key *k = c->key;
	*rate = 0;
	if (!is_ip(k))
		return filter_side(filter_any_mask, c, k->dst_ip, rate);
	int res = filter_side(lpm_mask(&filter_cidrs, k->src_ip), c, k->dst_ip, rate);
	if (res != FILTER_NOMATCH)
		return res;
	return filter_side(lpm_mask(&filter_cidrs, k->dst_ip), c, k->src_ip, rate);
}

// filter_rejects is the filter of the drop and RTT hooks: 1 when the sample must not be recorded.
// Not counted: the filter counters count packets seen in TC.
static __always_inline int filter_rejects(const struct filter_pkt *c) {
	if (!enable_filter)
		return 0;
	__u32 rate;
	return filter_flow(c, &rate) != FILTER_ACCEPT;
}
