// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

import (
	"strconv"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// directionNumbers are DirectionNumber's results as strings, indexed by number+1.
var directionNumbers = [...]string{"-1", "0", "1", "2"}

// DirectionNumber maps a direction attribute value to NetObserv's number (-1 when unknown).
func DirectionNumber(dir string) int64 {
	switch dir {
	case DirIngress:
		return 0
	case DirEgress:
		return 1
	case DirInner:
		return 2
	}
	return -1
}

// DirectionName is the inverse of DirectionNumber.
func DirectionName(n int64) string {
	switch n {
	case 0:
		return DirIngress
	case 1:
		return DirEgress
	case 2:
		return DirInner
	}
	return ""
}

// AppendNetObservJSON appends one flow as a JSON object with NetObserv's field names, the
// representation NetObserv's Loki lines, Kafka exporter and console use. Fields for which omit
// returns true are left out (the Loki exporter moves them to stream labels); omit may be nil.
// Attributes NetObserv has no name for are not written.
func AppendNetObservJSON(buf []byte, res pcommon.Map, rec plog.LogRecord, omit func(string) bool) []byte {
	buf = append(buf, '{')
	first := true
	write := func(k string, v pcommon.Value, f *Field) {
		if omit != nil && omit(k) {
			return
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = AppendJSONString(buf, k)
		buf = append(buf, ':')
		buf = appendNetObservValue(buf, v, f.Conv)
	}
	each := func(m pcommon.Map) {
		m.Range(func(k string, v pcommon.Value) bool {
			if f, ok := byAttr[k]; ok && f.NetObserv != "" {
				write(f.NetObserv, v, f)
			}
			return true
		})
	}
	each(res)
	attrs := rec.Attributes()
	each(attrs)
	for _, d := range [...]struct{ name, prefix string }{{NetObservSrcName, "source."}, {NetObservDstName, "destination."}} {
		if v, ok := endName(attrs, d.prefix); ok {
			write(d.name, v, &Field{})
		}
	}
	if ts := rec.ObservedTimestamp(); ts != 0 {
		write(NetObservTimeReceived, pcommon.NewValueInt(int64(ts)/1e9), &Field{})
	}
	return append(buf, '}')
}

// NetObservLabel returns the value of a NetObserv field as a string, for stream labels.
func NetObservLabel(res, attrs pcommon.Map, name string) (string, bool) {
	switch name {
	case NetObservSrcName, NetObservDstName:
		prefix := "source."
		if name == NetObservDstName {
			prefix = "destination."
		}
		v, ok := endName(attrs, prefix)
		if !ok {
			return "", false
		}
		return v.Str(), true
	}
	f, ok := byNetObserv[name]
	if !ok {
		return "", false
	}
	m := attrs
	if f.Resource {
		m = res
	}
	v, ok := m.Get(f.Attr)
	if !ok {
		return "", false
	}
	if f.Conv == ConvDirection {
		return directionNumbers[DirectionNumber(v.Str())+1], true // no allocation per flow
	}
	if f.Conv != ConvNone {
		// The label reads as the value in the JSON line: ms, direction numbers, flag names.
		return string(appendNetObservValue(nil, v, f.Conv)), true
	}
	return v.AsString(), true
}

// endName is NetObserv's <Src|Dst>K8S_Name: the pod, service or node name of one end.
func endName(attrs pcommon.Map, prefix string) (pcommon.Value, bool) {
	t, ok := attrs.Get(prefix + "k8s.resource.type")
	if !ok {
		return pcommon.Value{}, false
	}
	var attr string
	switch t.Str() {
	case ResTypePod:
		attr = prefix + "k8s.pod.name"
	case ResTypeService:
		attr = prefix + "k8s.service.name"
	case ResTypeNode:
		attr = prefix + "k8s.node.name"
	default:
		return pcommon.Value{}, false
	}
	return attrs.Get(attr)
}

func appendNetObservValue(buf []byte, v pcommon.Value, conv Conv) []byte {
	switch conv {
	case ConvNsToMs:
		return strconv.AppendInt(buf, v.Int()/1e6, 10)
	case ConvDirection:
		return strconv.AppendInt(buf, DirectionNumber(v.Str()), 10)
	case ConvDirections:
		buf = append(buf, '[')
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendInt(buf, DirectionNumber(s.At(i).Str()), 10)
		}
		return append(buf, ']')
	case ConvTCPFlags:
		buf = append(buf, '[')
		for i, n := range TCPFlagNames(v.Int()) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendJSONString(buf, n)
		}
		return append(buf, ']')
	}
	return appendJSONValue(buf, v)
}

func appendJSONValue(buf []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return AppendJSONString(buf, v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(buf, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		return strconv.AppendFloat(buf, v.Double(), 'g', -1, 64)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(buf, v.Bool())
	case pcommon.ValueTypeSlice:
		buf = append(buf, '[')
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONValue(buf, s.At(i))
		}
		return append(buf, ']')
	}
	return AppendJSONString(buf, v.AsString())
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, escaping what RFC 8259 requires.
func AppendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, s[start:i]...)
				buf = append(buf, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
