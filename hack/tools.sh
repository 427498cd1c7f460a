#!/usr/bin/env bash
# Installs the Go tools the build needs into .tools/bin, pinned, from the Go module proxy.
# Idempotent and quiet when the pinned versions are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOPROXY=${GOPROXY:-https://proxy.golang.org} GOTOOLCHAIN=local
BIN=$PWD/.tools/bin
mkdir -p "$BIN"

# name version module-path [package]
TOOLS=(
  "builder v0.165.0 go.opentelemetry.io/collector/cmd/builder"
  # v0.160+ of mdatagen is not served by the proxy; v0.159.0 generates code that builds against
  # collector v0.165.0 (checked by `make check-generated`).
  "mdatagen v0.159.0 go.opentelemetry.io/collector/cmd/mdatagen"
  "controller-gen v0.23.0 sigs.k8s.io/controller-tools sigs.k8s.io/controller-tools/cmd/controller-gen"
)

for t in "${TOOLS[@]}"; do
  read -r name version mod pkg <<<"$t"
  pkg=${pkg:-$mod}
  stamp=$BIN/.$name.version
  [[ -x $BIN/$name && -f $stamp && $(cat "$stamp") == "$version" ]] && continue
  echo "tools: installing $name $version"
  # A scratch module outside our go.mod: a tool's dependencies must not move ours, and a plain
  # `go install mod@version` fails for modules whose version list the proxy does not serve.
  src=$PWD/.tools/src/$name
  rm -rf "$src" && mkdir -p "$src"
  printf 'module flowlens.local/tools/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$name" "$mod" "$version" >"$src/go.mod"
  printf 'package tools\n\nimport _ "%s"\n' "$pkg" >"$src/tools.go"
  (cd "$src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$BIN/$name" "$pkg")
  echo "$version" >"$stamp"
done
