// RawConn: the raw TCP connection an attack client of bench/attacks drives
// (h2.js, spdy.js): connects to 127.0.0.1, writes with back-pressure, and
// records how the server ended the connection (GOAWAY code, RST_STREAM
// codes, socket close). A subclass reads its protocol's frames (_parse) and
// names its codes (goawayName, rstName).
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
    this.sock.on('data', (d) => this._parse(d));
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

module.exports = { RawConn, sleep };
