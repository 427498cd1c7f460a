// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package k8sflowprocessor enriches flow records (package flow) with Kubernetes metadata for
// both ends, from informers on the API server: namespace, name, kind, top owner, node, zone,
// plus subnet labels, the flow layer (app or infra) and NetObserv's node-level direction.
package k8sflowprocessor // import "github.com/flowlens/flowlens/processor/k8sflowprocessor"
