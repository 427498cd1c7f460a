#!/usr/bin/env bash
# Builds the web UI into console/web/dist (embedded in flowlens-console by embed.go):
# type check, then vite build. The same sources and lock file give the same bytes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./deps.sh
node_modules/.bin/tsc --noEmit
node_modules/.bin/vite build --logLevel warn
