#!/usr/bin/env bash
# iperf3 TCP throughput across a veth pair between two namespaces this script creates, without
# the receiver, then with it attached (sampling 1 and 50). Traffic never leaves the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${IPERF_SECONDS:-5}
id=$$
ns1=flb-$id-a ns2=flb-$id-b
tmp=$(mktemp -d)
cleanup() {
  [[ -n ${col:-} ]] && kill "$col" 2>/dev/null && wait "$col" 2>/dev/null || true
  [[ -n ${srv:-} ]] && kill "$srv" 2>/dev/null || true
  ip netns del "$ns1" 2>/dev/null || true
  ip netns del "$ns2" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns1"; ip netns add "$ns2"
ip link add vb$id netns "$ns1" type veth peer name vc$id netns "$ns2"
ip -n "$ns1" addr add 10.198.0.1/24 dev vb$id; ip -n "$ns2" addr add 10.198.0.2/24 dev vc$id
ip -n "$ns1" link set vb$id up; ip -n "$ns2" link set vc$id up
ip -n "$ns1" link set lo up; ip -n "$ns2" link set lo up
ip netns exec "$ns2" iperf3 -s -B 10.198.0.2 >/dev/null 2>&1 & srv=$!
sleep 0.5

# TCP throughput (large GSO packets), then small UDP datagrams: packets per second shows the
# per-packet cost of the programs.
run() {
  local tcp udp
  tcp=$(ip netns exec "$ns1" iperf3 -c 10.198.0.2 -t "$SECS" -J | jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | floor / 100')
  udp=$(ip netns exec "$ns1" iperf3 -c 10.198.0.2 -t "$SECS" -u -b 0 -l 64 -J | jq -r '.end.sum.packets / .end.sum.seconds / 1000 | floor')
  echo "TCP $tcp Gbit/s, UDP 64 B $udp kpps"
}
with_receiver() {
  cat >"$tmp/c.yaml" <<YAML
receivers:
  ebpfflow: {sampling: $1, cache_active_timeout: 5s, exclude_interfaces: [lo]}
exporters:
  debug: {verbosity: basic}
service:
  telemetry: {metrics: {level: none}}
  pipelines: {logs: {receivers: [ebpfflow], exporters: [debug]}}
YAML
  ip netns exec "$ns1" bin/otelcol-flowlens --config "$tmp/c.yaml" >"$tmp/col.log" 2>&1 & col=$!
  for _ in $(seq 100); do grep -q "Attached flow programs" "$tmp/col.log" && break; sleep 0.1; done
  printf "iperf3 veth, receiver sampling %-3s %s\n" "$1:" "$(run)"
  kill "$col"; wait "$col" 2>/dev/null || true; col=
}
echo "iperf3 veth, no receiver:          $(run)"
with_receiver 1
with_receiver 50
echo "iperf3 veth, no receiver (again):  $(run)"
