#!/usr/bin/env bash
# Unpacks Debian's arm64 libnghttp2-dev and zlib1g-dev (static libraries and
# headers) into a private sysroot, build-cross/linux-arm64/sysroot, for the
# linux-arm64 cross build (cmake/aarch64-linux-gnu.cmake). The .debs come
# from `apt-get download` and are unpacked with `dpkg-deb -x`: installing the
# :arm64 dev packages through apt would upgrade amd64 system packages.
# Needs the arm64 package lists (`dpkg --add-architecture arm64 && apt-get
# update`, done by scripts/setup.sh). Prints the sysroot's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-cross/linux-arm64
sysroot=$out/sysroot
if [ -f "$sysroot/.complete" ]; then
  echo "$PWD/$sysroot"
  exit 0
fi
rm -rf "$sysroot" "$out/debs"
mkdir -p "$sysroot" "$out/debs"
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
(cd "$out/debs" && apt-get download -qq "${sandbox[@]}" libnghttp2-dev:arm64 zlib1g-dev:arm64 >&2)
for deb in "$out"/debs/*.deb; do
  dpkg-deb -x "$deb" "$sysroot"
done
test -f "$sysroot/usr/lib/aarch64-linux-gnu/libnghttp2.a"
test -f "$sysroot/usr/lib/aarch64-linux-gnu/libz.a"
touch "$sysroot/.complete"
echo "$PWD/$sysroot"
