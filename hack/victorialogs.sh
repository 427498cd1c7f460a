#!/usr/bin/env bash
# Builds VictoriaLogs (Apache-2.0), a real server that accepts Loki's push API, into a cache
# folder outside the repository, keyed by version, and prints the binary's path. The lokiflow
# exporter's tests push to it and query flows back with LogsQL. ~20 s the first time.
set -euo pipefail
VERSION=${VICTORIALOGS_VERSION:-v1.52.1}
CACHE=${FLOWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flowlens}
DIR=$CACHE/victorialogs/$VERSION
BIN=$DIR/victoria-logs
export GOPROXY=${GOPROXY:-https://proxy.golang.org} GOTOOLCHAIN=local GOFLAGS=-mod=mod
[[ -x $BIN ]] && { echo "$BIN"; exit 0; }
mkdir -p "$DIR/src"
exec 9>"$DIR/.lock"
flock 9
[[ -x $BIN ]] && { echo "$BIN"; exit 0; }
echo "victorialogs: building $VERSION (first time only)" >&2
cd "$DIR/src"
[[ -f go.mod ]] || go mod init flowlens.local/vlogs >&2
go get "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VERSION" >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs >&2
mv "$BIN.tmp" "$BIN"
echo "$BIN"
