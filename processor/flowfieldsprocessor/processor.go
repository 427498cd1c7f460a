// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowfieldsprocessor // import "github.com/flowlens/flowlens/processor/flowfieldsprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/flowlens/flowlens/pkg/flow"
)

type fieldsProcessor struct{ cfg *Config }

func (p *fieldsProcessor) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	var buf []byte
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		res := rls.At(i).Resource().Attributes()
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				// The body is built from the flowlens attributes, before any renaming.
				if p.cfg.Body == BodyNetObservJSON {
					buf = flow.AppendNetObservJSON(buf[:0], res, lr, nil)
					lr.Body().SetEmptyBytes().FromRaw(buf)
				}
				if p.cfg.Naming == NamingNetObserv {
					renamed := pcommon.NewMap()
					flow.ToNetObservAttributes(res, lr, renamed)
					renamed.MoveTo(lr.Attributes())
				}
				applyMapping(lr.Attributes(), p.cfg.Mapping)
			}
		}
	}
	return ld, nil
}

// applyMapping renames fields and scales numbers, as NetObserv's fieldsMapping.
func applyMapping(a pcommon.Map, mapping []FieldMapping) {
	for _, m := range mapping {
		v, ok := a.Get(m.Input)
		if !ok {
			continue
		}
		out := pcommon.NewValueEmpty()
		v.CopyTo(out)
		if m.Multiplier != 0 && m.Multiplier != 1 {
			switch out.Type() {
			case pcommon.ValueTypeInt:
				if m.Multiplier == float64(int64(m.Multiplier)) {
					out.SetInt(out.Int() * int64(m.Multiplier))
				} else {
					out.SetDouble(float64(out.Int()) * m.Multiplier)
				}
			case pcommon.ValueTypeDouble:
				out.SetDouble(out.Double() * m.Multiplier)
			}
		}
		a.Remove(m.Input)
		out.CopyTo(a.PutEmpty(m.Output))
	}
}
