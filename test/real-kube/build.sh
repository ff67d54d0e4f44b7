#!/usr/bin/env bash
# Builds the real Kubernetes API server (kube-apiserver) and etcd from their Go modules, for the
# real-server test tier (docs/testing.md). Everything comes from the Go module proxy; every version
# is pinned below. The binaries go to a cache directory outside the repository, keyed by the
# versions, and Go's own module and build caches are reused, so a second run returns at once and a
# rebuild after `rm -rf` of that directory costs about a minute.
#
# Prints the directory holding bin/kube-apiserver and bin/etcd as its last line of stdout.
# Progress goes to stderr. Exit 3 when Go is not installed (the caller skips the tier).
set -euo pipefail

KUBE_VERSION=1.34.4          # k8s.io/kubernetes v1.34.4; staging modules k8s.io/* v0.34.4
ETCD_VERSION=3.6.16          # go.etcd.io/etcd/server/v3 v3.6.16
GO_MIN=1.24                  # both modules' go directive

if ! command -v go >/dev/null 2>&1; then
  echo "real-kube: Go is not installed; cannot build kube-apiserver and etcd" >&2
  exit 3
fi

cache_root=${VRS_REAL_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/real-kube}
dir="$cache_root/k8s-v${KUBE_VERSION}-etcd-v${ETCD_VERSION}"
stamp="$dir/bin/versions"
want="kube-apiserver v${KUBE_VERSION} etcd v${ETCD_VERSION}"
if [ -x "$dir/bin/kube-apiserver" ] && [ -x "$dir/bin/etcd" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir/src/kube" "$dir/src/etcd" "$dir/bin"
# One build at a time per cache directory (two test runs starting together share the result).
exec 9>"$dir/.lock"
flock 9
if [ -x "$dir/bin/kube-apiserver" ] && [ -x "$dir/bin/etcd" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$dir"
  exit 0
fi

export GOFLAGS="-trimpath -buildvcs=false -mod=mod"
export GOPROXY=${GOPROXY:-https://proxy.golang.org}
export GOTOOLCHAIN=local
export CGO_ENABLED=0
# 2 cores and other work on the machine: two compile jobs at a time, and a lower priority.
jobs=${VRS_REAL_KUBE_BUILD_JOBS:-2}
started=$(date +%s)

# --- kube-apiserver --------------------------------------------------------------------------
echo "real-kube: fetching k8s.io/kubernetes v${KUBE_VERSION}" >&2
kube_mod=$(cd "$dir/src" && go mod download -json "k8s.io/kubernetes@v${KUBE_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$kube_mod" ] || { echo "real-kube: could not download k8s.io/kubernetes v${KUBE_VERSION}" >&2; exit 1; }
staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9.-]*\) => \./staging/src/.*#\1#p' "$kube_mod" | sort -u)
[ -n "$staging" ] || { echo "real-kube: no staging modules found in $kube_mod" >&2; exit 1; }
{
  echo "module vrs.local/real-kube/apiserver"
  echo
  echo "go ${GO_MIN}"
  echo
  echo "require k8s.io/kubernetes v${KUBE_VERSION}"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m v0.${KUBE_VERSION#1.}"; done
  echo ")"
} > "$dir/src/kube/go.mod"
printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > "$dir/src/kube/tools.go"
minor=${KUBE_VERSION#1.}; minor=${minor%%.*}
ver_pkg=k8s.io/component-base/version
ldflags="-s -w -X ${ver_pkg}.gitVersion=v${KUBE_VERSION} -X ${ver_pkg}.gitMajor=1 -X ${ver_pkg}.gitMinor=${minor} -X ${ver_pkg}.gitTreeState=clean"
echo "real-kube: building kube-apiserver v${KUBE_VERSION} (the first build takes a while)" >&2
(cd "$dir/src/kube" && nice -n 10 go build -p "$jobs" -ldflags="$ldflags" -o "$dir/bin/kube-apiserver.new" k8s.io/kubernetes/cmd/kube-apiserver)
mv "$dir/bin/kube-apiserver.new" "$dir/bin/kube-apiserver"

# --- etcd ------------------------------------------------------------------------------------
cat > "$dir/src/etcd/go.mod" <<MOD
module vrs.local/real-kube/etcd

go ${GO_MIN}

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
MOD
printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$dir/src/etcd/tools.go"
echo "real-kube: building etcd v${ETCD_VERSION}" >&2
(cd "$dir/src/etcd" && nice -n 10 go build -p "$jobs" -ldflags="-s -w" -o "$dir/bin/etcd.new" go.etcd.io/etcd/server/v3)
mv "$dir/bin/etcd.new" "$dir/bin/etcd"

echo "$want" > "$stamp"
echo "real-kube: built in $(( $(date +%s) - started ))s into $dir/bin" >&2
echo "$dir"
