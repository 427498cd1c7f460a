// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package flowstoreexporter writes flows into the embedded flow store (package flowstore).
package flowstoreexporter // import "github.com/flowlens/flowlens/exporter/flowstoreexporter"
