# CMake toolchain file: cross-build for linux-arm64 (glibc) with Debian's
# g++-aarch64-linux-gnu. SPDYLAY_SYSROOT (a folder holding the arm64
# libnghttp2-dev and zlib1g-dev .debs unpacked with dpkg-deb -x; see
# scripts/arm64-sysroot.sh) is searched for libraries and headers before the
# cross toolchain's own /usr/aarch64-linux-gnu; the host's are never used.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
if(NOT SPDYLAY_SYSROOT AND DEFINED ENV{SPDYLAY_SYSROOT})
  set(SPDYLAY_SYSROOT "$ENV{SPDYLAY_SYSROOT}")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SPDYLAY_SYSROOT)
set(CMAKE_FIND_ROOT_PATH "${SPDYLAY_SYSROOT}" /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
