// One benchmark server in its own process: `node server.js ours|spdy`.
// Plain SPDY/3.1 on 127.0.0.1, a 12-byte response to every request; prints
// the port on stdout, exits on SIGTERM.
'use strict';
const path = require('node:path');
const root = path.join(__dirname, '..', '..');
const BODY = Buffer.from('hello world\n'); // 12 bytes

async function main() {
  const which = process.argv[2];
  let close;
  if (which === 'ours') {
    const { ThreadedSPDYServer, BaseSPDYRequestHandler } = require(path.join(root, 'dist', 'spdylay', 'index.js'));
    class Handler extends BaseSPDYRequestHandler {
      do_GET() {
        this.sendResponse(200);
        this.sendHeader('content-type', 'text/plain');
        this.wfile.write(BODY);
      }
    }
    const server = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
    const { port } = await server.start();
    process.stdout.write(`${port}\n`);
    close = () => server.close({ timeout: 500 });
  } else if (which === 'spdy') {
    const spdy = require('spdy');
    const server = spdy.createServer({ spdy: { plain: true, ssl: false, connection: { autoSpdy31: true } } }, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(BODY);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`${server.address().port}\n`);
    close = () => new Promise((r) => server.close(r));
  } else {
    throw new Error('usage: server.js ours|spdy');
  }
  process.once('SIGTERM', () => {
    Promise.race([close(), new Promise((r) => setTimeout(r, 1000))]).then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
