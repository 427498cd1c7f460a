// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// ToNetObservAttributes writes into dst the record's fields with NetObserv's names and value
// representations (as AppendNetObservJSON does), for OTLP consumers that expect NetObserv's
// naming. Attributes without a NetObserv name are copied unchanged, so nothing is lost, except
// the pod and service names, which become NetObserv's <Src|Dst>K8S_Name.
func ToNetObservAttributes(res pcommon.Map, rec plog.LogRecord, dst pcommon.Map) {
	attrs := rec.Attributes()
	dst.EnsureCapacity(attrs.Len() + 4)
	put := func(m pcommon.Map) {
		m.Range(func(k string, v pcommon.Value) bool {
			f, ok := byAttr[k]
			if inK8SName[k] {
				return true
			}
			if !ok || f.NetObserv == "" {
				if m == attrs {
					v.CopyTo(dst.PutEmpty(k))
				}
				return true
			}
			setNetObservValue(dst.PutEmpty(f.NetObserv), v, f.Conv)
			return true
		})
	}
	put(res)
	put(attrs)
	if v, ok := srcEndAttrs.name(attrs); ok {
		dst.PutStr(NetObservSrcName, v.Str())
	}
	if v, ok := dstEndAttrs.name(attrs); ok {
		dst.PutStr(NetObservDstName, v.Str())
	}
	if ts := rec.ObservedTimestamp(); ts != 0 {
		dst.PutInt(NetObservTimeReceived, int64(ts)/1e9)
	}
}

func setNetObservValue(dst, v pcommon.Value, conv Conv) {
	switch conv {
	case ConvNsToMs:
		dst.SetInt(v.Int() / 1e6)
	case ConvDirection:
		dst.SetInt(DirectionNumber(v.Str()))
	case ConvDirections:
		s := dst.SetEmptySlice()
		src := v.Slice()
		for i := 0; i < src.Len(); i++ {
			s.AppendEmpty().SetInt(DirectionNumber(src.At(i).Str()))
		}
	case ConvTCPFlags:
		s := dst.SetEmptySlice()
		for _, n := range TCPFlagNames(v.Int()) {
			s.AppendEmpty().SetStr(n)
		}
	default:
		v.CopyTo(dst)
	}
}

// inK8SName are the attributes NetObserv folds into SrcK8S_Name / DstK8S_Name.
var inK8SName = map[string]bool{AttrSrcPodName: true, AttrSrcSvcName: true, AttrDstPodName: true, AttrDstSvcName: true}
