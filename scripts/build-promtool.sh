#!/usr/bin/env bash
# Builds a pinned promtool (Prometheus's rule checker and rule unit tester) from the Prometheus Go
# module into a cache directory outside the repository and prints its path. Reused when present.
# Used by .ci/run and (with --cached) by test/observability/promtool.test.ts, which skips with a
# message when no build is cached. Cold build: see docs/testing.md ("promtool").
#   PROMTOOL_VERSION  pinned module version (v0.<major><minor>.<patch> is Prometheus <major>.<minor>.<patch>)
#   VPC_ROUTE_SYNC_TOOLS_DIR  cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/tools)
set -euo pipefail
version="${PROMTOOL_VERSION:-v0.305.0}"
tools="${VPC_ROUTE_SYNC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/tools}"
dir="$tools/promtool-$version"
if [ -x "$dir/promtool" ]; then
  echo "$dir/promtool"
  exit 0
fi
# --cached: report a missing build instead of starting one (the tests; a cold build takes minutes).
if [ "${1:-}" = "--cached" ]; then
  echo "build-promtool: promtool $version is not built yet (bash scripts/build-promtool.sh, or .ci/run)" >&2
  exit 3
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-promtool: Go is not installed; cannot build promtool $version" >&2
  exit 3
fi
# `go install module@version` refuses modules whose go.mod has replace directives (Prometheus's has
# one), so build inside a writable copy of the module, where its go.mod and go.sum apply as they do
# upstream. CGO off keeps it static.
src=$(go mod download -json "github.com/prometheus/prometheus@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work"
chmod -R u+w "$work"
mkdir -p "$dir"
(cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -trimpath \
  -ldflags "-X github.com/prometheus/common/version.Version=${version#v0.} -X github.com/prometheus/common/version.Branch=module" \
  -o "$dir/promtool.partial" ./cmd/promtool) >&2
mv "$dir/promtool.partial" "$dir/promtool"
echo "$dir/promtool"
