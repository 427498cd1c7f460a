#!/usr/bin/env bash
# `make run`: the collector on this host's interfaces. Needs root (it loads BPF programs).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOWLENS_DATA=${FLOWLENS_DATA:-$PWD/data}
mkdir -p "$FLOWLENS_DATA"
cfg=${FLOWLENS_CONFIG:-distribution/config/run.yaml}
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env=FLOWLENS_DATA,FLOWLENS_CONFIG "$0" "$@"
  fi
  echo "make run needs root (it loads BPF programs): run it as root" >&2
  exit 1
fi
cat <<MSG
flowlens: capturing flows on this host's interfaces (Ctrl-C stops and exports the last flows).
  flows (one per line) below; OTLP/JSON in $FLOWLENS_DATA/flows.json
  collector metrics: http://127.0.0.1:8888/metrics   health: http://127.0.0.1:13133/
MSG
exec bin/otelcol-flowlens --config "$cfg"
