// One bench/compat server in its own process: `node server.js NAME`.
// Listens on 127.0.0.1 (port 0), sends { port } over IPC, and answers
// { cpu } (process.cpuUsage(), µs) to every 'cpu' message. Exits on SIGTERM.
//
//   ours-bare      createServer({ spdy: { plain: true } }), bare listener (h2c, SPDY)
//   node-bare      node:http2 createServer (compat API), bare listener (h2c)
//   spdy-bare      the `spdy` package, plain, bare listener (h2c, SPDY)
//   ours-express   createServer({ key, cert }, expressApp) (h2 over TLS)
//   https-express  node:https createServer({ key, cert }, expressApp) (HTTP/1.1 over TLS)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const BODY = 'hello world\n'; // 12 bytes

function ourCreateServer() {
  return require(path.join(root, 'dist', 'index.js')).createServer;
}

const bare = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(BODY);
};

function expressApp() {
  const express = require('express');
  const app = express();
  app.get('/', (_req, res) => res.send(BODY));
  return app;
}

function tlsOptions() {
  return { key: fs.readFileSync(process.env.BENCH_KEY), cert: fs.readFileSync(process.env.BENCH_CERT) };
}

function make(name) {
  switch (name) {
    case 'ours-bare':
      return ourCreateServer()({ spdy: { plain: true } }, bare);
    case 'node-bare':
      return require('node:http2').createServer(bare);
    case 'spdy-bare':
      return require('spdy').createServer({ spdy: { plain: true, ssl: false, connection: { autoSpdy31: true } } }, bare);
    case 'ours-express':
      return ourCreateServer()(tlsOptions(), expressApp());
    case 'https-express':
      return require('node:https').createServer(tlsOptions(), expressApp());
    default:
      throw new Error(`unknown server ${name}`);
  }
}

const server = make(process.argv[2]);
server.on('error', (err) => {
  console.error(err);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send({ cpu: u.user + u.system });
  }
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
