#!/usr/bin/env bash
# The image tier (npm run test:image; docs/image.md): builds the Dockerfile on a locally made base
# and runs test/image/ against it. Needs a Docker engine: Debian's docker.io is installed when
# dockerd is missing (root + apt-get), and a daemon of our own is started in the background (state
# under ~/.cache/vpc-route-sync/docker, no iptables, no bridge: the tests use --network host) and
# stopped by its PID on the way out. Where no engine can be had or started, the tier is skipped with
# a message (exit 0). The base image and the engine's layer cache persist in ~/.cache, so a warm run
# rebuilds nothing that did not change.
#
# With --prepare (what .ci/run does before `npm test`): engine and image only. Everything the script
# says goes to stderr; its stdout is one line of shell to eval, exporting DOCKER_HOST, VRS_IMAGE and
# VRS_DOCKERD_PID (the daemon it started and left running, for the caller to stop by that PID), so
# that test/image/ runs inside `npm test`. Where no engine can be had it prints nothing and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
prepare=false
if [ "${1:-}" = "--prepare" ]; then
  prepare=true
  shift
  exec 3>&1 1>&2
fi
skip() {
  echo "test:image SKIPPED: $*" >&2
  exit 0
}
dockerd_pid=""
state="${VRS_DOCKER_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/docker}"

if [ -z "${DOCKER_HOST:-}" ] && ! docker version >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null ||
        skip "could not install Debian's docker.io"
    else
      skip "no dockerd, and no root with apt-get to install Debian's docker.io"
    fi
  fi
  mkdir -p "$state"
  socket="$state/docker.sock"
  dockerd --host "unix://$socket" --data-root "$state/data" --exec-root /tmp/vrs-docker-exec \
    --pidfile "$state/dockerd.pid" --iptables=false --ip6tables=false --bridge=none >"$state/dockerd.log" 2>&1 3>&- </dev/null &
  dockerd_pid=$!
  trap '[ -z "$dockerd_pid" ] || { kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true; }' EXIT
  export DOCKER_HOST="unix://$socket"
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  docker version >/dev/null 2>&1 || skip "dockerd did not start: $(tail -3 "$state/dockerd.log" | tr '\n' ' ')"
fi

if ! command -v debootstrap >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null || true
fi
mkdir -p "$state"
started=$(date +%s)
base=$(bash scripts/image-base.sh) || skip "no base image (scripts/image-base.sh failed)"
echo "test:image: base $base ready after $(($(date +%s) - started))s"

# The classic builder (any Docker client, no buildx needed); it has no automatic BUILDPLATFORM,
# so BUILD_PLATFORM names the engine's own platform (Dockerfile, docs/image.md).
platform=$(docker version -f '{{.Server.Os}}/{{.Server.Arch}}')
image="vpc-route-sync:test-image"
started=$(date +%s)
docker image rm --no-prune "$image" >/dev/null 2>&1 || true
if ! DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "NODE_IMAGE=$base" --build-arg "BUILD_PLATFORM=$platform" \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$image" . >"$state/build.log" 2>&1; then
  cat "$state/build.log" >&2
  echo "test:image: docker build failed" >&2
  exit 1
fi
echo "test:image: built $image after $(($(date +%s) - started))s"
# No `docker image prune`: the build and deps stages' images are the layer cache of the next run.

if $prepare; then
  echo "export DOCKER_HOST='${DOCKER_HOST:-}' VRS_IMAGE='$image' VRS_DOCKERD_PID='$dockerd_pid'" >&3
  dockerd_pid="" # left running for the caller, which stops it by VRS_DOCKERD_PID
  exit 0
fi
npm run build:dev --silent
# Its own reporter: .ci/run reads npm test's JSON report (.vitest-tmp/results.json) afterwards.
VRS_IMAGE="$image" npx vitest run --project fake --reporter=default test/image/ "$@"
