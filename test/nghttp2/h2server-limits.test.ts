// HTTP2Server's resource limits (lib/limits.ts) at a small, bounded scale:
// the send budget for Buffer bodies, maxHeaderListSize while decoding, the
// flood limits of our own layer, headersTimeout, maxSessionMemory, option
// checks. Every server listens on 127.0.0.1.
import { createHash } from 'node:crypto';
import * as http2 from 'node:http2';
import type * as net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { DEFAULT_LIMITS, type LimitExceededInfo } from '../../lib/limits.js';
import { BaseRequestHandler, HTTP2Server, type HTTP2Connection } from '../../lib/nghttp2/index.js';
import {
  frame,
  FrameParser,
  FrameType,
  goawayCode,
  hpackIndexed,
  hpackLiteral,
  hpackRequest,
  pingFrame,
  PREFACE,
  RawClient,
  requestHeaders,
  rstStream,
  serverSettings,
  settingsFrame,
  windowUpdate,
} from '../helpers/h2raw.js';
import { closeAll, closeSession, connect, request, sleep, startServer } from '../helpers/h2server.js';

const NO_ERROR = 0;
const CANCEL = 8;
const ENHANCE_YOUR_CALM = 11;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

/** 64 MiB served as one shared Buffer (a pattern, so that loss or reordering shows). */
const BIG = Buffer.alloc(64 * 1024 * 1024);
for (let i = 0; i < BIG.length; i += 4) BIG.writeUInt32BE(i, i);
const BIG_SHA = createHash('sha256').update(BIG).digest('hex');

/** Promises of '/hold' onData calls, settled at the end of each test. */
const holds: (() => void)[] = [];
let headersSeen: string[] = [];

class Handler extends BaseRequestHandler {
  override onHeaders(): void {
    const path = String(this.path);
    headersSeen.push(path);
    if (path === '/big') this.sendResponse({ body: BIG });
    else if (path === '/' ) this.sendResponse({ body: 'ok' });
    else if (path === '/string') this.sendResponse({ body: 'x'.repeat(12 * 1024 * 1024) });
  }

  override onData(): void | Promise<void> {
    if (String(this.path) === '/hold') return new Promise<void>((resolve) => holds.push(resolve));
  }

  override onRequestDone(): void {
    const path = String(this.path);
    if (path === '/sink' || path === '/hold') this.sendResponse({ body: 'done' });
  }
}

afterEach(async () => {
  for (const r of holds.splice(0)) r();
  headersSeen = [];
  await closeAll();
});

async function start(options: Parameters<typeof startServer>[1] = {}) {
  const started = await startServer(Handler, options);
  const limits: LimitExceededInfo[] = [];
  started.server.on('limitExceeded', (info: LimitExceededInfo) => limits.push(info));
  return { ...started, limits };
}

/** A raw client past the connection preface (SETTINGS exchanged and acked). */
async function rawClient(port: number, settings: [number, number][] = []): Promise<RawClient> {
  const c = new RawClient(port);
  await c.connected;
  c.write(PREFACE, settingsFrame(settings));
  await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0);
  c.write(settingsFrame([], true));
  return c;
}

/** A GET '/' through Node's own http2 client: the legitimate client served alongside. */
async function legitRequest(url: string): Promise<void> {
  const session = await connect(url);
  try {
    const res = await request(session, '/');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok');
  } finally {
    await closeSession(session);
  }
}

function external(): number {
  const m = process.memoryUsage();
  return m.external + m.arrayBuffers + m.heapUsed;
}

describe('send budget (Buffer bodies)', () => {
  it('one send() never returns much more than its budget, and the bytes arrive whole and in order', async () => {
    const { server, url } = await start();
    let maxWrite = 0;
    server.on('connection', (conn: HTTP2Connection) => {
      const socket = conn.socket as net.Socket & { write: (...a: unknown[]) => boolean };
      const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
      socket.write = (chunk: unknown, ...rest: unknown[]) => {
        maxWrite = Math.max(maxWrite, (chunk as Buffer).length);
        return write(chunk, ...rest);
      };
    });
    // 1 GiB windows: only the output budget and the socket hold the server back.
    const session = http2.connect(url, { settings: { initialWindowSize: 2 ** 31 - 1 } });
    session.on('error', () => {});
    await new Promise<void>((resolve) => session.once('connect', () => resolve()));
    session.setLocalWindowSize(2 ** 30);
    const fetchHash = (): Promise<string> => new Promise((resolve, reject) => {
      const req = session.request({ ':path': '/big' });
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => resolve(hash.digest('hex')));
      req.on('error', reject);
    });
    const hashes = await Promise.all([fetchHash(), fetchHash()]);
    expect(hashes).toEqual([BIG_SHA, BIG_SHA]);
    // Done and idle: the connection keeps none of its peak buffers.
    await sleep(50);
    const conn = [...server.connections][0]!;
    expect(conn.memoryUsage).toBeLessThan(48 * 1024);
    // Budget 64 KiB + at most one DATA frame (16 KiB + 9) and small frames.
    expect(maxWrite).toBeGreaterThan(0);
    expect(maxWrite).toBeLessThanOrEqual(65536 + 16384 + 9 + 4096);
    await closeSession(session);
  });

  it('a client with open windows that does not read holds only what is in flight', async () => {
    const { server, port, url } = await start();
    const before = external();
    const c = new RawClient(port);
    await c.connected;
    c.write(PREFACE, settingsFrame([[4, 0x7fffffff]]), windowUpdate(0, 0x7fffffff - 65535));
    await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0);
    c.socket.pause();
    const reqs: Buffer[] = [settingsFrame([], true)];
    for (let i = 0; i < 8; ++i) reqs.push(requestHeaders(2 * i + 1, '/big'));
    c.write(...reqs);
    await sleep(1000);
    const conn = [...server.connections][0]!;
    expect(conn.socket.writableLength).toBeLessThanOrEqual(256 * 1024);
    expect(conn.memoryUsage).toBeLessThan(1024 * 1024);
    // 8 x 64 MiB would be 512 MiB: only socket buffers' worth was produced.
    expect(external() - before).toBeLessThan(64 * 1024 * 1024);
    await legitRequest(url);
    c.destroy();
  });
});

describe('application bodies', () => {
  it('are not counted against maxSessionMemory: a 12 MiB string body is served with the 10 MiB default', async () => {
    const { url, limits } = await start();
    const session = await connect(url);
    const res = await request(session, '/string');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(12 * 1024 * 1024);
    expect(limits).toEqual([]);
    await closeSession(session);
  });
});

describe('maxHeaderListSize', () => {
  it('announces SETTINGS_MAX_HEADER_LIST_SIZE', async () => {
    const { port } = await start({ maxHeaderListSize: 12345 });
    const { c, entries } = await serverSettings(port);
    expect(entries.get(6)).toBe(12345);
    c.destroy();
  });

  it('an HPACK bomb gets RST_STREAM ENHANCE_YOUR_CALM; the connection and other clients go on', async () => {
    const { port, url, limits } = await start();
    const before = external();
    const c = await rawClient(port);
    // Stream 1: a 4000-byte value added to the dynamic table (index 62).
    const block1 = Buffer.concat([hpackRequest('/'), hpackLiteral('x-bomb', 'a'.repeat(4000), true)]);
    // Stream 3: the entry indexed 16000 times (64 MB decoded) in one 16 KiB frame.
    const bomb = Buffer.alloc(16000, hpackIndexed(62)[0]);
    const block3 = Buffer.concat([hpackRequest('/'), bomb]);
    c.write(
      frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, block1),
      frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 3, block3),
    );
    const legit = legitRequest(url);
    const rst = await c.waitFor((f) => f.type === FrameType.RST_STREAM && f.streamId === 3);
    expect(rst.payload.readUInt32BE(0)).toBe(ENHANCE_YOUR_CALM);
    const d1 = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(d1.payload.toString()).toBe('ok');
    await legit;
    // The connection (and its HPACK state) is intact: stream 5 reuses the entry.
    c.write(frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 5, Buffer.concat([hpackRequest('/'), hpackIndexed(62)])));
    const d5 = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 5);
    expect(d5.payload.toString()).toBe('ok');
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
    // No handler saw stream 3.
    expect(headersSeen.filter((p) => p === '/')).toHaveLength(3);
    expect(limits).toEqual([{
      limit: 'maxHeaderListSize', scope: 'stream', protocol: 'h2', streamId: 3,
      clientAddress: expect.any(Array), action: 'RST_STREAM', code: ENHANCE_YOUR_CALM,
    }]);
    expect(external() - before).toBeLessThan(32 * 1024 * 1024);
    c.destroy();
  });
});

describe('flood limits', () => {
  it('empty DATA frames: GOAWAY ENHANCE_YOUR_CALM past maxEmptyFrames', async () => {
    const { port, url, limits } = await start({ maxEmptyFrames: 50 });
    const c = await rawClient(port);
    const frames = [requestHeaders(1, '/sink', false, 'POST')];
    for (let i = 0; i < 60; ++i) frames.push(frame(FrameType.DATA, 0, 1));
    c.write(...frames);
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    await c.closed;
    expect(limits.map((l) => [l.limit, l.scope, l.action, l.code])).toEqual([
      ['maxEmptyFrames', 'connection', 'GOAWAY', ENHANCE_YOUR_CALM],
    ]);
    await legitRequest(url);
  });

  it('DATA frames of padding only count as empty', async () => {
    const { port, limits } = await start({ maxEmptyFrames: 50 });
    const c = await rawClient(port);
    const frames = [requestHeaders(1, '/sink', false, 'POST')];
    // PADDED (0x8): pad length 4, no data, 4 bytes of padding.
    for (let i = 0; i < 60; ++i) frames.push(frame(FrameType.DATA, 0x8, 1, Buffer.from([4, 0, 0, 0, 0])));
    c.write(...frames);
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    await c.closed;
    expect(limits.map((l) => l.limit)).toEqual(['maxEmptyFrames']);
  });

  it('empty DATA frames between frames that deliver something are allowed', async () => {
    const { port, limits } = await start({ maxEmptyFrames: 50 });
    const c = await rawClient(port);
    const frames = [requestHeaders(1, '/sink', false, 'POST')];
    for (let round = 0; round < 3; ++round) {
      for (let i = 0; i < 40; ++i) frames.push(frame(FrameType.DATA, 0, 1));
      frames.push(round === 1 ? frame(FrameType.DATA, 0x8, 1, Buffer.from([2, 0x78, 0, 0]))
        : frame(FrameType.DATA, 0, 1, Buffer.from('x')));
    }
    frames.push(frame(FrameType.DATA, END_STREAM, 1));
    c.write(...frames);
    const d = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(d.payload.toString()).toBe('done');
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
    expect(limits).toEqual([]);
    c.destroy();
  });

  it('rapid reset: GOAWAY ENHANCE_YOUR_CALM once the token bucket is dry', async () => {
    const { port, url, limits } = await start({ streamResetBurst: 20, streamResetRate: 1 });
    const c = await rawClient(port);
    const frames: Buffer[] = [];
    for (let i = 0; i < 30; ++i) frames.push(requestHeaders(2 * i + 1, '/sink', false, 'POST'), rstStream(2 * i + 1, CANCEL));
    c.write(...frames);
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    await c.closed;
    expect(limits.map((l) => l.limit)).toEqual(['streamResetRate']);
    // The 21st reset and what followed were never processed.
    expect(headersSeen.length).toBeLessThanOrEqual(21);
    await legitRequest(url);
  });

  it('CONTINUATION: maxContinuations frames pass, one more ends the connection', async () => {
    const { port, limits } = await start({ maxContinuations: 8 });
    const block = hpackRequest('/');
    const split = (pieces: number, streamId: number): Buffer[] => {
      const size = Math.ceil(block.length / pieces);
      const out: Buffer[] = [];
      for (let i = 0; i < pieces; ++i) {
        const part = block.subarray(i * size, (i + 1) * size);
        const last = i === pieces - 1;
        out.push(frame(i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION,
          (i === 0 ? END_STREAM : 0) | (last ? END_HEADERS : 0), streamId, part));
      }
      return out;
    };
    const c = await rawClient(port);
    c.write(...split(9, 1)); // HEADERS + 8 CONTINUATION
    const d = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(d.payload.toString()).toBe('ok');
    c.write(...split(10, 3)); // HEADERS + 9 CONTINUATION
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    await c.closed;
    expect(limits.map((l) => l.limit)).toEqual(['maxContinuations']);
  });

  it('maxOutboundAck: nghttp2\'s flood detection reports under our limit name', async () => {
    const { port, url, limits } = await start({ maxOutboundAck: 10 });
    const c = await rawClient(port);
    const pings: Buffer[] = [];
    for (let i = 0; i < 100; ++i) pings.push(pingFrame());
    c.write(...pings);
    await c.closed;
    const g = c.frames.find((f) => f.type === FrameType.GOAWAY);
    expect(g && goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    expect(limits.map((l) => [l.limit, l.action])).toEqual([['maxOutboundAck', 'GOAWAY']]);
    await legitRequest(url);
  });
});

describe('headersTimeout', () => {
  it('half a HEADERS frame, then silence: GOAWAY(NO_ERROR) and close', async () => {
    const { port, url, limits } = await start({ headersTimeout: 300 });
    const c = await rawClient(port);
    // Complete requests leave no timer behind.
    c.write(requestHeaders(1, '/'));
    await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    await sleep(500);
    expect(c.isClosed).toBe(false);
    const h = requestHeaders(3, '/');
    c.write(h.subarray(0, 9 + 10));
    const t0 = Date.now();
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY, 3000);
    expect(goawayCode(g)).toBe(NO_ERROR);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await c.closed;
    expect(limits.map((l) => [l.limit, l.scope, l.action, l.code])).toEqual([
      ['headersTimeout', 'connection', 'GOAWAY', NO_ERROR],
    ]);
    await legitRequest(url);
  });

  it('a HEADERS frame awaiting its CONTINUATION, a partial frame head, half a preface: all closed', async () => {
    const { port, limits } = await start({ headersTimeout: 300 });
    const a = await rawClient(port);
    a.write(frame(FrameType.HEADERS, END_STREAM, 1, hpackRequest('/')));
    const b = await rawClient(port);
    b.write(requestHeaders(1, '/').subarray(0, 5));
    const p = new RawClient(port);
    await p.connected;
    p.write(PREFACE.subarray(0, 10));
    await Promise.all([a.closed, b.closed, p.closed]);
    expect(limits.map((l) => l.limit)).toEqual(['headersTimeout', 'headersTimeout', 'headersTimeout']);
  });
});

describe('maxSessionMemory', () => {
  it('request bodies held by handlers past the budget: GOAWAY ENHANCE_YOUR_CALM', async () => {
    const { server, port, url, limits } = await start({ maxSessionMemory: 256 * 1024 });
    const c = await rawClient(port);
    const conn = [...server.connections][0]!;
    expect(conn.memoryUsage).toBeGreaterThan(0);
    expect(conn.memoryUsage).toBeLessThan(128 * 1024);
    const frames: Buffer[] = [];
    const chunk = Buffer.alloc(16384, 0x62);
    for (let s = 1; s <= 15; s += 2) {
      frames.push(requestHeaders(s, '/hold', false, 'POST'));
      for (let i = 0; i < 3; ++i) frames.push(frame(FrameType.DATA, 0, s, chunk));
    }
    c.write(...frames);
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(ENHANCE_YOUR_CALM);
    await c.closed;
    expect(limits.map((l) => [l.limit, l.scope, l.action, l.code])).toEqual([
      ['maxSessionMemory', 'connection', 'GOAWAY', ENHANCE_YOUR_CALM],
    ]);
    await legitRequest(url);
  });
});

describe('native memory figure', () => {
  it('counts nghttp2\'s own allocations (open streams) through the session allocator', async () => {
    const { server, port } = await start();
    const c = await rawClient(port);
    const conn = [...server.connections][0]!;
    const m0 = conn.memoryUsage;
    const frames: Buffer[] = [];
    for (let s = 1; s <= 179; s += 2) frames.push(requestHeaders(s, '/sink', false, 'POST'));
    c.write(...frames);
    for (let i = 0; i < 100 && headersSeen.length < 90; ++i) await sleep(10);
    expect(headersSeen).toHaveLength(90);
    const m1 = conn.memoryUsage;
    expect(m1 - m0).toBeGreaterThan(90 * 64);
    c.write(...Array.from({ length: 90 }, (_, i) => frame(FrameType.DATA, END_STREAM, 2 * i + 1)));
    await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 179);
    c.destroy();
  });
});

describe('options', () => {
  it('defaults come from lib/limits.ts; a bad value is a TypeError naming the option', () => {
    const s = new HTTP2Server(['127.0.0.1', 0], Handler, null, { log: false });
    expect(s.limits).toEqual(DEFAULT_LIMITS);
    expect(s.limits.idleTimeout).toBe(120_000);
    for (const [name, value] of [
      ['maxHeaderListSize', 0], ['maxSessionMemory', -1], ['maxOutboundAck', 1.5], ['maxEmptyFrames', 'x'],
      ['streamResetBurst', NaN], ['streamResetRate', 0], ['maxContinuations', 2 ** 32],
      ['headersTimeout', -1], ['idleTimeout', Infinity],
    ] as const) {
      expect(() => new HTTP2Server(['127.0.0.1', 0], Handler, null, { [name]: value }), name)
        .toThrow(new RegExp(`^${name} `));
      expect(() => new HTTP2Server(['127.0.0.1', 0], Handler, null, { [name]: value })).toThrow(TypeError);
    }
  });

  it('parses frames for the flood counters exactly, whatever the chunking', async () => {
    // Every byte in its own chunk: frame heads and payloads split everywhere.
    const { port, limits } = await start({ maxEmptyFrames: 5, headersTimeout: 2000 });
    const c = await rawClient(port);
    const bytes = Buffer.concat([
      requestHeaders(1, '/sink', false, 'POST'),
      frame(FrameType.DATA, 0, 1), frame(FrameType.DATA, 0, 1), frame(FrameType.DATA, 0, 1),
      frame(FrameType.DATA, 0, 1, Buffer.from('abc')),
      frame(FrameType.DATA, END_STREAM, 1),
    ]);
    c.socket.setNoDelay(true);
    for (const b of bytes) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const d = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(d.payload.toString()).toBe('done');
    expect(limits).toEqual([]);
    c.destroy();
  });
});

void FrameParser;
