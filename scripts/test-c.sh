#!/usr/bin/env bash
# The C library's own tests (deps/spdylay), through ctest:
#   1. a release build: unit tests and the golden parity replay;
#   2. an ASan + UBSan build of the same tests;
#   3. the libFuzzer target for SPDYLAY_FUZZ_SECONDS (default 60 under CI,
#      skipped otherwise unless set).
# Writes the ctest summary counts to build-c/summary ("passed failed").
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${SPDYLAY_SHARED_DIR:-$(cd .. && pwd)/shared}
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)

passed=0
failed=0
run_ctest() {
  local dir=$1
  local log="$dir/ctest.log"
  set +e
  ctest --test-dir "$dir" --output-on-failure 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
  local f total
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + total - f))
  failed=$((failed + f))
  return $rc
}

rc=0
cmake -S deps/spdylay -B build-c "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DSPDYLAY_GOLDEN_DIR="$shared/golden/spdylay" >/dev/null
cmake --build build-c
run_ctest build-c || rc=1

cmake -S deps/spdylay -B build-c-asan "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DSPDYLAY_SANITIZE=ON \
  -DSPDYLAY_GOLDEN_DIR="$shared/golden/spdylay" >/dev/null
cmake --build build-c-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 run_ctest build-c-asan || rc=1

fuzz_seconds=${SPDYLAY_FUZZ_SECONDS:-}
[ -z "$fuzz_seconds" ] && [ "${CI:-}" = "true" ] && fuzz_seconds=60
if [ -n "$fuzz_seconds" ]; then
  echo "test-c: fuzzing deps/spdylay for ${fuzz_seconds}s"
  if sh deps/spdylay/fuzz/run.sh "$fuzz_seconds"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    rc=1
  fi
fi

echo "$passed $failed" > build-c/summary
exit $rc
