#!/bin/sh
# Builds the libFuzzer targets with clang-14 (ASan + UBSan + libFuzzer) and
# runs them for SECONDS seconds in total (default 60): fuzz_session (raw
# bytes into client and server sessions) gets two thirds of the time,
# fuzz_api (API-driven client/server pair) one third.  Each runs on a copy
# of its seed corpus (corpus/, corpus-api/).  Exits non-zero on any crash,
# leak or sanitizer report.
#
#   deps/spdylay/fuzz/run.sh 300
set -eu

TOTAL=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${SPDYLAY_FUZZ_BUILD:-$ROOT/build-fuzz}
CC=${CC_FUZZ:-clang-14}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "run.sh: $CC not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

mkdir -p "$BUILD"
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c99 -D_POSIX_C_SOURCE=200809L"
for t in fuzz_session fuzz_api; do
  # zlib is linked dynamically here; it is not instrumented either way.
  "$CC" $FLAGS -I"$ROOT/include" -I"$ROOT/lib" \
    "$ROOT"/lib/*.c "$HERE/$t.c" -lz -o "$BUILD/$t"
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

T_SESSION=$(( TOTAL * 2 / 3 ))
[ "$T_SESSION" -ge 1 ] || T_SESSION=1
T_API=$(( TOTAL - T_SESSION ))
[ "$T_API" -ge 1 ] || T_API=1

failed=0
run_one() {
  t=$1; secs=$2; seeds=$3
  work="$BUILD/$t-corpus"
  arts="$BUILD/$t-artifacts"
  rm -rf "$work" "$arts"
  mkdir -p "$work" "$arts"
  cp "$seeds"/* "$work"/
  set +e
  "$BUILD/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$arts/" \
    "$work" >"$BUILD/$t.log" 2>&1
  rc=$?
  set -e
  echo "== $t ($secs s)"
  grep -E "^#[0-9]+ *(INITED|DONE)|^stat::number_of_executed_units|SUMMARY|ERROR" \
    "$BUILD/$t.log" | tail -10
  if [ "$rc" -ne 0 ] || grep -q -E "runtime error:|ERROR: |SUMMARY: " "$BUILD/$t.log" \
     || ls "$arts"/* >/dev/null 2>&1; then
    echo "run.sh: $t found a problem (rc=$rc); see $BUILD/$t.log and $arts/" >&2
    failed=1
  fi
}

run_one fuzz_session "$T_SESSION" "$HERE/corpus"
run_one fuzz_api "$T_API" "$HERE/corpus-api"

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "run.sh: no crash, leak or sanitizer report in $TOTAL s"
