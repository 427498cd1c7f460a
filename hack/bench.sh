#!/usr/bin/env bash
# `make bench`: Go benchmarks of every component, then iperf3 across a veth pair with and without
# the receiver. Prints the numbers that go into docs/performance.md. Needs root for the BPF parts.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%F) on $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

BENCHTIME=${BENCHTIME:-1s}
go test -run '^$' -bench . -benchtime "$BENCHTIME" -count "${BENCHCOUNT:-1}" ./... 2>&1 |
  grep -E '^(Benchmark|ok|FAIL|--- )' | grep -v '^ok' || true

[[ $(id -u) -eq 0 ]] || { echo "iperf3 veth benchmark skipped: needs root"; exit 0; }
hack/bench-iperf.sh
