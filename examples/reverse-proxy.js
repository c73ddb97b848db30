#!/usr/bin/env node
// The simplified reverse proxy of nghttp2's Python API document, in Node:
// each request is answered with a deferred body generator while the body is
// fetched from an HTTP/1 origin; resume() restarts transmission as data
// arrives.
//
//   node examples/reverse-proxy.js [--port 8443] [--h2c] [--origin http://127.0.0.1:8081]
//
// Without --origin it starts its own small HTTP/1 origin (node:http) on
// 127.0.0.1. Try: curl -k --http2 https://127.0.0.1:8443/hello
'use strict';
const http = require('node:http');
const { parseArgs } = require('node:util');
const { HTTP2Server, BaseRequestHandler, DATA_OK, DATA_EOF, DATA_DEFERRED } = require('spdylay/nghttp2');
const { ensureCertificate } = require('./certs');

/** Fetches `url` with HTTP/1 GET, feeding the body into `handler` and resuming it. */
function fetchInto(handler, url) {
  const req = http.get(url, (res) => {
    handler.upstreamStatus = res.statusCode;
    res.on('data', (chunk) => {
      handler.chunks.push(chunk);
      handler.resume();
    });
    res.on('end', () => {
      handler.eof = true;
      handler.resume();
    });
  });
  req.on('error', (err) => {
    handler.chunks.push(Buffer.from(`upstream error: ${err.message}\n`));
    handler.eof = true;
    handler.resume();
  });
  handler.upstream = req;
}

class Body {
  constructor(handler) {
    this.handler = handler;
    handler.eof = false;
    handler.chunks = [];
  }

  generate(n) {
    const h = this.handler;
    if (h.chunks.length === 0) return h.eof ? [null, DATA_EOF] : [null, DATA_DEFERRED];
    let data = h.chunks.shift();
    if (data.length > n) {
      h.chunks.unshift(data.subarray(n));
      data = data.subarray(0, n);
    }
    return [data, h.eof && h.chunks.length === 0 ? DATA_EOF : DATA_OK];
  }
}

function makeHandler(origin) {
  return class Handler extends BaseRequestHandler {
    onHeaders() {
      const body = new Body(this);
      fetchInto(this, new URL(this.path ? this.path.toString() : '/', origin));
      this.sendResponse({ status: 200, body: (n) => body.generate(n) });
    }

    onClose() {
      // The client went away: stop the upstream request too.
      if (this.upstream && !this.eof) this.upstream.destroy();
    }
  };
}

/** A tiny HTTP/1 origin: echoes the path, slowly, in a few chunks. */
function startOrigin() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let i = 0;
    const timer = setInterval(() => {
      res.write(`chunk ${i} of ${req.url}\n`);
      if (++i === 5) {
        clearInterval(timer);
        res.end();
      }
    }, 50);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const { values: opts } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      h2c: { type: 'boolean', default: false },
      origin: { type: 'string' },
    },
  });
  let origin = opts.origin;
  let originServer = null;
  if (!origin) {
    originServer = await startOrigin();
    origin = `http://127.0.0.1:${originServer.address().port}`;
    console.log(`HTTP/1 origin on ${origin}`);
  }
  const ssl = opts.h2c ? null : await ensureCertificate();
  const server = new HTTP2Server(['127.0.0.1', Number(opts.port)], makeHandler(origin), ssl && { key: ssl.key, cert: ssl.cert });
  const { port } = await server.listen();
  const url = `${opts.h2c ? 'http' : 'https'}://127.0.0.1:${port}/hello`;
  console.log(`reverse proxy on ${url} -> ${origin}`);
  console.log(opts.h2c ? `try: curl --http2-prior-knowledge ${url}` : `try: curl -k --http2 ${url}`);
  process.once('SIGINT', () => {
    server.close({ timeout: 1000 });
    if (originServer) originServer.close();
  });
  await server.serveForever();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { makeHandler, startOrigin };
