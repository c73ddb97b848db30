#!/usr/bin/env bash
# `npm test`: builds the addon, the TypeScript and the linux-x64 and
# linux-arm64 prebuilds, runs the C library's tests (scripts/test-c.sh), then
# the vitest suite, then under CI (or with SPDYLAY_NODE_VERSIONS=1) the
# createServer suites on Node 18 and the newest Node
# (scripts/test-node-versions.sh) and the packed tarball's smoke scripts on
# Node 18, 20, 22, 24 and the newest (scripts/test-node-matrix.sh), then
# (under CI, or with SPDYLAY_ASAN=1) the native-heavy suites again on an
# ASan/UBSan build (scripts/test-asan.sh) and the arm64 prebuild under qemu (scripts/test-arm64.sh; SPDYLAY_ARM64=1 outside CI),
# and ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run build --silent || exit 1
npm run prebuilds --silent || exit 1

c_rc=0
bash scripts/test-c.sh || c_rc=$?

vitest_json=build/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile="$vitest_json"
v_rc=$?

# other Node lines (downloaded from npm), under CI
nv_rc=0
if [ "${CI:-}" = "true" ] || [ "${SPDYLAY_NODE_VERSIONS:-}" = "1" ]; then
  bash scripts/test-node-versions.sh || nv_rc=$?
  bash scripts/test-node-matrix.sh || nv_rc=$?
fi

asan_rc=0
asan_json=""
if [ "${CI:-}" = "true" ] || [ "${SPDYLAY_ASAN:-}" = "1" ]; then
  asan_json=build/vitest-asan.json
  bash scripts/test-asan.sh --reporter=default --reporter=json --outputFile="$asan_json" || asan_rc=$?
fi

arm64_rc=0
arm64_json=""
if [ "${CI:-}" = "true" ] || [ "${SPDYLAY_ARM64:-}" = "1" ]; then
  arm64_json=build/vitest-arm64.json
  bash scripts/test-arm64.sh --reporter=default --reporter=json --outputFile="$arm64_json" || arm64_rc=$?
fi

node -e '
const fs = require("node:fs");
let passed = 0, failed = 0;
for (const file of process.argv.slice(1).filter(Boolean)) {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    if (r.numTotalTests === 0) failed += 1;
  } catch { failed += 1; }
}
try {
  const [p, f] = fs.readFileSync("build-c/summary", "utf8").trim().split(/\s+/).map(Number);
  passed += p; failed += f;
} catch { failed += 1; }
console.log(`\nall suites (vitest, ctest, fuzz, ASan, arm64): ${passed} passed, ${failed} failed`);
' "$vitest_json" "$asan_json" "$arm64_json"

[ $c_rc -eq 0 ] && [ $v_rc -eq 0 ] && [ $nv_rc -eq 0 ] && [ $asan_rc -eq 0 ] && [ $arm64_rc -eq 0 ]
