#!/usr/bin/env bash
# Sets up a fresh Debian machine (this project's kind: Node 20, npm, g++,
# make, cmake) for building, running and testing spdylay:
#   - Debian packages: nghttp2's static library and headers, zlib, the HTTP/2
#     test peers (curl, nghttp, h2load), clang for the fuzzers, and chromium
#     (the headless browser of test/compat/browser.test.ts, driven by
#     puppeteer-core, which downloads no browser of its own);
#   - the linux-arm64 cross build and its test: g++-aarch64-linux-gnu,
#     qemu-user-static, and dpkg's arm64 architecture so that `apt-get download`
#     finds the arm64 .debs scripts/arm64-sysroot.sh unpacks (no :arm64 package
#     is installed);
#   - npm dependencies (npm ci), which also builds the native addon.
# Idempotent: skips apt when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libnghttp2-dev zlib1g-dev nghttp2-client curl openssl cmake g++ make ninja-build binutils clang-14 libclang-rt-14-dev chromium
  g++-aarch64-linux-gnu qemu-user-static)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == *"install ok installed"* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The arm64 package lists (for apt-get download), once after adding the architecture.
apt-cache show libnghttp2-dev:arm64 >/dev/null 2>&1 || $SUDO apt-get update -qq

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
