#!/usr/bin/env node
// npm "install" hook: nothing to do when a prebuilt binary in prebuilds/
// loads on this platform; otherwise build from source
// (scripts/build-from-source.js, which names whatever the build lacks).
// Nothing is downloaded either way.
'use strict';
const path = require('node:path');

const root = path.join(__dirname, '..');

let reason;
try {
  require(require('node-gyp-build').path(root));
  process.exit(0);
} catch (err) {
  reason = `no usable prebuilt binary (${err.message.split('\n')[0]})`;
}
process.exit(require('./build-from-source.js').build(reason));
