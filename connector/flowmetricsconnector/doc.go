// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package flowmetricsconnector turns flow records (package flow) into metrics: NetObserv's
// predefined netobserv_* families and custom metrics in the shape of NetObserv's FlowMetric,
// kept as cumulative series behind a per-metric cardinality guard and emitted on a period.
package flowmetricsconnector // import "github.com/flowlens/flowlens/connector/flowmetricsconnector"
