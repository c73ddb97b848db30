// ThreadedSPDYServer's limits (issue 9): option validation, the flood caps
// of the SPDY session reported through 'limitExceeded', header-block limits
// (zlib bombs), headersTimeout on SPDY, detection and HTTP/1.1, the memory
// budget per connection. Small and bounded, on 127.0.0.1; the full attack
// suite is test/hardening-*.test.ts.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { afterEach, describe, expect, it } from 'vitest';

import type { LimitExceededInfo } from '../../../lib/limits.js';
import { PROTO_SPDY2, PROTO_SPDY3 } from '../../../lib/spdylay/constants.js';
import { BaseSPDYRequestHandler } from '../../../lib/spdylay/server/handler.js';
import type { ThreadedSPDYServerOptions } from '../../../lib/spdylay/server/options.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { SPDYConnection } from '../../../lib/spdylay/server/spdy.js';
import { testCert } from '../../helpers/certs.js';
import { RawSpdyClient, fullBody } from '../../helpers/spdy-raw.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bytes the /stream handler got accepted by wfile (it honours write()'s back-pressure). */
let streamed = 0;

class Handler extends BaseSPDYRequestHandler {
  do_GET(): void | Promise<void> {
    if (this.path === '/stream') return this.stream();
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/plain');
    this.wfile.end('ok');
  }

  /** Up to 256 MiB in 1 MiB chunks, waiting for 'drain' whenever write() says so. */
  async stream(): Promise<void> {
    this.sendResponse(200);
    const w = this.wfile;
    const chunk = Buffer.alloc(1 << 20, 0x63);
    for (let i = 0; i < 256 && !this.closed; i++) {
      streamed += chunk.length;
      if (!w.write(chunk)) await new Promise<void>((r) => { w.once('drain', () => r()); w.once('close', () => r()); });
    }
    w.end();
  }

  /** /echo: answers the body's length; else never reads the request body, answers after 5 s. */
  do_POST(): Promise<void> {
    if (this.path === '/echo' || this.path === '/late-echo') {
      const delay = this.path === '/late-echo' ? 500 : 0;
      return new Promise((r) => setTimeout(r, delay)).then(() => this.readBody()).then((b) => {
        this.sendResponse(200);
        this.wfile.end(String(b.length));
      });
    }
    return new Promise<void>((r) => setTimeout(() => {
      if (!this.closed) {
        this.sendResponse(200);
        this.wfile.end('late');
      }
      r();
    }, 5000));
  }
}

const servers: ThreadedSPDYServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close({ timeout: 1000 });
});

async function start(opts: ThreadedSPDYServerOptions = {}): Promise<{ srv: ThreadedSPDYServer; port: number; events: LimitExceededInfo[] }> {
  const srv = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true, ...opts });
  const events: LimitExceededInfo[] = [];
  srv.on('limitExceeded', (info: LimitExceededInfo) => events.push(info));
  servers.push(srv);
  const port = (await srv.start()).port;
  return { srv, port, events };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await wait(10);
  }
}

// ---- raw SPDY/3 frames, built and parsed by hand (the attacker's side)

/** The SPDY/3 header-block dictionary, from the C library's table. */
const DICT_V3 = ((): Buffer => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'deps', 'spdylay', 'lib', 'spdylay_hdcomp_dict.c'), 'latin1');
  const start = src.indexOf('spdylay_spdy3_dictionary[');
  const body = src.slice(src.indexOf('{', start) + 1, src.indexOf('};', start));
  return Buffer.from((body.match(/0x[0-9a-f]{2}/gi) ?? []).map((h) => parseInt(h, 16)));
})();

function ctrl(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

/** Uncompressed SPDY/3 header block. */
function headerBlock(nv: [string, string | Buffer][]): Buffer {
  const parts: Buffer[] = [];
  const n = Buffer.alloc(4);
  n.writeUInt32BE(nv.length);
  parts.push(n);
  for (const [k, v] of nv) {
    for (const s of [Buffer.from(k), typeof v === 'string' ? Buffer.from(v) : v]) {
      const l = Buffer.alloc(4);
      l.writeUInt32BE(s.length);
      parts.push(l, s);
    }
  }
  return Buffer.concat(parts);
}

/** One client-side zlib stream (SPDY keeps one per direction): each block ends with a sync flush. */
class HeaderDeflater {
  readonly #z = zlib.createDeflate({ level: 9, dictionary: DICT_V3 });
  async block(raw: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    const onData = (d: Buffer): void => { out.push(d); };
    this.#z.on('data', onData);
    await new Promise<void>((resolve, reject) => {
      this.#z.write(raw, (err) => { if (err) reject(err); });
      this.#z.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
    });
    this.#z.off('data', onData);
    return Buffer.concat(out);
  }
}

async function synStream(z: HeaderDeflater, streamId: number, nv: [string, string | Buffer][], fin = true): Promise<Buffer> {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId, 0);
  return ctrl(1, fin ? 1 : 0, Buffer.concat([fixed, await z.block(headerBlock(nv))]));
}

const GET = (p: string): [string, string][] =>
  [[':method', 'GET'], [':path', p], [':version', 'HTTP/1.1'], [':host', '127.0.0.1'], [':scheme', 'http']];

function connWindowUpdate(delta: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(0, 0);
  p.writeUInt32BE(delta, 4);
  return ctrl(9, 0, p);
}

function ping(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id);
  return ctrl(6, 0, p);
}

interface RawFrame { control: boolean; type: number; flags: number; streamId: number; status: number | null; length: number }

/** A raw socket that parses what the server sends into frame summaries (header blocks are not inflated). */
class Attacker {
  readonly socket: net.Socket;
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  #buf = Buffer.alloc(0);
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => {});
    this.closed = new Promise((r) => this.socket.once('close', () => { this.isClosed = true; r(); }));
    this.socket.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d;
      let b = this.#buf;
      while (b.length >= 8) {
        const len = b.readUIntBE(5, 3);
        if (b.length < 8 + len) break;
        const control = (b[0]! & 0x80) !== 0;
        const type = control ? b.readUInt16BE(2) : 0;
        const streamId = control ? (len >= 4 ? b.readUInt32BE(8) & 0x7fffffff : 0) : b.readUInt32BE(0) & 0x7fffffff;
        // RST_STREAM: stream id, status; GOAWAY (v3): last good id, status
        const status = control && (type === 3 || type === 7) && len >= 8 ? b.readUInt32BE(12) : null;
        this.frames.push({ control, type, flags: b[4]!, streamId, status, length: len });
        b = b.subarray(8 + len);
      }
      this.#buf = b;
    });
  }

  connect(): Promise<void> {
    return new Promise((r) => this.socket.once('connect', () => r()));
  }

  find(pred: (f: RawFrame) => boolean): RawFrame | undefined {
    return this.frames.find(pred);
  }
}

const RST_STREAM = 3;
const GOAWAY = 7;
const SYN_REPLY = 2;

// ---------------------------------------------------------------------------

describe('options', () => {
  it('validates every limit with a TypeError naming it', () => {
    const make = (o: ThreadedSPDYServerOptions) => () => new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true, ...o });
    expect(make({ maxHeaderListSize: 0 })).toThrow(/maxHeaderListSize/);
    expect(make({ maxSessionMemory: 1.5 })).toThrow(/maxSessionMemory/);
    expect(make({ maxOutboundAck: -1 })).toThrow(/maxOutboundAck/);
    expect(make({ maxEmptyFrames: 2 ** 32 })).toThrow(/maxEmptyFrames/);
    expect(make({ streamResetRate: Number.NaN })).toThrow(/streamResetRate/);
    expect(make({ headersTimeout: -1 })).toThrow(/headersTimeout/);
    expect(make({ idleTimeout: Infinity })).toThrow(/idleTimeout/);
    expect(make({ headersTimeout: '5' as unknown as number })).toThrow(TypeError);
    expect(make({ headersTimeout: 0, idleTimeout: 0, maxHeaderListSize: 1 })).not.toThrow();
  });
});

describe('SPDY header-block limits', () => {
  it('a header block past maxHeaderListSize gets RST_STREAM FRAME_TOO_LARGE; the connection serves the next request', async () => {
    const { port, events } = await start();
    const a = new Attacker(port);
    await a.connect();
    const z = new HeaderDeflater();
    // 512 KiB of header value: past the 64 KiB limit, under the 1 MiB inflate cap
    const big = await synStream(z, 1, [...GET('/'), ['x-big', Buffer.alloc(512 * 1024, 0x61)]]);
    expect(big.length).toBeLessThan(8192);
    a.socket.write(Buffer.concat([connWindowUpdate(65536), big, await synStream(z, 3, GET('/'))]));
    await until(() => a.frames.some((f) => !f.control && f.streamId === 3 && (f.flags & 1) !== 0), 5000, 'the response to stream 3');
    expect(a.find((f) => f.type === RST_STREAM && f.streamId === 1)?.status).toBe(11);
    expect(a.find((f) => f.type === SYN_REPLY && f.streamId === 3)).toBeDefined();
    expect(a.find((f) => f.type === GOAWAY)).toBeUndefined();
    expect(events).toEqual([expect.objectContaining({
      limit: 'maxHeaderListSize', scope: 'stream', protocol: 'spdy/3.1', streamId: 1, action: 'RST_STREAM', code: 11,
    })]);
    a.socket.destroy();
  });
});

describe('SPDY zlib bomb', () => {
  it('a 16 MiB header value compressed into ~16 KiB ends the connection with GOAWAY PROTOCOL_ERROR; other clients are served', async () => {
    const { port, events } = await start();
    const a = new Attacker(port);
    await a.connect();
    const z = new HeaderDeflater();
    const bomb = await synStream(z, 1, [...GET('/'), ['x-bomb', Buffer.alloc(16 * 1024 * 1024, 0x61)]]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const heap0 = process.memoryUsage();
    a.socket.write(Buffer.concat([connWindowUpdate(65536), bomb]));
    const c = new RawSpdyClient(port, PROTO_SPDY3);
    const st = c.request('GET', '/');
    await a.closed;
    expect(a.find((f) => f.type === GOAWAY)?.status).toBe(1);
    expect(events).toEqual([expect.objectContaining({
      limit: 'maxHeaderListSize', scope: 'connection', protocol: 'spdy/3.1', action: 'GOAWAY', code: 1,
    })]);
    expect(await st.closed).toBe(0);
    expect(Buffer.concat(st.chunks).toString()).toBe('ok');
    const heap1 = process.memoryUsage();
    // nothing near the 16 MiB was kept (generous margin)
    expect(heap1.heapUsed + heap1.external - heap0.heapUsed - heap0.external).toBeLessThan(12 * 1024 * 1024);
    c.socket.destroy();
  });
});

describe('SPDY flood limits', () => {
  it('PING flood by a client that never reads: GOAWAY PROTOCOL_ERROR past maxOutboundAck, a concurrent client is served', async () => {
    const { port, events } = await start({ maxOutboundAck: 100 });
    const a = new Attacker(port);
    await a.connect();
    a.socket.pause(); // never reads
    a.socket.write(connWindowUpdate(65536));
    await wait(100); // detection done: each batch below is (mostly) one read of the session
    // PING replies fill the kernel buffers, then 64 KiB of socket output, then the session's queue
    // batches under the limit: it is the replies the client does not read that pile up
    let nextId = 1;
    const batch = (): Buffer => Buffer.concat(Array.from({ length: 64 }, () => ping((nextId += 2) & 0x7fffffff)));
    const legit = (async () => {
      const c = new RawSpdyClient(port, PROTO_SPDY3);
      const st = c.request('GET', '/');
      const status = await st.closed;
      c.socket.destroy();
      return [status, Buffer.concat(st.chunks).toString()] as const;
    })();
    const t0 = Date.now();
    let sent = 0;
    while (events.length === 0 && !a.isClosed && Date.now() - t0 < 30_000 && sent < 96 * 1024 * 1024) {
      const pings = batch();
      if (!a.socket.write(pings)) await new Promise<void>((r) => { a.socket.once('drain', () => r()); a.socket.once('close', () => r()); });
      else await new Promise<void>((r) => setImmediate(r));
      sent += pings.length;
    }
    await until(() => events.length > 0, 5000, 'the limit event');
    expect(events).toEqual([expect.objectContaining({
      limit: 'maxOutboundAck', scope: 'connection', protocol: 'spdy/3.1', action: 'GOAWAY', code: 1,
    })]);
    // the attacker reads now: PING replies, then the GOAWAY, then the close (at most a 3 s linger)
    a.socket.resume();
    await a.closed;
    expect(a.find((f) => f.type === GOAWAY)?.status).toBe(1);
    expect(await legit).toEqual([0, 'ok']);
  }, 60_000);

  it('empty DATA frames past maxEmptyFrames: GOAWAY PROTOCOL_ERROR, event maxEmptyFrames', async () => {
    const { port, events } = await start({ maxEmptyFrames: 50 });
    const a = new Attacker(port);
    await a.connect();
    const z = new HeaderDeflater();
    const empty = Buffer.alloc(8);
    empty.writeUInt32BE(1, 0); // DATA, stream 1, no flags, no payload
    a.socket.write(Buffer.concat([connWindowUpdate(65536),
      await synStream(z, 1, [[':method', 'POST'], ...GET('/').slice(1)], false),
      ...Array.from({ length: 60 }, () => empty)]));
    await a.closed;
    expect(a.find((f) => f.type === GOAWAY)?.status).toBe(1);
    expect(events).toEqual([expect.objectContaining({ limit: 'maxEmptyFrames', scope: 'connection', action: 'GOAWAY', code: 1 })]);
  });

  it('streams opened and reset by the client past the bucket: GOAWAY PROTOCOL_ERROR, event streamResetRate', async () => {
    const { port, events } = await start({ streamResetBurst: 20, streamResetRate: 1 });
    const a = new Attacker(port);
    await a.connect();
    const frames: Buffer[] = [connWindowUpdate(65536)];
    const z = new HeaderDeflater();
    for (let i = 0; i < 40; i++) {
      const sid = 2 * i + 1;
      frames.push(await synStream(z, sid, [[':method', 'POST'], ...GET('/').slice(1)], false));
      const rst = Buffer.alloc(8);
      rst.writeUInt32BE(sid, 0);
      rst.writeUInt32BE(5, 4); // CANCEL
      frames.push(ctrl(3, 0, rst));
    }
    a.socket.write(Buffer.concat(frames));
    await a.closed;
    expect(a.find((f) => f.type === GOAWAY)?.status).toBe(1);
    expect(events).toEqual([expect.objectContaining({ limit: 'streamResetRate', scope: 'connection', action: 'GOAWAY', code: 1 })]);
  });

  it('a client that reads its PING replies is not cut, however many it sends', async () => {
    const { port, events } = await start({ maxOutboundAck: 100 });
    const a = new Attacker(port);
    await a.connect();
    a.socket.write(connWindowUpdate(65536));
    const replies = (): number => a.frames.filter((f) => f.type === 6).length;
    for (let round = 1; round <= 100; round++) {
      // new IDs each time (the library takes a PING with the ID of the last one it sent as a reply)
      a.socket.write(Buffer.concat(Array.from({ length: 50 }, (_, i) => ping(2 * (round * 50 + i) + 1))));
      await until(() => replies() >= 50 * round, 5000, `PING replies of round ${round}`);
    }
    expect(events).toEqual([]);
    expect(a.isClosed).toBe(false);
    a.socket.destroy();
  });
});

describe('headersTimeout', () => {
  it('SPDY: half a SYN_STREAM, then nothing: GOAWAY OK and close', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const a = new Attacker(port);
    await a.connect();
    const z = new HeaderDeflater();
    const syn = await synStream(z, 1, GET('/'));
    a.socket.write(Buffer.concat([connWindowUpdate(65536), syn.subarray(0, syn.length >> 1)]));
    const t0 = Date.now();
    await a.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(a.find((f) => f.type === GOAWAY)?.status).toBe(0);
    expect(events).toEqual([expect.objectContaining({
      limit: 'headersTimeout', scope: 'connection', protocol: 'spdy/3.1', action: 'GOAWAY', code: 0,
    })]);
  });

  it('SPDY: a SYN_STREAM trickled byte by byte does not restart the timer', async () => {
    const { port, events } = await start({ headersTimeout: 400 });
    const a = new Attacker(port);
    await a.connect();
    const z = new HeaderDeflater();
    const syn = await synStream(z, 1, GET('/'));
    a.socket.write(connWindowUpdate(65536));
    const t0 = Date.now();
    for (let i = 0; i < syn.length - 1 && !a.isClosed && Date.now() - t0 < 5000; i++) {
      a.socket.write(syn.subarray(i, i + 1));
      await wait(50);
    }
    await a.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events.map((e) => e.limit)).toEqual(['headersTimeout']);
  });

  it('cleartext detection: a connection that sends nothing is closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const a = new Attacker(port);
    const t0 = Date.now();
    await a.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events).toEqual([expect.objectContaining({
      limit: 'headersTimeout', scope: 'connection', action: 'close', clientAddress: ['127.0.0.1', expect.any(Number)],
    })]);
  });

  it('HTTP/1.1: a request head that stalls gets 408', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.write('GET / HTTP/1.1\r\nhost: x\r\n');
    const t0 = Date.now();
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    expect(events).toEqual([expect.objectContaining({
      limit: 'headersTimeout', scope: 'connection', protocol: 'http/1.1', action: '408', code: 408,
    })]);
  });
});

describe('HTTP/1.1', () => {
  it('keep-alive: a connection serves request after request (a finished request is not destroyed)', async () => {
    const { port } = await start();
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    let closed = false;
    s.on('close', () => { closed = true; });
    for (let i = 1; i <= 3; i++) {
      s.write(`GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`);
      await until(() => (got.match(/HTTP\/1\.1 200 /g) ?? []).length === i || closed, 5000, `response ${i}`);
      expect(closed).toBe(false);
    }
    s.destroy();
  });

  it('a request head past maxHeaderListSize gets 431; a next client is served', async () => {
    const { port, events } = await start({ maxHeaderListSize: 4096 });
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.write(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(8192)}\r\n\r\n`);
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(got).toMatch(/^HTTP\/1\.1 431 /);
    expect(events).toEqual([expect.objectContaining({
      limit: 'maxHeaderListSize', scope: 'connection', protocol: 'http/1.1', action: '431', code: 431,
      clientAddress: ['127.0.0.1', expect.any(Number)],
    })]);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
  });
});

describe('maxSessionMemory', () => {
  it('request bodies held for handlers that do not read them: GOAWAY PROTOCOL_ERROR past the budget', async () => {
    // the C session estimate is 320 KiB: 10 x 64 KiB of held bodies pass 800 KiB
    const { port, events } = await start({ maxSessionMemory: 800 * 1024 });
    const c = new RawSpdyClient(port, PROTO_SPDY3);
    for (let i = 0; i < 10; i++) c.request('POST', '/up', fullBody(1 << 20));
    await c.ended;
    expect(c.goaway).toBeDefined();
    expect(events).toEqual([expect.objectContaining({
      limit: 'maxSessionMemory', scope: 'connection', protocol: 'spdy/3', action: 'GOAWAY', code: 1,
    })]);
    // another connection is served
    const d = new RawSpdyClient(port, PROTO_SPDY3);
    const st = d.request('GET', '/');
    expect(await st.closed).toBe(0);
    expect(Buffer.concat(st.chunks).toString()).toBe('ok');
    d.socket.destroy();
  });

  it('SPDY/2 (no flow control): a body the handler reads late is held back by pausing the connection', async () => {
    const { srv, port, events } = await start();
    const conns: SPDYConnection[] = [];
    srv.on('connection', (c: unknown) => { if (c instanceof SPDYConnection) conns.push(c); });
    const c = new RawSpdyClient(port, PROTO_SPDY2);
    const st = c.request('POST', '/late-echo', fullBody(8 << 20));
    await wait(300); // the handler waits 500 ms before reading
    expect(conns).toHaveLength(1);
    expect(conns[0]!.memoryUsage).toBeLessThan(1 << 20);
    expect(await st.closed).toBe(0);
    expect(Buffer.concat(st.chunks).toString()).toBe(String(8 << 20));
    expect(events).toEqual([]);
    c.socket.destroy();
  }, 20_000);

  it('default budget: 100 concurrent uploads on one SPDY/3 connection are all served', async () => {
    const { port, events } = await start();
    const c = new RawSpdyClient(port, PROTO_SPDY3);
    const streams = Array.from({ length: 100 }, () => c.request('POST', '/echo', fullBody(256 * 1024)));
    const statuses = await Promise.all(streams.map((st) => st.closed));
    expect(statuses.every((x) => x === 0)).toBe(true);
    expect(streams.map((st) => Buffer.concat(st.chunks).toString())).toEqual(Array(100).fill(String(256 * 1024)));
    expect(events).toEqual([]);
    c.socket.destroy();
  }, 30_000);
});

describe('h2 path', () => {
  it('passes the limits to the inner HTTP2Server and re-emits its events', async () => {
    const { port, events, srv } = await start({ maxHeaderListSize: 4096 });
    const conns: unknown[] = [];
    srv.on('limitExceeded', (_info: LimitExceededInfo, conn: unknown) => conns.push(conn));
    const http2 = await import('node:http2');
    const client = http2.connect(`http://127.0.0.1:${port}`);
    client.on('error', () => {});
    try {
      const code = await new Promise<number>((resolve) => {
        const req = client.request({ ':path': '/', 'x-big': 'a'.repeat(8192) });
        req.on('error', () => {});
        req.on('close', () => resolve(req.rstCode));
        req.resume();
      });
      expect(code).toBe(11); // ENHANCE_YOUR_CALM
      expect(events).toEqual([expect.objectContaining({
        limit: 'maxHeaderListSize', scope: 'stream', protocol: 'h2', action: 'RST_STREAM', code: 11,
      })]);
      expect(conns[0]).toBeTruthy();
      // the connection goes on
      const body = await new Promise<string>((resolve, reject) => {
        const req = client.request({ ':path': '/' });
        let s = '';
        req.setEncoding('utf8');
        req.on('data', (d: string) => { s += d; });
        req.on('end', () => resolve(s));
        req.on('error', reject);
      });
      expect(body).toBe('ok');
    } finally {
      client.destroy();
    }
  });

  it('h2c after detection: half a HEADERS frame is ended by the inner server\'s headersTimeout', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    const head = Buffer.from([0, 0, 100, 1, 4, 0, 0, 0, 1]); // HEADERS, 100 bytes announced, END_HEADERS, stream 1
    s.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), head,
      Buffer.alloc(10)]));
    s.resume();
    const t0 = Date.now();
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events).toEqual([expect.objectContaining({ limit: 'headersTimeout', scope: 'connection', protocol: 'h2' })]);
  });
});

describe('response back-pressure', () => {
  it('SPDY/2 (no flow control), a client that does not read: the handler is held back, the connection holds little', async () => {
    const { srv, port } = await start();
    const conns: SPDYConnection[] = [];
    srv.on('connection', (c: unknown) => { if (c instanceof SPDYConnection) conns.push(c); });
    streamed = 0;
    const c = new RawSpdyClient(port, PROTO_SPDY2);
    let got = 0;
    c.onData = (_sid, d) => {
      got += d.length;
      if (got >= 1 << 20) c.socket.pause(); // reads 1 MiB, then stops reading
    };
    c.request('GET', '/stream');
    await until(() => got >= 1 << 20, 10_000, 'the first MiB');
    // let it run against the full socket
    let last = -1;
    for (let i = 0; i < 40 && streamed !== last; i++) {
      last = streamed;
      await wait(100);
    }
    expect(streamed).toBe(last); // stalled
    // kernel buffers of both ends + 64 KiB socket high water + the wfile/queue high-water marks (generous)
    expect(streamed).toBeLessThan(96 * 1024 * 1024);
    expect(conns).toHaveLength(1);
    expect(conns[0]!.memoryUsage).toBeLessThan(2 * 1024 * 1024);
    c.socket.destroy();
  }, 20_000);
});

describe('TLS', () => {
  it('a TLS handshake that never comes is closed after headersTimeout', async () => {
    const cert = await testCert();
    const srv = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { key: cert.key, cert: cert.cert, headersTimeout: 300 });
    servers.push(srv);
    const events: LimitExceededInfo[] = [];
    srv.on('limitExceeded', (info: LimitExceededInfo) => events.push(info));
    const port = (await srv.start()).port;
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    const t0 = Date.now();
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events).toEqual([expect.objectContaining({
      limit: 'headersTimeout', scope: 'connection', action: 'close', clientAddress: ['127.0.0.1', expect.any(Number)],
    })]);
  });
});

describe('idleTimeout', () => {
  it('an idle SPDY connection gets GOAWAY OK and is reported', async () => {
    const { port, events } = await start({ idleTimeout: 300 });
    const c = new RawSpdyClient(port, PROTO_SPDY3);
    const st = c.request('GET', '/');
    expect(await st.closed).toBe(0);
    await c.ended;
    expect(c.goaway).toBeDefined();
    expect(events).toEqual([expect.objectContaining({
      limit: 'idleTimeout', scope: 'connection', protocol: 'spdy/3', action: 'GOAWAY', code: 0,
    })]);
  });
});
