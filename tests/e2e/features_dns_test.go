// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// TestFeatureDNSTracking: a dnsmasq server, 10 ms away each way behind a delay line, answers
// for a local zone. Queries over UDP and TCP, from the client's namespace where the collector
// runs, for a name that exists and one that does not: the flows carry the ids, the names, the
// response codes NOERROR and NXDOMAIN, and a latency of at least the round trip.
func TestFeatureDNSTracking(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.NewRouted(t, 32)
	dns := testutil.StartDNSServer(t, r.Server, r.ServerIP, "flowlens.test", map[string]string{"exists.flowlens.test": "10.1.2.3"})
	r.AddDelay(t, 10*time.Millisecond)
	out := filepath.Join(t.TempDir(), "flows.json")
	c := startCollector(t, r.Client, featureConfig(out, []string{"DNSTracking"}, ""))
	assert.Equal(t, "tc", c.waitFeature(t, "DNSTracking"))
	c.waitLog(t, 15*time.Second, "Attached flow programs", r.ClientIf)

	type query struct {
		name  string
		tcp   bool
		rcode string
		ans   testutil.DNSAnswer
	}
	queries := []*query{
		{name: "exists.flowlens.test", rcode: "NOERROR"},
		{name: "missing.flowlens.test", rcode: "NXDOMAIN"},
		{name: "exists.flowlens.test", tcp: true, rcode: "NOERROR"},
		{name: "missing.flowlens.test", tcp: true, rcode: "NXDOMAIN"},
	}
	for _, q := range queries {
		a, err := testutil.DNSQuery(r.Client, dns.Addr, q.name, q.tcp)
		require.NoError(t, err, q.name)
		q.ans = a
		t.Logf("%s tcp=%v: %s", q.name, q.tcp, a)
	}
	time.Sleep(1500 * time.Millisecond)
	c.stop(t)

	flows := readFlows(t, out)
	for _, q := range queries {
		transport := "udp"
		if q.tcp {
			transport = "tcp"
		}
		withDNS := func(fs []flowRecord) []flowRecord {
			return findFlows(fs, func(f flowRecord) bool { _, ok := f.Attrs[flow.AttrDNSID]; return ok })
		}
		qf := withDNS(findFlows(flows, tuple(r.ClientIP, q.ans.LocalPort, r.ServerIP, 53)))
		rf := withDNS(findFlows(flows, tuple(r.ServerIP, 53, r.ClientIP, q.ans.LocalPort)))
		require.Len(t, qf, 1, "query flow of %s over %s", q.name, transport)
		require.Len(t, rf, 1, "response flow of %s over %s", q.name, transport)
		assert.Equal(t, transport, qf[0].str(flow.AttrTransport))
		assert.EqualValues(t, q.ans.ID, qf[0].num(flow.AttrDNSID))
		assert.Equal(t, q.name, qf[0].str(flow.AttrDNSName))
		assert.NotContains(t, qf[0].Attrs, flow.AttrDNSRcode, "a query has no response code")

		resp := rf[0]
		assert.EqualValues(t, q.ans.ID, resp.num(flow.AttrDNSID))
		assert.Equal(t, q.name, resp.str(flow.AttrDNSName))
		assert.Equal(t, q.rcode, resp.str(flow.AttrDNSRcode))
		assert.NotZero(t, resp.num(flow.AttrDNSFlags)&0x8000, "QR set")
		assert.EqualValues(t, 0, resp.num(flow.AttrDNSErrno))
		latency := resp.num(flow.AttrDNSLatency)
		assert.GreaterOrEqual(t, latency, int64(20*time.Millisecond), "%s over %s", q.name, transport)
		assert.LessOrEqual(t, latency, int64(q.ans.Latency), "at most what the client waited")
	}
}
