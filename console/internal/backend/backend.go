// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package backend defines what the console asks of a flow source: the embedded store, Loki or
// Prometheus. Each answers what it can and says why it cannot answer the rest.
package backend // import "github.com/flowlens/flowlens/console/internal/backend"

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// Backend is a source of flows or metrics.
type Backend interface {
	// Name is store, loki or prometheus.
	Name() string
	// Records returns flows, newest first, under NetObserv field names.
	Records(ctx context.Context, q flowquery.Records) ([]map[string]any, error)
	// Metrics returns the top series of a metric and the total over every flow.
	Metrics(ctx context.Context, q flowquery.Metrics) (series []flowquery.Series, total flowquery.Series, err error)
	// Values returns distinct values of a NetObserv field, for autocomplete.
	Values(ctx context.Context, field, prefix string, start, end time.Time, limit int) ([]string, error)
	// Status probes the backend.
	Status(ctx context.Context) Status
}

// Status is a backend's health as /api/status shows it.
type Status struct {
	Name     string `json:"name"`
	Ready    bool   `json:"ready"`
	Error    string `json:"error,omitempty"`
	URL      string `json:"url,omitempty"`
	Flows    int64  `json:"flows,omitempty"`
	OldestMs int64  `json:"oldestMs,omitempty"`
	NewestMs int64  `json:"newestMs,omitempty"`
}

// UnsupportedError says why a backend cannot answer a query; the console then asks the next
// backend, and reports the reason when none can.
type UnsupportedError struct {
	Backend, Reason string
}

func (e *UnsupportedError) Error() string { return e.Backend + ": " + e.Reason }

// Unsupported returns an UnsupportedError.
func Unsupported(backend, format string, args ...any) error {
	return &UnsupportedError{Backend: backend, Reason: fmt.Sprintf(format, args...)}
}

// IsUnsupported reports whether err means "ask another backend".
func IsUnsupported(err error) bool {
	var u *UnsupportedError
	return errors.As(err, &u)
}

// UnavailableError wraps a failure to reach a backend (connection refused, 5xx): the API answers
// 502 with it.
type UnavailableError struct {
	Backend string
	Err     error
}

func (e *UnavailableError) Error() string { return e.Backend + " unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

type userTokenKey struct{}

// WithUserToken carries the requesting user's bearer token to backends that forward it
// (NetObserv's forwardUserToken: the backend then applies the user's own access).
func WithUserToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, userTokenKey{}, token)
}

// UserToken is the token WithUserToken stored, or "".
func UserToken(ctx context.Context) string {
	t, _ := ctx.Value(userTokenKey{}).(string)
	return t
}

// MatchingValues keeps the non-empty values that contain prefix (case-insensitive), sorted, at
// most limit: autocomplete from a list of label values.
func MatchingValues(vs []string, prefix string, limit int) []string {
	prefix = strings.ToLower(prefix)
	vs = slices.DeleteFunc(vs, func(v string) bool { return v == "" || !strings.Contains(strings.ToLower(v), prefix) })
	slices.Sort(vs)
	if len(vs) > limit {
		vs = vs[:limit]
	}
	return vs
}
