#!/usr/bin/env node
// Multi-core serving with node:cluster: one worker process per core, all on
// one port. The primary forks the workers; each worker runs its own server
// (HTTP2Server for h2c, or ThreadedSPDYServer for SPDY, h2 and HTTP/1.1 in
// cleartext) and listens on the same port, which the primary shares among
// them (round-robin on Linux).
//
// Usage: node examples/cluster.js [h2|spdy] [--port 8080] [--workers N]
//   --workers defaults to os.availableParallelism(); --port 0 picks a free
//   port, shared by every worker. Each response says which worker sent it:
//   curl --http2-prior-knowledge http://127.0.0.1:8080/
'use strict';
const cluster = require('node:cluster');
const os = require('node:os');
const { parseArgs } = require('node:util');

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '8080' }, workers: { type: 'string' } },
});
const kind = positionals[0] ?? 'h2';
const port = Number(o.port);

if (cluster.isPrimary) {
  const workers = Number(o.workers ?? os.availableParallelism());
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    if (++listening === workers) console.log(`cluster: ${workers} workers serving ${kind} on http://127.0.0.1:${address.port}/`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!shuttingDown) console.error(`cluster: worker ${worker.process.pid} exited (${signal ?? code})`);
  });
  let shuttingDown = false;
  const shutdown = () => {
    shuttingDown = true;
    for (const w of Object.values(cluster.workers)) w.send('shutdown');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const body = `worker ${process.pid}\n`;
  let server;
  if (kind === 'spdy') {
    const { ThreadedSPDYServer, BaseSPDYRequestHandler } = require('spdylay');
    class Handler extends BaseSPDYRequestHandler {
      do_GET() {
        this.sendResponse(200);
        this.sendHeader('content-type', 'text/plain');
        this.wfile.end(body);
      }
    }
    server = new ThreadedSPDYServer(['127.0.0.1', port], Handler, { plain: true, log: false });
    server.start().catch(fail);
  } else {
    const { HTTP2Server, BaseRequestHandler } = require('spdylay/nghttp2');
    class Handler extends BaseRequestHandler {
      onHeaders() {
        this.sendResponse({ status: 200, headers: [['content-type', 'text/plain']], body });
      }
    }
    server = new HTTP2Server(['127.0.0.1', port], Handler, null, { log: false });
    server.listen().catch(fail);
  }
  // The primary asks for a graceful stop: GOAWAY, open streams finish, then exit.
  process.on('message', (m) => {
    if (m === 'shutdown') server.close().then(() => process.disconnect());
  });
}

function fail(err) {
  console.error(`worker ${process.pid}: ${err.message}`);
  process.exit(1);
}
