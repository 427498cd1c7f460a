// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// Support is what the running kernel offers the features. It is found by trying: each hook gets
// a program that does nothing, attached and detached at once. Nothing is assumed from the
// kernel version.
type Support struct {
	// BTF is nil when the kernel describes its types (CO-RE works); the tracing programs
	// need it.
	BTF error
	// Hooks holds, for each hook probed, nil when a program attaches there, else why not.
	Hooks map[Hook]error
	// DropReasons names the kernel's enum skb_drop_reason values, without the SKB_DROP_REASON_
	// prefix (NETFILTER_DROP...), as this kernel numbers them.
	DropReasons map[uint32]string
	// DropReasonNotSpecified is the value of SKB_DROP_REASON_NOT_SPECIFIED.
	DropReasonNotSpecified uint32
	// DropReasonQueuePurge is the value of SKB_DROP_REASON_QUEUE_PURGE (0: none).
	DropReasonQueuePurge uint32
}

// Probe tries the given hooks (hooks running in TC or in userspace need no probe: nil).
func Probe(hooks ...Hook) Support {
	s := Support{Hooks: map[Hook]error{}}
	if err := rlimit.RemoveMemlock(); err != nil {
		s.BTF = err
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		s.BTF = fmt.Errorf("no kernel BTF (/sys/kernel/btf/vmlinux): %w", err)
	}
	for _, h := range hooks {
		s.Hooks[h] = probeHook(h, spec, s.BTF)
	}
	if spec != nil {
		s.DropReasons, s.DropReasonNotSpecified, err = dropReasons(spec)
		for v, name := range s.DropReasons {
			if name == "QUEUE_PURGE" {
				s.DropReasonQueuePurge = v
			}
		}
		if err != nil {
			s.Hooks[HookDropTracepoint] = errors.Join(s.Hooks[HookDropTracepoint], err)
		}
	}
	return s
}

func probeHook(h Hook, spec *btf.Spec, btfErr error) error {
	// Every tracing program of bpf/ uses CO-RE.
	if h.program() != "" && btfErr != nil {
		return btfErr
	}
	switch h {
	case HookDropTracepoint:
		return probeTracepoint("skb", "kfree_skb")
	case HookDropRawTP:
		if err := rawDropReasonArg(spec); err != nil {
			return err
		}
		return probeRawTracepoint("kfree_skb")
	case HookRTTTracepoint:
		return probeTracepoint("tcp", "tcp_probe")
	case HookRTTRawTP:
		return probeRawTracepoint("tcp_probe")
	case HookRTTFentry:
		return probeFentry(spec, "tcp_rcv_established")
	case HookXlatFentry:
		return probeFentry(spec, "nf_nat_manip_pkt")
	case HookXlatKprobe:
		return probeKprobe("nf_nat_manip_pkt")
	case HookRTTHandshake, HookDNSTC, HookXlatConntrack:
		return nil // TC programs load with the flow programs; conntrack is probed by its user
	}
	return fmt.Errorf("unknown hook %s", h)
}

var nop = asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}

func tryAttach(spec *ebpf.ProgramSpec, attach func(*ebpf.Program) (link.Link, error)) error {
	spec.Instructions, spec.License = nop, "GPL"
	if err := features.HaveProgramType(spec.Type); err != nil {
		return fmt.Errorf("%s programs: %w", spec.Type, err)
	}
	p, err := ebpf.NewProgram(spec)
	if err != nil {
		return fmt.Errorf("load %s program: %w", spec.Type, err)
	}
	defer p.Close()
	l, err := attach(p)
	if err != nil {
		return err
	}
	return l.Close()
}

func probeTracepoint(group, name string) error {
	return tryAttach(&ebpf.ProgramSpec{Type: ebpf.TracePoint}, func(p *ebpf.Program) (link.Link, error) {
		return link.Tracepoint(group, name, p, nil)
	})
}

func probeRawTracepoint(name string) error {
	return tryAttach(&ebpf.ProgramSpec{Type: ebpf.RawTracepoint}, func(p *ebpf.Program) (link.Link, error) {
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: name, Program: p})
	})
}

func probeKprobe(symbol string) error {
	return tryAttach(&ebpf.ProgramSpec{Type: ebpf.Kprobe}, func(p *ebpf.Program) (link.Link, error) {
		return link.Kprobe(symbol, p, nil)
	})
}

func probeFentry(spec *btf.Spec, fn string) error {
	var f *btf.Func
	if err := spec.TypeByName(fn, &f); err != nil {
		return fmt.Errorf("kernel function %s: %w", fn, err)
	}
	return tryAttach(&ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: ebpf.AttachTraceFEntry, AttachTo: fn},
		func(p *ebpf.Program) (link.Link, error) {
			return link.AttachTracing(link.TracingOptions{Program: p})
		})
}

// rawDropReasonArg checks that the kfree_skb tracepoint's third argument is the drop reason, as
// the raw tracepoint program reads it.
func rawDropReasonArg(spec *btf.Spec) error {
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_kfree_skb", &td); err != nil {
		return fmt.Errorf("raw tracepoint kfree_skb: %w", err)
	}
	ptr, ok := td.Type.(*btf.Pointer)
	if ok {
		var proto *btf.FuncProto
		if proto, ok = ptr.Target.(*btf.FuncProto); ok {
			// The first parameter is the tracepoint's private data.
			ok = len(proto.Params) >= 4
			if ok {
				e, isEnum := btf.UnderlyingType(proto.Params[3].Type).(*btf.Enum)
				ok = isEnum && e.Name == "skb_drop_reason"
			}
		}
	}
	if !ok {
		return errors.New("raw tracepoint kfree_skb has no drop reason argument (kernel 5.17 or later needed)")
	}
	return nil
}

// dropReasons reads enum skb_drop_reason, and checks that the kfree_skb tracepoint carries it.
func dropReasons(spec *btf.Spec) (map[uint32]string, uint32, error) {
	var tp *btf.Struct
	if err := spec.TypeByName("trace_event_raw_kfree_skb", &tp); err != nil {
		return nil, 0, fmt.Errorf("tracepoint skb:kfree_skb: %w", err)
	}
	hasReason := false
	for _, m := range tp.Members {
		hasReason = hasReason || m.Name == "reason"
	}
	if !hasReason {
		return nil, 0, errors.New("tracepoint skb:kfree_skb has no drop reason (kernel 5.17 or later needed)")
	}
	var e *btf.Enum
	if err := spec.TypeByName("skb_drop_reason", &e); err != nil {
		return nil, 0, fmt.Errorf("enum skb_drop_reason: %w", err)
	}
	names := make(map[uint32]string, len(e.Values))
	var notSpecified uint32
	found := false
	for _, v := range e.Values {
		names[uint32(v.Value)] = strings.TrimPrefix(v.Name, "SKB_DROP_REASON_")
		if v.Name == "SKB_DROP_REASON_NOT_SPECIFIED" {
			notSpecified, found = uint32(v.Value), true
		}
	}
	if !found {
		return nil, 0, errors.New("enum skb_drop_reason has no SKB_DROP_REASON_NOT_SPECIFIED")
	}
	return names, notSpecified, nil
}
