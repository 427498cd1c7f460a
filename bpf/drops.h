// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// PacketDrop: tracepoint skb:kfree_skb, which fires for every freed skb with the reason, attached
// raw (no tracefs needed, and the kernel builds no record) or, failing that, as a tracepoint. Drops
// with a reason beyond SKB_DROP_REASON_NOT_SPECIFIED are real drops: the flow key is rebuilt from
// the skb's headers (CO-RE reads of skb->head + network_header), and the flow's drop entry counts
// bytes and packets and keeps the latest reason, TCP flags and socket state.
//
// The tracepoint is global: it sees drops in every network namespace of the host, which is what a
// node agent wants (pods' drops). It does not sample.
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "types.h"
#include "maps.h"
#include "parse.h"
#include "filter.h"
#include "kernel.h"

// SKB_DROP_REASON_NOT_SPECIFIED as the running kernel numbers it (read from its BTF at load).
volatile const __u32 drop_reason_not_specified = 2;
// SKB_DROP_REASON_QUEUE_PURGE (0 when the kernel has none): a closing socket's queues freed, no
// drop on the network (every short HTTP connection would report one).
volatile const __u32 drop_reason_queue_purge = 0;

// skb_l4 reads the transport header of a dropped packet into the key. l4 points at it.
static __always_inline int skb_l4(const unsigned char *l4, struct flow_key *k, __u16 *flags) {
	switch (k->proto) {
	case IPPROTO_TCP: {
		__u8 th[14];
		if (bpf_probe_read_kernel(th, sizeof(th), l4))
			return 0;
		k->src_port = (th[0] << 8) | th[1];
		k->dst_port = (th[2] << 8) | th[3];
		__u16 f = th[13];
		if ((f & 0x12) == 0x12)
			f |= TCPF_SYN_ACK;
		if ((f & 0x11) == 0x11)
			f |= TCPF_FIN_ACK;
		if ((f & 0x14) == 0x14)
			f |= TCPF_RST_ACK;
		*flags = f;
		return 1;
	}
	case IPPROTO_UDP:
	case IPPROTO_SCTP_: {
		__u8 ph[4];
		if (bpf_probe_read_kernel(ph, sizeof(ph), l4))
			return 0;
		k->src_port = (ph[0] << 8) | ph[1];
		k->dst_port = (ph[2] << 8) | ph[3];
		return 1;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6_: {
		__u8 ih[2];
		if (bpf_probe_read_kernel(ih, sizeof(ih), l4))
			return 0;
		k->icmp_type = ih[0];
		k->icmp_code = ih[1];
		return 1;
	}
	}
	return 1;
}

// skb_key rebuilds the flow key of a dropped packet from its IP header. 0 when it is not IP or
// its headers are not set yet.
static __always_inline int skb_key(struct sk_buff *skb, struct flow_key *k, __u16 *flags) {
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	if (!head || nh == (__u16)~0U)
		return 0;
	const unsigned char *l3 = head + nh;
	k->eth_proto = proto;
	if (proto == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), l3))
			return 0;
		ipv4_mapped(k->src_ip, ip.saddr);
		ipv4_mapped(k->dst_ip, ip.daddr);
		k->proto = ip.protocol;
		if (ip.frag_off & bpf_htons(0x1fff))
			return 1;
		return skb_l4(l3 + ip.ihl * 4, k, flags);
	}
	if (proto != ETH_P_IPV6)
		return 0;
	struct ipv6hdr ip6;
	if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3))
		return 0;
	__builtin_memcpy(k->src_ip, &ip6.saddr, 16);
	__builtin_memcpy(k->dst_ip, &ip6.daddr, 16);
	__u8 next = ip6.nexthdr;
	const unsigned char *pos = l3 + sizeof(ip6);
#pragma unroll
	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		if (next != IPV6_EXT_HOP && next != IPV6_EXT_ROUTING && next != IPV6_EXT_DSTOPTS &&
		    next != IPV6_EXT_FRAGMENT)
			break;
		__u8 ext[4];
		if (bpf_probe_read_kernel(ext, sizeof(ext), pos))
			return 0;
		if (next == IPV6_EXT_FRAGMENT) {
			k->proto = ext[0];
			if (((ext[2] << 8) | ext[3]) & 0xfff8)
				return 1;
			next = ext[0];
			pos += 8;
			continue;
		}
		next = ext[0];
		pos += ((__u32)ext[1] + 1) * 8;
	}
	k->proto = next;
	return skb_l4(pos, k, flags);
}

static __always_inline void record_drop(void *drops, const struct flow_key *k, __u32 len,
					__u32 reason, __u16 flags, __u8 state, __u32 ifindex) {
	__u64 now = bpf_ktime_get_ns();
	struct drop_stats *d = bpf_map_lookup_elem(drops, k);
	if (!d) {
		struct drop_stats init = {
		    .first_seen_ns = now,
		    .last_seen_ns = now,
		    .bytes = len,
		    .packets = 1,
		    .latest_cause = reason,
		    .ifindex = ifindex,
		    .latest_flags = flags,
		    .latest_state = state,
		};
		long ret = bpf_map_update_elem(drops, k, &init, BPF_NOEXIST);
		if (ret == 0)
			return;
		d = bpf_map_lookup_elem(drops, k); // another CPU inserted it first
		if (!d) {
			count(CNT_DROPS_LOST);
			return;
		}
	}
	__sync_fetch_and_add(&d->bytes, len);
	__sync_fetch_and_add(&d->packets, 1);
	d->last_seen_ns = now;
	d->latest_cause = reason;
	d->latest_flags = flags;
	d->latest_state = state;
	d->ifindex = ifindex;
}

// on_drop is the body of both hooks (raw tracepoint and tracepoint).
static __always_inline int on_drop(struct sk_buff *skb, __u32 reason) {
	if (reason <= drop_reason_not_specified || (drop_reason_queue_purge && reason == drop_reason_queue_purge))
		return 0;
	struct flow_key key;
	__builtin_memset(&key, 0, sizeof(key));
	__u16 flags = 0;
	if (!skb_key(skb, &key, &flags))
		return 0;
	struct filter_pkt fp = {.key = &key, .tcp_flags = flags, .dir = DIR_UNKNOWN, .drop = 1,
				.flags_known = 1};
	if (filter_rejects(&fp))
		return 0;
	__u32 ifindex = 0;
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	if (dev)
		ifindex = BPF_CORE_READ(dev, ifindex);
	if (link_scoped(&key))
		key.link_ifindex = ifindex; // the direction is not known: link_dir stays ingress
	__u8 state = 0;
	struct sock *sk = BPF_CORE_READ(skb, sk);
	if (sk && key.proto == IPPROTO_TCP)
		state = BPF_CORE_READ(sk, __sk_common.skc_state);
	__u32 len = BPF_CORE_READ(skb, len);
	if (active_gen & 1)
		record_drop(&drops_1, &key, len, reason, flags, state, ifindex);
	else
		record_drop(&drops_0, &key, len, reason, flags, state, ifindex);
	return 0;
}
