// Issue 9, the HTTP/2 attack rows at small, bounded scale, against both
// servers that speak h2: HTTP2Server and ThreadedSPDYServer's h2 path
// (cleartext, prior knowledge). Each case asserts what the attacker gets
// (frame and code), the 'limitExceeded' event, that a concurrent
// legitimate Node http2 client is served, and that memory stays bounded
// (heap + external with generous margins).
import { afterEach, describe, expect, it } from 'vitest';

import type { ServerLimits } from '../../lib/limits.js';
import { BaseRequestHandler } from '../../lib/nghttp2/index.js';
import {
  ENHANCE_YOUR_CALM, NO_ERROR, awaitBody, childH2Get, bombBlock, bombHeaders, continuationFrames, goaway, isGoaway,
  legitH2, nodeConnect, nodeGet, openRaw, ping, rstCode, seedRequest,
} from '../helpers/attack-h2.js';
import { Legit, MemProbe, MiB, endAttack, floodPaused, fmtMem, sleep, until, takeInvalidEvents } from '../helpers/attack-mem.js';
import {
  FrameParser, FrameType, PREFACE, RawClient, frame, hpackRequest, hpackString, requestHeaders, rstStream, settingsFrame,
  windowUpdate, type Frame,
} from '../helpers/h2raw.js';
import {
  AttackSpdyHandler, BIG, BIG_PATH, type StartedServer, closeStartedServers, startHttp2Server, startSpdyServer,
} from '../helpers/attack-servers.js';

const END_STREAM = 0x1;
const CANCEL = 8;

class H2Handler extends BaseRequestHandler {
  override onData(): void | Promise<void> {
    // /hold never takes its body: the chunks stay held (and counted) until the stream ends.
    if (String(this.path) === '/hold') return new Promise<void>(() => {});
  }

  override onHeaders(): void {
    const p = String(this.path);
    if (p === '/hold') return;
    if (p === BIG_PATH) return this.sendResponse({ body: BIG });
    if (p === '/throw') throw new Error('boom (test)');
    this.sendResponse({ body: 'ok' });
  }
}

interface Target {
  name: string;
  start(limits?: ServerLimits): Promise<StartedServer<unknown>>;
}

const targets: Target[] = [
  { name: 'HTTP2Server', start: (limits = {}) => startHttp2Server(H2Handler, limits) },
  { name: 'ThreadedSPDYServer (h2)', start: (limits = {}) => startSpdyServer(AttackSpdyHandler, limits) },
];

afterEach(async () => {
  expect(takeInvalidEvents(), "malformed 'limitExceeded' payloads").toEqual([]);
  await closeStartedServers();
});

/** Waits for RST_STREAM on stream `id` or its end, whichever comes first (so an unfixed server fails fast). */
function outcome(c: RawClient, id: number, timeoutMs = 15_000): Promise<Frame> {
  return c.waitFor((f) => f.streamId === id && (f.type === FrameType.RST_STREAM
    || ((f.type === FrameType.DATA || f.type === FrameType.HEADERS) && (f.flags & END_STREAM) !== 0)), timeoutMs);
}

function describeFrame(f: Frame): string {
  return f.type === FrameType.RST_STREAM ? `RST_STREAM(${rstCode(f)})` : `frame type ${f.type} flags ${f.flags}`;
}

describe.each(targets)('$name', (target) => {
  it('row 1: HPACK bomb (4 KiB entry indexed 16,000 times): RST_STREAM(ENHANCE_YOUR_CALM), connection kept', async () => {
    const { port, events } = await target.start();
    const legit = new Legit(() => legitH2(port));
    const probe = new MemProbe().start();
    const c = await openRaw(port);
    c.write(seedRequest(1));
    expect((await awaitBody(c, 1)).toString()).toBe('ok');
    c.write(bombHeaders(3, 16_000));
    const got = await outcome(c, 3);
    expect(describeFrame(got)).toBe(`RST_STREAM(${ENHANCE_YOUR_CALM})`);
    const ev = await events.limit('maxHeaderListSize', 'stream');
    expect(ev).toMatchObject({ protocol: 'h2', streamId: 3, action: 'RST_STREAM', code: ENHANCE_YOUR_CALM });
    expect(ev.clientAddress[0]).toBe('127.0.0.1');
    // The same connection serves the next request; the HPACK state stayed in step.
    c.write(requestHeaders(5, '/'));
    expect((await awaitBody(c, 5)).toString()).toBe('ok');
    expect(c.frames.some(isGoaway)).toBe(false);
    const mem = await endAttack(probe, legit, { conns: [c] });
    expect(mem.retained, fmtMem(mem)).toBeLessThan(32 * MiB);
  });

  it('row 1: SETTINGS_MAX_HEADER_LIST_SIZE is announced (default 65536, or the option)', async () => {
    for (const [limits, want] of [[{}, 65536], [{ maxHeaderListSize: 16384 }, 16384]] as const) {
      const { port } = await target.start(limits);
      const c = await openRaw(port);
      const s = c.frames.find((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0)!;
      const entries = new Map<number, number>();
      for (let i = 0; i + 6 <= s.payload.length; i += 6) entries.set(s.payload.readUInt16BE(i), s.payload.readUInt32BE(i + 2));
      expect(entries.get(6)).toBe(want);
      c.destroy();
    }
  });

  it('row 1: the header list counts name + value + 32 per field: 2,100 one-byte fields are refused, 1,800 served', async () => {
    const { port, events } = await target.start();
    const c = await openRaw(port);
    const field = Buffer.from([0x00, 0x01, 0x61, 0x00]); // literal without indexing: "a" = "" (33 bytes counted)
    const block = (n: number): Buffer => Buffer.concat([hpackRequest('/'), Buffer.concat(Array.from({ length: n }, () => field))]);
    c.write(frame(FrameType.HEADERS, END_STREAM | 0x4, 1, block(1800))); // 1,800 x 33 = 59,400 bytes + pseudo-headers
    expect((await awaitBody(c, 1)).toString()).toBe('ok');
    c.write(frame(FrameType.HEADERS, END_STREAM | 0x4, 3, block(2100))); // 69,300 bytes
    expect(describeFrame(await outcome(c, 3))).toBe(`RST_STREAM(${ENHANCE_YOUR_CALM})`);
    expect(await events.limit('maxHeaderListSize', 'stream')).toMatchObject({ streamId: 3 });
    c.destroy();
  });

  it('row 3: a small header block cut into a dozen 4-byte CONTINUATION frames (maxContinuations 8): GOAWAY(ENHANCE_YOUR_CALM)', async () => {
    const { port, events } = await target.start({ maxContinuations: 8 });
    const c = await openRaw(port);
    const block = hpackRequest('/');
    const frames = continuationFrames(1, block, 4);
    expect(frames.length).toBeGreaterThanOrEqual(10); // HEADERS + at least 9 CONTINUATION
    c.write(...frames);
    expect(goaway(await c.waitFor(isGoaway)).code).toBe(ENHANCE_YOUR_CALM);
    expect(await events.limit('maxContinuations', 'connection')).toMatchObject({ protocol: 'h2', action: 'GOAWAY' });
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
  });

  it('row 3: a header block under the limits cut into 6 CONTINUATION frames is served', async () => {
    const { port, events } = await target.start();
    const c = await openRaw(port);
    const fields = Array.from({ length: 40 }, (_, i) => Buffer.concat([Buffer.from([0x00]), hpackString(`x-f${i}`), hpackString(Buffer.alloc(1000, 0x61))]));
    const frames = continuationFrames(1, Buffer.concat([hpackRequest('/'), ...fields]), 6000);
    expect(frames.length).toBe(7);
    c.write(...frames);
    expect((await awaitBody(c, 1)).toString()).toBe('ok');
    expect(events.list).toEqual([]);
    c.destroy();
  });

  it('row 2: HPACK bombs on 4 connections kept open, legitimate requests meanwhile', async () => {
    const { port, events } = await target.start();
    const legit = new Legit(() => legitH2(port), 20);
    const probe = new MemProbe().start();
    const conns = await Promise.all([0, 1, 2, 3].map(() => openRaw(port)));
    await Promise.all(conns.map(async (c) => {
      c.write(seedRequest(1));
      await awaitBody(c, 1);
      c.write(bombHeaders(3, 8000), bombHeaders(5, 8000));
    }));
    for (const c of conns) {
      for (const id of [3, 5]) expect(describeFrame(await outcome(c, id))).toBe(`RST_STREAM(${ENHANCE_YOUR_CALM})`);
    }
    // Connections are kept and still serve.
    await Promise.all(conns.map(async (c) => {
      c.write(requestHeaders(7, '/'));
      expect((await awaitBody(c, 7)).toString()).toBe('ok');
      expect(c.isClosed).toBe(false);
    }));
    await until(() => events.list.filter((e) => e.limit === 'maxHeaderListSize').length >= 8, 5000, '8 maxHeaderListSize events');
    expect(events.list.every((e) => e.scope === 'stream')).toBe(true);
    await endAttack(probe, legit, { conns });
  });

  it('row 3: HPACK bomb cut into 12 CONTINUATION frames (maxContinuations 8): GOAWAY(ENHANCE_YOUR_CALM), closed', async () => {
    const { port, events } = await target.start({ maxContinuations: 8 });
    const legit = new Legit(() => legitH2(port));
    const probe = new MemProbe().start();
    const c = await openRaw(port);
    c.write(seedRequest(1));
    await awaitBody(c, 1);
    const frames = continuationFrames(3, bombBlock(13_000), 1000);
    expect(frames.length).toBe(14); // HEADERS + 13 CONTINUATION
    c.write(...frames);
    const g = await c.waitFor(isGoaway, 10_000);
    expect(goaway(g).code).toBe(ENHANCE_YOUR_CALM);
    const ev = await events.limit('maxContinuations', 'connection');
    expect(ev).toMatchObject({ protocol: 'h2', action: 'GOAWAY', code: ENHANCE_YOUR_CALM });
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await endAttack(probe, legit, { served: false });
  });

  it('row 4: a shared 32 MiB Buffer on 4 streams with 2 GiB windows: all complete, memory bounded', async () => {
    const { port } = await target.start();
    const probe = new MemProbe().start();
    // The client runs in a child process: what is measured here is the server's memory.
    const legit = new Legit(() => legitH2(port));
    const results = await childH2Get(port, BIG_PATH, 4);
    await legit.stop();
    const mem = probe.stop();
    expect(results).toEqual(Array.from({ length: 4 }, () => ({ status: 200, length: BIG.length })));
    expect(legit.failures).toEqual([]);
    // Four streams of one shared Buffer: no stream may hold a copy of the body.
    expect(mem.peak, fmtMem(mem)).toBeLessThan(64 * MiB);
    expect(mem.retained, fmtMem(mem)).toBeLessThan(16 * MiB);
  });

  it('row 4: clients with open windows that never read the socket: server memory bounded, others served', async () => {
    const { port } = await target.start();
    const probe = new MemProbe().start();
    const conns = await Promise.all([0, 1].map(() => openRaw(port, [[4, 0x7fffffff]])));
    for (const c of conns) {
      c.write(windowUpdate(0, 0x7fffffff - 65535), ...Array.from({ length: 20 }, (_, i) => requestHeaders(2 * i + 1, BIG_PATH)));
      c.socket.pause();
    }
    const legit = new Legit(() => legitH2(port));
    await sleep(1500);
    // 40 streams x 32 MiB would be 1.25 GiB if the server copied what the windows allow.
    await endAttack(probe, legit, { conns });
  });

  it('row 5: 50 connections that leave mid-body: the server lets go of them, memory returns', async () => {
    const { port, connections } = await target.start();
    const probe = new MemProbe().start();
    const one = async (): Promise<void> => {
      const c = await openRaw(port, [[4, 1 << 20]]);
      c.socket.removeAllListeners('data');
      const parser = new FrameParser();
      let got = 0;
      const half = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no 512 KiB in 10 s')), 10_000);
        c.socket.on('data', (chunk: Buffer) => {
          for (const f of parser.push(chunk)) if (f.type === FrameType.DATA) got += f.payload.length;
          if (got >= 512 * 1024) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      c.write(windowUpdate(0, (1 << 20) - 65535), requestHeaders(1, BIG_PATH));
      await half;
      c.destroy();
    };
    for (let batch = 0; batch < 5; batch++) await Promise.all(Array.from({ length: 10 }, one));
    await until(() => connections() === 0, 5000, 'every connection closed on the server');
    await legitH2(port);
    const mem = probe.stop();
    expect(mem.retained, fmtMem(mem)).toBeLessThan(32 * MiB);
    expect(mem.peak, fmtMem(mem)).toBeLessThan(96 * MiB);
  });

  it('row 6: 5,000 empty DATA frames: GOAWAY(ENHANCE_YOUR_CALM), maxEmptyFrames', async () => {
    const { port, events } = await target.start();
    const legit = new Legit(() => legitH2(port));
    const c = await openRaw(port);
    const empty = frame(FrameType.DATA, 0, 1);
    c.write(requestHeaders(1, '/', false, 'POST'), Buffer.concat(Array.from({ length: 5000 }, () => empty)));
    const g = await c.waitFor(isGoaway, 5000);
    expect(goaway(g).code).toBe(ENHANCE_YOUR_CALM);
    const ev = await events.limit('maxEmptyFrames', 'connection');
    expect(ev).toMatchObject({ protocol: 'h2', action: 'GOAWAY', code: ENHANCE_YOUR_CALM });
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await legit.stop();
    expect(legit.failures).toEqual([]);
  });

  it('row 6: empty DATA frames interleaved with body bytes are not a flood', async () => {
    const { port, events } = await target.start({ maxEmptyFrames: 10 });
    const c = await openRaw(port);
    const parts: Buffer[] = [requestHeaders(1, '/', false, 'POST')];
    for (let i = 0; i < 50; i++) parts.push(frame(FrameType.DATA, 0, 1), frame(FrameType.DATA, 0, 1, Buffer.from('x')));
    parts.push(frame(FrameType.DATA, END_STREAM, 1));
    c.write(...parts);
    expect((await awaitBody(c, 1)).toString()).toBe('ok');
    await sleep(100);
    expect(c.frames.some(isGoaway)).toBe(false);
    expect(events.list).toEqual([]);
    c.destroy();
  });

  it('maxSessionMemory (512 KiB): request bodies a handler never takes: GOAWAY(ENHANCE_YOUR_CALM), closed, others served', async () => {
    const { port, events } = await target.start({ maxSessionMemory: 512 * 1024 });
    const legit = new Legit(() => legitH2(port));
    const c = await openRaw(port);
    const chunk = Buffer.alloc(15 * 1024, 0x63);
    // 14 streams x 60 KiB: within the stream windows (64 KiB) and the 1 MiB connection window, past the budget.
    for (let i = 0; i < 14 && !c.isClosed; i++) {
      const id = 2 * i + 1;
      c.write(requestHeaders(id, '/hold', false, 'POST'), ...[0, 1, 2, 3].map(() => frame(FrameType.DATA, 0, id, chunk)));
      await sleep(5);
    }
    const g = await c.waitFor(isGoaway, 5000);
    expect(goaway(g).code).toBe(ENHANCE_YOUR_CALM);
    expect(await events.limit('maxSessionMemory', 'connection')).toMatchObject({ protocol: 'h2', action: 'GOAWAY', code: ENHANCE_YOUR_CALM });
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await legit.stop();
    expect(legit.failures).toEqual([]);
    expect(legit.ok.length).toBeGreaterThan(0);
  });

  it('row 9: 20 connections send half a HEADERS frame, then silence (headersTimeout 300 ms): GOAWAY(NO_ERROR), closed', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const conns = await Promise.all(Array.from({ length: 20 }, () => openRaw(port)));
    const hf = requestHeaders(1, '/');
    const t0 = Date.now();
    for (const c of conns) c.write(hf.subarray(0, 9 + 10));
    for (const c of conns) {
      const g = await c.waitFor(isGoaway, 5000);
      expect(goaway(g).code).toBe(NO_ERROR);
      await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await until(() => events.list.length >= 20, 3000, '20 headersTimeout events');
    for (const ev of events.list) {
      expect(ev).toMatchObject({ limit: 'headersTimeout', scope: 'connection', protocol: 'h2', action: 'GOAWAY', code: NO_ERROR });
    }
    await legitH2(port);
  });

  it('row 9: a HEADERS frame trickled one byte every 50 ms (headersTimeout 300 ms): closed long before it completes', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const c = await openRaw(port);
    const hf = requestHeaders(1, '/');
    const t0 = Date.now();
    // Bounded: at most the frame's ~70 bytes (3.5 s), stops as soon as the connection is closed.
    for (let i = 0; i < hf.length && !c.isClosed; i++) {
      c.socket.write(hf.subarray(i, i + 1));
      await sleep(50);
    }
    expect(c.isClosed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(hf.length * 50);
    expect(c.frames.some((f) => f.type === FrameType.DATA)).toBe(false);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: half the client preface, then silence (headersTimeout 300 ms): closed and reported', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const c = new RawClient(port);
    await c.connected;
    const t0 = Date.now();
    c.write(PREFACE.subarray(0, 12));
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: HEADERS without END_HEADERS and no CONTINUATION (headersTimeout 300 ms): closed', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const c = await openRaw(port);
    c.write(continuationFrames(1, bombBlock(0, '/'), 20)[0]!);
    await c.waitFor(isGoaway, 5000);
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: a complete request whose body is slow is not a header timeout', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const c = await openRaw(port);
    c.write(requestHeaders(1, '/', false, 'POST'));
    await sleep(800);
    expect(c.isClosed).toBe(false);
    expect(c.frames.some(isGoaway)).toBe(false);
    c.write(frame(FrameType.DATA, END_STREAM, 1, Buffer.from('late')));
    expect((await awaitBody(c, 1)).toString()).toBe('ok');
    expect(events.list).toEqual([]);
    c.destroy();
  });

  it('row 10: rapid reset, 2,000 streams opened and reset (streamResetBurst 50): GOAWAY after the burst', async () => {
    const { port, events } = await target.start({ streamResetBurst: 50, streamResetRate: 1 });
    const legit = new Legit(() => legitH2(port));
    const c = await openRaw(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 2000; i++) parts.push(requestHeaders(2 * i + 1, '/'), rstStream(2 * i + 1, CANCEL));
    c.write(...parts);
    const g = await c.waitFor(isGoaway, 10_000);
    expect(goaway(g).code).toBe(ENHANCE_YOUR_CALM);
    // nghttp2's own default (1000 streams) would let ~2,000 stream IDs through: the small burst ends it far earlier.
    expect(goaway(g).lastStreamId).toBeLessThan(1000);
    await events.limit('streamResetRate', 'connection');
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await legit.stop();
    expect(legit.failures).toEqual([]);
  });

  it('row 10: PING flood by a client that never reads: connection ended, maxOutboundAck, memory bounded', async () => {
    const { port, events } = await target.start();
    const legit = new Legit(() => legitH2(port));
    const probe = new MemProbe().start();
    const c = await openRaw(port);
    c.socket.pause();
    const batch = Buffer.concat(Array.from({ length: 5000 }, (_, i) => ping(i)));
    const sent = await floodPaused(c, batch, 5000, events);
    const ev = await events.limit('maxOutboundAck', 'connection', 5000);
    expect(ev.protocol).toBe('h2');
    c.socket.resume();
    await Promise.race([c.closed, sleep(8000).then(() => { throw new Error('connection not closed in 8 s'); })]);
    // The GOAWAY is written even past the socket's high-water mark: it follows the queued replies.
    const g = c.frames.find(isGoaway);
    expect(g, 'a GOAWAY after the PING replies').toBeDefined();
    expect(goaway(g!).code).toBe(ENHANCE_YOUR_CALM);
    const mem = probe.stop();
    await legit.stop();
    expect(sent).toBeGreaterThan(0);
    expect(legit.failures).toEqual([]);
    expect(mem.peak, fmtMem(mem)).toBeLessThan(64 * MiB);
  });

  it('row 10: a PING flooder that never reads at all is let go within the linger (3 s)', async () => {
    const { port, events, connections } = await target.start();
    const c = await openRaw(port);
    c.socket.pause();
    const batch = Buffer.concat(Array.from({ length: 5000 }, (_, i) => ping(i)));
    await floodPaused(c, batch, 5000, events, false);
    await events.limit('maxOutboundAck', 'connection');
    const t0 = Date.now();
    await until(() => connections() === 0, 6000, 'the server dropped the connection');
    expect(Date.now() - t0).toBeLessThan(5000);
    c.destroy();
  });

  it('row 10: SETTINGS flood (5,000 frames): GOAWAY(ENHANCE_YOUR_CALM), closed', async () => {
    const { port, events } = await target.start();
    const c = await openRaw(port);
    c.write(Buffer.concat(Array.from({ length: 5000 }, () => settingsFrame())));
    const g = await c.waitFor(isGoaway, 5000);
    expect(goaway(g).code).toBe(ENHANCE_YOUR_CALM);
    const ev = await events.waitFor((e) => e.scope === 'connection');
    expect(['maxEmptyFrames', 'maxOutboundAck']).toContain(ev.limit);
    await Promise.race([c.closed, sleep(5000).then(() => { throw new Error('connection not closed in 5 s'); })]);
    await legitH2(port);
  });

  it('an ordinary Node http2 client (300 GETs, 20 uploads of 100 KiB, 3 SETTINGS changes) runs into no limit', async () => {
    const { port, events } = await target.start();
    const s = await nodeConnect(port);
    s.on('error', () => {});
    const gets = Array.from({ length: 300 }, () => nodeGet(s, '/'));
    const posts = Array.from({ length: 20 }, () => new Promise<number>((resolve, reject) => {
      const req = s.request({ ':method': 'POST', ':path': '/' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end(Buffer.alloc(100 * 1024, 0x70));
    }));
    for (let i = 0; i < 3; i++) s.settings({ initialWindowSize: 65535 + i });
    expect((await Promise.all(gets)).every((r) => r.status === 200)).toBe(true);
    expect((await Promise.all(posts)).every((st) => st === 200)).toBe(true);
    s.close();
    expect(events.list).toEqual([]);
  });

  it('row 10: handlers that throw under load: every request answered, the server lives on', async () => {
    const { port } = await target.start();
    const s = await nodeConnect(port);
    s.on('error', () => {});
    const settled = await Promise.allSettled(Array.from({ length: 300 }, () => nodeGet(s, '/throw', 10_000)));
    for (const r of settled) {
      if (r.status === 'fulfilled') expect(r.value.status).toBe(500);
      else expect(String(r.reason)).toMatch(/reset|RST|INTERNAL/i);
    }
    expect((await nodeGet(s, '/')).status).toBe(200);
    s.close();
    await legitH2(port);
  });
});
