// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// FlowRTT: the smoothed RTT of TCP sockets, per flow. The flow is the direction the measuring
// socket receives (remote -> local), as NetObserv reports it; the window keeps its largest sample.
// The receiver loads one of four hooks, the best the kernel runs:
//   fentry/tcp_rcv_established    BTF-typed socket, cheapest (needs BPF trampolines)
//   raw_tracepoint/tcp_probe      the same socket reads, through a raw tracepoint (needs BTF)
//   tracepoint/tcp/tcp_probe      the tracepoint's own record (srtt, addresses); no BTF needed
//   TC handshake timing           SYN -> SYN-ACK or SYN-ACK -> ACK seen by the TC programs, one
//                                 sample per connection, for kernels where no tracing hook runs
// The socket hooks see sockets of every network namespace of the host.
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "types.h"
#include "maps.h"
#include "parse.h"
#include "filter.h"
#include "kernel.h"

#define AF_INET_ 2
#define AF_INET6_ 10
#define TCPF_SYN_ 0x02
#define TCPF_ACK_ 0x10

// TC handshake timing is on (the fallback hook).
volatile const __u8 enable_rtt_tc = 0;

static __always_inline int is_v4_mapped(const __u8 *a) {
	const __u32 *w = (const __u32 *)a;
	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff);
}

static __always_inline void record_rtt(void *rtt, const struct flow_key *k, __u64 rtt_ns,
				       __u64 now) {
	struct rtt_stats *r = bpf_map_lookup_elem(rtt, k);
	if (!r) {
		struct rtt_stats init = {.first_seen_ns = now, .last_seen_ns = now, .rtt_ns = rtt_ns};
		long ret = bpf_map_update_elem(rtt, k, &init, BPF_NOEXIST);
		if (ret == 0)
			return;
		r = bpf_map_lookup_elem(rtt, k); // another CPU inserted it first
		if (!r) {
			count(CNT_RTT_LOST);
			return;
		}
	}
	r->last_seen_ns = now;
	if (rtt_ns > r->rtt_ns)
		r->rtt_ns = rtt_ns;
}

// rtt_sample records one sample for the flow remote -> local, unless the filter rejects it.
static __always_inline void rtt_sample(struct flow_key *k, __u64 rtt_ns) {
	if (!rtt_ns)
		return; // no sample yet on this socket
	k->eth_proto = is_v4_mapped(k->src_ip) ? ETH_P_IP : ETH_P_IPV6;
	k->proto = IPPROTO_TCP;
	struct filter_pkt fp = {.key = k, .dir = DIR_UNKNOWN};
	if (filter_rejects(&fp))
		return;
	__u64 now = bpf_ktime_get_ns();
	if (active_gen & 1)
		record_rtt(&rtt_1, k, rtt_ns, now);
	else
		record_rtt(&rtt_0, k, rtt_ns, now);
}

// rtt_from_sock is the body of the fentry and raw tracepoint hooks.
static __always_inline int rtt_from_sock(struct sock *sk) {
	struct flow_key k;
	__builtin_memset(&k, 0, sizeof(k));
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_INET_) {
		ipv4_mapped(k.src_ip, BPF_CORE_READ(sk, __sk_common.skc_daddr));
		ipv4_mapped(k.dst_ip, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	} else if (family == AF_INET6_) {
		bpf_core_read(k.src_ip, 16, &sk->__sk_common.skc_v6_daddr);
		bpf_core_read(k.dst_ip, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		return 0;
	}
	k.src_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	k.dst_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u32 srtt_us = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	rtt_sample(&k, (__u64)srtt_us * 1000);
	return 0;
}

// sockaddr_ip copies the address of a struct sockaddr_in / sockaddr_in6 held in a tracepoint
// record (IPv4 as IPv4-mapped).
static __always_inline void sockaddr_ip(__u8 *dst, const __u8 *sa, __u16 family) {
	if (family == AF_INET_)
		ipv4_mapped(dst, *(const __be32 *)(sa + 4));
	else
		__builtin_memcpy(dst, sa + 8, 16);
}

// rtt_from_tcp_probe is the body of the tcp:tcp_probe tracepoint hook.
static __always_inline int rtt_from_tcp_probe(struct trace_event_raw_tcp_probe *ctx) {
	__u16 family = ctx->family;
	if (family != AF_INET_ && family != AF_INET6_)
		return 0;
	struct flow_key k;
	__builtin_memset(&k, 0, sizeof(k));
	__u8 sa[28], da[28];
	bpf_probe_read_kernel(sa, sizeof(sa), ctx->saddr);
	bpf_probe_read_kernel(da, sizeof(da), ctx->daddr);
	sockaddr_ip(k.src_ip, da, family);
	sockaddr_ip(k.dst_ip, sa, family);
	k.src_port = ctx->dport;
	k.dst_port = ctx->sport;
	rtt_sample(&k, (__u64)ctx->srtt * 1000);
	return 0;
}

static __always_inline void reverse_key(const struct flow_key *k, struct flow_key *r) {
	__builtin_memcpy(r, k, sizeof(*r));
	__builtin_memcpy(r->src_ip, k->dst_ip, 16);
	__builtin_memcpy(r->dst_ip, k->src_ip, 16);
	r->src_port = k->dst_port;
	r->dst_port = k->src_port;
}

// handshake_step reports the packets that take part in handshake timing. A SYN or SYN-ACK sent
// (egress) starts a timing; the packet answering it, received (ingress), ends it: the SYN-ACK
// answers a SYN, the first ACK answers a SYN-ACK. Only flows with a SYN in this window (s_flags:
// the flow's flags so far) look at their ACKs, so established traffic costs one test.
static __always_inline int handshake_step(__u16 flags, __u8 dir, __u32 s_flags) {
	if (dir == DIR_EGRESS)
		return (flags & TCPF_SYN_) != 0;
	return (flags & TCPF_SYN_ACK) || ((flags & TCPF_ACK_) && (s_flags & TCPF_SYN_));
}

// rtt_handshake times the TCP handshake as this node sees it, for one TCP packet seen at time now.
// meta packs the packet's TCP flags (bits 0-15), its direction (bits 16-23) and the generation
// of maps (bit 24); s_flags are the flags of its flow so far. The sample goes to the receiving
// direction's flow, like the socket hooks. A global function: verified once.
__attribute__((noinline)) int rtt_handshake(const struct flow_key *k, __u32 meta, __u32 s_flags,
					    __u64 now) {
	__u16 flags = meta & 0xffff;
	__u8 dir = (meta >> 16) & 0xff;
	if (!k || !handshake_step(flags, dir, s_flags))
		return 0;
	if (dir == DIR_EGRESS) {
		__u64 ts = now;
		bpf_map_update_elem(&rtt_handshakes, k, &ts, BPF_NOEXIST);
		return 0;
	}
	struct flow_key r;
	reverse_key(k, &r);
	__u64 *t = bpf_map_lookup_elem(&rtt_handshakes, &r);
	if (!t)
		return 0;
	__u64 sample = now - *t;
	bpf_map_delete_elem(&rtt_handshakes, &r);
	// The packet passed the filter already.
	if (meta & (1 << 24))
		record_rtt(&rtt_1, k, sample, now);
	else
		record_rtt(&rtt_0, k, sample, now);
	return 0;
}
