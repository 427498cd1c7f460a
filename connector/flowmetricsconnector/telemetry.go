// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"context"
)

// report moves the tables' event counts to the component's telemetry. Events are counted in the
// tables while the lock is held (plain integers on the hot path) and moved to the OpenTelemetry
// counters after each batch and each flush.
func (c *flowMetrics) report(ctx context.Context) {
	type delta struct {
		i                            int
		created, overflowed, expired int64
		skipped                      [skipNegative + 1]int64
	}
	var ds []delta
	c.mu.Lock()
	for i, t := range c.tables {
		if t.created|t.overflowed|t.expired|t.skipped[skipMissing]|t.skipped[skipNotNumeric]|t.skipped[skipNegative] == 0 {
			continue
		}
		ds = append(ds, delta{i, t.created, t.overflowed, t.expired, t.skipped})
		t.created, t.overflowed, t.expired, t.skipped = 0, 0, 0, [skipNegative + 1]int64{}
	}
	c.mu.Unlock()
	for _, d := range ds {
		if d.created > 0 {
			c.tb.ConnectorFlowmetricsSeriesCreated.Add(ctx, d.created, c.attrs[d.i])
		}
		if d.overflowed > 0 {
			c.tb.ConnectorFlowmetricsSeriesOverflowed.Add(ctx, d.overflowed, c.attrs[d.i])
		}
		if d.expired > 0 {
			c.tb.ConnectorFlowmetricsSeriesExpired.Add(ctx, d.expired, c.attrs[d.i])
		}
		for r := skipMissing; r <= skipNegative; r++ {
			if d.skipped[r] > 0 {
				c.tb.ConnectorFlowmetricsValuesSkipped.Add(ctx, d.skipped[r], c.skip[d.i][r])
			}
		}
	}
}
