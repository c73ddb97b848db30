#!/usr/bin/env node
// A SPDY/3.1 server Session and a client Session talking over TCP on
// 127.0.0.1, built on the low-level `spdylay` API (python-spdylay's Session
// with camelCase names). The client GETs "/", the server answers with a body
// from a DataProvider; both print the control frames they receive. Once the
// response is complete the client says GOAWAY and closes its socket when the
// GOAWAY was sent: onCtrlSendCb runs after sendCb has written the frame.
//
//   node examples/spdy-session.js       (after `npm run build`)
'use strict';
const net = require('node:net');
const {
  Session, DataProvider, CLIENT, SERVER, PROTO_SPDY3_1, READ_EOF, SYN_STREAM, SYN_REPLY, GOAWAY, GOAWAY_OK,
} = require('spdylay');

/** Wires a Session to a socket: bytes in -> recv(), send() -> bytes out. */
function pump(session, socket) {
  socket.on('data', (chunk) => {
    if (socket.writableEnded) return;
    session.recv(chunk);
    session.send();
    if (!session.wantRead() && !session.wantWrite()) socket.end();
  });
  session.send();
}

const server = net.createServer((socket) => {
  const session = new Session(SERVER, PROTO_SPDY3_1, {
    sendCb: (_s, data) => { socket.write(data); return data.length; },
    onCtrlRecvCb: (_s, frame) => {
      if (frame.frameType === SYN_STREAM) console.log('server got SYN_STREAM', frame.streamId, frame.nv);
    },
    onRequestRecvCb: (s, streamId) => {
      const body = Buffer.from('hello from a spdylay Session\n');
      const provider = new DataProvider({ body, pos: 0 }, (_s, _sid, length, readCtrl, src) => {
        const chunk = src.body.subarray(src.pos, src.pos + length);
        src.pos += chunk.length;
        if (src.pos === src.body.length) readCtrl.flags = READ_EOF;
        return chunk;
      });
      s.submitResponse(streamId, [[':status', '200 OK'], [':version', 'HTTP/1.1'],
        ['content-type', 'text/plain']], provider);
    },
  });
  pump(session, socket);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const socket = net.connect(port, '127.0.0.1', () => {
    const session = new Session(CLIENT, PROTO_SPDY3_1, {
      sendCb: (_s, data) => { socket.write(data); return data.length; },
      onCtrlRecvCb: (_s, frame) => {
        if (frame.frameType === SYN_REPLY) console.log('client got SYN_REPLY', frame.streamId, frame.nv);
      },
      onDataChunkRecvCb: (_s, _flags, _streamId, data) => process.stdout.write(`client got DATA: ${data}`),
      onStreamCloseCb: (s, streamId, statusCode) => {
        console.log(`client stream ${streamId} closed, status code ${statusCode}`);
        // Not socket.end() here: output coalesced in this send() or recv()
        // could still be on its way to sendCb. GOAWAY goes out on the next send().
        s.submitGoaway(GOAWAY_OK);
      },
      onCtrlSendCb: (_s, frame) => {
        if (frame.frameType !== GOAWAY) return;
        // sendCb has written the GOAWAY: the socket can close now
        console.log('client sent GOAWAY, closing');
        socket.end();
        server.close();
      },
    });
    session.submitRequest(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'],
      [':version', 'HTTP/1.1'], [':host', `127.0.0.1:${port}`]]);
    pump(session, socket);
  });
});
