#!/usr/bin/env node
// npm "install" hook: use the prebuilt binary shipped in prebuilds/ when one
// matches this platform; otherwise (or with --build-from-source) build the
// addon from source with cmake-js. Nothing is downloaded either way.
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const fromSource = process.env.npm_config_build_from_source === 'true';

if (!fromSource) {
  try {
    require(require('node-gyp-build').path(root));
    process.exit(0);
  } catch (err) {
    console.error(`spdylay: no usable prebuilt binary (${err.message.split('\n')[0]}); building from source`);
  }
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
