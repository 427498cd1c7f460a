// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package flowquery is the console's query model: NetObserv's filter syntax parsed into an AST,
// the record and metric queries, and the aggregation scopes. The backends (embedded store, Loki,
// Prometheus) translate it to SQL, LogQL or PromQL.
package flowquery // import "github.com/flowlens/flowlens/pkg/flowquery"
