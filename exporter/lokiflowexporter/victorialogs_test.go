// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// TestVictoriaLogsReceivesLokiPush pushes flows with Loki's protobuf+snappy protocol to a real
// server and reads them back with LogsQL: stream labels, line fields and timestamps.
func TestVictoriaLogsReceivesLokiPush(t *testing.T) {
	base := testutil.StartVictoriaLogs(t)
	s := startExporter(t, func(c *Config) {
		c.Endpoint = base + "/insert/loki/api/v1/push"
		// VictoriaLogs reads X-Scope-OrgID as a numeric account id; the tenant header itself is
		// checked against the fake Loki.
		c.TenantID = ""
	})
	require.NoError(t, s.exp.ConsumeLogs(context.Background(), flows(6)))
	require.Eventually(t, func() bool { return s.counter(t, "otelcol_exporter_lokiflow_entries_sent") == 6 }, 10*time.Second, 20*time.Millisecond)

	var rows []map[string]string
	require.Eventually(t, func() bool {
		rows = testutil.LogsQL(t, base, `{app="netobserv-flowcollector"} | unpack_json | sort by (SrcPort)`)
		return len(rows) == 6
	}, 20*time.Second, 200*time.Millisecond, "rows: %v", rows)
	for i, r := range rows {
		assert.Equal(t, "shop", r["SrcK8S_Namespace"], "stream label")
		assert.Equal(t, "web", r["SrcK8S_OwnerName"])
		assert.Equal(t, "app", r["K8S_FlowLayer"])
		assert.Equal(t, "1", r["FlowDirection"])
		assert.Equal(t, fmt.Sprint(40000+i), r["SrcPort"], "line field")
		assert.Equal(t, fmt.Sprint(100*(i+1)), r["Bytes"])
		assert.Equal(t, "10.128.0.5", r["SrcAddr"])
		ts, err := time.Parse(time.RFC3339Nano, r["_time"])
		require.NoError(t, err)
		assert.True(t, ts.Equal(flowEndTime.Add(time.Duration(i)*time.Millisecond)), "timestamp %s", ts)
		if i%2 == 0 {
			assert.Equal(t, "db", r["DstK8S_OwnerName"])
		} else {
			assert.Empty(t, r["DstK8S_OwnerName"], "no label when the field is absent")
		}
		assert.NotContains(t, r["_msg"], "SrcK8S_Namespace", "labels are not repeated in the line")
	}
	total := testutil.LogsQL(t, base, `{app="netobserv-flowcollector"} | unpack_json | stats sum(Bytes) as total`)
	require.Len(t, total, 1)
	assert.Equal(t, "2100", total[0]["total"])
}
