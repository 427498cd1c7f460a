// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"

import (
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/flowlens/flowlens/pkg/flow"
)

// view reads one record for every metric at once. Attributes are looked up once per record in a
// single pass (pcommon.Map.Get is a linear scan, and dozens of labels would scan it dozens of
// times), and the label key of each distinct label list is built once per record, then shared
// by the metrics using that list. A view belongs to one ConsumeLogs call at a time.
type view struct {
	p *plan

	res, attrs pcommon.Map
	recVals    []pcommon.Value
	recGen     []uint64
	resVals    []pcommon.Value
	resGen     []uint64
	gen        uint64 // current record; a slot is set when its recGen equals gen
	rgen       uint64 // current resource

	keys    [][]byte // per label set: the encoded label values of the current record
	keysGen []uint64
	scratch []byte

	// layout is the previous record's attribute keys and their slots (-1: unused). Records of
	// one producer list their attributes in the same order, so comparing each key with the one
	// at the same position replaces a map lookup (and keys written from the same constant compare
	// by pointer). Holding them keeps only those small strings alive: pdata copies each key out
	// of a decoded request.
	layoutKeys  []string
	layoutSlots []int32

	empty pcommon.Map
}

func newView(p *plan) *view {
	return &view{
		p:       p,
		recVals: make([]pcommon.Value, len(p.recSlots)), recGen: make([]uint64, len(p.recSlots)),
		resVals: make([]pcommon.Value, len(p.resSlots)), resGen: make([]uint64, len(p.resSlots)),
		keys: make([][]byte, len(p.labelSets)), keysGen: make([]uint64, len(p.labelSets)),
		empty: pcommon.NewMap(),
	}
}

// release drops the references to the batch just read, so a pooled view does not keep it alive.
func (v *view) release() {
	clear(v.recVals)
	clear(v.resVals)
	v.attrs, v.res = v.empty, v.empty
}

func (v *view) setResource(m pcommon.Map) {
	v.rgen++
	v.res = m
	if len(v.resVals) == 0 {
		return
	}
	for k, val := range m.All() {
		if s, ok := v.p.resSlots[k]; ok {
			v.resVals[s], v.resGen[s] = val, v.rgen
		}
	}
}

func (v *view) setRecord(m pcommon.Map) {
	v.gen++
	v.attrs = m
	i := 0
	for k, val := range m.All() {
		var s int32
		if i < len(v.layoutKeys) && v.layoutKeys[i] == k {
			s = v.layoutSlots[i]
		} else {
			s = -1
			if j, ok := v.p.recSlots[k]; ok {
				s = int32(j)
			}
			if i < len(v.layoutKeys) {
				v.layoutKeys[i], v.layoutSlots[i] = k, s
			} else {
				v.layoutKeys, v.layoutSlots = append(v.layoutKeys, k), append(v.layoutSlots, s)
			}
		}
		if s >= 0 {
			v.recVals[s], v.recGen[s] = val, v.gen
		}
		i++
	}
}

// get returns the value of a field that is a plain attribute.
func (v *view) get(field int) (pcommon.Value, bool) {
	if s := v.p.fieldRec[field]; s >= 0 && v.recGen[s] == v.gen {
		return v.recVals[s], true
	}
	if s := v.p.fieldRes[field]; s >= 0 && v.resGen[s] == v.rgen {
		return v.resVals[s], true
	}
	return pcommon.Value{}, false
}

// derivedField returns the field holding <Src|Dst>K8S_Name: the pod, service or node name of
// that end, by its resource type.
func (v *view) derivedField(d derivation) (int, bool) {
	fs := v.p.derived[d-derivedSrcName]
	t, ok := v.get(fs[0])
	if !ok || t.Type() != pcommon.ValueTypeStr {
		return 0, false
	}
	switch t.Str() {
	case flow.ResTypePod:
		return fs[1], true
	case flow.ResTypeService:
		return fs[2], true
	case flow.ResTypeNode:
		return fs[3], true
	}
	return 0, false
}

func (v *view) present(field int) bool {
	f := &v.p.fields[field]
	if f.derived != notDerived {
		i, ok := v.derivedField(f.derived)
		if !ok {
			return false
		}
		_, ok = v.get(i)
		return ok
	}
	_, ok := v.get(field)
	return ok
}

// appendRepr appends the field's value as text, in the representation of the name the metric
// used (see fieldRef); ok is false when the record lacks the field.
func (v *view) appendRepr(buf []byte, field int) ([]byte, bool) {
	f := &v.p.fields[field]
	if f.derived != notDerived {
		i, ok := v.derivedField(f.derived)
		if !ok {
			return buf, false
		}
		return v.appendRepr(buf, i)
	}
	val, ok := v.get(field)
	if !ok {
		return buf, false
	}
	switch f.conv {
	case flow.ConvNsToMs:
		if val.Type() == pcommon.ValueTypeInt {
			return strconv.AppendInt(buf, val.Int()/1e6, 10), true
		}
	case flow.ConvDirection:
		if val.Type() == pcommon.ValueTypeStr {
			return strconv.AppendInt(buf, flow.DirectionNumber(val.Str()), 10), true
		}
	case flow.ConvDirections, flow.ConvTCPFlags:
		// Lists in NetObserv's JSON form: rare in labels, so the allocation is acceptable.
		if s, ok := flow.NetObservLabel(v.res, v.attrs, f.name); ok {
			return append(buf, s...), true
		}
	}
	return appendValue(buf, val), true
}

func appendValue(buf []byte, val pcommon.Value) []byte {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return append(buf, val.Str()...)
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(buf, val.Int(), 10)
	case pcommon.ValueTypeDouble:
		return strconv.AppendFloat(buf, val.Double(), 'f', -1, 64)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(buf, val.Bool())
	}
	return append(buf, val.AsString()...)
}

// number returns the field's value as a number in the representation of its name (ms for
// NetObserv's *Ms fields); reason says why there is none.
func (v *view) number(field int) (float64, skipReason) {
	val, ok := v.get(field)
	if !ok {
		return 0, skipMissing
	}
	var x float64
	switch val.Type() {
	case pcommon.ValueTypeInt:
		x = float64(val.Int())
	case pcommon.ValueTypeDouble:
		x = val.Double()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, skipNotNumeric // one NaN would stick in a sum forever
		}
	default:
		return 0, skipNotNumeric
	}
	if v.p.fields[field].conv == flow.ConvNsToMs {
		x /= 1e6
	}
	return x, skipNone
}

// samplingRate is the record's network.flow.sampling_rate, 1 when absent or below 1.
func (v *view) samplingRate() float64 {
	val, ok := v.get(v.p.sampling)
	if !ok || val.Type() != pcommon.ValueTypeInt || val.Int() < 1 {
		return 1
	}
	return float64(val.Int())
}

// match evaluates a filter with NetObserv's semantics: Equal and MatchRegex need the field,
// NotEqual and NotMatchRegex are their negations (so an absent field passes them).
func (v *view) match(f *filter) bool {
	switch f.kind {
	case matchPresence:
		return v.present(f.field)
	case matchAbsence:
		return !v.present(f.field)
	}
	var ok bool
	v.scratch, ok = v.appendRepr(v.scratch[:0], f.field)
	var hit bool
	if ok {
		if f.re != nil {
			hit = f.re.Match(v.scratch)
		} else {
			hit = string(v.scratch) == f.value
		}
	}
	if f.kind == matchNotEqual || f.kind == matchNotRegex {
		return !hit
	}
	return hit
}

// key returns the encoded label values of label set ls for the current record. Each value is
// length-prefixed (one byte below 255, else 0xFF and four bytes), so any bytes are exact; an
// absent field encodes as the empty value, the same series as an empty label in Prometheus.
func (v *view) key(ls int) []byte {
	if v.keysGen[ls] == v.gen {
		return v.keys[ls]
	}
	buf := v.keys[ls][:0]
	for _, field := range v.p.labelSets[ls] {
		at := len(buf)
		buf = append(buf, 0)
		buf, _ = v.appendRepr(buf, field)
		buf = patchLength(buf, at)
	}
	v.keys[ls], v.keysGen[ls] = buf, v.gen
	return buf
}

// patchLength writes the length of buf[at+1:] into the placeholder byte at buf[at].
func patchLength(buf []byte, at int) []byte {
	n := len(buf) - at - 1
	if n < 0xFF {
		buf[at] = byte(n)
		return buf
	}
	buf[at] = 0xFF
	buf = append(buf, 0, 0, 0, 0)
	copy(buf[at+5:], buf[at+1:at+1+n])
	buf[at+1], buf[at+2], buf[at+3], buf[at+4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return buf
}

// decodeKey calls fn with each label value of an encoded key, in label order.
func decodeKey(key string, fn func(i int, val string)) {
	for i := 0; len(key) > 0; i++ {
		n := int(key[0])
		key = key[1:]
		if n == 0xFF {
			n = int(key[0])<<24 | int(key[1])<<16 | int(key[2])<<8 | int(key[3])
			key = key[4:]
		}
		fn(i, key[:n])
		key = key[n:]
	}
}
