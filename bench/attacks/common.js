// What the attack clients of bench/attacks (h2.js, spdy.js) share:
// - RawConn, the raw TCP connection an attack drives: connects to
//   127.0.0.1, writes with back-pressure, and records how the server ended
//   the connection (GOAWAY code, RST_STREAM codes, socket close); a subclass
//   reads its protocol's frames (_parse) and names its codes (goawayName,
//   rstName);
// - the drivers of the flood rows, the stalled-request rows and the
//   connection-churn rows;
// - the report helpers (until, tally, fmtN).
'use strict';
const net = require('node:net');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class RawConn {
  /** Connects to 127.0.0.1:`port`; with `read` false the socket starts paused. */
  constructor(port, read) {
    this.goaway = null;
    this.rst = new Map();
    this.closed = false;
    this.error = null;
    this.reading = read;
    this._buf = Buffer.alloc(0);
    this._skip = 0; // DATA payload bytes still to skip
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setNoDelay(true);
    this.connected = new Promise((resolve) => {
      this.sock.once('connect', resolve);
      this.sock.once('close', resolve);
    });
    this.sock.on('error', (e) => { this.error ??= e.code || String(e); });
    this.sock.on('close', () => { this.closed = true; });
    this.onFrames = null; // called after each chunk read is parsed
    this.sock.on('data', (d) => {
      this._parse(d);
      if (this.onFrames) this.onFrames();
    });
    if (!read) this.sock.pause();
  }
  resume() {
    this.reading = true;
    this.sock.resume();
  }
  /** Records a RST_STREAM with `code`. */
  _countRst(code) { this.rst.set(code, (this.rst.get(code) || 0) + 1); }
  /** Writes with back-pressure; resolves false once the socket is gone. */
  write(b) {
    if (this.sock.destroyed || this.closed) return Promise.resolve(false);
    if (this.sock.write(b)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v) => { this.sock.off('drain', onDrain); this.sock.off('close', onClose); resolve(v); };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.sock.on('drain', onDrain);
      this.sock.on('close', onClose);
    });
  }
  /** As write(), but gives up (false) at `deadline` (ms since epoch) when the server stopped reading. */
  writeBy(b, deadline) {
    let t;
    return Promise.race([this.write(b), new Promise((r) => { t = setTimeout(() => r(false), Math.max(0, deadline - Date.now())); })])
      .finally(() => clearTimeout(t));
  }
  /** Resumes a paused reader for up to `ms` to see what the server queued (GOAWAY?). */
  async drainScan(ms) {
    if (!this.reading) this.resume();
    const t0 = Date.now();
    while (Date.now() - t0 < ms && !this.closed && this.goaway === null) await sleep(20);
  }
  /** One word for how the server ended this connection. */
  outcome() {
    const parts = [];
    if (this.goaway !== null) parts.push(`GOAWAY ${this.goawayName(this.goaway)}`);
    else if (this.rst.size) parts.push([...this.rst.keys()].map((c) => `RST_STREAM ${this.rstName(c)}`).join('+'));
    if (this.goaway === null) {
      if (this.closed) parts.push(this.error ? `socket closed (${this.error})` : 'socket closed');
      else parts.push(this.rst.size ? 'conn open' : 'still open');
    }
    return parts.join(', ');
  }
  destroy() { this.sock.destroy(); }
}

async function until(pred, deadline, step = 20) {
  while (!pred() && Date.now() < deadline) await sleep(step);
  return pred();
}
/** "3× A, 1× B" from a list of outcome strings. */
function tally(list) {
  const m = new Map();
  for (const s of list) m.set(s, (m.get(s) || 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).map(([s, n]) => (list.length > 1 ? `${n}× ${s}` : s)).join('; ');
}
const fmtN = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : String(n));

/**
 * Writes `frameBuf` (`perBatch` frames) to `c` until `count` frames went
 * out, the server ended the connection, or the row's time is up (6 s with
 * ctx.q, else 15 s, and never past ctx.deadline - 2.5 s). Returns how many
 * frames were sent.
 */
async function flood(c, frameBuf, perBatch, count, ctx) {
  let sent = 0;
  const stopAt = Math.min(ctx.deadline - 2500, Date.now() + (ctx.q ? 6000 : 15000));
  while (sent < count && Date.now() < stopAt && !c.closed && c.goaway === null) {
    if (!(await c.writeBy(frameBuf, stopAt))) break;
    sent += perBatch;
    if ((sent / perBatch) % 64 === 0) await new Promise(setImmediate); // let reads in
  }
  return sent;
}

/**
 * A flood row on one connection: flood(), then up to 1.5 s for the server
 * to end the connection; `ended` says how, after how many `what` were sent.
 */
async function floodRow(c, frameBuf, perBatch, count, ctx, what) {
  const sent = await flood(c, frameBuf, perBatch, count, ctx);
  await until(() => c.closed || c.goaway !== null, Date.now() + 1500);
  const r = { ended: `${c.outcome()} after ${fmtN(sent)} ${what}` };
  c.destroy();
  return r;
}

/**
 * A stalled-request row: writes `half` (an unfinished request) on every
 * connection of `cs`, then watches them until all are closed or
 * ctx.deadline - 1.5 s; `ended` tallies how they ended and when the last
 * one closed.
 */
async function stallRow(cs, half, ctx) {
  const t0 = Date.now();
  cs.forEach((c) => {
    c.sock.write(half);
    c.sock.once('close', () => { c.closedAfter = Date.now() - t0; });
  });
  await until(() => cs.every((c) => c.closed), ctx.deadline - 1500, 100);
  const closed = cs.filter((c) => c.closed);
  const secs = closed.length ? ` after ${(Math.max(...closed.map((c) => c.closedAfter)) / 1000).toFixed(0)} s` : '';
  const stall = ((Date.now() - t0) / 1000).toFixed(0);
  const r = { ended: closed.length ? `${tally(cs.map((c) => c.outcome()))}${secs}` : `0/${cs.length} closed in ${stall} s` };
  cs.forEach((c) => c.destroy());
  return r;
}

/** What each connection of a churn row does, by connection number modulo 4. */
const CHURN_KINDS = ['read', 'unread', 'read', 'cut'];

/**
 * A connection-churn row: `par` connections at a time (ctx.q: 100, else
 * 200), each opened as soon as the one before it in its slot is closed,
 * until `count` were opened (ctx.q: 5,000, else 20,000) or the time is up
 * (6 s with ctx.q, else 15 s, and never past ctx.deadline - 2.5 s).
 * Connection i does CHURN_KINDS[i % 4]: 'read' writes a whole request, reads
 * the response to its end (up to 5 s) and closes; 'unread' writes a whole
 * request and closes once it is written, never reading; 'cut' writes half a
 * request and closes. `open(kind)` returns { c, wire }: a new connection of
 * the protocol file (a RawConn with ends, the count of streams the server
 * ended) and what to write on it. `ended` counts the connections that did
 * what their kind says (completed), their rate, and tallies the others by
 * how the server ended them.
 */
async function churnRow(open, ctx) {
  const count = ctx.q ? 5000 : 20000;
  const par = ctx.q ? 100 : 200;
  const t0 = Date.now();
  const stopAt = Math.min(ctx.deadline - 2500, t0 + (ctx.q ? 6000 : 15000));
  const waitBy = ctx.deadline - 1000;
  const done = { read: 0, unread: 0, cut: 0 };
  const others = [];
  let started = 0;
  const worker = async () => {
    while (started < count && Date.now() < stopAt) {
      const kind = CHURN_KINDS[started++ % 4];
      const { c, wire } = open(kind);
      await c.connected;
      if (c.closed) {
        others.push(`${kind}: no connection (${c.error ?? 'closed'})`);
        continue;
      }
      if (kind === 'read') {
        c.sock.write(wire);
        await new Promise((resolve) => {
          const t = setTimeout(resolve, Math.max(0, Math.min(waitBy, Date.now() + 5000) - Date.now()));
          const end = () => { clearTimeout(t); resolve(); };
          c.onFrames = () => { if (c.ends > 0 || c.goaway !== null || c.rst.size > 0) end(); };
          c.sock.once('close', end);
        });
        if (c.ends > 0 && !c.rst.size && c.goaway === null) done.read++;
        else others.push(`read: ${c.outcome()}`);
      } else {
        const written = await new Promise((resolve) => c.sock.write(wire, (err) => resolve(!err)));
        if (written) done[kind]++;
        else others.push(`${kind}: ${c.outcome()}`);
      }
      c.destroy();
    }
  };
  await Promise.all(Array.from({ length: par }, worker));
  const secs = (Date.now() - t0) / 1000;
  const n = done.read + done.unread + done.cut;
  const rest = others.length ? `; not completed: ${tally(others)}` : '';
  return {
    ended: `${n}/${started} conns completed in ${secs.toFixed(1)} s (${Math.round(n / secs)}/s: ` +
      `${done.read} read the answer, ${done.unread} closed unread, ${done.cut} cut mid-request)${rest}`,
  };
}

module.exports = { RawConn, sleep, until, tally, fmtN, flood, floodRow, stallRow, churnRow };
