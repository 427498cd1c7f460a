// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package ebpfflowreceiver captures network flows with eBPF programs on TC/TCX and emits them as
// OTLP log records (one per flow and eviction window) with the attributes of package flow.
package ebpfflowreceiver // import "github.com/flowlens/flowlens/receiver/ebpfflowreceiver"
