// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flowlens/flowlens/internal/testutil"
	"github.com/flowlens/flowlens/pkg/flow"
)

// featureConfig is a collector config with the ebpfflow receiver's features on, evicting every
// second, writing flows to out; extra is more YAML under ebpfflow (indented by 4 spaces).
func featureConfig(out string, features []string, extra string) string {
	return fmt.Sprintf(`
receivers:
  ebpfflow:
    cache_active_timeout: 1s
    features: [%s]
%s
exporters:
  file:
    path: %s
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [ebpfflow]
      exporters: [file]
`, strings.Join(features, ", "), extra, out)
}

// waitFeature waits for the start-up line saying which hook a feature runs on, and returns it.
func (c *collector) waitFeature(t *testing.T, feature string) string {
	t.Helper()
	c.waitLog(t, 15*time.Second, "Feature enabled", `"feature": "`+feature+`"`)
	m := regexp.MustCompile(`"feature": "` + feature + `", "hook": "([^"]+)"`).FindStringSubmatch(c.Logs())
	require.NotNil(t, m, "hook of %s in:\n%s", feature, c.Logs())
	t.Logf("%s runs on %s", feature, m[1])
	return m[1]
}

// tuple selects the records of one direction of a flow.
func tuple(src string, sport int, dst string, dport int) func(flowRecord) bool {
	return func(f flowRecord) bool {
		return f.str(flow.AttrSrcAddress) == src && f.num(flow.AttrSrcPort) == int64(sport) &&
			f.str(flow.AttrDstAddress) == dst && f.num(flow.AttrDstPort) == int64(dport)
	}
}

// nftCounter reads the packets and bytes counted by the rule with this comment, in ns.
func nftCounter(t *testing.T, ns, comment string) (packets, bytes int64) {
	t.Helper()
	out := testutil.Exec(t, ns, "nft", "list", "ruleset")
	m := regexp.MustCompile(`counter packets (\d+) bytes (\d+).*comment "` + regexp.QuoteMeta(comment) + `"`).FindStringSubmatch(out)
	require.NotNil(t, m, "no counter %q in:\n%s", comment, out)
	packets, _ = strconv.ParseInt(m[1], 10, 64)
	bytes, _ = strconv.ParseInt(m[2], 10, 64)
	return packets, bytes
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
