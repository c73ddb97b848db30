// Bench server: Node's own http2 module (h2c), 12-byte body. Prints its port.
'use strict';
const http2 = require('node:http2');

const BODY = Buffer.from('hello world\n');

const server = http2.createServer();
server.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end(BODY);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
