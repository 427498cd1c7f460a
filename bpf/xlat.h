// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// PacketTranslation, kernel path: fentry (or kprobe) on nf_nat_manip_pkt, which runs for every
// packet conntrack translates. It reads the connection's two tuples and records, for the flow of
// the original direction, the addresses and ports after translation (the reply tuple reversed),
// and for the flow of the reverse direction, the reply tuple. The zone is the conntrack zone.
//
// Kernels where neither hook runs use the receiver's userspace path instead (a conntrack dump
// over netlink at each eviction, joined with the evicted flows); both give the same attributes.
#pragma once

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "types.h"
#include "maps.h"
#include "parse.h"
#include "kernel.h"

#define NFPROTO_IPV4_ 2
#define NFPROTO_IPV6_ 10

static __always_inline void tuple_ip(__u8 *dst, const union nf_inet_addr___fl *a, __u16 l3) {
	if (l3 == NFPROTO_IPV4_)
		ipv4_mapped(dst, BPF_CORE_READ(a, all[0]));
	else
		bpf_core_read(dst, 16, a);
}

static __always_inline void record_xlat(void *xlat, const struct flow_key *k,
					const struct xlat_stats *x) {
	struct xlat_stats *cur = bpf_map_lookup_elem(xlat, k);
	if (cur) {
		// Every packet of a translated connection comes here: write only what changed.
		cur->last_seen_ns = x->last_seen_ns;
		return;
	}
	long ret = bpf_map_update_elem(xlat, k, x, BPF_NOEXIST);
	if (ret != 0 && ret != -17 /* EEXIST */)
		count(CNT_XLAT_LOST);
}

static __always_inline int xlat_from_conn(struct nf_conn *ct) {
	struct nf_conntrack_tuple *orig = &ct->tuplehash[0].tuple;
	struct nf_conntrack_tuple *reply = &ct->tuplehash[1].tuple;
	__u16 l3 = BPF_CORE_READ(orig, src.l3num);
	__u8 proto = BPF_CORE_READ(orig, dst.protonum);
	if ((l3 != NFPROTO_IPV4_ && l3 != NFPROTO_IPV6_) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP_))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	struct flow_key k;
	__builtin_memset(&k, 0, sizeof(k));
	k.eth_proto = l3 == NFPROTO_IPV4_ ? ETH_P_IP : ETH_P_IPV6;
	k.proto = proto;
	struct xlat_stats x = {.first_seen_ns = now, .last_seen_ns = now, .eth_proto = k.eth_proto};
	x.zone_id = BPF_CORE_READ(ct, zone.id);

	// Original direction: client -> service, translated into reply.dst -> reply.src.
	tuple_ip(k.src_ip, &orig->src.u3, l3);
	tuple_ip(k.dst_ip, &orig->dst.u3, l3);
	k.src_port = bpf_ntohs(BPF_CORE_READ(orig, src.u.all));
	k.dst_port = bpf_ntohs(BPF_CORE_READ(orig, dst.u.all));
	tuple_ip(x.src_ip, &reply->dst.u3, l3);
	tuple_ip(x.dst_ip, &reply->src.u3, l3);
	x.src_port = bpf_ntohs(BPF_CORE_READ(reply, dst.u.all));
	x.dst_port = bpf_ntohs(BPF_CORE_READ(reply, src.u.all));
	void *m = feature_map(xlat);
	record_xlat(m, &k, &x);

	// Reverse direction: service -> client, translated from the reply tuple as it is.
	struct flow_key r;
	__builtin_memcpy(&r, &k, sizeof(r));
	__builtin_memcpy(r.src_ip, k.dst_ip, 16);
	__builtin_memcpy(r.dst_ip, k.src_ip, 16);
	r.src_port = k.dst_port;
	r.dst_port = k.src_port;
	struct xlat_stats y = x;
	__builtin_memcpy(y.src_ip, x.dst_ip, 16);
	__builtin_memcpy(y.dst_ip, x.src_ip, 16);
	y.src_port = x.dst_port;
	y.dst_port = x.src_port;
	record_xlat(m, &r, &y);
	return 0;
}
