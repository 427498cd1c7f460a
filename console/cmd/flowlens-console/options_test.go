// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flowlens/flowlens/exporter/lokiflowexporter"
)

func TestDefaultLokiLabelsMatchTheExporter(t *testing.T) {
	assert.Equal(t, lokiflowexporter.DefaultLabels, defaultLokiLabels)
}
