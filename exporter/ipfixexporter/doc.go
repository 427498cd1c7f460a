// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package ipfixexporter sends flows as IPFIX (RFC 7011) over UDP or TCP, with go-ipfix encoding
// the messages.
package ipfixexporter // import "github.com/flowlens/flowlens/exporter/ipfixexporter"
