// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/pkg/flow"
)

func TestDeterministicAndEnriched(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	a, b := New(7).Logs(t0, 500, time.Millisecond), New(7).Logs(t0, 500, time.Millisecond)
	require.Equal(t, 500, a.LogRecordCount())
	lra, lrb := a.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords(), b.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	namespaces, drops, dns := map[string]bool{}, 0, 0
	for i := range lra.Len() {
		assert.Equal(t, lra.At(i).Attributes().AsRaw(), lrb.At(i).Attributes().AsRaw())
		at := lra.At(i).Attributes()
		if v, ok := at.Get(flow.AttrSrcNamespace); ok {
			namespaces[v.Str()] = true
		}
		if _, ok := at.Get(flow.AttrDropPackets); ok {
			drops++
		}
		if _, ok := at.Get(flow.AttrDNSLatency); ok {
			dns++
		}
		end, _ := at.Get(flow.AttrEnd)
		assert.Equal(t, t0.Add(time.Duration(i)*time.Millisecond).UnixNano(), end.Int())
	}
	assert.Len(t, namespaces, 4, "every namespace but kube-system (server only) is a source")
	assert.Positive(t, drops)
	assert.Positive(t, dns)
}
