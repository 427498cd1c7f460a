// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package lokiflowexporter pushes flows to Loki with NetObserv's stream labels and JSON lines.
package lokiflowexporter // import "github.com/flowlens/flowlens/exporter/lokiflowexporter"
