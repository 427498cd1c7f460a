// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package push builds the body of a Loki push request (POST /loki/api/v1/push) from flows:
// streams keyed by their label set, each with its entries in time order, encoded as Loki's
// protobuf (then snappy-compressed) or as JSON.
//
// The protobuf messages are written by hand with protowire from Loki's Apache-2.0 push schema
// (logproto.PushRequest, StreamAdapter, EntryAdapter): five fields in all. That keeps the Loki
// server code (AGPL) and grafana/loki-client-go (which no longer builds beside the collector's
// prometheus module) out of the dependency graph.
package push // import "github.com/flowlens/flowlens/exporter/lokiflowexporter/internal/push"

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/flowlens/flowlens/pkg/flow"
)

// Entry is one log line of a stream.
type Entry struct {
	Time time.Time
	Line []byte
}

// Label is one stream label. Names are already valid Prometheus label names.
type Label struct {
	Name, Value string
}

// Stream is a label set and its entries.
type Stream struct {
	Labels  []Label
	Entries []Entry
}

// promLabels renders the label set in Prometheus syntax, as Loki's protobuf push wants it:
// {a="1", b="2"}.
func (s *Stream) promLabels() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range s.Labels {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.Name)
		b.WriteString("=")
		b.WriteString(strconv.Quote(l.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// Batch collects entries into streams.
type Batch struct {
	streams map[string]*Stream
	order   []*Stream
	entries int
}

// NewBatch returns an empty batch.
func NewBatch() *Batch { return &Batch{streams: map[string]*Stream{}} }

// Add appends an entry to the stream identified by key (any byte form unique to the label set;
// reused by the caller). labels is read, and copied, only when the stream is new.
func (b *Batch) Add(key []byte, labels []Label, e Entry) {
	s, ok := b.streams[string(key)]
	if !ok {
		s = &Stream{Labels: slices.Clone(labels)}
		b.streams[string(key)] = s
		b.order = append(b.order, s)
	}
	s.Entries = append(s.Entries, e)
	b.entries++
}

// Entries is the number of entries added.
func (b *Batch) Entries() int { return b.entries }

// Streams returns the streams in the order they were first seen, entries sorted by time (Loki
// rejects out-of-order entries in a stream unless unordered writes are on).
func (b *Batch) Streams() []*Stream {
	for _, s := range b.order {
		if !slices.IsSortedFunc(s.Entries, byTime) {
			sort.SliceStable(s.Entries, func(i, j int) bool { return s.Entries[i].Time.Before(s.Entries[j].Time) })
		}
	}
	return b.order
}

func byTime(a, b Entry) int { return a.Time.Compare(b.Time) }

// Protobuf field numbers of Loki's push schema.
const (
	fieldPushStreams      = 1 // PushRequest.streams
	fieldStreamLabels     = 1 // StreamAdapter.labels
	fieldStreamEntries    = 2 // StreamAdapter.entries
	fieldEntryTimestamp   = 1 // EntryAdapter.timestamp (google.protobuf.Timestamp)
	fieldEntryLine        = 2 // EntryAdapter.line
	fieldTimestampSeconds = 1
	fieldTimestampNanos   = 2
)

// Protobuf returns the snappy-compressed protobuf body (Content-Type application/x-protobuf).
func (b *Batch) Protobuf() []byte {
	var out []byte
	for _, s := range b.Streams() {
		labels := s.promLabels()
		out = protowire.AppendTag(out, fieldPushStreams, protowire.BytesType)
		out = protowire.AppendVarint(out, uint64(streamSize(s, labels)))
		out = appendStream(out, s, labels)
	}
	return snappy.Encode(nil, out)
}

func streamSize(s *Stream, labels string) int {
	n := protowire.SizeTag(fieldStreamLabels) + protowire.SizeBytes(len(labels))
	for i := range s.Entries {
		es := entrySize(&s.Entries[i])
		n += protowire.SizeTag(fieldStreamEntries) + protowire.SizeBytes(es)
	}
	return n
}

func appendStream(out []byte, s *Stream, labels string) []byte {
	out = protowire.AppendTag(out, fieldStreamLabels, protowire.BytesType)
	out = protowire.AppendString(out, labels)
	for i := range s.Entries {
		e := &s.Entries[i]
		out = protowire.AppendTag(out, fieldStreamEntries, protowire.BytesType)
		out = protowire.AppendVarint(out, uint64(entrySize(e)))
		out = protowire.AppendTag(out, fieldEntryTimestamp, protowire.BytesType)
		out = protowire.AppendVarint(out, uint64(timestampSize(e.Time)))
		out = appendTimestamp(out, e.Time)
		out = protowire.AppendTag(out, fieldEntryLine, protowire.BytesType)
		out = protowire.AppendBytes(out, e.Line)
	}
	return out
}

func entrySize(e *Entry) int {
	return protowire.SizeTag(fieldEntryTimestamp) + protowire.SizeBytes(timestampSize(e.Time)) +
		protowire.SizeTag(fieldEntryLine) + protowire.SizeBytes(len(e.Line))
}

// timestampSize and appendTimestamp follow proto3: zero fields are not written.
func timestampSize(t time.Time) int {
	n := 0
	if s := t.Unix(); s != 0 {
		n += protowire.SizeTag(fieldTimestampSeconds) + protowire.SizeVarint(uint64(s))
	}
	if ns := t.Nanosecond(); ns != 0 {
		n += protowire.SizeTag(fieldTimestampNanos) + protowire.SizeVarint(uint64(ns))
	}
	return n
}

func appendTimestamp(out []byte, t time.Time) []byte {
	if s := t.Unix(); s != 0 {
		out = protowire.AppendTag(out, fieldTimestampSeconds, protowire.VarintType)
		out = protowire.AppendVarint(out, uint64(s))
	}
	if ns := t.Nanosecond(); ns != 0 {
		out = protowire.AppendTag(out, fieldTimestampNanos, protowire.VarintType)
		out = protowire.AppendVarint(out, uint64(ns))
	}
	return out
}

// JSON returns the JSON body (Content-Type application/json): {"streams":[{"stream":{labels},
// "values":[["<unix ns>","<line>"],...]}]}.
func (b *Batch) JSON() []byte {
	out := []byte(`{"streams":[`)
	for i, s := range b.Streams() {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"stream":{`...)
		for k, l := range s.Labels {
			if k > 0 {
				out = append(out, ',')
			}
			out = flow.AppendJSONString(out, l.Name)
			out = append(out, ':')
			out = flow.AppendJSONString(out, l.Value)
		}
		out = append(out, `},"values":[`...)
		for j := range s.Entries {
			if j > 0 {
				out = append(out, ',')
			}
			out = append(out, `["`...)
			out = strconv.AppendInt(out, s.Entries[j].Time.UnixNano(), 10)
			out = append(out, `",`...)
			out = flow.AppendJSONString(out, string(s.Entries[j].Line))
			out = append(out, ']')
		}
		out = append(out, "]}"...)
	}
	return append(out, "]}"...)
}
