#!/usr/bin/env bash
# Builds xdsprobe, the grpc-go test client of the gateway's xDS server (main.go beside this script), against the
# grpc-go release that go.mod pins, into a cache outside the repository keyed by a hash of go.mod, go.sum and
# main.go: rebuilt only when one of them changes. Prints the binary's path on its last line.
#
# Exit status 3: Go is not installed.   Environment: GRPC_GO_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/discovery-gateway/grpc-go).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod"
export CGO_ENABLED=0
grpc_version="$(awk '$1 == "require" && $2 == "google.golang.org/grpc" { print $3 }' "$here/go.mod")"
inputs_hash="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-12)"
cache="${GRPC_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/discovery-gateway/grpc-go}"
binary="$cache/xdsprobe-grpc-go-$grpc_version-$inputs_hash"
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
command -v go > /dev/null || { echo "build.sh: Go is needed to build the grpc-go xDS test client" >&2; exit 3; }
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9
if [ ! -x "$binary" ]; then
  started=$SECONDS
  (cd "$here" && go build -trimpath -ldflags "-s -w" -o "$binary.building" .)
  mv "$binary.building" "$binary"
  echo "built xdsprobe with grpc-go $grpc_version in $((SECONDS - started)) s" >&2
fi
echo "$binary"
