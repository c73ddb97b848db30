// Smoke script of the CommonJS entry points, run from an app that installed
// the packed tarball (test/package.test.ts on x64, scripts/test-arm64.sh on arm64).
'use strict';
const { libraryVersions } = require('spdylay');
const { HDDeflater, HDInflater } = require('spdylay/nghttp2');
const block = new HDDeflater().deflate([['x-k', 'v']]);
const [[n, v]] = new HDInflater().inflate(block);
console.log(JSON.stringify({ cjs: n.toString() + '=' + v.toString(), nghttp2: libraryVersions().nghttp2 }));
