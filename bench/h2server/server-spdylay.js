// Bench server: spdylay/nghttp2 HTTP2Server (h2c), 12-byte body. Prints its port.
'use strict';
const { HTTP2Server, BaseRequestHandler } = require('../../dist/nghttp2');

const BODY = Buffer.from('hello world\n');

class Handler extends BaseRequestHandler {
  onHeaders() {
    this.sendResponse({ headers: [['content-type', 'text/plain']], body: BODY });
  }
}

const server = new HTTP2Server(['127.0.0.1', 0], Handler, null, { log: false });
server.listen().then(({ port }) => process.stdout.write(`${port}\n`));
process.on('SIGTERM', () => server.close({ timeout: 500 }).then(() => process.exit(0)));
