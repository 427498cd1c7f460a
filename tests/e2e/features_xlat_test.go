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

// TestFeaturePacketTranslation: the router translates a virtual service address to the server,
// as kube-proxy does for a ClusterIP Service (nftables DNAT in prerouting). The collector runs in
// the router: the client's flows to and from the service address report the server's address
// and port as their translation; the flows on the server's side, already translated, have none.
func TestFeaturePacketTranslation(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.NewRouted(t, 34)
	const vip, vport = "10.96.0.10", 80
	srv := testutil.ServeTCP(t, r.Server, testutil.HostPort(r.ServerIP, 8080))
	testutil.Exec(t, r.Router, "nft", `add table ip flnat {
		chain pre {
			type nat hook prerouting priority -100;
			ip daddr `+vip+` tcp dport `+strconv.Itoa(vport)+` dnat to `+srv.Addr+`;
		}
	}`)
	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, r.Router, featureConfig(out, []string{"PacketTranslation"}, ""))
	hook := c.waitFeature(t, "PacketTranslation")
	assert.Contains(t, []string{"fentry/nf_nat_manip_pkt", "kprobe/nf_nat_manip_pkt", "netlink/conntrack"}, hook)
	c.waitLog(t, 15*time.Second, "Attached flow programs", r.RouterClientIf)
	c.waitLog(t, 15*time.Second, "Attached flow programs", r.RouterServerIf)

	var ports []int
	for range 2 {
		port, err := testutil.TCPExchange(r.Client, net.JoinHostPort(vip, strconv.Itoa(vport)), 5000, 5000)
		require.NoError(t, err)
		ports = append(ports, port)
	}
	time.Sleep(1500 * time.Millisecond)
	c.stop(t)

	flows := readFlows(t, out)
	for _, port := range ports {
		toService := findFlows(flows, tuple(r.ClientIP, port, vip, vport))
		require.NotEmpty(t, toService, "client -> service, port %d", port)
		for _, f := range toService {
			assert.Equal(t, r.ClientIP, f.str(flow.AttrXlatSrcAddress))
			assert.EqualValues(t, port, f.num(flow.AttrXlatSrcPort))
			assert.Equal(t, r.ServerIP, f.str(flow.AttrXlatDstAddress), "the endpoint behind the service")
			assert.EqualValues(t, 8080, f.num(flow.AttrXlatDstPort))
			assert.EqualValues(t, 0, f.num(flow.AttrXlatZoneID))
			assert.Equal(t, r.RouterClientIf, f.str(flow.AttrIfaceName))
		}
		fromService := findFlows(flows, tuple(vip, vport, r.ClientIP, port))
		require.NotEmpty(t, fromService, "service -> client, port %d", port)
		for _, f := range fromService {
			assert.Equal(t, r.ServerIP, f.str(flow.AttrXlatSrcAddress))
			assert.EqualValues(t, 8080, f.num(flow.AttrXlatSrcPort))
			assert.Equal(t, r.ClientIP, f.str(flow.AttrXlatDstAddress))
			assert.EqualValues(t, port, f.num(flow.AttrXlatDstPort))
		}
		// The translated side of the same connections: no translation to report.
		for _, f := range append(findFlows(flows, tuple(r.ClientIP, port, r.ServerIP, 8080)),
			findFlows(flows, tuple(r.ServerIP, 8080, r.ClientIP, port))...) {
			assert.NotContains(t, f.Attrs, flow.AttrXlatDstAddress)
			assert.Equal(t, r.RouterServerIf, f.str(flow.AttrIfaceName))
		}
		require.NotEmpty(t, findFlows(flows, tuple(r.ClientIP, port, r.ServerIP, 8080)), "server side flow")
	}
}
