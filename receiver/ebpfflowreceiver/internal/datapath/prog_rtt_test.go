// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package datapath

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProgRTTHandshake: FlowRTT in TC, the fallback hook. A client-side node times SYN (sent) to
// SYN-ACK (received), a server-side node SYN-ACK (sent) to the first ACK (received); the sample
// goes to the flow of the received packet.
func TestProgRTTHandshake(t *testing.T) {
	t.Parallel()
	d := load(t, Settings{RTT: HookRTTHandshake})
	// Client side: 192.0.2.10:40000 -> 198.51.100.20:443.
	syn := withFlags(pkt("192.0.2.10", "198.51.100.20", tcp, 40000, 443), "S")
	synAck := withFlags(pkt("198.51.100.20", "192.0.2.10", tcp, 443, 40000), "SA")
	ack := withFlags(pkt("192.0.2.10", "198.51.100.20", tcp, 40000, 443), "A")
	send(t, d.Egress(), syn.Bytes(t), 1)
	time.Sleep(15 * time.Millisecond)
	send(t, d.Ingress(), synAck.Bytes(t), 1)
	send(t, d.Egress(), ack.Bytes(t), 1)
	send(t, d.Ingress(), withFlags(synAck, "PA").Bytes(t), 3) // established traffic: nothing more

	// Server side: 192.0.2.11:40001 -> 198.51.100.21:80, seen from the server.
	sSyn := withFlags(pkt("192.0.2.11", "198.51.100.21", tcp, 40001, 80), "S")
	sSynAck := withFlags(pkt("198.51.100.21", "192.0.2.11", tcp, 80, 40001), "SA")
	sAck := withFlags(pkt("192.0.2.11", "198.51.100.21", tcp, 40001, 80), "A")
	send(t, d.Ingress(), sSyn.Bytes(t), 1)
	send(t, d.Egress(), sSynAck.Bytes(t), 1)
	time.Sleep(5 * time.Millisecond)
	send(t, d.Ingress(), sAck.Bytes(t), 1)
	send(t, d.Ingress(), sAck.Bytes(t), 1) // a second ACK: the handshake is done

	_, feats := collectAll(t, d.Evict)
	require.Len(t, feats, 2, "one sample per handshake: %v", feats)
	client := feats[keyOf(synAck)]
	require.NotNil(t, client)
	require.NotNil(t, client.RTT)
	assert.GreaterOrEqual(t, client.RTT.RttNs, uint64(15*time.Millisecond))
	assert.Less(t, client.RTT.RttNs, uint64(time.Second))
	server := feats[keyOf(sAck)]
	require.NotNil(t, server)
	require.NotNil(t, server.RTT)
	assert.GreaterOrEqual(t, server.RTT.RttNs, uint64(5*time.Millisecond))
	assert.Less(t, server.RTT.RttNs, client.RTT.RttNs)
	assert.Equal(t, Counters{}, counters(t, d))
}
