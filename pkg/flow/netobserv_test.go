// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package flow

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

const (
	startNs    = int64(1_700_000_000_123_456_789)
	endNs      = int64(1_700_000_004_987_654_321)
	observedNs = int64(1_700_000_005_999_999_999)
)

// sampleFlow is a fully enriched TCP flow from a pod to a service.
func sampleFlow() (pcommon.Map, plog.LogRecord) {
	res := pcommon.NewMap()
	res.PutStr(AttrHostName, "node-a")
	res.PutStr(AttrLocalAddress, "10.0.0.1")

	lr := plog.NewLogRecord()
	lr.SetTimestamp(pcommon.Timestamp(endNs))
	lr.SetObservedTimestamp(pcommon.Timestamp(observedNs))
	a := lr.Attributes()
	a.PutStr(AttrSrcAddress, "10.1.0.5")
	a.PutInt(AttrSrcPort, 43210)
	a.PutStr(AttrSrcMAC, "0A:1B:2C:3D:4E:5F")
	a.PutStr(AttrDstAddress, "10.96.0.10")
	a.PutInt(AttrDstPort, 443)
	a.PutStr(AttrTransport, "tcp")
	a.PutStr(AttrNetworkType, "ipv4")
	a.PutInt(AttrProtocol, 6)
	a.PutInt(AttrEtherType, 0x0800)
	a.PutInt(AttrTCPFlags, TCPSyn|TCPAck|TCPSynAck)
	a.PutInt(AttrBytes, 1500)
	a.PutInt(AttrPackets, 3)
	a.PutInt(AttrStart, startNs)
	a.PutInt(AttrEnd, endNs)
	a.PutStr(AttrIfaceName, "veth1")
	a.PutStr(AttrIfaceDir, DirIngress)
	ifs := a.PutEmptySlice(AttrIfaces)
	ifs.AppendEmpty().SetStr("veth1")
	ifs.AppendEmpty().SetStr("eth0")
	dirs := a.PutEmptySlice(AttrIfaceDirs)
	dirs.AppendEmpty().SetStr(DirIngress)
	dirs.AppendEmpty().SetStr(DirEgress)
	a.PutStr(AttrFlowDirection, DirEgress)
	a.PutStr(AttrRecordType, RecordTypeFlowLog)
	a.PutStr(AttrSrcNamespace, "shop")
	a.PutStr(AttrSrcResType, ResTypePod)
	a.PutStr(AttrSrcPodName, "cart-7d9f")
	a.PutStr(AttrSrcNodeName, "node-a")
	a.PutStr(AttrDstNamespace, "kube-system")
	a.PutStr(AttrDstResType, ResTypeService)
	a.PutStr(AttrDstSvcName, "kube-dns")
	a.PutBool(AttrInterZone, true) // no NetObserv name: must not be written
	a.PutInt(AttrDNSLatency, 2_500_000)
	return res, lr
}

// decodeJSON checks that b is one valid JSON object and returns it; numbers stay exact.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	require.Truef(t, json.Valid(b), "invalid JSON: %s", b)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	require.NoError(t, d.Decode(&m))
	return m
}

func TestAppendNetObservJSON(t *testing.T) {
	t.Parallel()
	res, lr := sampleFlow()
	prefix := []byte("line: ")
	out := AppendNetObservJSON(prefix, res, lr, nil)
	require.True(t, bytes.HasPrefix(out, prefix), "appends to buf")
	got := decodeJSON(t, out[len(prefix):])

	want := map[string]any{
		"AgentIP":          "10.0.0.1",
		"SrcAddr":          "10.1.0.5",
		"SrcPort":          json.Number("43210"),
		"SrcMac":           "0A:1B:2C:3D:4E:5F",
		"DstAddr":          "10.96.0.10",
		"DstPort":          json.Number("443"),
		"Proto":            json.Number("6"),
		"Etype":            json.Number("2048"),
		"Flags":            []any{"SYN", "ACK", "SYN_ACK"},
		"Bytes":            json.Number("1500"),
		"Packets":          json.Number("3"),
		"TimeFlowStartMs":  json.Number("1700000000123"),
		"TimeFlowEndMs":    json.Number("1700000004987"),
		"Interfaces":       []any{"veth1", "eth0"},
		"IfDirections":     []any{json.Number("0"), json.Number("1")},
		"FlowDirection":    json.Number("1"),
		"_RecordType":      "flowLog",
		"SrcK8S_Namespace": "shop",
		"SrcK8S_Type":      "Pod",
		"SrcK8S_HostName":  "node-a",
		"SrcK8S_Name":      "cart-7d9f",
		"DstK8S_Namespace": "kube-system",
		"DstK8S_Type":      "Service",
		"DstK8S_Name":      "kube-dns",
		"DnsLatencyMs":     json.Number("2"),
		"TimeReceived":     json.Number("1700000005"),
	}
	assert.Equal(t, want, got)
}

func TestAppendNetObservJSONDirections(t *testing.T) {
	t.Parallel()
	for dir, n := range map[string]string{DirIngress: "0", DirEgress: "1", DirInner: "2", "sideways": "-1"} {
		lr := plog.NewLogRecord()
		lr.Attributes().PutStr(AttrFlowDirection, dir)
		got := decodeJSON(t, AppendNetObservJSON(nil, pcommon.NewMap(), lr, nil))
		assert.Equal(t, map[string]any{"FlowDirection": json.Number(n)}, got, dir)
	}
}

// SrcK8S_Name / DstK8S_Name come from the pod, service or node name according to the type.
func TestAppendNetObservJSONEndName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		resType string
		want    any // nil: no K8S_Name field
	}{
		{ResTypePod, "the-pod"},
		{ResTypeService, "the-svc"},
		{ResTypeNode, "the-node"},
		{"Unknown", nil},
		{"", nil},
	}
	for _, tt := range tests {
		for _, end := range []struct{ prefix, field string }{{"source.", "SrcK8S_Name"}, {"destination.", "DstK8S_Name"}} {
			lr := plog.NewLogRecord()
			a := lr.Attributes()
			a.PutStr(end.prefix+"k8s.pod.name", "the-pod")
			a.PutStr(end.prefix+"k8s.service.name", "the-svc")
			a.PutStr(end.prefix+"k8s.node.name", "the-node")
			if tt.resType != "" {
				a.PutStr(end.prefix+"k8s.resource.type", tt.resType)
			}
			got := decodeJSON(t, AppendNetObservJSON(nil, pcommon.NewMap(), lr, nil))
			if tt.want == nil {
				assert.NotContains(t, got, end.field, tt.resType)
			} else {
				assert.Equal(t, tt.want, got[end.field], tt.resType)
			}
		}
	}

	// A type without the matching name writes nothing.
	lr := plog.NewLogRecord()
	lr.Attributes().PutStr(AttrSrcResType, ResTypePod)
	lr.Attributes().PutStr(AttrSrcSvcName, "svc")
	got := decodeJSON(t, AppendNetObservJSON(nil, pcommon.NewMap(), lr, nil))
	assert.NotContains(t, got, NetObservSrcName)
}

func TestAppendNetObservJSONOmit(t *testing.T) {
	t.Parallel()
	res, lr := sampleFlow()
	omitted := map[string]bool{
		"AgentIP": true, "FlowDirection": true, "SrcK8S_Namespace": true,
		NetObservSrcName: true, NetObservTimeReceived: true, "_RecordType": true,
	}
	var asked []string
	got := decodeJSON(t, AppendNetObservJSON(nil, res, lr, func(k string) bool {
		asked = append(asked, k)
		return omitted[k]
	}))
	for k := range omitted {
		assert.NotContains(t, got, k)
		assert.Contains(t, asked, k, "omit is called with NetObserv names")
	}
	assert.Contains(t, got, "SrcAddr")
	assert.Contains(t, got, NetObservDstName)

	// Omitting everything, first included, still leaves a valid object.
	out := AppendNetObservJSON(nil, res, lr, func(string) bool { return true })
	assert.Equal(t, "{}", string(out))
	// Omitting only the first field must not leave a leading comma.
	first := ""
	AppendNetObservJSON(nil, res, lr, func(k string) bool {
		if first == "" {
			first = k
		}
		return false
	})
	out = AppendNetObservJSON(nil, res, lr, func(k string) bool { return k == first })
	assert.NotContains(t, decodeJSON(t, out), first)
}

func TestAppendNetObservJSONEmpty(t *testing.T) {
	t.Parallel()
	out := AppendNetObservJSON(nil, pcommon.NewMap(), plog.NewLogRecord(), nil)
	assert.Equal(t, "{}", string(out), "no observed timestamp: no TimeReceived")
}

func TestAppendNetObservJSONValueTypes(t *testing.T) {
	t.Parallel()
	// Fields without conversion keep their pdata type; unexpected types are still valid JSON.
	lr := plog.NewLogRecord()
	a := lr.Attributes()
	a.PutDouble(AttrBytes, 1.5)
	a.PutBool(AttrPackets, true)
	a.PutEmptyBytes(AttrDNSName).FromRaw([]byte{1, 2})
	a.PutEmptyMap(AttrSrcAddress).PutStr("k", `v"`)
	got := decodeJSON(t, AppendNetObservJSON(nil, pcommon.NewMap(), lr, nil))
	assert.Equal(t, json.Number("1.5"), got["Bytes"])
	assert.Equal(t, true, got["Packets"])
	assert.Equal(t, "AQI=", got["DnsName"])
	assert.Equal(t, `{"k":"v\""}`, got["SrcAddr"])
}

func TestDirectionNumberName(t *testing.T) {
	t.Parallel()
	for n, name := range []string{DirIngress, DirEgress, DirInner} {
		assert.Equal(t, int64(n), DirectionNumber(name))
		assert.Equal(t, name, DirectionName(int64(n)))
	}
	assert.Equal(t, int64(-1), DirectionNumber(""))
	assert.Equal(t, int64(-1), DirectionNumber("Ingress"))
	assert.Empty(t, DirectionName(-1))
	assert.Empty(t, DirectionName(3))
}

func TestNetObservLabel(t *testing.T) {
	t.Parallel()
	res, lr := sampleFlow()
	attrs := lr.Attributes()
	tests := []struct {
		name, want string
	}{
		{"AgentIP", "10.0.0.1"}, // resource attribute
		{"SrcAddr", "10.1.0.5"},
		{"DstPort", "443"},
		{"FlowDirection", "1"},
		{"SrcK8S_Namespace", "shop"},
		{"SrcK8S_Type", "Pod"},
		{NetObservSrcName, "cart-7d9f"},
		{NetObservDstName, "kube-dns"},
		{"_RecordType", "flowLog"},
		// Converted fields read as in the JSON line.
		{"TimeFlowStartMs", "1700000000123"},
		{"DnsLatencyMs", "2"},
		{"IfDirections", "[0,1]"},
		{"Flags", `["SYN","ACK","SYN_ACK"]`},
	}
	for _, tt := range tests {
		got, ok := NetObservLabel(res, attrs, tt.name)
		require.Truef(t, ok, "NetObservLabel(%q)", tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
	for _, name := range []string{"nope", "source.address", "DstK8S_OwnerName", "XlatSrcAddr", NetObservTimeReceived} {
		_, ok := NetObservLabel(res, attrs, name)
		assert.Falsef(t, ok, "NetObservLabel(%q)", name)
	}
	// A resource field is not looked up in the record attributes.
	_, ok := NetObservLabel(pcommon.NewMap(), attrs, "AgentIP")
	assert.False(t, ok)
	// A name derived from an end with no resource type is absent.
	_, ok = NetObservLabel(res, pcommon.NewMap(), NetObservDstName)
	assert.False(t, ok)
}

func jsonString(s string) string { return string(AppendJSONString(nil, s)) }

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\dir\`, `"C:\\dir\\"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\x7f", "\"\x7f\""}, // DEL needs no escape
		{"</script>&", `"</script>&"`},
		{"héllo 世界 🙂", `"héllo 世界 🙂"`},
		{"bad\xffbyte", `"bad\ufffdbyte"`},
		{"\xc3", `"\ufffd"`},                     // truncated sequence
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // UTF-16 surrogate: invalid in UTF-8
		{"ok\xe4\xb8\x96\x80end", `"ok世\ufffdend"`},
	}
	for _, tt := range tests {
		got := jsonString(tt.in)
		assert.Equalf(t, tt.want, got, "%q", tt.in)
		assert.Truef(t, json.Valid([]byte(got)), "%q", tt.in)
	}
	// Appends after what buf holds.
	assert.Equal(t, `x"y"`, string(AppendJSONString([]byte("x"), "y")))
}

// Every single byte and every pair of control/special bytes gives valid JSON that decodes back to
// what encoding/json makes of the same string.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	var inputs []string
	for c := 0; c < 256; c++ {
		inputs = append(inputs, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	inputs = append(inputs, strings.Repeat("\"\\\n", 10), "\u2028\u2029", string(utf8.RuneError))
	for _, s := range inputs {
		checkAgainstEncodingJSON(t, s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\\", "\x00", "\xff\xfe", "é", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(checkAgainstEncodingJSON)
}

func checkAgainstEncodingJSON(t *testing.T, s string) {
	got := AppendJSONString(nil, s)
	require.Truef(t, json.Valid(got), "%q -> %s", s, got)
	var ours string
	require.NoError(t, json.Unmarshal(got, &ours))
	ref, err := json.Marshal(s)
	require.NoError(t, err)
	var theirs string
	require.NoError(t, json.Unmarshal(ref, &theirs))
	require.Equalf(t, theirs, ours, "%q", s)
	if utf8.ValidString(s) {
		require.Equal(t, s, ours, "valid strings round-trip exactly")
	}
}
