#!/usr/bin/env node
// The example SPDY client of python-spdylay (spdyclient.py), ported: fetches
// the URLs given on the command line with urlfetch() and prints, per stream,
// the response headers, the body and the close.
//
// Usage: node examples/spdyclient.js [--insecure] [--ca FILE] URL...
//   https:// URLs negotiate SPDY (or h2) with ALPN; http:// URLs speak
//   SPDY/3.1 in the clear. --insecure skips certificate verification (for
//   the self-signed certificate of examples/spdyserv.js), --ca trusts FILE.
'use strict';
const fs = require('node:fs');
const { parseArgs } = require('node:util');
const { urlfetch, BaseSPDYStreamHandler } = require('spdylay');

class MyStreamHandler extends BaseSPDYStreamHandler {
  onHeader(nv) {
    process.stdout.write(`Stream#${this.streamId}\n`);
    for (const [k, v] of nv) process.stdout.write(`${k}: ${v}\n`);
  }

  onData(data) {
    process.stdout.write(`Stream#${this.streamId}\n`);
    process.stdout.write(data);
  }

  onClose(statusCode) {
    process.stdout.write(`Stream#${this.streamId} closed\n`);
  }
}

async function main() {
  const { values, positionals: uris } = parseArgs({
    allowPositionals: true,
    options: { insecure: { type: 'boolean', short: 'k', default: false }, ca: { type: 'string' } },
  });
  if (uris.length === 0) {
    console.error('Usage: spdyclient.js [--insecure] [--ca FILE] URL...');
    process.exit(2);
  }
  await urlfetch(uris, MyStreamHandler, {
    rejectUnauthorized: !values.insecure,
    ca: values.ca ? fs.readFileSync(values.ca) : undefined,
  });
}

main().catch((err) => {
  console.error(`spdyclient: ${err.message}`);
  process.exit(1);
});
