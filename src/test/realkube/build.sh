#!/usr/bin/env bash
# Builds the real Kubernetes control plane that the real-cluster tests run the gateway on: kube-apiserver,
# kube-controller-manager and kubectl from k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3, each from the
# Go module proxy at the versions pinned in kube/go.mod and etcd/go.mod beside this script.
#
# The binaries are cached outside the repository, in a folder keyed by the two versions and a hash of the go.mod
# and go.sum files, so they are rebuilt only when a version (or a dependency) changes. Prints that folder on its
# last line. A cold build takes about 12 minutes on 2 cores (measured: docs/real-kubernetes.md).
#
#   build.sh                  build if needed, print the folder of the binaries
#   build.sh --print          print the folder (built or not) without building
#   build.sh --update VERSION re-pin kube/go.mod to another k8s.io/kubernetes release (e.g. v1.36.3): the
#                             kubernetes module and every staging module at the matching v0.x.y, then go mod tidy
#
# Environment: REALKUBE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/discovery-gateway/realkube).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod"
export CGO_ENABLED=0

pinned() { # module path, go.mod file -> the version that go.mod requires
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$2"
}

if [ "${1:-}" = "--update" ]; then
  release="${2:?usage: build.sh --update v1.MINOR.PATCH}"
  staging="v0.${release#v1.}"
  cd "$here/kube"
  go mod download -json "k8s.io/kubernetes@$release" > /dev/null
  upstream="$(go env GOMODCACHE)/k8s.io/kubernetes@$release/go.mod"
  # Every staging module that k8s.io/kubernetes replaces with ./staging/src/... is pinned to the release's v0.x.y.
  replaces="$(awk '$2 == "=>" && $3 ~ /^\.\/staging/ { printf "\t%s => %s '"$staging"'\n", $1, $1 }' "$upstream")"
  awk -v release="$release" -v replaces="$replaces" '
    /^require k8s.io\/kubernetes / { print "require k8s.io/kubernetes " release; next }
    /^replace \(/ { print; print replaces; skipping = 1; next }
    skipping && /^\)/ { skipping = 0 }
    skipping { next }
    { print }' go.mod > go.mod.new
  mv go.mod.new go.mod
  go mod edit -require="k8s.io/kubernetes@$release"
  go mod tidy
  echo "kube/go.mod now pins k8s.io/kubernetes $release with staging modules at $staging"
  exit 0
fi

kube_version="$(pinned k8s.io/kubernetes "$here/kube/go.mod")"
etcd_version="$(pinned go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")"
# Bump when the way of building changes (flags, binaries): with the go.mod and go.sum files it keys the cache.
recipe=1
inputs_hash="$( (echo "recipe $recipe"; cat "$here"/kube/go.mod "$here"/kube/go.sum "$here"/etcd/go.mod "$here"/etcd/go.sum) \
  | sha256sum | cut -c1-12)"
cache="${REALKUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/discovery-gateway/realkube}"
bin="$cache/kubernetes-$kube_version-etcd-$etcd_version-$inputs_hash"
binaries=(kube-apiserver kube-controller-manager kubectl etcd)

if [ "${1:-}" = "--print" ]; then
  echo "$bin"
  exit 0
fi

complete() {
  for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || return 1; done
}

if complete; then
  echo "$bin"
  exit 0
fi

command -v go > /dev/null || { echo "build.sh: Go is needed to build the real Kubernetes components" >&2; exit 3; }
mkdir -p "$cache"
# One build at a time per cache (two test JVMs or a test and .ci/run may ask together).
exec 9> "$cache/.lock"
flock 9
if complete; then
  echo "$bin"
  exit 0
fi

staging_dir="$(mktemp -d "$cache/.building.XXXXXX")"
trap 'rm -rf "$staging_dir"' EXIT
started=$SECONDS
minor="${kube_version#v1.}"
minor="${minor%%.*}"
# What hack/lib/version.sh stamps into a release build, so that /version and kubectl version tell the truth.
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
echo "building kube-apiserver, kube-controller-manager and kubectl $kube_version, etcd $etcd_version" \
  "into $bin (a cold build takes minutes)" >&2
(cd "$here/kube" && go build -trimpath -ldflags "-s -w$version_flags" -o "$staging_dir/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$staging_dir/etcd" go.etcd.io/etcd/server/v3)
rm -rf "$bin"
mv "$staging_dir" "$bin"
trap - EXIT
echo "built in $((SECONDS - started)) s" >&2
echo "$bin"
