#!/usr/bin/env node
// node scripts/prebuild.js <platform> <arch>
//
// Builds the addon for the given target and puts it, stripped, into
// prebuilds/<platform>-<arch>/ under the name node-gyp-build looks for
// (N-API, libc-tagged). The host's own target uses build/Release (built
// first when missing); linux-arm64 on a linux-x64 host is cross-built with
// Debian's g++-aarch64-linux-gnu, cmake/aarch64-linux-gnu.cmake and the
// private sysroot of scripts/arm64-sysroot.sh into build-cross/linux-arm64.
// Run for linux-x64 and linux-arm64 by "npm pack" (prepack).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const [platform, arch] = process.argv.slice(2);
if (!platform || !arch) {
  console.error('usage: node scripts/prebuild.js <platform> <arch>   (e.g. linux x64, linux arm64)');
  process.exit(2);
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const host = platform === process.platform && arch === process.arch;

/** Cross toolchains this script knows, by host and target. */
const CROSS = {
  'linux-x64>linux-arm64': { toolchain: 'cmake/aarch64-linux-gnu.cmake', sysroot: 'scripts/arm64-sysroot.sh', strip: 'aarch64-linux-gnu-strip' },
};

let built;
let strip = 'strip';
if (host) {
  built = path.join(root, 'build', 'Release', 'spdylay_native.node');
  if (!fs.existsSync(built)) execFileSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
} else {
  const cross = CROSS[`${process.platform}-${process.arch}>${platform}-${arch}`];
  if (!cross) {
    console.error(`spdylay: no cross toolchain for ${platform}-${arch} on ${process.platform}-${process.arch}`);
    process.exit(1);
  }
  const sysroot = execFileSync('bash', [path.join(root, cross.sysroot)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const out = path.join('build-cross', `${platform}-${arch}`, 'build');
  execFileSync(process.execPath, [cmakeJs, 'compile', '--arch', arch, '-O', out,
    `--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, cross.toolchain)}`, `--CDSPDYLAY_SYSROOT=${sysroot}`],
  { cwd: root, stdio: ['ignore', process.env.SPDYLAY_PREBUILD_VERBOSE ? 'inherit' : 'ignore', 'inherit'] });
  built = path.join(root, out, 'Release', 'spdylay_native.node');
  strip = cross.strip;
}

// Every target built here links glibc; a musl build would be tagged .musl.
const libc = platform === 'linux'
  ? (host && !process.report.getReport().header.glibcVersionRuntime ? '.musl' : '.glibc')
  : '';
const dir = path.join(root, 'prebuilds', `${platform}-${arch}`);
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const dest = path.join(dir, `spdylay.napi${libc}.node`);
fs.copyFileSync(built, dest);
try {
  execFileSync(strip, ['--strip-unneeded', dest]);
} catch {
  console.warn(`spdylay: ${strip} not available; the prebuild keeps its symbols`);
}
console.log(`spdylay: prebuild ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
