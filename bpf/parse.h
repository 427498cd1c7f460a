// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Header parsing for the TC programs. Every read is bounds-checked against data_end; a helper
// returns 0 when the frame is too short to hold the header it looks for.
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "types.h"

#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define IPPROTO_SCTP_ 132
#define IPPROTO_ICMPV6_ 58

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

// ICMP and ICMPv6 share this prefix.
struct icmp_hdr_ {
	__u8 type;
	__u8 code;
};

// Only the ports of an SCTP common header are needed.
struct sctp_hdr_ {
	__be16 source;
	__be16 dest;
};

// pkt is the parse cursor: what has been decoded so far and where the next header starts. After
// parse_frame, pos is at the transport header of a packet with ports (what DNS tracking reads).
struct pkt {
	void *pos;
	void *end;
	struct ethhdr *eth;
	__u16 l3_proto; // ethertype after VLAN tags, host order
	__u8 dscp;
	__u16 tcp_flags;
};

static __always_inline void ipv4_mapped(__u8 *dst, __be32 addr) {
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

// parse_l4 fills ports, ICMP type/code and TCP flags. A truncated L4 header makes the frame
// malformed (returns 0); unknown protocols are still flows, with ports 0.
static __always_inline int parse_l4(struct pkt *p, struct flow_key *k) {
	switch (k->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = p->pos;
		if ((void *)(th + 1) > p->end)
			return 0;
		k->src_port = bpf_ntohs(th->source);
		k->dst_port = bpf_ntohs(th->dest);
		// Byte 13 of the TCP header holds CWR..FIN in the same bit order as our flags.
		__u16 f = ((__u8 *)th)[13];
		if ((f & 0x12) == 0x12)
			f |= TCPF_SYN_ACK;
		if ((f & 0x11) == 0x11)
			f |= TCPF_FIN_ACK;
		if ((f & 0x14) == 0x14)
			f |= TCPF_RST_ACK;
		p->tcp_flags = f;
		return 1;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = p->pos;
		if ((void *)(uh + 1) > p->end)
			return 0;
		k->src_port = bpf_ntohs(uh->source);
		k->dst_port = bpf_ntohs(uh->dest);
		return 1;
	}
	case IPPROTO_SCTP_: {
		struct sctp_hdr_ *sh = p->pos;
		if ((void *)(sh + 1) > p->end)
			return 0;
		k->src_port = bpf_ntohs(sh->source);
		k->dst_port = bpf_ntohs(sh->dest);
		return 1;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6_: {
		struct icmp_hdr_ *ih = p->pos;
		if ((void *)(ih + 1) > p->end)
			return 0;
		k->icmp_type = ih->type;
		k->icmp_code = ih->code;
		return 1;
	}
	}
	return 1;
}

static __always_inline int parse_ipv4(struct pkt *p, struct flow_key *k) {
	struct iphdr *ip = p->pos;
	if ((void *)(ip + 1) > p->end)
		return 0;
	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return 0;
	ipv4_mapped(k->src_ip, ip->saddr);
	ipv4_mapped(k->dst_ip, ip->daddr);
	k->proto = ip->protocol;
	p->dscp = ip->tos >> 2;
	// Later fragments carry no L4 header: keep them as a flow without ports.
	if (ip->frag_off & bpf_htons(0x1fff))
		return 1;
	p->pos += ihl;
	return parse_l4(p, k);
}

// IPv6 extension headers walked to find the transport header.
#define IPV6_EXT_HOP 0
#define IPV6_EXT_ROUTING 43
#define IPV6_EXT_FRAGMENT 44
#define IPV6_EXT_DSTOPTS 60
#define IPV6_MAX_EXT 4

struct ipv6_ext_ {
	__u8 nexthdr;
	__u8 hdrlen; // in 8-byte units, not counting the first 8
};

static __always_inline int parse_ipv6(struct pkt *p, struct flow_key *k) {
	struct ipv6hdr *ip6 = p->pos;
	if ((void *)(ip6 + 1) > p->end)
		return 0;
	__builtin_memcpy(k->src_ip, &ip6->saddr, 16);
	__builtin_memcpy(k->dst_ip, &ip6->daddr, 16);
	__u8 next = ip6->nexthdr;
	p->dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >> 2;
	p->pos = ip6 + 1;
	// Walk up to IPV6_MAX_EXT extension headers (hop-by-hop on MLD, routing, destination
	// options, fragment) so the flow gets the real transport protocol and ports.
#pragma unroll
	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		if (next != IPV6_EXT_HOP && next != IPV6_EXT_ROUTING && next != IPV6_EXT_DSTOPTS &&
		    next != IPV6_EXT_FRAGMENT)
			break;
		struct ipv6_ext_ *ext = p->pos;
		if ((void *)ext + 8 > p->end)
			return 0;
		if (next == IPV6_EXT_FRAGMENT) {
			// A later fragment has no transport header: a flow without ports.
			__be16 off = *(__be16 *)((void *)ext + 2);
			k->proto = ext->nexthdr;
			if (off & bpf_htons(0xfff8))
				return 1;
			next = ext->nexthdr;
			p->pos = (void *)ext + 8;
			continue;
		}
		next = ext->nexthdr;
		p->pos = (void *)ext + ((__u32)ext->hdrlen + 1) * 8;
	}
	k->proto = next;
	return parse_l4(p, k);
}

// parse_frame decodes L2..L4 into the key. Returns 0 for a frame too short to be recorded.
static __always_inline int parse_frame(struct pkt *p, struct flow_key *k) {
	struct ethhdr *eth = p->pos;
	if ((void *)(eth + 1) > p->end)
		return 0;
	p->eth = eth;
	__u16 proto = bpf_ntohs(eth->h_proto);
	p->pos = eth + 1;
	// Up to two VLAN tags (802.1ad outer + 802.1Q inner) when they are still in the data.
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q_ && proto != ETH_P_8021AD_)
			break;
		struct vlan_hdr_ *vh = p->pos;
		if ((void *)(vh + 1) > p->end)
			return 0;
		proto = bpf_ntohs(vh->proto);
		p->pos = vh + 1;
	}
	p->l3_proto = proto;
	k->eth_proto = proto;
	switch (proto) {
	case ETH_P_IP:
		return parse_ipv4(p, k);
	case ETH_P_IPV6:
		return parse_ipv6(p, k);
	}
	__builtin_memcpy(k->src_ip, eth->h_source, ETH_ALEN);
	__builtin_memcpy(k->dst_ip, eth->h_dest, ETH_ALEN);
	return 1;
}

// link_scoped reports packets that stay on their link: link-local multicast (224.0.0.0/24,
// ff01::/16, ff02::/16), limited broadcast, or an unspecified source address. Routable multicast
// and subnet-directed broadcasts are not detected as such. See flow_key.link_ifindex.
static __always_inline int link_scoped(const struct flow_key *k) {
	switch (k->eth_proto) {
	case ETH_P_IP: {
		__u32 dst = *(__u32 *)(k->dst_ip + 12);
		__u32 src = *(__u32 *)(k->src_ip + 12);
		return (k->dst_ip[12] == 224 && k->dst_ip[13] == 0 && k->dst_ip[14] == 0) ||
		       dst == 0xffffffff || src == 0;
	}
	case ETH_P_IPV6: {
		const __u64 *s = (const __u64 *)k->src_ip;
		return (k->dst_ip[0] == 0xff && (k->dst_ip[1] & 0x0f) <= 2) || (s[0] == 0 && s[1] == 0);
	}
	}
	return 0;
}
