// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// DNSTracking, in the TC program: DNS over UDP and over TCP (length-prefixed messages) on the
// configured ports. A query's first sighting is remembered by id and addresses (dns_queries);
// the response's first sighting computes the latency. Each flow keeps its latest DNS message:
// id, flags (rcode among them), latency, errno and the question name.
//
// Only the first message of a TCP segment is read, and only when the segment starts with it
// (what resolvers send: one query per segment). The question name is copied as it is in the
// packet, up to DNS_NAME_MAX bytes (every legal name fits); userspace decodes its labels.
//
// The tracking is a global function (dns_track): the verifier checks it once, not once per path
// through the parser, and packets not on a DNS port never call it.
#pragma once

#include <linux/bpf.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "types.h"
#include "maps.h"
#include "parse.h"

#define MAX_DNS_PORTS 8

volatile const __u8 enable_dns = 0;
volatile const __u8 n_dns_ports = 0;
volatile const __u16 dns_ports[MAX_DNS_PORTS] = {};

#define DNS_HDR_LEN 12
#define DNS_QR 0x8000
#define EEXIST_ 17

struct dns_hdr_ {
	__be16 id;
	__be16 flags;
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};

static __always_inline int is_dns_port(__u16 port) {
#pragma unroll
	for (int i = 0; i < MAX_DNS_PORTS; i++) {
		if (i >= n_dns_ports)
			break;
		if (port == dns_ports[i])
			return 1;
	}
	return 0;
}

// dns_msg finds the DNS message of a packet whose transport header is at l4 (offset from
// skb->data): *off is where the message starts and *end where it ends, from the UDP length or,
// over TCP, the message's length prefix. Returns 1 when there is a message, 0 when there is none
// (a TCP segment without a whole DNS header: an ACK, Ethernet padding, the rest of a message),
// -1 for a UDP datagram too short for a DNS header.
static __always_inline int dns_msg(struct __sk_buff *skb, const struct flow_key *k, __u32 l4,
				   __u32 *off, __u32 *end) {
	if (k->proto == IPPROTO_UDP) {
		struct udphdr uh;
		if (bpf_skb_load_bytes(skb, l4, &uh, sizeof(uh)))
			return -1;
		*off = l4 + sizeof(uh);
		*end = l4 + bpf_ntohs(uh.len);
		return *end >= *off + DNS_HDR_LEN ? 1 : -1;
	}
	__u8 th[13];
	if (bpf_skb_load_bytes(skb, l4, th, sizeof(th)))
		return 0;
	// Data offset (high nibble of byte 12) in 32-bit words.
	__u32 payload = l4 + (th[12] >> 4) * 4;
	if (skb->len < payload + 2 + DNS_HDR_LEN)
		return 0;
	__be16 len;
	if (bpf_skb_load_bytes(skb, payload, &len, sizeof(len)))
		return 0;
	*off = payload + 2;
	*end = *off + bpf_ntohs(len); // the segment may end first: record_dns stops at skb->len
	return bpf_ntohs(len) >= DNS_HDR_LEN;
}

// record_dns stores the message into the flow's DNS entry. The name is copied straight from the
// packet into the entry (or into the scratch entry when the flow has none yet).
static __always_inline void record_dns(struct __sk_buff *skb, void *dns_map,
				       const struct flow_key *k, __u32 name_off, __u32 end, __u16 id,
				       __u16 flags, __u64 *latency, __u8 err, __u8 dir, __u64 now) {
	if (end > skb->len)
		end = skb->len;
	__u32 avail = end > name_off ? end - name_off : 0;
	if (avail > DNS_NAME_MAX)
		avail = DNS_NAME_MAX;
	struct dns_stats *d = bpf_map_lookup_elem(dns_map, k);
	int fresh = 0;
	if (!d) {
		__u32 zero = 0;
		d = bpf_map_lookup_elem(&dns_scratch, &zero);
		if (!d)
			return;
		d->first_seen_ns = now;
		d->latency_ns = 0;
		fresh = 1;
	}
	d->last_seen_ns = now;
	d->id = id;
	d->flags = flags;
	d->errno = err;
	d->ifindex = skb->ifindex;
	d->dir = dir;
	if (latency)
		d->latency_ns = *latency;
	d->name_len = 0;
	if (avail > 0 && bpf_skb_load_bytes(skb, name_off, d->name, avail) == 0)
		d->name_len = avail;
	if (!fresh)
		return;
	long ret = bpf_map_update_elem(dns_map, k, d, BPF_NOEXIST);
	if (ret != 0 && ret != -EEXIST_)
		count(CNT_DNS_LOST);
}

// dns_candidate: a UDP or TCP packet from or to a DNS port (inlined: the only cost of the other
// packets).
static __always_inline int dns_candidate(const struct flow_key *k) {
	return (k->proto == IPPROTO_UDP || k->proto == IPPROTO_TCP) &&
	       (is_dns_port(k->src_port) || is_dns_port(k->dst_port));
}

// dns_track looks at one DNS-port packet of flow k (transport header at l4) seen at time now;
// meta packs the direction (bits 0-7) and the generation of maps to write (bit 8).
__attribute__((noinline)) int dns_track(struct __sk_buff *skb, const struct flow_key *k, __u32 l4,
					__u32 meta, __u64 now) {
	if (!skb || !k)
		return 0;
	__u8 dir = meta & 0xff;
	void *dns_map = (meta & 0x100) ? (void *)&dns_1 : (void *)&dns_0;
	__u32 off = 0, end = 0;
	int found = dns_msg(skb, k, l4, &off, &end);
	if (found <= 0) {
		if (found < 0)
			count(CNT_DNS_MALFORMED);
		return 0;
	}
	struct dns_hdr_ h;
	if (bpf_skb_load_bytes(skb, off, &h, sizeof(h)))
		return 0;
	__u16 id = bpf_ntohs(h.id);
	__u16 flags = bpf_ntohs(h.flags);

	struct dns_query_key q = {.id = id, .proto = k->proto};
	__u64 latency = 0;
	__u64 *set_latency = 0;
	__u8 err = 0;
	if (!(flags & DNS_QR)) {
		// A query: remember its first sighting (a later one, on another interface of this
		// node or a retransmission, keeps the first time).
		__builtin_memcpy(q.src_ip, k->src_ip, 16);
		__builtin_memcpy(q.dst_ip, k->dst_ip, 16);
		q.src_port = k->src_port;
		q.dst_port = k->dst_port;
		// Look first: an LRU map takes a free node before it checks that the key exists.
		__u64 *v = bpf_map_lookup_elem(&dns_queries, &q);
		if (v) {
			if (*v == 0)
				*v = now; // the same query again after it was answered: time it anew
		} else {
			__u64 ts = now;
			long ret = bpf_map_update_elem(&dns_queries, &q, &ts, BPF_NOEXIST);
			if (ret < 0 && ret != -EEXIST_)
				err = -ret;
		}
		set_latency = &latency;
	} else {
		__builtin_memcpy(q.src_ip, k->dst_ip, 16);
		__builtin_memcpy(q.dst_ip, k->src_ip, 16);
		q.src_port = k->dst_port;
		q.dst_port = k->src_port;
		__u64 *v = bpf_map_lookup_elem(&dns_queries, &q);
		if (!v) {
			count(CNT_DNS_UNMATCHED);
		} else if (*v) {
			latency = now - *v;
			*v = 0;
			set_latency = &latency;
		}
		// *v == 0: this response was matched where it was first seen; keep that latency.
	}
	record_dns(skb, dns_map, k, off + DNS_HDR_LEN, end, id, flags, set_latency, err, dir, now);
	return 0;
}
