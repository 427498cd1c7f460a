// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"

import (
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/bpfgen"
)

// MaxDNSPorts is how many DNS ports the TC program compares (MAX_DNS_PORTS in bpf/dns.h).
const MaxDNSPorts = 8

// Sizes of the maps that are not per flow.
const (
	dnsQueriesEntries   = 1 << 16 // queries waiting for a response (LRU)
	rttHandshakeEntries = 1 << 16 // handshakes in progress (LRU)
)

// Features is what the feature maps hold for one flow in one eviction window. A nil member means
// the feature recorded nothing for the flow.
type Features struct {
	Drops *DropStats
	RTT   *RTTStats
	DNS   *DNSStats
	Xlat  *XlatStats
	// NoTraffic: no packet of the flow passed the TC programs in the window (a drop before any
	// hook, a socket's RTT, a filtered-out flow's drop...). The record carries only feature data.
	NoTraffic bool
}

// featureSet is which feature maps a configuration uses.
type featureSet struct {
	drops, rtt, dns, xlat        bool
	dropsHook, rttHook, xlatHook Hook
}

func newFeatureSet(s Settings) (featureSet, error) {
	fs := featureSet{drops: s.Drops != "", rtt: s.RTT != "", dns: len(s.DNSPorts) > 0, xlat: s.Xlat != "",
		dropsHook: s.Drops, rttHook: s.RTT, xlatHook: s.Xlat}
	switch s.Drops {
	case "", HookDropRawTP, HookDropTracepoint:
	default:
		return fs, fmt.Errorf("unknown PacketDrop hook %q", s.Drops)
	}
	switch s.RTT {
	case "", HookRTTFentry, HookRTTRawTP, HookRTTTracepoint, HookRTTHandshake:
	default:
		return fs, fmt.Errorf("unknown FlowRTT hook %q", s.RTT)
	}
	switch s.Xlat {
	case "", HookXlatFentry, HookXlatKprobe:
	default:
		return fs, fmt.Errorf("unknown kernel PacketTranslation hook %q", s.Xlat)
	}
	if len(s.DNSPorts) > MaxDNSPorts {
		return fs, fmt.Errorf("%d DNS ports, at most %d", len(s.DNSPorts), MaxDNSPorts)
	}
	return fs, nil
}

// any reports whether some feature map is in use.
func (fs featureSet) any() bool { return fs.drops || fs.rtt || fs.dns || fs.xlat }

// hooks are the tracing programs to load.
func (fs featureSet) hooks() map[Hook]struct{} {
	h := map[Hook]struct{}{}
	if fs.drops {
		h[fs.dropsHook] = struct{}{}
	}
	if fs.rtt && fs.rttHook.program() != "" {
		h[fs.rttHook] = struct{}{}
	}
	if fs.xlat {
		h[fs.xlatHook] = struct{}{}
	}
	return h
}

// configure sets the feature constants and sizes the feature maps: cache_max_flows entries when
// the feature is on, 1 when it is off (a map must exist for the programs to load).
func (fs featureSet) configure(spec *ebpf.CollectionSpec, s Settings) error {
	size := func(on bool, n uint32, maps ...string) {
		for _, m := range maps {
			spec.Maps[m].MaxEntries = 1
			if on {
				spec.Maps[m].MaxEntries = max(n, 1)
			}
		}
	}
	size(fs.drops, s.MaxFlows, bpfgen.FlowMapDrops0, bpfgen.FlowMapDrops1)
	size(fs.rtt, s.MaxFlows, bpfgen.FlowMapRtt0, bpfgen.FlowMapRtt1)
	size(fs.dns, s.MaxFlows, bpfgen.FlowMapDns0, bpfgen.FlowMapDns1)
	size(fs.xlat, s.MaxFlows, bpfgen.FlowMapXlat0, bpfgen.FlowMapXlat1)
	size(fs.dns, dnsQueriesEntries, bpfgen.FlowMapDnsQueries)
	size(fs.rttHook == HookRTTHandshake, rttHandshakeEntries, bpfgen.FlowMapRttHandshakes)

	var ports [MaxDNSPorts]uint16
	copy(ports[:], s.DNSPorts)
	vars := []struct {
		name string
		v    any
	}{
		{bpfgen.FlowVarEnableDns, b2u8(fs.dns)},
		{bpfgen.FlowVarN_dnsPorts, uint8(len(s.DNSPorts))},
		{bpfgen.FlowVarDnsPorts, ports},
		{bpfgen.FlowVarEnableRttTc, b2u8(fs.rttHook == HookRTTHandshake)},
	}
	if fs.drops {
		vars = append(vars, struct {
			name string
			v    any
		}{bpfgen.FlowVarDropReasonNotSpecified, s.DropReasonNotSpecified}, struct {
			name string
			v    any
		}{bpfgen.FlowVarDropReasonQueuePurge, s.DropReasonQueuePurge})
	}
	for _, v := range vars {
		if err := setVar(spec, v.name, v.v); err != nil {
			return err
		}
	}
	return nil
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// featureMaps are the maps of one generation.
func (d *Datapath) featureMaps(gen uint32) (drops, rtt, dns, xlat *ebpf.Map) {
	m := &d.objs.FlowMaps
	if gen&1 == 1 {
		return m.Drops1, m.Rtt1, m.Dns1, m.Xlat1
	}
	return m.Drops0, m.Rtt0, m.Dns0, m.Xlat0
}

// drainFeatures reads and deletes every entry of the feature maps of one (idle) generation.
// It returns nil when no feature is on.
func (d *Datapath) drainFeatures(gen uint32) (map[Key]*Features, error) {
	if !d.features.any() {
		return nil, nil
	}
	out := map[Key]*Features{}
	get := func(k Key) *Features {
		f := out[k]
		if f == nil {
			f = &Features{}
			out[k] = f
		}
		return f
	}
	drops, rtt, dns, xlat := d.featureMaps(gen)
	var errs []error
	if d.features.drops {
		errs = append(errs, drainMap(drops, 1024, func(k []Key, v []DropStats) {
			for i := range k {
				x := v[i] // v is reused for the next batch
				get(k[i]).Drops = &x
			}
		}))
	}
	if d.features.rtt {
		errs = append(errs, drainMap(rtt, 1024, func(k []Key, v []RTTStats) {
			for i := range k {
				x := v[i] // v is reused for the next batch
				get(k[i]).RTT = &x
			}
		}))
	}
	if d.features.dns {
		errs = append(errs, drainMap(dns, 256, func(k []Key, v []DNSStats) {
			for i := range k {
				x := v[i] // v is reused for the next batch
				get(k[i]).DNS = &x
			}
		}))
	}
	if d.features.xlat {
		errs = append(errs, drainMap(xlat, 1024, func(k []Key, v []XlatStats) {
			for i := range k {
				x := v[i] // v is reused for the next batch
				get(k[i]).Xlat = &x
			}
		}))
	}
	return out, joinErrs(errs)
}

// orphans turns the feature entries left after the flows were drained (their flow had no packet
// through TC in the window) into records of their own, so no drop, RTT or DNS sample is lost.
// A translation alone is not a flow: it only ever decorates one.
func orphans(left map[Key]*Features, fn DrainFunc) int {
	var keys []Key
	var vals []Stats
	var feats []*Features
	for k, f := range left {
		if f.Drops == nil && f.RTT == nil && f.DNS == nil {
			continue
		}
		f.Xlat = nil
		f.NoTraffic = true
		keys = append(keys, k)
		vals = append(vals, orphanStats(f))
		feats = append(feats, f)
	}
	if len(keys) > 0 {
		fn(keys, vals, feats)
	}
	return len(keys)
}

// orphanStats is the flow value of a record made of feature data only: its time span, and the
// interface where known. Its packets were not sampled: sampling 1.
func orphanStats(f *Features) Stats {
	s := Stats{Sampling: 1}
	span := func(first, last uint64) {
		if s.FirstSeenNs == 0 || first < s.FirstSeenNs {
			s.FirstSeenNs = first
		}
		if last > s.LastSeenNs {
			s.LastSeenNs = last
		}
	}
	if f.Drops != nil {
		span(f.Drops.FirstSeenNs, f.Drops.LastSeenNs)
		s.Ifindex[0] = f.Drops.Ifindex
	}
	if f.RTT != nil {
		span(f.RTT.FirstSeenNs, f.RTT.LastSeenNs)
	}
	if f.DNS != nil {
		span(f.DNS.FirstSeenNs, f.DNS.LastSeenNs)
		s.Ifindex[0], s.FirstDir = f.DNS.Ifindex, f.DNS.Dir
		s.IfDir[0] = 1 << f.DNS.Dir
	}
	if s.Ifindex[0] != 0 {
		s.N_ifaces = 1
	}
	return s
}
