#!/usr/bin/env node
// spdycat: fetch URLs over SPDY or HTTP/2 (see `spdycat --help`).
'use strict';
const { spdycatMain } = require('../dist/cli/spdycat.js');

spdycatMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error(`spdycat: ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
});
