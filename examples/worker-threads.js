#!/usr/bin/env node
// Multi-core serving with worker_threads and SO_REUSEPORT: one worker thread
// per core, each with its own server bound to the same port with
// `reusePort: true`; the kernel spreads the connections among them. One
// process, no primary in the data path. Needs Node 22.12+ or 23.1+ and
// Linux (or another system with SO_REUSEPORT).
//
// Usage: node examples/worker-threads.js [h2|spdy] [--port 8080] [--threads N]
//   --threads defaults to os.availableParallelism(); --port 0: the first
//   thread picks a free port and the others bind it too. Each response says
//   which thread sent it: curl --http2-prior-knowledge http://127.0.0.1:8080/
'use strict';
const os = require('node:os');
const { parseArgs } = require('node:util');
const { Worker, isMainThread, parentPort, threadId, workerData } = require('node:worker_threads');
const { reusePortSupported } = require('spdylay');

if (isMainThread) {
  const { values: o, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '8080' }, threads: { type: 'string' } },
  });
  if (!reusePortSupported()) {
    console.error(`worker-threads: reusePort needs Node 22.12+ or 23.1+ (this is ${process.versions.node})`);
    process.exit(2);
  }
  const kind = positionals[0] ?? 'h2';
  const threads = Number(o.threads ?? os.availableParallelism());
  const workers = [];
  // The first thread binds (port 0: a free port); the others then bind the port it got.
  const startWorker = (port) => new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { kind, port } });
    workers.push(w);
    w.once('message', resolve);
    w.once('error', reject);
  });
  (async () => {
    const port = await startWorker(Number(o.port));
    for (let i = 1; i < threads; i++) await startWorker(port);
    console.log(`worker-threads: ${threads} threads serving ${kind} on http://127.0.0.1:${port}/`);
  })().catch((err) => {
    console.error(`worker-threads: ${err.message}`);
    process.exit(1);
  });
  const shutdown = () => {
    for (const w of workers) w.postMessage('shutdown');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} else {
  const { kind, port } = workerData;
  const body = `thread ${threadId}\n`;
  const ac = new AbortController();
  let listening;
  if (kind === 'spdy') {
    const { ThreadedSPDYServer, BaseSPDYRequestHandler } = require('spdylay');
    class Handler extends BaseSPDYRequestHandler {
      do_GET() {
        this.sendResponse(200);
        this.sendHeader('content-type', 'text/plain');
        this.wfile.end(body);
      }
    }
    const server = new ThreadedSPDYServer(['127.0.0.1', port], Handler, { plain: true, log: false });
    listening = server.start({ reusePort: true, signal: ac.signal });
    server.once('close', () => parentPort.close());
  } else {
    const { HTTP2Server, BaseRequestHandler } = require('spdylay/nghttp2');
    class Handler extends BaseRequestHandler {
      onHeaders() {
        this.sendResponse({ status: 200, headers: [['content-type', 'text/plain']], body });
      }
    }
    const server = new HTTP2Server(['127.0.0.1', port], Handler, null, { log: false });
    listening = server.listen({ reusePort: true, signal: ac.signal });
    server.once('close', () => parentPort.close());
  }
  listening.then((address) => parentPort.postMessage(address.port), (err) => {
    throw err;
  });
  // A graceful stop: aborting the listen signal closes the server (GOAWAY, open streams finish).
  parentPort.on('message', (m) => {
    if (m === 'shutdown') ac.abort();
  });
}
