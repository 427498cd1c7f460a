// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDelayLine: through the router's delay line, a ping takes twice the delay, and TCP works.
func TestDelayLine(t *testing.T) {
	r := NewRouted(t, 200)
	out := Exec(t, r.Client, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", r.ServerIP)
	m := regexp.MustCompile(`= ([0-9.]+)/([0-9.]+)/([0-9.]+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	undelayed, _ := strconv.ParseFloat(m[3], 64)
	assert.Less(t, undelayed, 10.0, "no delay yet: %s", out)

	r.AddDelay(t, 10*time.Millisecond)
	out = Exec(t, r.Client, "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", r.ServerIP)
	m = regexp.MustCompile(`= ([0-9.]+)/([0-9.]+)/([0-9.]+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	lo, _ := strconv.ParseFloat(m[1], 64)
	hi, _ := strconv.ParseFloat(m[3], 64)
	assert.GreaterOrEqual(t, lo, 20.0, out)
	assert.Less(t, hi, 30.0, out)

	srv := ServeTCP(t, r.Server, HostPort(r.ServerIP, 0))
	start := time.Now()
	_, err := TCPExchange(r.Client, srv.Addr, 200_000, 200_000)
	require.NoError(t, err)
	t.Logf("200 kB each way through the delay line in %s", time.Since(start))
}

func TestDNSServer(t *testing.T) {
	r := NewRouted(t, 201)
	s := StartDNSServer(t, r.Server, r.ServerIP, "flowlens.test", map[string]string{"exists.flowlens.test": "10.1.2.3"})
	for _, tcp := range []bool{false, true} {
		a, err := DNSQuery(r.Client, s.Addr, "exists.flowlens.test", tcp)
		require.NoError(t, err)
		assert.Equal(t, 0, a.Rcode, "NOERROR over tcp=%v", tcp)
		a, err = DNSQuery(r.Client, s.Addr, "missing.flowlens.test", tcp)
		require.NoError(t, err)
		assert.Equal(t, 3, a.Rcode, "NXDOMAIN over tcp=%v", tcp)
	}
}
