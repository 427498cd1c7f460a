// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/operator/api/v1beta2"
)

// ipfixExport sends enriched flows to an exporters[] IPFIX entry (ipfix exporter).
func (r *renderer) ipfixExport(st *stage, i int, e *v1beta2.FlowCollectorExporter) {
	if !r.need(fmt.Sprintf("spec.exporters[%d]", i), ExporterIPFIX) {
		return
	}
	st.addLogsExporter(fmt.Sprintf("ipfix/export-%d", i), ipfixExporter(e.IPFIX))
}

func ipfixExporter(x v1beta2.FlowCollectorIPFIXReceiver) map[string]any {
	port := x.TargetPort
	if port == 0 {
		port = 4739
	}
	transport := strings.ToLower(x.Transport)
	if transport == "" {
		transport = "tcp" // NetObserv's default
	}
	id := x.EnterpriseID
	if id == 0 {
		id = 2
	}
	return map[string]any{
		"endpoint":      net.JoinHostPort(x.TargetHost, strconv.Itoa(port)),
		"transport":     transport,
		"enterprise_id": id,
	}
}
