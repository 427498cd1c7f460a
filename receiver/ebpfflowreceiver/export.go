// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"golang.org/x/sys/unix"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/datapath"
	"github.com/flowlens/flowlens/receiver/ebpfflowreceiver/internal/decode"
)

const scopeName = "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"

var (
	lostRingbuf = metric.WithAttributes(attribute.String("reason", "ringbuf_full"))
	lostExport  = metric.WithAttributes(attribute.String("reason", "export_failed"))
)

// exporter turns each eviction into log records and hands them to the next consumer.
type exporter struct {
	r        *flowReceiver
	dec      *decode.Decoder
	local    localAddrs
	nodeIP   string
	hostName string

	lastRingbufLost uint64

	// batch being filled during one eviction
	logs    plog.Logs
	records plog.LogRecordSlice
	errs    []error
}

func newExporter(r *flowReceiver) (*exporter, error) {
	e := &exporter{r: r, nodeIP: r.cfg.NodeIP, hostName: hostName()}
	if e.nodeIP == "" {
		e.nodeIP = detectNodeIP()
	}
	if err := e.local.refresh(); err != nil {
		return nil, fmt.Errorf("list local addresses: %w", err)
	}
	e.dec = decode.New(decode.Env{
		IfaceName: func(idx uint32) string { return r.att.IfaceName(idx) },
		IsLocal:   func(a netip.Addr) bool { return e.local.contains(a) },
		DropCause: r.plan.dropCause,
	})
	return e, nil
}

// evict moves every recorded flow downstream. final drains both maps without flipping (the
// programs are detached by then).
func (e *exporter) evict(ctx context.Context, final bool) error {
	start := time.Now()
	if err := e.local.refresh(); err != nil {
		e.r.log.Debug("Refreshing local addresses failed; keeping the previous set")
	}
	e.setClock()
	observed := pcommon.NewTimestampFromTime(start)
	overflowed := e.r.overflow.take()

	xlat := e.translations()

	e.newBatch()
	drainFn := func(keys []datapath.Key, vals []datapath.Stats, feats []*datapath.Features) {
		if overflowed != nil {
			for i := range keys {
				if s, ok := overflowed[keys[i]]; ok {
					mergeOverflow(&vals[i], s, feats, i)
					delete(overflowed, keys[i])
				}
			}
		}
		if xlat != nil {
			feats = xlat.join(keys, feats)
		}
		e.add(ctx, keys, vals, feats, observed)
	}
	var n int
	var err error
	if final {
		n, err = e.r.dp.DrainAll(drainFn)
	} else {
		n, err = e.r.dp.Evict(drainFn)
	}
	for k, s := range overflowed {
		keys, feats := []datapath.Key{k}, []*datapath.Features(nil)
		if xlat != nil {
			feats = xlat.join(keys, nil)
		}
		e.add(ctx, keys, []datapath.Stats{*s}, feats, observed)
		n++
	}
	e.flush(ctx)
	e.countKernelLosses(ctx)
	e.r.att.ForgetGone(start.Add(-2 * e.r.cfg.CacheActiveTimeout))
	e.r.tb.ReceiverEbpfflowEvictionDuration.Record(ctx, time.Since(start).Seconds())
	_ = n
	errs := append(e.errs, err)
	e.errs = nil
	return errors.Join(errs...)
}

func (e *exporter) setClock() {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	e.dec.SetClock(ts.Nano(), time.Now().UnixNano())
}

func (e *exporter) newBatch() {
	e.logs = plog.NewLogs()
	rl := e.logs.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	if e.hostName != "" {
		res.PutStr(flow.AttrHostName, e.hostName)
	}
	if e.nodeIP != "" {
		res.PutStr(flow.AttrLocalAddress, e.nodeIP)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scopeName)
	e.records = sl.LogRecords()
}

func (e *exporter) add(ctx context.Context, keys []datapath.Key, vals []datapath.Stats, feats []*datapath.Features, observed pcommon.Timestamp) {
	for len(keys) > 0 {
		room := e.r.cfg.MaxFlowsPerBatch - e.records.Len()
		n := min(room, len(keys))
		var fs []*datapath.Features
		if feats != nil {
			fs = feats[:n]
			feats = feats[n:]
		}
		e.dec.Append(e.records, keys[:n], vals[:n], fs, observed)
		var pkts, bytes int64
		for i := range n {
			pkts += int64(vals[i].Packets)
			bytes += int64(vals[i].Bytes)
		}
		e.r.tb.ReceiverEbpfflowPackets.Add(ctx, pkts)
		e.r.tb.ReceiverEbpfflowBytes.Add(ctx, bytes)
		keys, vals = keys[n:], vals[n:]
		if e.records.Len() >= e.r.cfg.MaxFlowsPerBatch {
			e.flush(ctx)
			e.newBatch()
		}
	}
}

// flush sends the batch. A refusal is counted as lost flows: the kernel no longer holds them.
func (e *exporter) flush(ctx context.Context) {
	n := e.records.Len()
	if n == 0 {
		return
	}
	opCtx := e.r.obs.StartLogsOp(ctx)
	err := e.r.next.ConsumeLogs(opCtx, e.logs)
	e.r.obs.EndLogsOp(opCtx, "ebpf", n, err)
	e.r.tb.ReceiverEbpfflowFlowsEvicted.Add(ctx, int64(n))
	if err != nil {
		e.r.tb.ReceiverEbpfflowLost.Add(ctx, int64(n), lostExport)
		e.errs = append(e.errs, fmt.Errorf("export %d flows: %w", n, err))
	}
	e.records = plog.NewLogRecordSlice() // the sent batch belongs to the consumer now
}

// countKernelLosses turns the kernel's cumulative ring-buffer loss counter into increments of
// receiver_ebpfflow_lost{reason=ringbuf_full}.
func (e *exporter) countKernelLosses(ctx context.Context) {
	c, err := e.r.dp.Counters()
	if err != nil {
		return
	}
	if d := c.RingBufLost - e.lastRingbufLost; d > 0 {
		e.r.tb.ReceiverEbpfflowLost.Add(ctx, int64(d), lostRingbuf)
	}
	e.lastRingbufLost = c.RingBufLost
}
