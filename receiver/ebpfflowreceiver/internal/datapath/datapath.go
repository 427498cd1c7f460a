// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package datapath loads the flow programs into the kernel and drains what they record: the two
// flow maps used in turn, the feature maps that go with them, the overflow ring buffer and the
// loss counters. It also probes which hooks the kernel runs and attaches the tracing programs of
// the features. It knows nothing of interfaces (package attach) or of pdata (package decode).
package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// Key and Stats are the Go mirrors of struct flow_key and struct flow_stats (bpf/types.h), and
// the others those of the feature values.
type (
	Key       = bpfgen.FlowFlowKey
	Stats     = bpfgen.FlowFlowStats
	Record    = bpfgen.FlowFlowRecord
	DropStats = bpfgen.FlowDropStats
	RTTStats  = bpfgen.FlowRttStats
	DNSStats  = bpfgen.FlowDnsStats
	XlatStats = bpfgen.FlowXlatStats
)

// MaxIfaces is how many interfaces one flow remembers (MAX_IFACES in bpf/types.h).
const MaxIfaces = len(Stats{}.Ifindex)

// Settings are the load-time parameters of the programs.
type Settings struct {
	// Sampling: 1 packet in Sampling is recorded; 0 and 1 record every packet.
	Sampling uint32
	// MaxFlows is the capacity of each of the two flow maps, and of each feature map.
	MaxFlows uint32
	// RingBufBytes is the size of the overflow ring buffer (a power of two, at least a page).
	RingBufBytes uint32

	// Drops is the PacketDrop hook (skb:kfree_skb, raw or not); "" turns PacketDrop off.
	Drops Hook
	// DropReasonNotSpecified is SKB_DROP_REASON_NOT_SPECIFIED in the running kernel; drops with
	// a larger reason are recorded. See Support.DropReasons.
	DropReasonNotSpecified uint32
	// DropReasonQueuePurge is SKB_DROP_REASON_QUEUE_PURGE in the running kernel (0: none): not
	// counted either.
	DropReasonQueuePurge uint32
	// RTT is the FlowRTT hook; "" turns FlowRTT off.
	RTT Hook
	// DNSPorts turns DNSTracking on when not empty (at most MaxDNSPorts ports).
	DNSPorts []uint16
	// Xlat is the kernel hook of PacketTranslation ("" when off or done in userspace).
	Xlat Hook
	// Filter holds the flow_filter rules; none turns the filter off.
	Filter []FilterRule

	// Map layout knobs, for benchmarks that compare the alternatives.
	mapType    ebpf.MapType
	noPrealloc bool
	dnsQueries ebpf.MapType
}

// objects are the kernel objects every configuration loads.
type objects struct {
	bpfgen.FlowMaps
	bpfgen.FlowVariables
	FlowIngress *ebpf.Program `ebpf:"flow_ingress"`
	FlowEgress  *ebpf.Program `ebpf:"flow_egress"`
}

// Datapath is a loaded flow program set. Its methods are safe for one evicting goroutine plus
// any number of readers of Counters.
type Datapath struct {
	objs     objects
	hooks    map[Hook]*ebpf.Program // tracing programs of the features, by hook
	links    []link.Link
	barrier  *ebpf.Map // inner map swapped into sync_barrier to force a grace period
	gen      uint32
	features featureSet

	evictMu sync.Mutex
	keys    []Key
	vals    []Stats
}

// Load verifies and loads the programs. Nothing is attached yet.
func Load(s Settings) (*Datapath, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	spec, err := bpfgen.LoadFlow()
	if err != nil {
		return nil, err
	}
	d := &Datapath{hooks: map[Hook]*ebpf.Program{}}
	if err := d.configure(spec, s); err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("load flow programs: %w\n%+v", err, ve)
		}
		return nil, fmt.Errorf("load flow programs: %w", err)
	}
	defer coll.Close()
	if err := coll.Assign(&d.objs); err != nil {
		return nil, fmt.Errorf("load flow programs: %w", err)
	}
	for h := range d.features.hooks() {
		d.hooks[h] = coll.DetachProgram(h.program())
	}
	if err := d.fillFilter(s.Filter); err != nil {
		_ = d.Close()
		return nil, err
	}
	d.barrier, err = ebpf.NewMap(spec.Maps[bpfgen.FlowMapSyncBarrier].InnerMap)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("create barrier map: %w", err)
	}
	return d, nil
}

// configure sets the load-time constants and map sizes of spec, and removes the programs of the
// hooks not wanted, so that only those are loaded.
func (d *Datapath) configure(spec *ebpf.CollectionSpec, s Settings) error {
	sampling := max(s.Sampling, 1)
	early := sampling
	for _, r := range s.Filter {
		if r.Sampling != 0 {
			early = 1 // the rate is known once the packet's rule is
		}
	}
	if err := errors.Join(setVar(spec, bpfgen.FlowVarSampling, sampling), setVar(spec, bpfgen.FlowVarEarlySampling, early)); err != nil {
		return err
	}
	for _, name := range []string{bpfgen.FlowMapFlows0, bpfgen.FlowMapFlows1} {
		m := spec.Maps[name]
		m.MaxEntries = max(s.MaxFlows, 1)
		if s.mapType != 0 {
			m.Type = s.mapType
		}
		if s.noPrealloc {
			m.Flags |= 1 // BPF_F_NO_PREALLOC
		}
	}
	if s.RingBufBytes != 0 {
		spec.Maps[bpfgen.FlowMapFlowOverflow].MaxEntries = s.RingBufBytes
	}
	if s.dnsQueries != 0 {
		spec.Maps[bpfgen.FlowMapDnsQueries].Type = s.dnsQueries
	}
	fs, err := newFeatureSet(s)
	if err != nil {
		return err
	}
	d.features = fs
	if err := fs.configure(spec, s); err != nil {
		return err
	}
	if err := configureFilter(spec, s.Filter); err != nil {
		return err
	}
	tc := len(s.Filter) > 0 || fs.dns || fs.rttHook == HookRTTHandshake
	if err := setVar(spec, bpfgen.FlowVarTcFeatures, b2u8(tc)); err != nil {
		return err
	}
	wanted := fs.hooks()
	for h := range allHooks {
		if _, ok := wanted[h]; !ok && h.program() != "" {
			delete(spec.Programs, h.program())
		}
	}
	return nil
}

func setVar(spec *ebpf.CollectionSpec, name string, v any) error {
	vs, ok := spec.Variables[name]
	if !ok {
		return fmt.Errorf("flow programs have no variable %s", name)
	}
	if err := vs.Set(v); err != nil {
		return fmt.Errorf("set %s: %w", name, err)
	}
	return nil
}

// Ingress and Egress are the programs to attach to each interface.
func (d *Datapath) Ingress() *ebpf.Program { return d.objs.FlowIngress }
func (d *Datapath) Egress() *ebpf.Program  { return d.objs.FlowEgress }

// Overflow is the ring buffer that carries packets whose flow did not fit in the map.
func (d *Datapath) Overflow() *ebpf.Map { return d.objs.FlowOverflow }

// Close detaches the tracing hooks and releases the programs and maps. TC links must be closed
// first.
func (d *Datapath) Close() error {
	errs := []error{d.DetachHooks()}
	for _, p := range d.hooks {
		errs = append(errs, p.Close())
	}
	if d.barrier != nil {
		errs = append(errs, d.barrier.Close())
	}
	errs = append(errs, d.objs.FlowIngress.Close(), d.objs.FlowEgress.Close(), d.objs.FlowMaps.Close())
	return errors.Join(errs...)
}
