#!/usr/bin/env node
// Puts the addon built in build/Release into prebuilds/<platform>-<arch>/ under
// the name node-gyp-build looks for (N-API, libc-tagged), stripped. Builds it
// first when there is no build yet. Run by "npm pack" (prepack).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const built = path.join(root, 'build', 'Release', 'spdylay_native.node');
if (!fs.existsSync(built)) {
  execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'compile'], { cwd: root, stdio: 'inherit' });
}
const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '.glibc' : '.musl') : '';
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const dest = path.join(dir, `spdylay.napi${libc}.node`);
fs.copyFileSync(built, dest);
try {
  execFileSync('strip', ['--strip-unneeded', dest]);
} catch {
  console.warn('spdylay: strip not available; the prebuild keeps its symbols');
}
console.log(`spdylay: prebuild ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
