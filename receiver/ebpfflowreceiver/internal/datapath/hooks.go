// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// Hook is where a feature's program runs, named as the kernel names the attach point
// ("tracepoint/skb/kfree_skb", "fentry/tcp_rcv_established"...). The names appear in logs and
// in the receiver_ebpfflow_feature_hook metric.
type Hook string

const (
	HookDropRawTP      Hook = "raw_tracepoint/kfree_skb"
	HookDropTracepoint Hook = "tracepoint/skb/kfree_skb"
	HookRTTFentry      Hook = "fentry/tcp_rcv_established"
	HookRTTRawTP       Hook = "raw_tracepoint/tcp_probe"
	HookRTTTracepoint  Hook = "tracepoint/tcp/tcp_probe"
	HookRTTHandshake   Hook = "tc/handshake" // SYN/SYN-ACK/ACK timing in the TC programs
	HookDNSTC          Hook = "tc"           // DNS parsing in the TC programs
	HookFilterTC       Hook = "tc"
	HookXlatFentry     Hook = "fentry/nf_nat_manip_pkt"
	HookXlatKprobe     Hook = "kprobe/nf_nat_manip_pkt"
	HookXlatConntrack  Hook = "netlink/conntrack" // userspace conntrack dump at each eviction
)

// allHooks maps each hook with a tracing program to that program.
var allHooks = map[Hook]string{
	HookDropRawTP:      bpfgen.FlowProgDropsRawTp,
	HookDropTracepoint: bpfgen.FlowProgDropsTp,
	HookRTTFentry:      bpfgen.FlowProgRttFentry,
	HookRTTRawTP:       bpfgen.FlowProgRttRawTp,
	HookRTTTracepoint:  bpfgen.FlowProgRttTp,
	HookXlatFentry:     bpfgen.FlowProgXlatFentry,
	HookXlatKprobe:     bpfgen.FlowProgXlatKprobe,
}

// program is the name of the hook's tracing program; "" for hooks that run in TC or userspace.
func (h Hook) program() string { return allHooks[h] }

// attach hooks prog at h.
func (h Hook) attach(prog *ebpf.Program) (link.Link, error) {
	switch h {
	case HookDropTracepoint:
		return link.Tracepoint("skb", "kfree_skb", prog, nil)
	case HookRTTTracepoint:
		return link.Tracepoint("tcp", "tcp_probe", prog, nil)
	case HookDropRawTP:
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: "kfree_skb", Program: prog})
	case HookRTTRawTP:
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: "tcp_probe", Program: prog})
	case HookRTTFentry, HookXlatFentry:
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case HookXlatKprobe:
		return link.Kprobe("nf_nat_manip_pkt", prog, nil)
	}
	return nil, fmt.Errorf("hook %s has no program to attach", h)
}

// AttachHooks attaches the tracing programs of the features (drops, RTT, translation). The TC
// programs are attached by package attach.
func (d *Datapath) AttachHooks() error {
	for h, prog := range d.hooks {
		l, err := h.attach(prog)
		if err != nil {
			return errors.Join(fmt.Errorf("attach %s: %w", h, err), d.DetachHooks())
		}
		d.links = append(d.links, l)
	}
	return nil
}

// DetachHooks removes the tracing programs' hooks. Safe to call twice.
func (d *Datapath) DetachHooks() error {
	var errs []error
	for _, l := range d.links {
		errs = append(errs, l.Close())
	}
	d.links = nil
	return errors.Join(errs...)
}

// Hooks returns the tracing programs loaded, by hook (for tests and benchmarks).
func (d *Datapath) Hooks() map[Hook]*ebpf.Program { return d.hooks }
