// Copyright The flowlens Authors
// SPDX-License-Identifier: Apache-2.0

// Package web holds the console's built web UI (dist/, made by build.sh from this folder's
// Preact + TypeScript sources) for flowlens-console to serve.
package web // import "github.com/flowlens/flowlens/console/web"

import "embed"

// Dist is the built UI: dist/index.html and dist/assets/.
//
//go:embed all:dist
var Dist embed.FS
