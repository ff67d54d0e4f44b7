#!/usr/bin/env bash
# Builds a pinned helm from the Go module proxy into a cache directory outside the repository and
# prints its path. Reused when present. Used by .ci/run and by the chart render tests
# (test/deploy/), which skip with a message when neither Go nor a cached helm is available.
#   HELM_VERSION   pinned version (default below)
#   VPC_ROUTE_SYNC_TOOLS_DIR  cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/tools)
set -euo pipefail
version="${HELM_VERSION:-v3.19.5}"
tools="${VPC_ROUTE_SYNC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/tools}"
dir="$tools/helm-$version"
if [ -x "$dir/helm" ]; then
  echo "$dir/helm"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-helm: Go is not installed; cannot build helm $version" >&2
  exit 3
fi
mkdir -p "$dir"
# GOBIN puts the binary straight into the cache; CGO off keeps it static.
GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go install "helm.sh/helm/v3/cmd/helm@$version" >&2
echo "$dir/helm"
