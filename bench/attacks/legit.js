// The legitimate client of the attack bench, in its own process (so the
// attacker's work does not skew its latencies):
//   fork('legit.js', ['h2'|'spdy', port, intervalMs])
// Sends GET / every `intervalMs` on one connection (Node's http2 client for
// h2c; our SPDY/3.1 client `Session` for SPDY), at most 50 in flight,
// reconnecting when the connection dies. On the IPC message 'stop' it replies
// with { ok, failed, pending, p50, max } (ms; requests still pending count
// with their age in `max`) and exits. Also answers { probe: true } with
// { probe: 'ok' | error } after one request on a fresh connection.
'use strict';
const net = require('node:net');
const path = require('node:path');
const http2 = require('node:http2');

const [proto, portArg, intervalArg] = process.argv.slice(2);
const port = Number(portArg);
const INTERVAL = Number(intervalArg || 15);
const REQ_TIMEOUT = 10_000;
const MAX_IN_FLIGHT = 50;

const lat = [];
let failed = 0;
const inFlight = new Set(); // start times (objects)

function h2Client() {
  let session = null;
  const connect = () => {
    session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    const s = session;
    s.on('close', () => { if (session === s) session = null; });
    return s;
  };
  return {
    request(done) {
      const s = session && !session.destroyed && !session.closed ? session : connect();
      let req;
      try {
        req = s.request({ ':path': '/' });
      } catch {
        session = null;
        return done(false);
      }
      let finished = false;
      const fin = (ok) => { if (!finished) { finished = true; done(ok); } };
      req.setTimeout(REQ_TIMEOUT, () => { req.close(http2.constants.NGHTTP2_CANCEL); fin(false); });
      let status = 0;
      req.on('response', (h) => { status = h[':status']; });
      req.on('data', () => {});
      req.on('end', () => fin(status === 200));
      req.on('error', () => fin(false));
      req.on('close', () => fin(status === 200));
    },
    close() { if (session) session.destroy(); },
  };
}

function spdyClient() {
  const sp = require(path.join(__dirname, '..', '..', 'dist', 'spdylay', 'index.js'));
  let conn = null;
  const connect = () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const waiting = []; // callbacks in submit order, matched to SYN_STREAMs as they are sent
    const byStream = new Map();
    const c = { socket, waiting, byStream, dead: false };
    const fail = () => {
      if (c.dead) return;
      c.dead = true;
      if (conn === c) conn = null;
      for (const cb of waiting) cb(false);
      for (const { cb } of byStream.values()) cb(false);
      waiting.length = 0;
      byStream.clear();
      socket.destroy();
    };
    const session = new sp.Session(sp.CLIENT, sp.PROTO_SPDY3_1, {
      sendCb: (_s, data) => { if (!socket.destroyed) socket.write(Buffer.from(data)); return data.length; },
      onCtrlSendCb: (_s, frame) => {
        if (frame.frameType === sp.SYN_STREAM) {
          const cb = waiting.shift();
          if (cb) byStream.set(frame.streamId, { cb, ok: false });
        }
      },
      onCtrlRecvCb: (_s, frame) => {
        if (frame.frameType === sp.SYN_REPLY) {
          const e = byStream.get(frame.streamId);
          if (e) e.ok = frame.nv.some(([k, v]) => k === ':status' && String(v).startsWith('200'));
        } else if (frame.frameType === sp.GOAWAY) {
          c.goaway = true;
        }
      },
      onStreamCloseCb: (_s, sid, status) => {
        const e = byStream.get(sid);
        if (!e) return;
        byStream.delete(sid);
        e.cb(status === 0 && e.ok);
      },
    });
    c.session = session;
    const pump = () => {
      try {
        session.send();
      } catch {
        fail();
      }
    };
    c.pump = pump;
    socket.on('data', (d) => {
      try {
        session.recv(d);
        session.send();
      } catch {
        fail();
      }
    });
    socket.on('error', fail);
    socket.on('close', fail);
    // SPDY/3.1 signature (a connection-level WINDOW_UPDATE) so that a
    // cleartext server that sniffs the version picks 3.1.
    session.submitWindowUpdate(0, 1 << 20);
    pump();
    return c;
  };
  const nv = [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', `127.0.0.1:${port}`],
    [':scheme', 'http'], ['user-agent', 'attack-bench-legit']];
  return {
    request(done) {
      const c = conn && !conn.dead && !conn.goaway ? conn : (conn = connect());
      let finished = false;
      const fin = (ok) => { if (!finished) { finished = true; clearTimeout(t); done(ok); } };
      const t = setTimeout(() => fin(false), REQ_TIMEOUT);
      c.waiting.push(fin);
      try {
        c.session.submitRequest(3, nv);
      } catch {
        c.waiting.pop();
        return fin(false);
      }
      c.pump();
    },
    close() { if (conn) conn.socket.destroy(); },
  };
}

const make = proto === 'spdy' ? spdyClient : h2Client;
const client = make();

function one(cl, cb) {
  const entry = { t0: performance.now() };
  inFlight.add(entry);
  cl.request((ok) => {
    if (!inFlight.delete(entry)) return;
    const ms = performance.now() - entry.t0;
    if (ok) lat.push(ms);
    else failed++;
    if (cb) cb(ok, ms);
  });
}

const timer = setInterval(() => {
  if (inFlight.size < MAX_IN_FLIGHT) one(client);
}, INTERVAL);

process.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    const now = performance.now();
    let max = 0;
    for (const e of inFlight) max = Math.max(max, now - e.t0);
    const sorted = lat.slice().sort((a, b) => a - b);
    for (const v of sorted) max = Math.max(max, v);
    const p50 = sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
    const stats = { ok: sorted.length, failed, pending: inFlight.size, p50, max };
    inFlight.clear();
    client.close();
    process.send({ stats });
  } else if (msg && msg.probe) {
    const cl = make();
    let replied = false;
    const reply = (r) => {
      if (replied) return;
      replied = true;
      cl.close();
      process.send({ probe: r });
    };
    setTimeout(() => reply('timeout'), 5000);
    one(cl, (ok) => reply(ok ? 'ok' : 'failed'));
  } else if (msg === 'exit') {
    process.exit(0);
  }
});
process.send({ ready: true });
