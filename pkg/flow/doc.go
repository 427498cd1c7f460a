// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package flow is the one definition of the flow record: the attribute names every flowlens
// component reads and writes, their types, and the two-way mapping to NetObserv's field names.
//
// A flow is one OTLP log record with an empty body, a timestamp equal to the flow's end and an
// observed timestamp equal to the export time. Attribute names follow the OpenTelemetry semantic
// conventions where one exists (source.address, network.transport, network.io.bytes...); what
// they lack lives under network.flow.* or under source.* / destination.* for facts about one end.
// The resource describes the observer (host.name, network.local.address).
//
// The full table, generated from Fields, is docs/flow-schema.md.
package flow // import "github.com/flowlens/flowlens/pkg/flow"
