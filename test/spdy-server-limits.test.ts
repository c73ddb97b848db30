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

import type { LimitExceededInfo } from '../lib/limits.js';
import { PROTO_SPDY3 } from '../lib/spdylay/constants.js';
import { BaseSPDYRequestHandler, ThreadedSPDYServer, type ThreadedSPDYServerOptions } from '../lib/spdylay/spdy-server.js';
import { RawSpdyClient, fullBody } from './helpers/spdy-raw.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Handler extends BaseSPDYRequestHandler {
  do_GET(): void {
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/plain');
    this.wfile.end('ok');
  }

  /** Never reads the request body, answers after 5 s. */
  do_POST(): Promise<void> {
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
  const src = fs.readFileSync(path.join(__dirname, '..', 'deps', 'spdylay', 'lib', 'spdylay_zlib_dict.c'), 'latin1');
  const start = src.indexOf('spdylay_hd_dict_v3[');
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

describe('headersTimeout', () => {
  it('cleartext detection: a connection that sends nothing is closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const a = new Attacker(port);
    const t0 = Date.now();
    await a.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events).toEqual([expect.objectContaining({ limit: 'headersTimeout', scope: 'connection', action: 'close' })]);
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
    })]);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
  });
});

describe('maxSessionMemory', () => {
  it('request bodies held for handlers that do not read them: GOAWAY PROTOCOL_ERROR past the budget', async () => {
    // the C session estimate is 320 KiB + 2 x maxHeaderListSize (8 KiB): 10 x 64 KiB of held bodies pass 800 KiB
    const { port, events } = await start({ maxSessionMemory: 800 * 1024, maxHeaderListSize: 4096 });
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
});
