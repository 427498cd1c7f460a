// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package e2e runs the built collector binary (bin/otelcol-flowlens, or $FLOWLENS_COLLECTOR)
// against real kernel traffic between network namespaces the tests create. It needs root.
package e2e
