#!/usr/bin/env node
// spdyd: serve a directory over SPDY, h2 and HTTP/1.1 (see `spdyd --help`).
'use strict';
const { spdydMain } = require('../dist/cli/spdyd.js');

spdydMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error(`spdyd: ${err && err.message ? err.message : err}`);
  process.exitCode = 1;
});
