#!/usr/bin/env node
// `npm start`: the example HTTP/2 server of spdylay/nghttp2, on 127.0.0.1,
// over TLS (ALPN h2, self-signed certificate created on first start in
// .certs/) and cleartext h2c (prior knowledge); and the spdyd-style SPDY
// server of the `spdylay` module (ThreadedSPDYServer serving examples/ over
// SPDY/3.1, SPDY/3, SPDY/2, with h2 and HTTP/1.1 on the same port), with one
// fetch through it by urlfetch() printing every frame; and createServer (the
// drop-in for the `spdy` package, examples/compat-server.js): a plain
// (req, res) listener over h2, SPDY and HTTP/1.1 on one TLS port, and an
// unmodified Express app through createServer (examples/compat-express.js).
// Runs until Ctrl-C.
//
// Options:
//   --tls-port N / --port N   ports (default 8443 / 8080; a busy port falls back to a free one)
//   --spdy-port N             port of the SPDY server (default 3000)
//   --compat-port N           port of the createServer example (default 8000)
//   --express-port N          port of the Express app on createServer (default 8001)
//   --exit-after SECONDS      close the servers and exit after SECONDS
//   --smoke                   (or SPDYLAY_START_SMOKE=1) run a self-check with curl
//                             (and nghttp when installed) on free ports, then exit 0/1
//   --quiet                   no access log
'use strict';
const { execFile } = require('node:child_process');
const { Readable } = require('node:stream');
const { parseArgs } = require('node:util');
const { HTTP2Server, BaseRequestHandler, DATA_OK, DATA_EOF, DATA_DEFERRED } = require('spdylay/nghttp2');
const { ensureCertificate } = require('./certs');
const { startCompatServer } = require('./compat-server');
const { startExpressServer } = require('./compat-express');
const spdylay = require('spdylay');

const STYLE = 'body { font-family: sans-serif; margin: 2em; } code { background: #eee; }\n';
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>spdylay/nghttp2</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Hello from spdylay/nghttp2</h1>
<p>This page came over HTTP/2 from an <code>nghttp2_session</code> driven by Node.
<code>/style.css</code> was pushed with it.</p>
<ul><li><a href="/deferred">/deferred</a>: a body produced over time (DATA_DEFERRED + resume())</li>
<li><a href="/stream">/stream</a>: a Readable stream body</li>
<li>POST /echo: echoes the request body</li></ul>
</body></html>
`;

class ExampleHandler extends BaseRequestHandler {
  constructor(http2, streamId) {
    super(http2, streamId);
    this.chunks = [];
  }

  onHeaders() {
    switch (String(this.path)) {
      case '/':
      case '/index.html':
        try {
          this.push({ path: '/style.css', status: 200, headers: [['content-type', 'text/css']], body: STYLE });
        } catch (err) {
          // Clients such as curl disable push (SETTINGS_ENABLE_PUSH = 0): push() throws then.
          if (err.code !== -528) throw err;
        }
        this.sendResponse({ headers: [['content-type', 'text/html; charset=utf-8']], body: PAGE });
        break;
      case '/style.css':
        this.sendResponse({ headers: [['content-type', 'text/css']], body: STYLE });
        break;
      case '/deferred': {
        // Five lines, one every 200 ms: the generator defers until a timer resumes it.
        const lines = [];
        let n = 0;
        const timer = setInterval(() => {
          lines.push(`tick ${++n} at ${new Date().toISOString()}\n`);
          if (n === 5) clearInterval(timer);
          this.resume();
        }, 200);
        this.timer = timer;
        this.sendResponse({
          headers: [['content-type', 'text/plain']],
          body: () => {
            if (lines.length) return [lines.shift(), n === 5 && lines.length === 0 ? DATA_EOF : DATA_OK];
            return [null, DATA_DEFERRED];
          },
        });
        break;
      }
      case '/stream':
        this.sendResponse({
          headers: [['content-type', 'text/plain']],
          body: Readable.from(Array.from({ length: 10 }, (_, i) => `line ${i + 1} from a Readable\n`)),
        });
        break;
      case '/echo':
        if (String(this.method) !== 'POST') this.sendResponse({ status: 405, headers: [['allow', 'POST']] });
        break;
      default:
        this.sendResponse({ status: 404, headers: [['content-type', 'text/plain']], body: 'not found\n' });
    }
  }

  onData(data) {
    this.chunks.push(Buffer.from(data));
  }

  onRequestDone() {
    if (String(this.path) === '/echo' && String(this.method) === 'POST') {
      this.sendResponse({ headers: [['content-type', 'application/octet-stream']], body: Buffer.concat(this.chunks) });
    }
  }

  onClose() {
    if (this.timer) clearInterval(this.timer);
  }
}

async function listen(port, ssl, log) {
  const make = (p) => new HTTP2Server(['127.0.0.1', p], ExampleHandler, ssl, { log });
  let server = make(port);
  try {
    await server.listen();
  } catch (err) {
    if (err.code !== 'EADDRINUSE' || port === 0) throw err;
    console.log(`port ${port} is busy; using a free port instead`);
    server = make(0);
    await server.listen();
  }
  return server;
}

async function listenSpdy(port, cert, log) {
  const make = (p) => new spdylay.ThreadedSPDYServer(['127.0.0.1', p], spdylay.directoryHandler(__dirname),
    { key: cert.key, cert: cert.cert, log: log ? (line) => console.log(line) : false });
  let server = make(port);
  try {
    await server.start();
  } catch (err) {
    if (err.code !== 'EADDRINUSE' || port === 0) throw err;
    console.log(`port ${port} is busy; using a free port instead`);
    server = make(0);
    await server.start();
  }
  return server;
}

/** Fetches `url` with urlfetch() (ALPN spdy/3.1), printing every frame like `spdycat -v`; returns the result. */
async function fetchShowingFrames(url, ca, print) {
  const t0 = Date.now();
  let received = 0;
  let status = '';
  class Show extends spdylay.BaseSPDYStreamHandler {
    onHeader(nv) {
      status = (nv.find(([n]) => n === ':status') || [])[1] || status;
    }
    onData(data) {
      received += data.length;
    }
  }
  let protocol = '';
  await spdylay.urlfetch([url], Show, {
    ca, protocols: ['spdy/3.1'],
    onProtocol: (p) => { protocol = p; },
    onFrame: (dir, frame) => {
      if (print) console.log(`[${((Date.now() - t0) / 1000).toFixed(3).padStart(7)}] ${spdylay.formatFrame(dir, frame)}`);
    },
  });
  return { protocol, status, received };
}

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, missing: err && err.code === 'ENOENT', stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function smoke(tlsUrl, h2cUrl, spdyUrl, cert, compatUrl, expressUrl) {
  let ok = true;
  try {
    const r = await fetchShowingFrames(`${spdyUrl}/spdyserv.js`, cert.cert, false);
    const pass = r.protocol === 'spdy/3.1' && r.status === '200 OK' && r.received > 0;
    ok &&= pass;
    console.log(`smoke: ${pass ? 'ok  ' : 'FAIL'} urlfetch over SPDY/3.1 from the SPDY server${pass ? '' : `: ${JSON.stringify(r)}`}`);
  } catch (err) {
    ok = false;
    console.log(`smoke: FAIL urlfetch over SPDY/3.1: ${err.message}`);
  }
  const checks = [
    ['curl h2 GET from the SPDY port', ['-sS', '-k', '--http2', '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${spdyUrl}/spdyserv.js`], (o) => o === '2 200'],
    ['curl h2c GET /', ['-sS', '--http2-prior-knowledge', '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${h2cUrl}/`], (o) => o === '2 200'],
    ['curl TLS GET /', ['-sS', '-k', '--http2', '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${tlsUrl}/`], (o) => o === '2 200'],
    ['curl TLS POST /echo', ['-sS', '-k', '--http2', '--data-binary', 'ping', `${tlsUrl}/echo`], (o) => o === 'ping'],
    ['curl h2c GET /deferred', ['-sS', '--http2-prior-knowledge', `${h2cUrl}/deferred`], (o) => /tick 5/.test(o)],
    ['curl h2c GET /stream', ['-sS', '--http2-prior-knowledge', `${h2cUrl}/stream`], (o) => /line 10 from a Readable/.test(o)],
    ['curl h2 GET /info from createServer', ['-sS', '-k', '--http2', `${compatUrl}/info`], (o) => /"httpVersion": "2.0"/.test(o)],
    ['curl h2 GET /api/hello from Express on createServer', ['-sS', '-k', '--http2', `${expressUrl}/api/hello`], (o) => /"httpVersion":"2.0"/.test(o)],
    ['curl http/1.1 POST /echo to createServer', ['-sS', '-k', '--http1.1', '--data-binary', 'ping', `${compatUrl}/echo`], (o) => o === 'ping'],
  ];
  for (const [name, args, check] of checks) {
    const r = await run('curl', args);
    if (r.missing) {
      console.error('smoke: curl is not installed');
      return false;
    }
    const pass = r.ok && check(r.stdout);
    ok &&= pass;
    console.log(`smoke: ${pass ? 'ok  ' : 'FAIL'} ${name}${pass ? '' : `: ${r.stdout} ${r.stderr}`}`);
  }
  const push = await run('nghttp', ['-nv', `${tlsUrl}/`]);
  if (push.missing) {
    console.log('smoke: skip nghttp push check (nghttp not installed)');
  } else {
    const pass = push.ok && /recv PUSH_PROMISE frame/.test(push.stdout);
    ok &&= pass;
    console.log(`smoke: ${pass ? 'ok  ' : 'FAIL'} nghttp sees PUSH_PROMISE for /style.css`);
  }
  return ok;
}

async function main() {
  const { values: opts } = parseArgs({
    options: {
      'tls-port': { type: 'string', default: process.env.SPDYLAY_TLS_PORT ?? '8443' },
      'spdy-port': { type: 'string', default: process.env.SPDYLAY_SPDY_PORT ?? '3000' },
      'compat-port': { type: 'string', default: process.env.SPDYLAY_COMPAT_PORT ?? '8000' },
      'express-port': { type: 'string', default: process.env.SPDYLAY_EXPRESS_PORT ?? '8001' },
      port: { type: 'string', default: process.env.SPDYLAY_H2C_PORT ?? '8080' },
      'exit-after': { type: 'string' },
      smoke: { type: 'boolean', default: process.env.SPDYLAY_START_SMOKE === '1' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const smokeMode = opts.smoke;
  const cert = await ensureCertificate();
  if (cert.created) console.log(`created a self-signed certificate in ${cert.certFile}`);
  const log = opts.quiet || smokeMode ? false : true;
  const tls = await listen(smokeMode ? 0 : Number(opts['tls-port']), { key: cert.key, cert: cert.cert }, log);
  const h2c = await listen(smokeMode ? 0 : Number(opts.port), null, log);
  const spdy = await listenSpdy(smokeMode ? 0 : Number(opts['spdy-port']), cert, log);
  const compatPort = smokeMode ? 0 : Number(opts['compat-port']);
  const compat = await startCompatServer({ port: compatPort, cert }).catch((err) => {
    if (err.code !== 'EADDRINUSE' || compatPort === 0) throw err;
    console.log(`port ${compatPort} is busy; using a free port instead`);
    return startCompatServer({ port: 0, cert });
  });
  const expressPort = smokeMode ? 0 : Number(opts['express-port']);
  const express = await startExpressServer({ port: expressPort, cert }).catch((err) => {
    if (err.code !== 'EADDRINUSE' || expressPort === 0) throw err;
    console.log(`port ${expressPort} is busy; using a free port instead`);
    return startExpressServer({ port: 0, cert });
  });
  const compatUrl = `https://127.0.0.1:${compat.address().port}`;
  const expressUrl = `https://127.0.0.1:${express.address().port}`;
  const tlsUrl = `https://127.0.0.1:${tls.address().port}`;
  const h2cUrl = `http://127.0.0.1:${h2c.address().port}`;
  const spdyUrl = `https://127.0.0.1:${spdy.address().port}`;

  console.log(`
spdylay/nghttp2 example server
  TLS (ALPN h2):          ${tlsUrl}/
  h2c (prior knowledge):  ${h2cUrl}/

spdylay SPDY server (spdyd-style, serving examples/)
  SPDY/3.1, 3, 2 + h2 + http/1.1 (ALPN):  ${spdyUrl}/

createServer (drop-in for the spdy package; plain (req, res), examples/compat-server.js)
  h2, SPDY/3.1, 3, 2 + http/1.1 (ALPN):   ${compatUrl}/

An unmodified Express app on createServer (examples/compat-express.js)
  h2, SPDY/3.1, 3, 2 + http/1.1 (ALPN):   ${expressUrl}/

Try:
  curl -k --http2 ${tlsUrl}/
  curl --http2-prior-knowledge ${h2cUrl}/deferred
  curl -k --http2 --data-binary 'hello' ${tlsUrl}/echo
  nghttp -nv ${tlsUrl}/             # shows the PUSH_PROMISE of /style.css
  nghttp -ans ${h2cUrl}/
  h2load -n 10000 -c 10 -m 10 ${h2cUrl}/style.css
  node bin/spdycat.js -k -v ${spdyUrl}/spdyserv.js   # SPDY/3.1, every frame
  curl -k ${spdyUrl}/spdyserv.js                     # the same port over h2
  curl -k --http2 ${compatUrl}/info                  # createServer: req as the listener saw it
  curl -k --http2 ${expressUrl}/api/hello            # Express over h2
  curl -N -k ${expressUrl}/events                    # Express server-sent events
(self-signed certificate: ${cert.certFile}; press Ctrl-C to stop)
`);

  const shutdown = async (code) => {
    compat.closeAllConnections();
    express.closeAllConnections();
    await Promise.all([tls.close({ timeout: 1000 }), h2c.close({ timeout: 1000 }), spdy.close({ timeout: 1000 }),
      new Promise((resolve) => compat.close(resolve)), new Promise((resolve) => express.close(resolve))]);
    process.exit(code);
  };
  if (smokeMode) {
    const ok = await smoke(tlsUrl, h2cUrl, spdyUrl, cert, compatUrl, expressUrl);
    console.log(ok ? 'smoke: all checks passed' : 'smoke: FAILED');
    await shutdown(ok ? 0 : 1);
    return;
  }
  console.log(`A fetch through the SPDY server with urlfetch(), every frame shown:\n`);
  try {
    const r = await fetchShowingFrames(`${spdyUrl}/spdyserv.js`, cert.cert, true);
    console.log(`\n=> ${r.protocol}: ${r.status}, ${r.received} bytes\n`);
  } catch (err) {
    console.log(`fetch through the SPDY server failed: ${err.message}`);
  }
  process.once('SIGINT', () => {
    console.log('\nshutting down (GOAWAY to every client)...');
    shutdown(0);
  });
  process.once('SIGTERM', () => shutdown(0));
  if (opts['exit-after']) setTimeout(() => shutdown(0), Number(opts['exit-after']) * 1000).unref();
  await Promise.all([tls.serveForever(), h2c.serveForever(), spdy.serveForever()]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
