#!/usr/bin/env node
// An unmodified Express app served by spdylay's createServer: h2, SPDY/3.1,
// SPDY/3, SPDY/2 and HTTP/1.1 on one TLS port (ALPN), or h2c, SPDY and
// HTTP/1.1 in the clear with --plain (protocol sniffed per connection).
//
//   node examples/compat-express.js [port]          (TLS, default 8443)
//   node examples/compat-express.js --plain [port]  (cleartext, default 8080)
//
//   curl -k --http2 https://127.0.0.1:8443/api/hello
//   nghttp -nv https://127.0.0.1:8443/             (PUSH_PROMISE for /app.css)
//   curl -N -k https://127.0.0.1:8443/events       (server-sent events)
//   curl --http2-prior-knowledge http://127.0.0.1:8080/api/hello   (with --plain)
'use strict';
const express = require('express');
const { listenApp } = require('./compat-server');

const CSS = 'body { font-family: sans-serif; color: #234; }\n';

const app = express();
app.use(express.json());

app.get('/', (req, res) => {
  // h2 and SPDY clients get the stylesheet pushed along with the page
  // (res.push as in the `spdy` package); HTTP/1.1 clients fetch it.
  if (req.isSpdy && typeof res.push === 'function') {
    try {
      const pushed = res.push('/app.css', { request: { accept: 'text/css' }, response: { 'content-type': 'text/css' } });
      pushed.on('error', () => {});
      pushed.end(CSS);
    } catch {
      // the client disabled push (curl, browsers): it requests /app.css itself
    }
  }
  res.type('html').send(`<!doctype html><title>spdylay + Express</title>
<link rel="stylesheet" href="/app.css">
<h1>Hello over ${req.isSpdy ? (req.spdyVersion === 4 ? 'h2' : `SPDY/${req.spdyVersion}`) : `HTTP/${req.httpVersion}`}</h1>`);
});

app.get('/app.css', (_req, res) => res.type('css').send(CSS));

app.get('/api/hello', (req, res) => {
  res.json({ hello: 'world', httpVersion: req.httpVersion, isSpdy: !!req.isSpdy, spdyVersion: req.spdyVersion });
});

app.post('/api/echo', (req, res) => res.json({ youSent: req.body }));

app.get('/events', (req, res) => {
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  res.flushHeaders();
  let n = 0;
  const timer = setInterval(() => {
    res.write(`data: tick ${++n}\n\n`);
    if (n === 5) {
      clearInterval(timer);
      res.end();
    }
  }, 200);
  req.on('close', () => clearInterval(timer));
});

/** Starts the Express app through createServer on 127.0.0.1 (options as compat-server.js's listenApp). */
function startExpressServer(options = {}) {
  return listenApp(app, options);
}

module.exports = { app, startExpressServer };

async function main() {
  const args = process.argv.slice(2);
  const plain = args.includes('--plain');
  const port = Number(args.find((a) => /^\d+$/.test(a)) ?? (plain ? 8080 : 8443));
  const server = await startExpressServer({ port, plain });
  const { port: p } = server.address();
  console.log(`Express over spdylay listening on ${plain ? 'http' : 'https'}://127.0.0.1:${p}/`);
  process.on('SIGINT', () => server.close(() => process.exit(0)));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
