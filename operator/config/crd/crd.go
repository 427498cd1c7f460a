// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package crd embeds the generated FlowCollector CustomResourceDefinition (bases/, written by
// `make manifests`), so the operator can apply its defaults and validation without a cluster.
package crd // import "github.com/flowlens/flowlens/operator/config/crd"

import _ "embed"

// FlowCollectorYAML is bases/flows.netobserv.io_flowcollectors.yaml.
//
//go:embed bases/flows.netobserv.io_flowcollectors.yaml
var FlowCollectorYAML []byte
