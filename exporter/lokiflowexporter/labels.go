// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter // import "github.com/flowlens/flowlens/exporter/lokiflowexporter"

import (
	"strings"
	"unicode/utf8"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/push"
	"github.com/flowlens/flowlens/pkg/flow"
)

// maxLabelValue bounds a label value: Loki's default limit is 2048 bytes.
const maxLabelValue = 1024

// labeler turns a flow into its stream labels, as NetObserv's Loki writer does: the configured
// fields become labels (names sanitized: / . - become _) and leave the JSON line; the static
// labels are added to every stream.
type labeler struct {
	split  *flow.NetObservSplitter
	names  []string // label names of the configured fields
	static []push.Label
}

func newLabeler(fields []string, static map[string]string) *labeler {
	l := &labeler{split: flow.NewNetObservSplitter(fields)}
	for _, f := range fields {
		l.names = append(l.names, flow.LokiLabelName(f))
	}
	for k, v := range static {
		l.static = append(l.static, push.Label{Name: flow.LokiLabelName(k), Value: sanitizeValue(v)})
	}
	sortLabels(l.static)
	return l
}

// labels turns the values the splitter collected (one per field, "" when absent: no label)
// into buf, and key into a compact identity of the label set. Both are reused call to call.
func (l *labeler) labels(values []string, buf []push.Label, key []byte) ([]push.Label, []byte) {
	buf = append(buf[:0], l.static...)
	key = key[:0]
	for i, v := range values {
		if v == "" {
			key = append(key, 0xff)
			continue
		}
		v = sanitizeValue(v)
		buf = append(buf, push.Label{Name: l.names[i], Value: v})
		key = append(key, v...)
		key = append(key, 0xff)
	}
	return buf, key
}

// sanitizeValue keeps values valid UTF-8, free of control characters, and bounded.
func sanitizeValue(v string) string {
	if len(v) > maxLabelValue {
		v = v[:maxLabelValue]
	}
	clean := utf8.ValidString(v)
	for i := 0; clean && i < len(v); i++ {
		clean = v[i] >= 0x20 && v[i] != 0x7f
	}
	if clean {
		return v
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(v, "_"))
}

func sortLabels(ls []push.Label) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].Name < ls[j-1].Name; j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}
