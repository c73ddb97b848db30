#!/bin/sh
# Builds the libFuzzer target with clang-14 (ASan + UBSan + libFuzzer) and
# runs it for SECONDS seconds (default 60) on a copy of the seed corpus.
# Exits non-zero on any crash, leak or sanitizer report.
#
#   deps/spdylay/fuzz/run.sh 300
set -eu

SECONDS_TO_RUN=${1:-60}
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
# zlib is linked dynamically here; it is not instrumented either way.
"$CC" $FLAGS -I"$ROOT/include" -I"$ROOT/lib" \
  "$ROOT"/lib/*.c "$HERE/fuzz_session.c" -lz -o "$BUILD/fuzz_session"

WORK="$BUILD/corpus-work"
rm -rf "$WORK" "$BUILD/artifacts"
mkdir -p "$WORK" "$BUILD/artifacts"
cp "$HERE"/corpus/* "$WORK"/

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

set +e
"$BUILD/fuzz_session" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$BUILD/artifacts/" "$WORK" >"$BUILD/fuzz.log" 2>&1
rc=$?
set -e
grep -E "^#[0-9]+ *(INITED|DONE)|^stat::number_of_executed_units|SUMMARY|ERROR" \
  "$BUILD/fuzz.log" | tail -20
if [ "$rc" -ne 0 ] || grep -q -E "runtime error:|ERROR: |SUMMARY: " "$BUILD/fuzz.log" \
   || ls "$BUILD"/artifacts/* >/dev/null 2>&1; then
  echo "run.sh: fuzzer found a problem (rc=$rc); see $BUILD/fuzz.log and $BUILD/artifacts/" >&2
  exit 1
fi
echo "run.sh: no crash, leak or sanitizer report in $SECONDS_TO_RUN s"
