// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package testutil // import "github.com/flowlens/flowlens/internal/testutil"

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// IPFIXCollector decodes what it receives with goflow2, an IPFIX decoder independent of the
// flowlens exporter's encoder (go-ipfix), and keeps data records and message headers.
type IPFIXCollector struct {
	Addr      string
	mu        sync.Mutex
	templates netflow.NetFlowTemplateSystem
	records   []map[IPFIXField][]byte
	headers   []netflow.IPFIXPacket
	errs      []error
	close     func()
}

// IPFIXField identifies an information element: PEN (0 for IANA) and element id.
type IPFIXField struct {
	PEN uint32
	ID  uint16
}

// StartIPFIXCollector listens on a free loopback port over "udp" or "tcp" until the test ends.
func StartIPFIXCollector(t testing.TB, transport string) *IPFIXCollector {
	t.Helper()
	c := &IPFIXCollector{templates: netflow.CreateTemplateSystem()}
	var wg sync.WaitGroup
	switch transport {
	case "udp":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen udp: %v", err)
		}
		c.Addr = pc.LocalAddr().String()
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 65536)
			for {
				n, _, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				// goflow2 keeps slices of the message: each gets its own copy.
				c.decode(append([]byte(nil), buf[:n]...))
			}
		}()
		c.close = func() { _ = pc.Close() }
	case "tcp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen tcp: %v", err)
		}
		c.Addr = ln.Addr().String()
		var conns sync.Map
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				conns.Store(conn, true)
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.ReadStream(conn)
				}()
			}
		}()
		c.close = func() {
			_ = ln.Close()
			conns.Range(func(k, _ any) bool { _ = k.(net.Conn).Close(); return true })
		}
	}
	t.Cleanup(func() { c.close(); wg.Wait() })
	return c
}

// ReadStream splits a TCP stream into IPFIX messages by the length in each header.
func (c *IPFIXCollector) ReadStream(conn net.Conn) {
	hdr := make([]byte, 16)
	for {
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(hdr[2:]))
		msg := make([]byte, n)
		copy(msg, hdr)
		if _, err := io.ReadFull(conn, msg[16:]); err != nil {
			return
		}
		c.decode(msg)
	}
}

func (c *IPFIXCollector) decode(msg []byte) {
	var pkt netflow.IPFIXPacket
	err := netflow.DecodeMessageVersion(bytes.NewBuffer(msg), c.templates, nil, &pkt)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil && !errors.Is(err, netflow.ErrorTemplateNotFound) {
		c.errs = append(c.errs, err)
		return
	}
	c.headers = append(c.headers, pkt)
	for _, fs := range pkt.FlowSets {
		ds, ok := fs.(netflow.DataFlowSet)
		if !ok {
			continue
		}
		for _, r := range ds.Records {
			m := map[IPFIXField][]byte{}
			for _, v := range r.Values {
				b, _ := v.Value.([]byte)
				m[IPFIXField{v.Pen, v.Type}] = b
			}
			c.records = append(c.records, m)
		}
	}
}

// Snapshot returns the data records, message headers and decoding errors so far.
func (c *IPFIXCollector) Snapshot() ([]map[IPFIXField][]byte, []netflow.IPFIXPacket, []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[IPFIXField][]byte(nil), c.records...), append([]netflow.IPFIXPacket(nil), c.headers...), append([]error(nil), c.errs...)
}

// NewIPFIXDecoder returns a collector that decodes what is passed to ReadStream, with no
// listener of its own.
func NewIPFIXDecoder() *IPFIXCollector {
	return &IPFIXCollector{templates: netflow.CreateTemplateSystem()}
}

// Close stops listening and closes the connections accepted so far.
func (c *IPFIXCollector) Close() { c.close() }
