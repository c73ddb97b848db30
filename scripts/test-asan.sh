#!/usr/bin/env bash
# Runs the suites that drive native code hardest (HPACK corpus and bad input,
# hostile blocks into both inflater modes, the deflater's field path,
# HTTP/2 server robustness, SPDY session robustness and its batched receive
# path (also under hostile input), SPDY server faults, late responses to
# reset streams through every server)
# against an ASan + UBSan build of the addon (build-asan/), so a memory error
# in the glue or the C libraries fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile -O build-asan --CDSPDYLAY_SANITIZE=ON >/dev/null
addon=build-asan/Release/spdylay_native.node
# (ldd's output is captured first: `ldd | grep -q` under pipefail fails at
# random when grep exits before ldd has written everything)
deps=$(ldd "$addon")
grep -q libasan <<<"$deps" || { echo "test-asan: $addon is not an ASan build" >&2; exit 1; }

suites=()
for f in test/nghttp2/hpack.test.ts test/nghttp2/hpack-corpus.test.ts test/nghttp2/h2server-robustness.test.ts \
  test/nghttp2/h2server-limits.test.ts test/spdylay/session/robustness.test.ts test/spdylay/session/limits.test.ts \
  test/spdylay/server/spdy-faults.test.ts \
  test/nghttp2/hpack-hostile.test.ts test/nghttp2/hpack-strings.test.ts test/nghttp2/hpack-deflate-fields.test.ts \
  test/nghttp2/hpack-deflate-strings.test.ts test/spdylay/session/batch-recv.test.ts \
  test/spdylay/session/nv-interned.test.ts test/spdylay/session/submit-nv-reuse.test.ts \
  test/spdylay/session/data-close.test.ts test/spdylay/session/data-batch.test.ts \
  test/spdylay/session/closed-stream-bodies.test.ts \
  test/spdylay/session/batch-recv-hostile.test.ts \
  test/nghttp2/late-responses.test.ts test/spdylay/server/late-responses.test.ts; do
  # a moved or renamed suite must fail the run, not drop out of it silently
  [ -f "$f" ] || { echo "test-asan: $f does not exist" >&2; exit 1; }
  suites+=("$f")
done

# Leaks are checked by the C tests; here node's own allocations would drown them.
LD_PRELOAD=$(gcc -print-file-name=libasan.so) \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
SPDYLAY_NATIVE_PATH="$PWD/$addon" \
  npx vitest run "$@" "${suites[@]}"
