// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package flowfieldsprocessor rewrites flow records with NetObserv's naming for the consumers
// that expect it (OTLP backends fed NetObserv's way, Kafka consumers of NetObserv's JSON).
package flowfieldsprocessor // import "github.com/flowlens/flowlens/processor/flowfieldsprocessor"
