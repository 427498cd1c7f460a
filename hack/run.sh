#!/usr/bin/env bash
# `make run`: the collector on this host's interfaces writing the embedded flow store, and the
# console reading it on http://127.0.0.1:9001. Needs root (it loads BPF programs). Ctrl-C stops
# both; the collector first exports the flows still in its maps.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOWLENS_DATA=${FLOWLENS_DATA:-$PWD/data}
cfg=${FLOWLENS_CONFIG:-distribution/config/run.yaml}
listen=${FLOWLENS_CONSOLE_LISTEN:-127.0.0.1:9001}
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env=FLOWLENS_DATA,FLOWLENS_CONFIG,FLOWLENS_CONSOLE_LISTEN,PATH "$0" "$@"
  fi
  echo "make run needs root (it loads BPF programs): run it as root" >&2
  exit 1
fi
mkdir -p "$FLOWLENS_DATA"
logs=$FLOWLENS_DATA/logs
mkdir -p "$logs"

pids=()
stop() {
  local rc=$1
  trap - INT TERM EXIT
  echo
  echo "flowlens: stopping (the collector exports the flows still in its maps)..."
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "flowlens: stopped. Flows are kept in $FLOWLENS_DATA/flows.db (24 h, 2 GiB at most)."
  exit "$rc"
}
trap 'stop 0' INT TERM
trap 'stop $?' EXIT

bin/otelcol-flowlens --config "$cfg" >"$logs/collector.log" 2>&1 &
pids+=($!)
bin/flowlens-console --listen="$listen" --store="$FLOWLENS_DATA/flows.db" --auth=none >"$logs/console.log" 2>&1 &
pids+=($!)

# Ready when the collector's health check and the console answer.
for _ in $(seq 1 100); do
  if curl -fs -o /dev/null http://127.0.0.1:13133/ && curl -fs -o /dev/null "http://$listen/api/frontend-config"; then
    break
  fi
  for p in "${pids[@]}"; do
    if ! kill -0 "$p" 2>/dev/null; then
      echo "flowlens: a process exited at start; its log:" >&2
      tail -n 30 "$logs/collector.log" "$logs/console.log" >&2
      exit 1
    fi
  done
  sleep 0.2
done

cat <<MSG
flowlens is running: capturing this host's flows (every interface, loopback included).

  Open  http://$listen   (overview, topology, flow table)

  Flows show up within 5 s of the traffic (cache_active_timeout in $cfg).
  Store:   $FLOWLENS_DATA/flows.db
  Logs:    $logs/collector.log, $logs/console.log
  Collector metrics: http://127.0.0.1:8888/metrics   health: http://127.0.0.1:13133/

Ctrl-C stops.
MSG
# Show the collector's warnings and errors as they come.
tail -n 0 -F "$logs/collector.log" 2>/dev/null | grep --line-buffered -E '\b(warn|error)\b' &
pids+=($!)
wait "${pids[0]}" || true
echo "flowlens: the collector exited on its own; see $logs/collector.log" >&2
exit 1
