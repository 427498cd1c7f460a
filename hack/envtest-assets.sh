#!/usr/bin/env bash
# Builds the envtest assets (kube-apiserver from k8s.io/kubernetes, etcd from Debian) into a cache
# folder outside the repository, keyed by version, and prints the folder for KUBEBUILDER_ASSETS.
# Cold build: ~5-8 min on 2 cores; afterwards it returns at once.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-v1.37.2}
STAGING_VERSION=v0${K8S_VERSION#v1}          # v1.37.2 -> v0.37.2 (staging modules)
CACHE=${FLOWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flowlens}
DIR=$CACHE/envtest/$K8S_VERSION
export GOPROXY=${GOPROXY:-https://proxy.golang.org} GOTOOLCHAIN=local GOFLAGS=-mod=mod

if [[ -x $DIR/kube-apiserver && -e $DIR/etcd ]]; then echo "$DIR"; exit 0; fi
mkdir -p "$DIR/src"
# One build at a time: test packages running in parallel may all ask for the assets.
exec 9>"$DIR/.lock"
flock 9
if [[ -x $DIR/kube-apiserver && -e $DIR/etcd ]]; then echo "$DIR"; exit 0; fi
etcd=$(command -v etcd || true)
[[ -n $etcd ]] || { echo "envtest-assets: etcd not found (make deps installs etcd-server)" >&2; exit 1; }
ln -sf "$etcd" "$DIR/etcd"

if [[ ! -x $DIR/kube-apiserver ]]; then
  echo "envtest-assets: building kube-apiserver $K8S_VERSION (first time only, several minutes)" >&2
  cd "$DIR/src"
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
  mod=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S_VERSION.mod
  {
    printf 'module flowlens.local/kapi\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    grep -E '=> ./staging' "$mod" | awk -v v="$STAGING_VERSION" '{print "\t"$1" => "$1" "v}'
    printf ')\n'
  } >go.mod
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" >&2
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  CGO_ENABLED=0 go build -o "$DIR/kube-apiserver.tmp" -ldflags "-s -w \
    -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/component-base/version.gitTreeState=clean" k8s.io/kubernetes/cmd/kube-apiserver >&2
  mv "$DIR/kube-apiserver.tmp" "$DIR/kube-apiserver"
fi
echo "$DIR"
