// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package ipfixexporter

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
)

// tsharkFields are the IANA elements read back by Wireshark's IPFIX (cflow) dissector.
var tsharkFields = []string{
	"cflow.srcaddr", "cflow.dstaddr", "cflow.srcaddrv6", "cflow.dstaddrv6",
	"cflow.post_natsource_ipv4_address", "cflow.post_natdestination_ipv4_address",
	"cflow.protocol", "cflow.srcport", "cflow.dstport",
	"cflow.post_naptsource_transport_port", "cflow.post_naptdestination_transport_port",
	"cflow.octets", "cflow.packets", "cflow.abstimestart", "cflow.abstimeend", "cflow.tcpflags",
	"cflow.srcmac", "cflow.dstmac", "cflow.ip_dscp", "cflow.ethernet_type", "cflow.direction",
	"cflow.if_name", "cflow.selector_algorithm", "cflow.sampling_probability", "cflow.ipv6_next_hdr",
	"cflow.od_id",
}

// TestDecodedByTshark captures the exporter's messages on loopback and decodes them with
// tshark's IPFIX dissector, over UDP and TCP, checking every IANA element of the v4 and v6
// flows.
func TestDecodedByTshark(t *testing.T) {
	testutil.RequireRoot(t) // capturing needs it
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Fatalf("tshark not found (make deps installs it): %v", err)
	}
	for _, transport := range []string{TransportUDP, TransportTCP} {
		t.Run(transport, func(t *testing.T) {
			col := testutil.StartIPFIXCollector(t, transport)
			_, port, _ := net.SplitHostPort(col.Addr)
			pcap := filepath.Join(t.TempDir(), "ipfix.pcapng")
			stopCapture := capture(t, fmt.Sprintf("%s port %s", transport, port), pcap)
			exp, _ := startIPFIX(t, func(c *Config) {
				c.Endpoint = col.Addr
				c.Transport = transport
				c.ObservationDomainID = 9
			})
			require.NoError(t, exp.ConsumeLogs(context.Background(), testFlows()))
			require.Eventually(t, func() bool { r, _, _ := col.Snapshot(); return len(r) == 2 }, 10*time.Second, 20*time.Millisecond)
			time.Sleep(300 * time.Millisecond)
			stopCapture()

			args := []string{"-r", pcap, "-d", fmt.Sprintf("%s.port==%s,cflow", transport, port), "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"}
			for _, f := range tsharkFields {
				args = append(args, "-e", f)
			}
			out, err := exec.Command("tshark", args...).Output()
			require.NoError(t, err)
			rows := parseRows(string(out))
			v4, v6 := findRow(rows, "cflow.srcaddr", "10.128.0.5"), findRow(rows, "cflow.srcaddrv6", "fd00::5")
			require.NotNil(t, v4, "tshark output:\n%s", out)
			require.NotNil(t, v6, "tshark output:\n%s", out)
			for k, want := range map[string]string{
				"cflow.dstaddr": "10.96.0.10", "cflow.post_natsource_ipv4_address": "10.128.0.5",
				"cflow.post_natdestination_ipv4_address": "10.128.3.7", "cflow.protocol": "6",
				"cflow.srcport": "40000", "cflow.dstport": "80", "cflow.post_naptsource_transport_port": "40000",
				"cflow.post_naptdestination_transport_port": "8080", "cflow.octets": "123456", "cflow.packets": "89",
				"cflow.tcpflags": "0x0012", "cflow.srcmac": "0a:58:0a:80:00:05", "cflow.dstmac": "0a:58:0a:80:00:01",
				"cflow.ip_dscp": "46", "cflow.ethernet_type": "2048", "cflow.direction": "1", "cflow.if_name": "veth1",
				"cflow.selector_algorithm": "3", "cflow.sampling_probability": "0.02", "cflow.od_id": "9",
			} {
				assert.Equal(t, want, v4[k], "v4 %s", k)
			}
			assert.Contains(t, v4["cflow.abstimestart"], "10:00:00.000000000")
			assert.Contains(t, v4["cflow.abstimeend"], "10:00:01.500000000")
			for k, want := range map[string]string{
				"cflow.dstaddrv6": "fd00::53", "cflow.protocol": "17", "cflow.ipv6_next_hdr": "17",
				"cflow.srcport": "5353", "cflow.dstport": "53", "cflow.octets": "300", "cflow.packets": "3",
				"cflow.ethernet_type": "34525", "cflow.direction": "0", "cflow.sampling_probability": "1",
			} {
				assert.Equal(t, want, v6[k], "v6 %s", k)
			}
		})
	}
}

// capture runs tshark on loopback until the returned stop is called.
func capture(t *testing.T, filter, file string) func() {
	t.Helper()
	cmd := exec.Command("tshark", "-i", "lo", "-f", filter, "-w", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	testutil.WaitFor(t, 15*time.Second, "tshark to capture", func() bool {
		return strings.Contains(stderr.String(), "Capture started")
	})
	time.Sleep(300 * time.Millisecond) // margin for the filter to be in place
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("tshark: %s", strings.TrimSpace(stderr.String()))
		}
	}
	t.Cleanup(stop)
	return stop
}

func parseRows(out string) []map[string]string {
	var rows []map[string]string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		vals := strings.Split(sc.Text(), "|")
		row := map[string]string{}
		for i, f := range tsharkFields {
			if i < len(vals) {
				row[f] = vals[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func findRow(rows []map[string]string, field, value string) map[string]string {
	for _, r := range rows {
		if r[field] == value {
			return r
		}
	}
	return nil
}
