// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/stretchr/testify/require"
)

// goflow2Collector decodes what it receives with goflow2, an IPFIX decoder independent of the
// encoder under test (go-ipfix), and keeps data records and message headers.
type goflow2Collector struct {
	Addr      string
	mu        sync.Mutex
	templates netflow.NetFlowTemplateSystem
	records   []map[fieldKey][]byte
	headers   []netflow.IPFIXPacket
	errs      []error
	close     func()
}

type fieldKey struct {
	pen uint32
	id  uint16
}

func startGoflow2(t *testing.T, transport string) *goflow2Collector {
	t.Helper()
	c := &goflow2Collector{templates: netflow.CreateTemplateSystem()}
	var wg sync.WaitGroup
	switch transport {
	case TransportUDP:
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
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
	case TransportTCP:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
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
					c.readStream(conn)
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

// readStream splits a TCP stream into IPFIX messages by the length in each header.
func (c *goflow2Collector) readStream(conn net.Conn) {
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

func (c *goflow2Collector) decode(msg []byte) {
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
			m := map[fieldKey][]byte{}
			for _, v := range r.Values {
				b, _ := v.Value.([]byte)
				m[fieldKey{v.Pen, v.Type}] = b
			}
			c.records = append(c.records, m)
		}
	}
}

func (c *goflow2Collector) snapshot() ([]map[fieldKey][]byte, []netflow.IPFIXPacket, []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[fieldKey][]byte(nil), c.records...), append([]netflow.IPFIXPacket(nil), c.headers...), append([]error(nil), c.errs...)
}
