// Smoke script of the sessions and servers, run from an app that installed
// the packed tarball, on each Node of scripts/test-node-matrix.sh:
// a SPDY/3.1 Session pair over TCP, HTTP2Server answering curl (h2c),
// ThreadedSPDYServer answering urlfetch (cleartext SPDY/3.1), createServer
// answering Node's http2 client. Prints one JSON line of what each saw.
'use strict';
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const http2 = require('node:http2');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const spdylay = require('spdylay');
const { HTTP2Server, BaseRequestHandler } = require('spdylay/nghttp2');

/** A SPDY/3.1 client Session GETs / from a server Session over 127.0.0.1; resolves the body. */
function sessionPair() {
  const { Session, DataProvider, CLIENT, SERVER, PROTO_SPDY3_1, READ_EOF } = spdylay;
  const pump = (session, socket) => {
    socket.on('data', (chunk) => {
      session.recv(chunk);
      session.send();
    });
    session.send();
  };
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const session = new Session(SERVER, PROTO_SPDY3_1, {
        sendCb: (_s, data) => { socket.write(data); return data.length; },
        onRequestRecvCb: (s, streamId) => {
          const provider = new DataProvider({ body: Buffer.from('session'), pos: 0 }, (_s, _id, length, ctrl, src) => {
            const chunk = src.body.subarray(src.pos, src.pos + length);
            src.pos += chunk.length;
            if (src.pos === src.body.length) ctrl.flags = READ_EOF;
            return chunk;
          });
          s.submitResponse(streamId, [[':status', '200 OK'], [':version', 'HTTP/1.1']], provider);
        },
      });
      pump(session, socket);
    });
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect(server.address().port, '127.0.0.1', () => {
        const chunks = [];
        const session = new Session(CLIENT, PROTO_SPDY3_1, {
          sendCb: (_s, data) => { socket.write(data); return data.length; },
          onDataChunkRecvCb: (_s, _flags, _id, data) => chunks.push(Buffer.from(data)),
          onStreamCloseCb: () => {
            socket.destroy();
            server.close();
            resolve(Buffer.concat(chunks).toString());
          },
        });
        session.submitRequest(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'],
          [':version', 'HTTP/1.1'], [':host', '127.0.0.1']]);
        pump(session, socket);
      });
      socket.on('error', reject);
    });
  });
}

/** HTTP2Server (h2c) answers `curl --http2-prior-knowledge`. */
async function h2ServerCurl() {
  class Handler extends BaseRequestHandler {
    onHeaders() {
      this.sendResponse({ headers: [['content-type', 'text/plain']], body: 'h2server' });
    }
  }
  const server = new HTTP2Server(['127.0.0.1', 0], Handler, null, { log: false });
  await server.listen();
  try {
    return await new Promise((resolve, reject) => {
      execFile('curl', ['-sS', '--max-time', '10', '--http2-prior-knowledge',
        `http://127.0.0.1:${server.address().port}/`], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
  } finally {
    await server.close({ timeout: 1000 });
  }
}

/** ThreadedSPDYServer (cleartext, sniffed) serves a file to urlfetch over SPDY/3.1. */
async function spdyServerUrlfetch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-smoke-'));
  fs.writeFileSync(path.join(dir, 'f.txt'), 'spdyserver');
  const server = new spdylay.ThreadedSPDYServer(['127.0.0.1', 0], spdylay.directoryHandler(dir), { plain: true, log: false });
  await server.start();
  let body = '';
  class Handler extends spdylay.BaseSPDYStreamHandler {
    onData(data) { body += Buffer.from(data).toString(); }
  }
  try {
    await spdylay.urlfetch([`http://127.0.0.1:${server.address().port}/f.txt`], Handler, { version: spdylay.PROTO_SPDY3_1 });
    return body;
  } finally {
    await server.close({ timeout: 1000 });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** createServer (cleartext) answers Node's http2 client with a real ServerResponse. */
function createServerHttp2() {
  const http = require('node:http');
  const server = spdylay.createServer({ spdy: { plain: true } }, (req, res) => {
    res.end(`${req instanceof http.IncomingMessage && res instanceof http.ServerResponse}:${req.httpVersion}`);
  });
  return new Promise((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const client = http2.connect(`http://127.0.0.1:${server.address().port}`);
      client.on('error', reject);
      const req = client.request({ ':path': '/' });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        client.close();
        server.close();
        resolve(body);
      });
      req.end();
    });
  });
}

(async () => {
  const out = {
    node: process.versions.node,
    session: await sessionPair(),
    h2server: await h2ServerCurl(),
    spdyserver: await spdyServerUrlfetch(),
    createServer: await createServerHttp2(),
  };
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
