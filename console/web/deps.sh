#!/usr/bin/env bash
# Installs the web UI's npm packages (package-lock.json) into console/web/node_modules.
# Idempotent and quiet when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Vite 7 needs node >= 20.19 (Debian bookworm's nodejs package is 18: too old).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deps(web): node >= 20.19 and npm are needed to build and test the web UI" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "deps(web): node $(node --version) is too old: vite 7 needs >= 20.19" >&2
  exit 1
fi

stamp=node_modules/.flowlens-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "deps(web): npm ci in console/web"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
