#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building, testing and running flowlens.
# Idempotent and quiet when everything is already there.
set -euo pipefail

# Debian packages: clang/llvm/libbpf-dev build the BPF objects; the rest are real peers for tests.
PKGS=(
  clang llvm libbpf-dev            # make generate (bpf2go)
  iproute2 iputils-ping iperf3 ethtool  # netns + veth end-to-end tests, benchmarks
  nftables iptables dnsmasq        # drops, DNAT and DNS feature tests
  etcd-server                      # envtest: etcd next to the kube-apiserver we build
  prometheus                       # a real Prometheus scraping flowmetrics
  tshark                           # an independent IPFIX decoder
  chromium                         # console tests in a real browser
  curl jq ca-certificates
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    echo "deps: run 'sudo make deps' (or install them) and retry" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package services (etcd, prometheus, dnsmasq) must not start on install: tests start their own.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ((created_policy)) && rm -f "$policy"
fi

# The web UI's npm packages, for its browser tests and `make generate` (the built UI is
# committed, so `make run` needs no node). Needs node >= 20.19.
if command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  console/web/deps.sh
elif [[ ! -f console/web/node_modules/.flowlens-lock.sha256 ]]; then
  echo "deps: no node >= 20.19: the web UI's tests will not run (the console itself works)" >&2
fi
