#!/usr/bin/env bash
# Makes a base image equivalent to node:22-bookworm-slim without an image registry, for the image
# tier (scripts/test-image.sh, docs/image.md): a minimal Debian bookworm from Debian's mirror
# (`debootstrap --variant=minbase`), the Node.js 22 binary the project already installs from the npm
# registry (the `node` devDependency's node-linux-<arch> package) and npm from `npm pack`. The root
# file system is cached as a tarball under ~/.cache/vpc-route-sync/image-base and imported into the
# engine (`docker import`) when the engine lacks the image; prints the image name.
# Needs root (debootstrap) on a cold cache; docker must reach an engine (DOCKER_HOST).
#   VRS_IMAGE_BASE_CACHE  cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/image-base)
#   DEBIAN_MIRROR         default http://deb.debian.org/debian
set -euo pipefail
cd "$(dirname "$0")/.."

npm_version=10.9.8 # the npm of Node.js 22's 10.9 line, as in node:22 images
node_bin=node_modules/node/bin/node
[ -x "$node_bin" ] || { echo "image-base: $node_bin is missing: run npm ci first" >&2; exit 3; }
node_version=$("$node_bin" --version)
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
cache="${VRS_IMAGE_BASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vpc-route-sync/image-base}"
tarball="$cache/node-$node_version-npm-$npm_version-bookworm-$arch.tar.gz"
image="vpc-route-sync-base:node-$node_version-bookworm"

if [ ! -f "$tarball" ]; then
  command -v debootstrap >/dev/null 2>&1 || { echo "image-base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 3; }
  [ "$(id -u)" = "0" ] || { echo "image-base: debootstrap needs root" >&2; exit 3; }
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # As node:*-slim: node and npm under /usr/local, no apt lists or caches.
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  (cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*
  tar --numeric-owner -C "$rootfs" -czf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  docker import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=${node_version#v}" \
    --change 'CMD ["node"]' \
    "$tarball" "$image" >/dev/null
fi
# A host that reaches the npm registry through a TLS-inspecting proxy trusts its CA through
# NODE_EXTRA_CA_CERTS; `npm ci` in the Dockerfile's stages needs the same, so a thin layer carries
# that file (the cached tarball stays a plain Debian + Node.js).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  with_ca="$image-host-ca-$(sha256sum "$NODE_EXTRA_CA_CERTS" | cut -c1-12)"
  if ! docker image inspect "$with_ca" >/dev/null 2>&1; then
    context=$(mktemp -d)
    cp "$NODE_EXTRA_CA_CERTS" "$context/host-ca.pem"
    printf 'FROM %s\nCOPY host-ca.pem /usr/local/share/host-ca.pem\nENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.pem\n' "$image" >"$context/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "$with_ca" "$context" >/dev/null
    rm -rf "$context"
  fi
  image="$with_ca"
fi
echo "$image"
