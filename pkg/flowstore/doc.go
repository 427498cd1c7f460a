// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package flowstore is the embedded flow store of a single host: an SQLite database in one
// file (modernc.org/sqlite, pure Go: the collector stays CGO-free), written by the flowstore
// exporter and read by the console, possibly from another process while it is written (WAL).
//
// One row per flow. The fields the console filters and groups on are columns (indexed for
// time ranges and the usual filters); the rest of the flow is a JSON object in the extra
// column. Field names are NetObserv's, as in the Loki lines, so every console backend returns
// the same records.
package flowstore // import "github.com/flowlens/flowlens/pkg/flowstore"
