#!/usr/bin/env node
// The push server of nghttp2's Python API document, in Node:
// every request pushes /css/style.css, then answers with a stream body.
//
//   node examples/push-server.js [port]        (TLS, default 8443)
//   node examples/push-server.js --h2c [port]  (cleartext, prior knowledge)
//   nghttp -nv https://127.0.0.1:8443/         (shows the PUSH_PROMISE)
'use strict';
const { Readable } = require('node:stream');
const { HTTP2Server, BaseRequestHandler } = require('spdylay/nghttp2');
const { ensureCertificate } = require('./certs');

class Handler extends BaseRequestHandler {
  onHeaders() {
    try {
      this.push({
        path: '/css/style.css',
        requestHeaders: [['content-type', 'text/css']],
        status: 200,
        body: 'body{margin:0;}',
      });
    } catch (err) {
      // A client that disabled push (curl does) makes push() throw (NGHTTP2_ERR_PUSH_DISABLED).
      if (err.code !== -528) throw err;
    }
    this.sendResponse({
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: Readable.from([Buffer.from('nghttp2-python FTW')]),
    });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const h2c = args.includes('--h2c');
  const port = Number(args.find((a) => /^\d+$/.test(a)) ?? (h2c ? 8080 : 8443));
  // Give null instead of TLS options to make the server cleartext (h2c).
  const ssl = h2c ? null : await ensureCertificate();
  const server = new HTTP2Server(['127.0.0.1', port], Handler, ssl && { key: ssl.key, cert: ssl.cert });
  const { port: bound } = await server.listen();
  console.log(`push server on ${h2c ? 'http' : 'https'}://127.0.0.1:${bound}/`);
  process.once('SIGINT', () => server.close({ timeout: 1000 }));
  await server.serveForever();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
