// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"go.uber.org/zap"

	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/xlat"
)

// translations is the conntrack snapshot of one eviction, when PacketTranslation runs in
// userspace (nil otherwise, or when the dump failed: the flows then go out untranslated).
type translations struct {
	table xlat.Table
	buf   []*datapath.Features
}

func (e *exporter) translations() *translations {
	if e.r.plan.conntrack == nil {
		return nil
	}
	t, err := e.r.plan.conntrack.Snapshot()
	if err != nil {
		e.r.log.Warn("Conntrack dump failed; flows of this eviction have no translation", zap.Error(err))
		if t == nil {
			return nil
		}
	}
	return &translations{table: t}
}

// join adds the translation of each flow that has one. feats may be nil (no kernel feature); the
// returned slice is then reused by the next call.
func (t *translations) join(keys []datapath.Key, feats []*datapath.Features) []*datapath.Features {
	for i := range keys {
		x, ok := t.table[keys[i]]
		if !ok {
			continue
		}
		if feats == nil {
			if cap(t.buf) < len(keys) {
				t.buf = make([]*datapath.Features, len(keys))
			}
			feats = t.buf[:len(keys)]
			clear(feats)
		}
		if feats[i] == nil {
			feats[i] = &datapath.Features{}
		}
		if !feats[i].NoTraffic { // a translation only decorates a flow that had traffic
			feats[i].Xlat = &x
		}
	}
	return feats
}
