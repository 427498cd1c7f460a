// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow // import "github.com/flowlens/flowlens/pkg/flow"

import (
	"strconv"
	"strings"
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
	w := jsonWriter{buf: append(buf, '{'), omit: omit}
	w.visit(res, rec)
	return append(w.buf, '}')
}

// NetObservSplitter writes flows as NetObserv JSON lines, except the fields chosen as labels,
// whose values it returns instead: the Loki exporter's one pass over each record.
type NetObservSplitter struct {
	slot map[string]int // label field -> index in the values
}

// NewNetObservSplitter takes the NetObserv field names that become labels.
func NewNetObservSplitter(labels []string) *NetObservSplitter {
	s := &NetObservSplitter{slot: make(map[string]int, len(labels))}
	for i, l := range labels {
		s.slot[l] = i
	}
	return s
}

// Append appends the flow's JSON line (without the label fields) to buf, and fills values (one
// per label, "" when the flow has none) with the label values as strings.
func (s *NetObservSplitter) Append(buf []byte, res pcommon.Map, rec plog.LogRecord, values []string) []byte {
	clear(values)
	w := jsonWriter{buf: append(buf, '{'), slot: s.slot, values: values}
	w.visit(res, rec)
	return append(w.buf, '}')
}

// jsonWriter is one pass over a flow's attributes that writes NetObserv JSON.
type jsonWriter struct {
	buf    []byte
	first  bool
	omit   func(string) bool
	slot   map[string]int
	values []string
}

var (
	srcEndAttrs = endAttrs{"source.k8s.resource.type", "source.k8s.pod.name", "source.k8s.service.name", "source.k8s.node.name"}
	dstEndAttrs = endAttrs{"destination.k8s.resource.type", "destination.k8s.pod.name", "destination.k8s.service.name", "destination.k8s.node.name"}
)

func (w *jsonWriter) visit(res pcommon.Map, rec plog.LogRecord) {
	w.first = true
	w.each(res)
	attrs := rec.Attributes()
	w.each(attrs)
	if v, ok := srcEndAttrs.name(attrs); ok {
		w.write(NetObservSrcName, v, ConvNone)
	}
	if v, ok := dstEndAttrs.name(attrs); ok {
		w.write(NetObservDstName, v, ConvNone)
	}
	if ts := rec.ObservedTimestamp(); ts != 0 {
		w.write(NetObservTimeReceived, pcommon.NewValueInt(int64(ts)/1e9), ConvNone)
	}
}

func (w *jsonWriter) each(m pcommon.Map) {
	for k, v := range m.All() {
		if f, ok := byAttr[k]; ok && f.NetObserv != "" {
			w.write(f.NetObserv, v, f.Conv)
		}
	}
}

func (w *jsonWriter) write(k string, v pcommon.Value, conv Conv) {
	if w.slot != nil {
		if i, ok := w.slot[k]; ok {
			w.values[i] = labelValue(v, conv)
			return
		}
	}
	if w.omit != nil && w.omit(k) {
		return
	}
	if !w.first {
		w.buf = append(w.buf, ',')
	}
	w.first = false
	w.buf = AppendJSONString(w.buf, k)
	w.buf = append(w.buf, ':')
	w.buf = appendNetObservValue(w.buf, v, conv)
}

// labelValue is a field's value as the label string: as it reads in the JSON line.
func labelValue(v pcommon.Value, conv Conv) string {
	switch conv {
	case ConvNone:
		return v.AsString()
	case ConvDirection:
		return directionNumbers[DirectionNumber(v.Str())+1] // no allocation per flow
	}
	return string(appendNetObservValue(nil, v, conv))
}

// NetObservLabel returns the value of a NetObserv field as a string, for stream labels.
func NetObservLabel(res, attrs pcommon.Map, name string) (string, bool) {
	switch name {
	case NetObservSrcName, NetObservDstName:
		e := srcEndAttrs
		if name == NetObservDstName {
			e = dstEndAttrs
		}
		v, ok := e.name(attrs)
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
	return labelValue(v, f.Conv), true
}

// endAttrs names the attributes behind NetObserv's <Src|Dst>K8S_Name for one end.
type endAttrs struct{ resType, pod, service, node string }

// name is the pod, service or node name of the end, by its resource type.
func (e endAttrs) name(attrs pcommon.Map) (pcommon.Value, bool) {
	t, ok := attrs.Get(e.resType)
	if !ok {
		return pcommon.Value{}, false
	}
	switch t.Str() {
	case ResTypePod:
		return attrs.Get(e.pod)
	case ResTypeService:
		return attrs.Get(e.service)
	case ResTypeNode:
		return attrs.Get(e.node)
	}
	return pcommon.Value{}, false
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

var lokiLabelNamer = strings.NewReplacer("/", "_", ".", "_", "-", "_")

// LokiLabelName is the Loki label name of a field, as NetObserv's Loki writer makes it: / . -
// become _. The lokiflow exporter writes labels with it; the console queries them with it.
func LokiLabelName(field string) string { return lokiLabelNamer.Replace(field) }

// LokiLabels are NetObserv's Loki stream labels: the fields the lokiflow exporter makes labels
// by default and the console's LogQL expects. Zone, cluster and record type only appear on
// streams whose flows carry them.
var LokiLabels = []string{
	"SrcK8S_Namespace", "SrcK8S_OwnerName", "SrcK8S_Type",
	"DstK8S_Namespace", "DstK8S_OwnerName", "DstK8S_Type",
	"K8S_FlowLayer", "FlowDirection",
	"SrcK8S_Zone", "DstK8S_Zone", "K8S_ClusterName", "_RecordType",
}
