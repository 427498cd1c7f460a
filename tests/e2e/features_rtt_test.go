// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFeatureFlowRTT: client and server talk through a router that delays every packet by 10 ms
// each way (a real 20 ms round trip for the kernel's TCP). The collector, in the client's
// namespace, reports an RTT between 20 and 30 ms for the flows both sockets receive.
func TestFeatureFlowRTT(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.NewRouted(t, 31)
	r.AddDelay(t, 10*time.Millisecond)
	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, r.Client, featureConfig(out, []string{"FlowRTT"}, ""))
	hook := c.waitFeature(t, "FlowRTT")
	assert.Contains(t, []string{"fentry/tcp_rcv_established", "raw_tracepoint/tcp_probe"}, hook)
	c.waitLog(t, 15*time.Second, "Attached flow programs", r.ClientIf)

	// Round trips on established connections: the kernel samples the RTT of established
	// sockets only (a client that half-closes at once gets its ACKs in FIN_WAIT).
	srv := testutil.ServeTCPEcho(t, r.Server, testutil.HostPort(r.ServerIP, 0))
	_, portStr, _ := net.SplitHostPort(srv)
	srvPort, _ := strconv.Atoi(portStr)
	var ports []int
	for range 3 {
		port, err := testutil.TCPPingPong(r.Client, srv, 5, 2000)
		require.NoError(t, err)
		ports = append(ports, port)
	}
	time.Sleep(1500 * time.Millisecond)
	c.stop(t)

	flows := readFlows(t, out)
	for _, port := range ports {
		for _, dir := range []struct {
			name string
			sel  func(flowRecord) bool
		}{
			{"server -> client (the client's socket)", tuple(r.ServerIP, srvPort, r.ClientIP, port)},
			{"client -> server (the server's socket)", tuple(r.ClientIP, port, r.ServerIP, srvPort)},
		} {
			fs := findFlows(flows, dir.sel)
			require.NotEmpty(t, fs, dir.name)
			var rtt int64
			for _, f := range fs {
				rtt = max(rtt, f.num(flow.AttrRTT))
			}
			assert.GreaterOrEqual(t, rtt, int64(20*time.Millisecond), "%s, port %d", dir.name, port)
			assert.Less(t, rtt, int64(30*time.Millisecond), "%s, port %d", dir.name, port)
		}
	}
}
