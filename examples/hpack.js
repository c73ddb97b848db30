#!/usr/bin/env node
// The HPACK examples of nghttp2's Python documentation: deflate two header
// fields, print the header block in hex, inflate it back, and print the
// dynamic tables.  Run after `npm run build`:  node examples/hpack.js
'use strict';
const { HDDeflater, HDInflater, printHdTable } = require('spdylay/nghttp2');

const deflater = new HDDeflater();
const data = deflater.deflate([
  ['foo', 'bar'],
  ['baz', 'buz'],
]);
console.log(data.toString('hex'));

const inflater = new HDInflater();
const hdrs = inflater.inflate(data);
console.log(hdrs.map(([name, value]) => [name.toString(), value.toString()]));

console.log('deflater table:');
printHdTable(deflater.getHdTable());
console.log('inflater table:');
printHdTable(inflater.getHdTable());
