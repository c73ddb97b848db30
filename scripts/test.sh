#!/usr/bin/env bash
# `npm test`: builds the addon and the TypeScript, runs the C library's tests
# (scripts/test-c.sh), then the vitest suite, and ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run build --silent || exit 1

c_rc=0
bash scripts/test-c.sh || c_rc=$?

vitest_json=build/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile="$vitest_json"
v_rc=$?

node -e '
const fs = require("node:fs");
let passed = 0, failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests;
  if (r.numTotalTests === 0) failed += 1;
} catch { failed += 1; }
try {
  const [p, f] = fs.readFileSync("build-c/summary", "utf8").trim().split(/\s+/).map(Number);
  passed += p; failed += f;
} catch { failed += 1; }
console.log(`\nall suites (vitest + ctest + fuzz): ${passed} passed, ${failed} failed`);
' "$vitest_json"

[ $c_rc -eq 0 ] && [ $v_rc -eq 0 ]
