#!/usr/bin/env node
// `spdylay-build` (bin) and the install hook's fallback: builds the addon
// from source into build/Release with cmake-js, which the loader then prefers
// over the prebuilds. First checks everything the build needs and, when
// something is missing, prints one message naming what to install and exits 1
// without starting CMake.
//
// Needs: a C and a C++ compiler, cmake >= 3.15, make or ninja, nghttp2's
// static library and headers, zlib's static library, and the npm packages
// cmake-js and node-addon-api (optional peer dependencies of spdylay:
// `npm install spdylay cmake-js node-addon-api`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');

/** The first of `names` found as an executable on PATH, or undefined. */
function onPath(names) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const name of names) {
    if (!name) continue;
    if (name.includes('/')) {
      if (isExecutable(name)) return name;
      continue;
    }
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Resolves an npm package from the package root (hoisted next to spdylay, or nested). */
function resolvePackage(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
  } catch {
    return undefined;
  }
}

/** Prefixes CMake searches: CMAKE_PREFIX_PATH, then the usual system ones. */
function prefixes() {
  const env = (process.env.CMAKE_PREFIX_PATH || '').split(path.delimiter).filter(Boolean);
  return [...env, '/usr/local', '/usr', '/opt/homebrew', '/opt/local'];
}

function libDirs() {
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' }[process.arch];
  const extra = (process.env.LIBRARY_PATH || '').split(path.delimiter).filter(Boolean);
  const dirs = [...extra];
  for (const p of prefixes()) {
    if (triplet) dirs.push(path.join(p, 'lib', triplet));
    dirs.push(path.join(p, 'lib64'), path.join(p, 'lib'));
  }
  return dirs;
}

/** True when `file` exists and is an ar archive. */
function isArchive(file) {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 8, 0);
    fs.closeSync(fd);
    return head.toString('latin1') === '!<arch>\n';
  } catch {
    return false;
  }
}

function findArchive(name) {
  return libDirs().map((d) => path.join(d, name)).find(isArchive);
}

function findHeader(rel) {
  const extra = (process.env.CPATH || '').split(path.delimiter).filter(Boolean);
  return [...extra, ...prefixes().map((p) => path.join(p, 'include'))]
    .map((d) => path.join(d, rel)).find((f) => fs.existsSync(f));
}

/** What the build lacks, as human-readable items with the package to install. */
function missing() {
  const out = [];
  const cc = onPath([process.env.CC, 'cc', 'gcc', 'clang']);
  const cxx = onPath([process.env.CXX, 'c++', 'g++', 'clang++']);
  if (!cc || !cxx) out.push('a C and C++ compiler (Debian/Ubuntu: g++; Fedora/RHEL: gcc-c++; macOS: xcode-select --install)');
  const cmake = onPath(['cmake']);
  if (!cmake) {
    out.push('cmake >= 3.15 (Debian/Ubuntu/Fedora: cmake; macOS: brew install cmake)');
  } else {
    const v = spawnSync(cmake, ['--version'], { encoding: 'utf8' });
    const m = /cmake version (\d+)\.(\d+)/.exec(v.stdout || '');
    if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 15)) {
      out.push(`cmake >= 3.15 (found ${m ? `${m[1]}.${m[2]}` : 'an unreadable version'} at ${cmake})`);
    }
  }
  if (!onPath(['ninja', 'make', 'gmake'])) out.push('make or ninja (Debian/Ubuntu: make; Fedora/RHEL: make)');
  if (!findHeader('nghttp2/nghttp2.h') || !findArchive('libnghttp2.a')) {
    out.push('nghttp2\'s static library and headers, libnghttp2.a (Debian/Ubuntu: libnghttp2-dev; Fedora/RHEL: libnghttp2-devel plus a static build; macOS: brew install libnghttp2)');
  }
  if (!findArchive('libz.a')) out.push('zlib\'s static library, libz.a (Debian/Ubuntu: zlib1g-dev; Fedora/RHEL: zlib-static)');
  const npmMissing = ['cmake-js', 'node-addon-api'].filter((p) => !resolvePackage(p));
  if (npmMissing.length) out.push(`the npm packages ${npmMissing.join(' and ')} (npm install ${npmMissing.join(' ')})`);
  return out;
}

/**
 * Builds build/Release/spdylay_native.node; returns the exit status.
 * `reason` (why a source build is needed) heads the one message printed.
 */
function build(reason) {
  const lacking = missing();
  const head = reason ? `spdylay: ${reason}; ` : 'spdylay: ';
  if (lacking.length) {
    console.error([
      `${head}cannot build the native addon from source on ${process.platform}-${process.arch}. Install:`,
      ...lacking.map((m) => `  - ${m}`),
      'then run: npx spdylay-build',
    ].join('\n'));
    return 1;
  }
  console.error(`${head}building the native addon from source with cmake-js`);
  const cmakeJs = path.join(resolvePackage('cmake-js'), 'bin', 'cmake-js');
  const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

module.exports = { build, missing };

if (require.main === module) process.exit(build());
