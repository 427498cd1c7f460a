// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
	"github.com/flowlens/flowlens/pkg/flowquery"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// synth returns n flows, one per second from start: namespaces a/b/c talk to each other.
func synth(start time.Time, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(flow.AttrLocalAddress, "10.0.0.1")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	nss := []string{"a", "b", "c"}
	for i := range n {
		end := start.Add(time.Duration(i) * time.Second)
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(end))
		a := lr.Attributes()
		a.PutStr(flow.AttrSrcAddress, fmt.Sprintf("10.1.0.%d", i%250))
		a.PutStr(flow.AttrDstAddress, "10.2.0.1")
		a.PutInt(flow.AttrSrcPort, int64(30000+i))
		a.PutInt(flow.AttrDstPort, 443)
		a.PutInt(flow.AttrProtocol, 6)
		a.PutInt(flow.AttrBytes, 1000)
		a.PutInt(flow.AttrPackets, 10)
		a.PutInt(flow.AttrStart, end.Add(-time.Second).UnixNano())
		a.PutInt(flow.AttrEnd, end.UnixNano())
		a.PutInt(flow.AttrSamplingRate, 1)
		a.PutStr(flow.AttrFlowDirection, flow.DirEgress)
		a.PutStr(flow.AttrSrcNamespace, nss[i%3])
		a.PutStr(flow.AttrDstNamespace, nss[(i+1)%3])
		a.PutStr(flow.AttrSrcResType, "Pod")
		a.PutStr(flow.AttrSrcPodName, fmt.Sprintf("pod-%d", i%7))
		a.PutStr(flow.AttrSrcMAC, "0A:58:00:00:00:01")
		if i%10 == 0 {
			a.PutInt(flow.AttrDNSLatency, int64((i/10)%5+1)*1_000_000)
			a.PutStr(flow.AttrDNSName, "example.test")
		}
	}
	return ld
}

func newStore(t *testing.T) (*Writer, *Reader) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "flows.db")
	w, err := OpenWriter(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	r, err := OpenReader(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return w, r
}

func mustParse(t *testing.T, s string) flowquery.Filters {
	t.Helper()
	f, err := flowquery.Parse(s)
	require.NoError(t, err)
	return f
}

func TestWriteAndReadRecords(t *testing.T) {
	t.Parallel()
	w, r := newStore(t)
	n, err := w.Write(context.Background(), synth(t0, 600))
	require.NoError(t, err)
	require.Equal(t, 600, n)

	q := flowquery.Records{Start: t0, End: t0.Add(time.Hour), Limit: 5}
	recs, err := r.Records(context.Background(), q)
	require.NoError(t, err)
	require.Len(t, recs, 5)
	assert.EqualValues(t, t0.Add(599*time.Second).UnixMilli(), recs[0]["TimeFlowEndMs"], "newest first")
	assert.Equal(t, "10.0.0.1", recs[0]["AgentIP"])
	assert.Equal(t, "0A:58:00:00:00:01", recs[0]["SrcMac"], "a field from the extra JSON")
	assert.EqualValues(t, 1, recs[0]["FlowDirection"])

	for filter, want := range map[string]int{
		`SrcK8S_Namespace="a"`:                200,
		`src_namespace="a"&dst_namespace="b"`: 200,
		`src_namespace="a"|src_namespace="b"`: 400,
		`namespace="a"`:                       400, // either end
		`SrcK8S_Namespace!="a"`:               400,
		`SrcK8S_Name=pod-1`:                   86, // substring: pod-1 only (pod-10.. do not exist)
		`SrcK8S_Name~^pod-[12]$`:              172,
		`DnsName="example.test"`:              60,
		`DnsLatencyMs>=3`:                     36,
		`SrcAddr=10.1.0.0/30`:                 12, // CIDR: i%250 in 0..3, i.e. 0-3, 250-253, 500-503
		`SrcAddr=10.1.0.7`:                    3,  // whole address: not 10.1.0.70-79
		`SrcPort>=30590`:                      10,
		`DstK8S_Zone=""`:                      600, // absent
		`source.k8s.namespace.name="c"`:       200, // our attribute name works too
	} {
		q.Filters, q.Limit = mustParse(t, filter), 1000
		recs, err := r.Records(context.Background(), q)
		require.NoError(t, err, filter)
		assert.Len(t, recs, want, filter)
	}
}

func TestMetricsByScope(t *testing.T) {
	t.Parallel()
	w, r := newStore(t)
	_, err := w.Write(context.Background(), synth(t0, 600))
	require.NoError(t, err)
	q := flowquery.Metrics{Start: t0, End: t0.Add(10 * time.Minute), Type: flowquery.TypeBytes,
		Function: flowquery.FuncRate, Scope: flowquery.ScopeNamespace, Step: time.Minute, Limit: 2}
	series, total, err := r.Metrics(context.Background(), q)
	require.NoError(t, err)
	require.Len(t, series, 2, "top 2")
	assert.InDelta(t, 200*1000/600.0, series[0].Total, 1e-6, "mean rate of one namespace pair over the 10 minutes")
	assert.Contains(t, []string{"a", "b", "c"}, series[0].Labels["SrcK8S_Namespace"])
	assert.InDelta(t, 600*1000/600.0, total.Total, 1e-6)
	require.Len(t, total.Values, 10)
	assert.InDelta(t, 60*1000/60.0, total.Values[0][1], 1e-6, "rate per second in the first minute")

	q.Type, q.Function, q.Scope = flowquery.TypeDNSLatency, flowquery.FuncP99, flowquery.ScopeCluster
	_, total, err = r.Metrics(context.Background(), q)
	require.NoError(t, err)
	assert.InDelta(t, 5, total.Total, 1e-9, "p99 of DNS latency, ms")

	q.Function = "median"
	_, _, err = r.Metrics(context.Background(), q)
	assert.ErrorContains(t, err, `function: "median" is not valid`)
}

func TestValuesForAutocomplete(t *testing.T) {
	t.Parallel()
	w, r := newStore(t)
	_, err := w.Write(context.Background(), synth(t0, 30))
	require.NoError(t, err)
	vals, err := r.Values(context.Background(), "SrcK8S_Name", "POD-", t0, t0.Add(time.Hour), 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"pod-0", "pod-1", "pod-2"}, vals)
}

func TestRetention(t *testing.T) {
	t.Parallel()
	w, r := newStore(t)
	_, err := w.Write(context.Background(), synth(t0, 3600))
	require.NoError(t, err)
	n, err := w.Enforce(context.Background(), Retention{MaxAge: 30 * time.Minute}, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.EqualValues(t, 1800, n, "flows older than 30 minutes")
	st, err := r.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1800, st.Flows)
	assert.Equal(t, t0.Add(30*time.Minute).UnixMilli(), st.OldestMs)

	used, err := w.UsedBytes(context.Background())
	require.NoError(t, err)
	_, err = w.Enforce(context.Background(), Retention{MaxSize: used / 3}, t0.Add(time.Hour))
	require.NoError(t, err)
	after, _ := w.UsedBytes(context.Background())
	assert.LessOrEqual(t, after, used/3)
	st, _ = r.Stats(context.Background())
	assert.Positive(t, st.Flows, "the newest flows stay")
	assert.Equal(t, t0.Add(3599*time.Second).UnixMilli(), st.NewestMs)
}

// TestReadWhileWriting: a reader keeps answering while a writer inserts, as the console does
// next to the collector (WAL).
func TestReadWhileWriting(t *testing.T) {
	t.Parallel()
	w, r := newStore(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			_, err := w.Write(context.Background(), synth(t0.Add(time.Duration(i)*time.Hour), 500))
			assert.NoError(t, err)
		}
	}()
	reads := 0
	for done := false; !done; {
		select {
		case <-func() chan struct{} { c := make(chan struct{}); go func() { wg.Wait(); close(c) }(); return c }():
			done = true
		default:
			_, err := r.Records(context.Background(), flowquery.Records{Start: t0, End: t0.Add(24 * time.Hour), Limit: 50})
			require.NoError(t, err)
			reads++
		}
	}
	st, err := r.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 10000, st.Flows)
	assert.Positive(t, reads)
}

func TestRecordWithoutEndTimeUsesItsTimestamp(t *testing.T) {
	w, r := newStore(t)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lr := lrs.AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(t0))
	lr.Attributes().PutInt(flow.AttrBytes, 7)
	lr = lrs.AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Second)))
	lr.Attributes().PutInt(flow.AttrBytes, 8)
	_, err := w.Write(context.Background(), ld)
	require.NoError(t, err)
	recs, err := r.Records(context.Background(), flowquery.Records{Start: t0.Add(-time.Minute), End: t0.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.EqualValues(t, t0.Add(time.Second).UnixMilli(), recs[0]["TimeFlowEndMs"])
	assert.EqualValues(t, t0.UnixMilli(), recs[1]["TimeFlowEndMs"])
}
