#!/usr/bin/env node
// The example SPDY server of python-spdylay (spdyserv.py), ported: answers
// GET / with a small HTML page and GET /notfound with a 404 error page.
//
// Usage: node examples/spdyserv.js [--port 3000] [--host localhost]
//                                  [--key server.key --cert server.crt] [--plain]
//   Without --key/--cert a self-signed certificate is created in .certs/.
//   --plain serves cleartext SPDY instead of TLS. The same port also answers
//   h2 and HTTP/1.1 clients (curl -k https://localhost:3000/).
'use strict';
const { parseArgs } = require('node:util');
const { ThreadedSPDYServer, BaseSPDYRequestHandler } = require('spdylay');
const { ensureCertificate } = require('./certs');

class MySPDYRequestHandler extends BaseSPDYRequestHandler {
  do_GET() {
    if (this.path === '/notfound') {
      // Example code to return error
      this.sendError(404);
      return;
    }
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/html; charset=UTF-8');
    const content = Buffer.from(`<html>
<head><title>SPDY FTW</title></head>
<body>
<h1>SPDY FTW</h1>
<p>The age of HTTP/1.1 is over. The time of SPDY has come.</p>
</body>
</html>`, 'utf8');
    this.wfile.write(content);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3000' },
      key: { type: 'string' },
      cert: { type: 'string' },
      plain: { type: 'boolean', default: false },
    },
  });
  let tlsOptions = {};
  if (!values.plain) {
    if (values.key && values.cert) tlsOptions = { keyFile: values.key, certFile: values.cert };
    else {
      const c = await ensureCertificate();
      tlsOptions = { keyFile: c.keyFile, certFile: c.certFile };
    }
  }
  const server = new ThreadedSPDYServer([values.host, Number(values.port)], MySPDYRequestHandler,
    { ...tlsOptions, plain: values.plain, log: true });
  const { port } = await server.start();
  console.log(`spdyserv listening on ${values.plain ? 'http' : 'https'}://${values.host}:${port}/`);
  const stop = () => server.close({ timeout: 2000 }).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`spdyserv: ${err.message}`);
  process.exit(1);
});
