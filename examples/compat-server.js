#!/usr/bin/env node
// createServer, the drop-in for the `spdy` package's server: one port serving
// h2, SPDY/3.1, SPDY/3, SPDY/2 and HTTP/1.1 (TLS with ALPN; --plain: cleartext,
// the protocol sniffed), with a plain Node `(req, res)` listener. `req` and
// `res` are Node's own http.IncomingMessage / http.ServerResponse whatever the
// protocol.
//
//   node examples/compat-server.js [--port 8000] [--plain]
//
// Routes: / (a page; over h2 its stylesheet is pushed), /style.css,
// POST /echo (req.pipe(res)), /info (what the server saw, as JSON).
'use strict';
const { parseArgs } = require('node:util');
const { createServer } = require('spdylay');
const { ensureCertificate } = require('./certs');

const STYLE = 'body { font-family: sans-serif; margin: 2em; } code { background: #eee; }\n';

function page(req) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>spdylay createServer</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Hello from createServer</h1>
<p>This page came over <code>${req.isSpdy ? (req.spdyVersion === 4 ? 'h2' : `SPDY/${req.spdyVersion}`) : `HTTP/${req.httpVersion}`}</code>
to a plain <code>(req, res)</code> listener.</p>
<ul><li><a href="/info">/info</a>: the request as the listener saw it</li>
<li>POST /echo: <code>req.pipe(res)</code></li></ul>
</body></html>
`;
}

/** The request listener: works the same over every protocol. */
function app(req, res) {
  switch (req.url) {
    case '/':
      if (req.isSpdy && req.spdyVersion === 4) {
        // h2 push (clients such as curl disable it: the callback then gets the error)
        const pushed = res.push('/style.css', { response: { 'content-type': 'text/css' } }, () => {});
        pushed.end(STYLE);
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page(req));
      return;
    case '/style.css':
      res.setHeader('content-type', 'text/css');
      res.end(STYLE);
      return;
    case '/echo':
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      res.setHeader('content-type', req.headers['content-type'] || 'application/octet-stream');
      req.pipe(res);
      return;
    case '/info':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        method: req.method, url: req.url, httpVersion: req.httpVersion, isSpdy: req.isSpdy,
        spdyVersion: req.spdyVersion, streamID: req.streamID ?? null, headers: req.headers,
        alpnProtocol: req.socket.alpnProtocol ?? null, remoteAddress: req.socket.remoteAddress,
      }, null, 2) + '\n');
      return;
    default:
      res.statusCode = 404;
      res.end('not found\n');
  }
}

/**
 * Serves `listener` through createServer on 127.0.0.1 (TLS with `cert` or
 * the example certificate; `plain`: cleartext, protocol sniffed).
 *
 * @param {Function} listener The `(req, res)` listener (e.g. an Express app).
 * @param {{ port?: number, plain?: boolean, cert?: { key: Buffer, cert: Buffer } }} options
 * @returns {Promise<import('node:http').Server>} The listening server.
 */
async function listenApp(listener, options = {}) {
  const cert = options.plain ? null : options.cert ?? await ensureCertificate();
  const server = createServer(cert ? { key: cert.key, cert: cert.cert } : { spdy: { plain: true } }, listener);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Starts the example server on 127.0.0.1 (options as {@link listenApp}). */
function startCompatServer(options = {}) {
  return listenApp(app, options);
}

module.exports = { app, listenApp, startCompatServer };

if (require.main === module) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8000' }, plain: { type: 'boolean', default: false } },
  });
  startCompatServer({ port: Number(values.port), plain: values.plain }).then((server) => {
    const url = `${values.plain ? 'http' : 'https'}://127.0.0.1:${server.address().port}`;
    console.log(`createServer example: ${url}/ (${server.protocols.join(', ')})`);
    console.log(values.plain
      ? `  curl --http2-prior-knowledge ${url}/info\n  curl ${url}/info`
      : `  curl -k --http2 ${url}/info\n  curl -k --http1.1 ${url}/info\n  nghttp -nv ${url}/`);
    process.once('SIGINT', () => server.close(() => process.exit(0)));
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
