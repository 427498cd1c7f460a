// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The few kernel structs the tracing programs read, written by hand with only the fields used.
// preserve_access_index makes every access a CO-RE relocation: the loader takes the real offsets
// from the running kernel's BTF, so one object works on every kernel with BTF, and no vmlinux.h
// is needed. Field names must be the kernel's; a ___suffix on a type name is ignored by CO-RE.
#pragma once

#include <linux/types.h>
#include <linux/in6.h>

#define CORE __attribute__((preserve_access_index))

struct net_device {
	int ifindex;
} CORE;

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} CORE;

struct sock {
	struct sock_common __sk_common;
} CORE;

struct tcp_sock {
	__u32 srtt_us; // smoothed RTT in microseconds << 3
} CORE;

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned int len;
	__be16 protocol;
	__u16 network_header;
	unsigned char *head;
} CORE;

// Tracepoint records (struct trace_event_raw_<event> in the kernel's BTF).
// The values of enum skb_drop_reason differ between kernels: none is used here (see drops.h).
enum skb_drop_reason {
	SKB_DROP_REASON_UNUSED___fl,
};

struct trace_event_raw_kfree_skb {
	void *skbaddr;
	enum skb_drop_reason reason; // 5.17+
} CORE;

struct trace_event_raw_tcp_probe {
	__u8 saddr[28]; // struct sockaddr_in or sockaddr_in6 of the local end
	__u8 daddr[28]; // of the remote end
	__u16 sport;    // host byte order
	__u16 dport;
	__u16 family;
	__u32 srtt; // smoothed RTT, microseconds
} CORE;

// Conntrack, for PacketTranslation where fentry or kprobes can run.
union nf_inet_addr___fl {
	__u32 all[4];
} CORE;

union nf_conntrack_man_proto___fl {
	__be16 all;
} CORE;

struct nf_conntrack_man {
	union nf_inet_addr___fl u3;
	union nf_conntrack_man_proto___fl u;
	__u16 l3num;
} CORE;

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr___fl u3;
		union nf_conntrack_man_proto___fl u;
		__u8 protonum;
	} dst;
} CORE;

struct nf_conntrack_tuple_hash {
	struct nf_conntrack_tuple tuple;
} CORE;

struct nf_conntrack_zone {
	__u16 id;
} CORE;

struct nf_conn {
	struct nf_conntrack_zone zone;
	struct nf_conntrack_tuple_hash tuplehash[2];
} CORE;

// Registers at a kprobe, for the second argument of the probed function. Only the register used
// is declared; CO-RE finds it in the kernel's struct pt_regs of each architecture.
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long si;
} CORE;
#define KPROBE_ARG2(ctx) BPF_CORE_READ(ctx, si)
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
	unsigned long regs[31];
} CORE;
#define KPROBE_ARG2(ctx) BPF_CORE_READ(ctx, regs[1])
#else
#error "kprobe arguments: unknown __TARGET_ARCH"
#endif
