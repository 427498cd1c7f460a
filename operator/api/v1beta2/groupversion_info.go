// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package v1beta2 is NetObserv's FlowCollector API (flows.netobserv.io/v1beta2), served by the
// flowlens operator so that a NetObserv user's existing resource applies unchanged.
//
// The JSON shape, enums and defaults follow NetObserv's API. Fields that flowlens does not act on
// yet are still accepted and typed; the operator lists them in the ConfigurationIssue status
// condition instead of ignoring them.
//
// +kubebuilder:object:generate=true
// +groupName=flows.netobserv.io
package v1beta2 // import "github.com/flowlens/flowlens/operator/api/v1beta2"

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of FlowCollector.
	GroupVersion = schema.GroupVersion{Group: "flows.netobserv.io", Version: "v1beta2"}

	// SchemeBuilder registers the FlowCollector types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this group-version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
