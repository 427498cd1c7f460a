// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package lokiflowexporter

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

// decodedStream is a stream as a Loki server sees it, decoded by this test's own reader of the
// push format (independent of the encoder under test).
type decodedStream struct {
	Labels  string
	Entries []decodedEntry
}

type decodedEntry struct {
	Time time.Time
	Line string
}

// decodePush reads a snappy-compressed protobuf PushRequest.
func decodePush(t *testing.T, body []byte) []decodedStream {
	t.Helper()
	raw, err := snappy.Decode(nil, body)
	require.NoError(t, err)
	var out []decodedStream
	forEachField(t, raw, func(num protowire.Number, v []byte) {
		require.EqualValues(t, 1, num, "PushRequest.streams")
		var s decodedStream
		forEachField(t, v, func(num protowire.Number, v []byte) {
			switch num {
			case 1:
				s.Labels = string(v)
			case 2:
				var e decodedEntry
				var sec, nsec uint64
				forEachField(t, v, func(num protowire.Number, v []byte) {
					switch num {
					case 1:
						forEachVarint(t, v, func(num protowire.Number, x uint64) {
							if num == 1 {
								sec = x
							} else {
								nsec = x
							}
						})
					case 2:
						e.Line = string(v)
					}
				})
				e.Time = time.Unix(int64(sec), int64(nsec))
				s.Entries = append(s.Entries, e)
			}
		})
		out = append(out, s)
	})
	return out
}

func forEachField(t *testing.T, b []byte, fn func(protowire.Number, []byte)) {
	t.Helper()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		require.GreaterOrEqual(t, n, 0)
		require.Equal(t, protowire.BytesType, typ)
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		require.GreaterOrEqual(t, n, 0)
		fn(num, v)
		b = b[n:]
	}
}

func forEachVarint(t *testing.T, b []byte, fn func(protowire.Number, uint64)) {
	t.Helper()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		require.GreaterOrEqual(t, n, 0)
		require.Equal(t, protowire.VarintType, typ)
		b = b[n:]
		v, n := protowire.ConsumeVarint(b)
		require.GreaterOrEqual(t, n, 0)
		fn(num, v)
		b = b[n:]
	}
}

// fakeLoki answers pushes with the statuses of script in turn (200 once the script is done) and
// keeps what it accepted.
type fakeLoki struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	requests []*http.Request
	bodies   [][]byte
	accepted []decodedStream
	t        *testing.T
}

func newFakeLoki(t *testing.T, script ...int) *fakeLoki {
	f := &fakeLoki{script: script, t: t}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r)
		f.bodies = append(f.bodies, body)
		status := http.StatusNoContent
		if len(f.script) > 0 {
			status, f.script = f.script[0], f.script[1:]
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		if status/100 == 2 && r.Header.Get("Content-Type") == "application/x-protobuf" {
			f.accepted = append(f.accepted, decodePush(t, body)...)
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "status %d", status)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLoki) acceptedEntries() []decodedEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []decodedEntry
	for _, s := range f.accepted {
		out = append(out, s.Entries...)
	}
	return out
}

func (f *fakeLoki) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func lineFields(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &m), line)
	return m
}
