// One attack-bench server in its own process:
//   node server.js h2|spdysrv|node|spdy [bigBytes]
// Cleartext on 127.0.0.1, `/` answers 12 bytes, `/big` answers one shared
// Buffer of `bigBytes` (allocated and touched at start, so it is resident
// and counted in the peak RSS; 0 = no /big). Our servers run with their
// default options, access log off. Prints the port on stdout, exits on
// SIGTERM.
'use strict';
const path = require('node:path');
const root = path.join(__dirname, '..', '..');
const BODY = Buffer.from('hello world\n'); // 12 bytes
const bigBytes = Number(process.argv[3] || 0);
const BIG = bigBytes > 0 ? Buffer.alloc(bigBytes, 0x61) : BODY;
const isBig = (p) => p != null && String(p) === '/big';

// ATTACKS_DEBUG=1: our servers' 'limitExceeded' events and client errors go to stderr.
const debug = (server) => {
  if (!process.env.ATTACKS_DEBUG) return;
  server.on('limitExceeded', (info) => console.error('limitExceeded', JSON.stringify(info)));
  server.on('clientError', (err) => console.error('clientError', err && err.message));
};

async function main() {
  const which = process.argv[2];
  let close;
  if (which === 'h2') {
    const { HTTP2Server, BaseRequestHandler } = require(path.join(root, 'dist', 'nghttp2'));
    class Handler extends BaseRequestHandler {
      onHeaders() {
        this.sendResponse({ headers: [['content-type', 'text/plain']], body: isBig(this.path) ? BIG : BODY });
      }
    }
    const server = new HTTP2Server(['127.0.0.1', 0], Handler, null, { log: false });
    debug(server);
    const { port } = await server.listen();
    process.stdout.write(`${port}\n`);
    close = () => server.close({ timeout: 500 });
  } else if (which === 'spdysrv') {
    const { ThreadedSPDYServer, BaseSPDYRequestHandler } = require(path.join(root, 'dist'));
    class Handler extends BaseSPDYRequestHandler {
      do_GET() {
        this.sendResponse(200);
        this.sendHeader('content-type', 'text/plain');
        this.wfile.write(isBig(this.path) ? BIG : BODY);
      }
      do_POST() {
        this.do_GET();
      }
    }
    const server = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true, log: false });
    debug(server);
    const { port } = await server.start();
    process.stdout.write(`${port}\n`);
    close = () => server.close({ timeout: 500 });
  } else if (which === 'node') {
    const http2 = require('node:http2');
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(isBig(headers[':path']) ? BIG : BODY);
    });
    server.on('sessionError', () => {});
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`${server.address().port}\n`);
    close = () => new Promise((r) => server.close(r));
  } else if (which === 'spdy') {
    const spdy = require('spdy');
    const server = spdy.createServer({ spdy: { plain: true, ssl: false, connection: { autoSpdy31: true } } }, (req, res) => {
      req.resume();
      res.on('error', () => {});
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(isBig(req.url) ? BIG : BODY);
    });
    server.on('clientError', () => {});
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`${server.address().port}\n`);
    close = () => new Promise((r) => server.close(r));
  } else {
    throw new Error('usage: server.js h2|spdysrv|node|spdy [bigBytes]');
  }
  process.once('SIGTERM', () => {
    Promise.race([close(), new Promise((r) => setTimeout(r, 1000))]).then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
