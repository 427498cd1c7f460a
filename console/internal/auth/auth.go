// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package auth identifies console users and limits the flows they see to the namespaces they
// may read.
package auth // import "github.com/flowlens/flowlens/console/internal/auth"

import (
	"context"
	"errors"

	"github.com/flowlens/flowlens/pkg/flowquery"
)

// User is who asks, and what they may see.
type User struct {
	Name string
	// Admin users see every flow.
	Admin bool
	// Namespaces a non-admin may read: they see the flows with one end in one of them.
	Namespaces []string
}

// ErrUnauthenticated means no token, or a token the API server refuses (HTTP 401).
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticator turns a bearer token into a User.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*User, error)
}

// None lets everyone in as an admin: a console on one host, bound to loopback.
type None struct{}

// Authenticate implements Authenticator.
func (None) Authenticate(context.Context, string) (*User, error) {
	return &User{Name: "local", Admin: true}, nil
}

// Restrict limits filters to the flows the user may see: each group gets "source namespace in
// N" and, as a second group, "destination namespace in N". A user without namespaces gets a
// filter that matches nothing. Admins are not restricted.
func Restrict(fs flowquery.Filters, u *User) flowquery.Filters {
	if u == nil || u.Admin {
		return fs
	}
	values := make([]flowquery.Value, 0, len(u.Namespaces))
	for _, ns := range u.Namespaces {
		values = append(values, flowquery.Value{Text: ns, Exact: true})
	}
	if len(values) == 0 {
		// No namespace: an impossible match (namespace names cannot contain a NUL).
		values = []flowquery.Value{{Text: "\x00", Exact: true}}
	}
	if len(fs) == 0 {
		fs = flowquery.Filters{nil}
	}
	out := make(flowquery.Filters, 0, 2*len(fs))
	for _, field := range []string{"SrcK8S_Namespace", "DstK8S_Namespace"} {
		m := flowquery.Match{Field: field, Op: flowquery.OpEqual, Values: values}
		for _, g := range fs {
			out = append(out, append(append(flowquery.Group(nil), g...), m))
		}
	}
	return out
}
