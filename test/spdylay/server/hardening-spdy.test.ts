// Issue 9, the SPDY (and shared-port) attack rows at small, bounded scale,
// against ThreadedSPDYServer's SPDY/3.1 path (cleartext: the protocol is
// sniffed from the first bytes; a connection-level WINDOW_UPDATE first
// makes it 3.1). Each case asserts what the attacker gets (frame and
// status), the 'limitExceeded' event, that concurrent legitimate clients
// (urlfetch over SPDY/3.1, http.get over HTTP/1.1) are served, and that
// memory stays bounded (heap + external, generous margins).
import * as http from 'node:http';
import * as net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import type { ServerLimits } from '../../../lib/limits.js';
import { PROTO_SPDY3_1 } from '../../../lib/spdylay/index.js';
import type { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { BaseSPDYStreamHandler } from '../../../lib/spdylay/client/handler.js';
import { urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { Legit, MemProbe, MiB, endAttack, floodPaused, fmtMem, sleep, until, takeInvalidEvents } from '../../helpers/attack-mem.js';
import {
  FLAG_FIN, GOAWAY_STATUS, RST, RawSpdy3, SpdyFrameParser, T, dataFrame, isSpdyGoaway, isSpdyRst, ping, rstStream,
  settings, windowUpdate,
} from '../../helpers/attack-spdy.js';
import {
  AttackSpdyHandler, BIG, BIG_PATH, type StartedServer, closeStartedServers, startSpdyServer,
} from '../../helpers/attack-servers.js';
import { Collect } from '../../helpers/spdy-fetch.js';

const start = (limits: ServerLimits = {}): Promise<StartedServer<ThreadedSPDYServer>> =>
  startSpdyServer(AttackSpdyHandler, limits);

afterEach(async () => {
  expect(takeInvalidEvents(), "malformed 'limitExceeded' payloads").toEqual([]);
  await closeStartedServers();
});

/** A legitimate SPDY/3.1 client (urlfetch, its own connection). */
async function legitSpdy(port: number): Promise<void> {
  const [h] = await urlfetch(`http://127.0.0.1:${port}/hello`, Collect, { version: PROTO_SPDY3_1, timeout: 5000 });
  if (h!.body.toString() !== 'hello /hello over spdy/3.1') throw new Error(`spdy: got ${h!.code} ${h!.body.toString()}`);
}

/** A legitimate HTTP/1.1 client on the same port. */
function legitHttp1(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/hello', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (body === 'hello /hello over http/1.1' ? resolve() : reject(new Error(`http/1.1: ${res.statusCode} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error('http/1.1: timed out')));
    req.on('error', reject);
  });
}

/** Both legitimate clients, one after the other. */
const legitBoth = async (port: number): Promise<void> => {
  await legitSpdy(port);
  await legitHttp1(port);
};

function closedWithin(c: { closed: Promise<void> }, ms: number): Promise<void> {
  return Promise.race([c.closed, sleep(ms).then(() => { throw new Error(`connection not closed in ${ms} ms`); })]);
}

async function openSpdy(port: number): Promise<RawSpdy3> {
  const c = new RawSpdy3(port);
  await c.connected;
  return c;
}

describe('ThreadedSPDYServer (spdy/3.1)', () => {
  it('row 7: a header block past maxHeaderListSize (512 KiB value): RST_STREAM(FRAME_TOO_LARGE), zlib kept in step, connection kept', async () => {
    const { port, events } = await start();
    const legit = new Legit(() => legitBoth(port));
    const probe = new MemProbe().start();
    const c = await openSpdy(port);
    c.write(await c.syn(1, '/'));
    expect((await c.body(1)).toString()).toBe('ok');
    c.write(await c.syn(3, '/', [['x-big', Buffer.alloc(512 * 1024, 0x61)]]));
    const got = await c.waitFor((f) => f.streamId === 3 && ((f.control && f.type === T.RST_STREAM) || (f.flags & FLAG_FIN) !== 0));
    expect(got.control && got.type === T.RST_STREAM ? `RST_STREAM(${got.status})` : `type ${got.type}`).toBe(`RST_STREAM(${RST.FRAME_TOO_LARGE})`);
    const ev = await events.limit('maxHeaderListSize', 'stream');
    expect(ev).toMatchObject({ protocol: 'spdy/3.1', streamId: 3, action: 'RST_STREAM', code: RST.FRAME_TOO_LARGE });
    expect(ev.clientAddress[0]).toBe('127.0.0.1');
    // The next request on the same connection is decoded with the same zlib stream.
    c.write(await c.syn(5, '/'));
    expect((await c.body(5)).toString()).toBe('ok');
    expect(c.goaway).toBeUndefined();
    await endAttack(probe, legit, { conns: [c] });
  });

  it('row 7: zlib bomb (16 MiB value in ~16 KiB) on 4 connections at a time: GOAWAY(PROTOCOL_ERROR), memory bounded, others served', async () => {
    const { port, events } = await start();
    const conns = await Promise.all([0, 1, 2, 3].map(() => openSpdy(port)));
    for (const c of conns) {
      c.write(await c.syn(1, '/'));
      await c.body(1);
    }
    // The bombs are compressed (each by its connection's deflate stream) before measuring: only the server counts.
    const frames: Buffer[] = [];
    {
      const bomb = Buffer.alloc(16 * MiB, 0x61);
      for (const c of conns) frames.push(await c.syn(3, '/', [['x-bomb', bomb]]));
    }
    expect(frames[0]!.length).toBeLessThan(64 * 1024);
    const legit = new Legit(() => legitBoth(port), 20);
    const probe = new MemProbe().start();
    conns.forEach((c, i) => c.write(frames[i]!));
    for (const c of conns) {
      const g = await c.waitFor(isSpdyGoaway, 10_000);
      expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
      await closedWithin(c, 5000);
    }
    await until(() => events.list.filter((e) => e.scope === 'connection').length >= 4, 5000, '4 connection events');
    for (const e of events.list.filter((x) => x.scope === 'connection')) {
      expect(e).toMatchObject({ limit: 'maxHeaderListSize', protocol: 'spdy/3.1', action: 'GOAWAY', code: GOAWAY_STATUS.PROTOCOL_ERROR });
    }
    // 4 x 16 MiB inflated would be 64 MiB before any copy.
    await endAttack(probe, legit, { peak: 32 * MiB });
  });

  it('row 8: PING flood by a client that never reads: connection ended, maxOutboundAck, memory bounded', async () => {
    const { port, events } = await start();
    const legit = new Legit(() => legitBoth(port));
    const probe = new MemProbe().start();
    const c = await openSpdy(port);
    c.socket.pause();
    // Client PING IDs are odd.
    const batch = Buffer.concat(Array.from({ length: 5000 }, (_, i) => ping(2 * i + 1)));
    const sent = await floodPaused(c, batch, 5000, events);
    const ev = await events.limit('maxOutboundAck', 'connection', 5000);
    expect(ev).toMatchObject({ protocol: 'spdy/3.1' });
    c.socket.resume();
    await closedWithin(c, 8000);
    // The GOAWAY is written even past the socket's high-water mark: it follows the queued replies.
    const g = c.goaway;
    expect(g, 'a GOAWAY after the PING replies').toBeDefined();
    expect(g!.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    const mem = probe.stop();
    await legit.stop();
    expect(sent).toBeGreaterThan(0);
    expect(legit.failures).toEqual([]);
    expect(mem.peak, fmtMem(mem)).toBeLessThan(64 * MiB);
  });

  it('row 8: a PING flooder that never reads at all is let go within the linger (3 s)', async () => {
    const { port, events, server } = await start();
    const c = await openSpdy(port);
    c.socket.pause();
    const batch = Buffer.concat(Array.from({ length: 5000 }, (_, i) => ping(2 * i + 1)));
    await floodPaused(c, batch, 5000, events, false);
    await events.limit('maxOutboundAck', 'connection');
    const t0 = Date.now();
    await until(() => server.connectionCount === 0, 6000, 'the server dropped the connection');
    expect(Date.now() - t0).toBeLessThan(5000);
    c.destroy();
  });

  it('row 6: 5,000 empty DATA frames: GOAWAY(PROTOCOL_ERROR), maxEmptyFrames', async () => {
    const { port, events } = await start();
    const legit = new Legit(() => legitBoth(port));
    const c = await openSpdy(port);
    const syn = await c.syn(1, '/echo', [], 0, 'POST');
    const empty = dataFrame(1, 0);
    c.write(syn, Buffer.concat(Array.from({ length: 5000 }, () => empty)));
    const g = await c.waitFor(isSpdyGoaway, 5000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    const ev = await events.limit('maxEmptyFrames', 'connection');
    expect(ev).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY', code: GOAWAY_STATUS.PROTOCOL_ERROR });
    await closedWithin(c, 5000);
    await legit.stop();
    expect(legit.failures).toEqual([]);
  });

  it('maxSessionMemory (1 MiB): request bodies the handlers never read: GOAWAY(PROTOCOL_ERROR), closed, others served', async () => {
    const { port, events } = await start({ maxSessionMemory: 1024 * 1024 });
    const legit = new Legit(() => legitBoth(port));
    const c = await openSpdy(port);
    const chunk = Buffer.alloc(15 * 1024, 0x63);
    // 16 streams x 60 KiB: within the stream windows (64 KiB) and the 1 MiB connection window, past the budget.
    for (let i = 0; i < 16 && !c.isClosed; i++) {
      const id = 2 * i + 1;
      c.write(await c.syn(id, '/hold', [], 0, 'POST'), ...[0, 1, 2, 3].map(() => dataFrame(id, 0, chunk)));
      await sleep(5);
    }
    const g = await c.waitFor(isSpdyGoaway, 5000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(await events.limit('maxSessionMemory', 'connection')).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY', code: GOAWAY_STATUS.PROTOCOL_ERROR });
    await closedWithin(c, 5000);
    await legit.stop();
    expect(legit.failures).toEqual([]);
    expect(legit.ok.length).toBeGreaterThan(0);
  });

  it('row 6: header blocks refused as too large count as empty frames (maxEmptyFrames 5): GOAWAY(PROTOCOL_ERROR)', async () => {
    const { port, events } = await start({ maxEmptyFrames: 5, maxHeaderListSize: 4096 });
    const c = await openSpdy(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 12; i++) parts.push(await c.syn(2 * i + 1, '/', [['x-big', Buffer.alloc(8192, 0x61)]]));
    c.write(...parts);
    const g = await c.waitFor(isSpdyGoaway, 5000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(c.frames.filter((f) => f.control && f.type === T.RST_STREAM).every((f) => f.status === RST.FRAME_TOO_LARGE)).toBe(true);
    expect(await events.limit('maxEmptyFrames', 'connection')).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY' });
    await closedWithin(c, 5000);
    await legitBoth(port);
  });

  it('row 10: SETTINGS flood (3,000 frames): GOAWAY(PROTOCOL_ERROR), closed', async () => {
    const { port, events } = await start();
    const c = await openSpdy(port);
    c.write(Buffer.concat(Array.from({ length: 3000 }, () => settings([[4, 100]]))));
    const g = await c.waitFor(isSpdyGoaway, 5000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    const ev = await events.waitFor((e) => e.scope === 'connection');
    expect(['maxEmptyFrames', 'maxOutboundAck']).toContain(ev.limit);
    await closedWithin(c, 5000);
    await legitBoth(port);
  });

  it('row 4: a shared 32 MiB Buffer, 2 x 20 streams, open windows, the client never reads: memory bounded', async () => {
    const { port } = await start();
    const probe = new MemProbe().start();
    const conns = await Promise.all([0, 1].map(() => openSpdy(port)));
    for (const c of conns) {
      const syns: Buffer[] = [];
      for (let i = 0; i < 20; i++) syns.push(await c.syn(2 * i + 1, BIG_PATH));
      // Paused before the requests go out: nothing of the responses is read (or kept) on this side.
      c.socket.pause();
      c.write(settings([[7, 0x7fffffff]]), ...syns);
    }
    const legit = new Legit(() => legitBoth(port));
    await sleep(1500);
    await endAttack(probe, legit, { conns });
  });

  it('row 4: urlfetch GETs a shared 32 MiB Buffer on 4 streams: all complete, memory bounded', async () => {
    const { port } = await start();
    class Count extends BaseSPDYStreamHandler {
      n = 0;
      override onData(d: Buffer): void { this.n += d.length; }
    }
    const probe = new MemProbe().start();
    const hs = await urlfetch(Array.from({ length: 4 }, () => `http://127.0.0.1:${port}${BIG_PATH}`), Count,
      { version: PROTO_SPDY3_1, timeout: 10_000 });
    const mem = probe.stop();
    for (const h of hs) expect(h.n).toBe(BIG.length);
    expect(mem.peak, fmtMem(mem)).toBeLessThan(96 * MiB);
    expect(mem.retained, fmtMem(mem)).toBeLessThan(32 * MiB);
  });

  it('row 5: 20 connections that leave mid-body: the server lets go of them, memory returns', async () => {
    const { port, server } = await start();
    const probe = new MemProbe().start();
    const one = async (): Promise<void> => {
      const c = await openSpdy(port);
      c.socket.removeAllListeners('data');
      const parser = new SpdyFrameParser();
      let got = 0;
      const half = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no 512 KiB in 10 s')), 10_000);
        c.socket.on('data', (chunk: Buffer) => {
          for (const f of parser.push(chunk)) {
            if (!f.control) {
              got += f.payload.length;
              c.write(windowUpdate(f.streamId, f.payload.length));
            }
          }
          if (got >= 512 * 1024) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      c.write(await c.syn(1, BIG_PATH));
      await half;
      c.destroy();
    };
    for (let batch = 0; batch < 2; batch++) await Promise.all(Array.from({ length: 10 }, one));
    await until(() => server.connectionCount === 0, 5000, 'every connection closed on the server');
    await legitBoth(port);
    const mem = probe.stop();
    expect(mem.retained, fmtMem(mem)).toBeLessThan(32 * MiB);
  });

  it('row 9: 20 connections send half a SYN_STREAM, then silence (headersTimeout 300 ms): GOAWAY(OK), closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const conns = await Promise.all(Array.from({ length: 20 }, () => openSpdy(port)));
    const halves = [];
    for (const c of conns) halves.push((await c.syn(1, '/')).subarray(0, 12));
    const t0 = Date.now();
    conns.forEach((c, i) => c.write(halves[i]!));
    for (const c of conns) {
      const g = await c.waitFor(isSpdyGoaway, 5000);
      expect(g.status).toBe(GOAWAY_STATUS.OK);
      await closedWithin(c, 5000);
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await until(() => events.list.length >= 20, 3000, '20 headersTimeout events');
    for (const ev of events.list) {
      expect(ev).toMatchObject({ limit: 'headersTimeout', scope: 'connection', protocol: 'spdy/3.1', action: 'GOAWAY', code: GOAWAY_STATUS.OK });
    }
    await legitBoth(port);
  });

  it('row 9: a SYN_STREAM trickled one byte every 50 ms (headersTimeout 300 ms): closed long before it completes', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const c = await openSpdy(port);
    const syn = await c.syn(1, '/');
    const t0 = Date.now();
    // Bounded: at most the frame's bytes (50 ms each), stops as soon as the connection is closed.
    for (let i = 0; i < syn.length && !c.isClosed; i++) {
      c.socket.write(syn.subarray(i, i + 1));
      await sleep(50);
    }
    expect(c.isClosed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(syn.length * 50);
    expect(c.frames.some((f) => !f.control)).toBe(false);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: half a frame head after a complete request (headersTimeout 300 ms): closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const c = await openSpdy(port);
    c.write(await c.syn(1, '/'));
    expect((await c.body(1)).toString()).toBe('ok');
    c.write(Buffer.from([0x80, 0x03, 0x00, 0x06]));
    await c.waitFor(isSpdyGoaway, 5000);
    await closedWithin(c, 5000);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: a SPDY connection that is merely idle between requests is not a header timeout', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const c = await openSpdy(port);
    c.write(await c.syn(1, '/'));
    await c.body(1);
    await sleep(700);
    expect(c.isClosed).toBe(false);
    c.write(await c.syn(3, '/'));
    expect((await c.body(3)).toString()).toBe('ok');
    expect(events.list).toEqual([]);
    c.destroy();
  });

  it('row 9: a cleartext connection that stalls before its protocol is known (headersTimeout 300 ms): closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write('PRI * HT');
    await closedWithin({ closed }, 5000);
    await events.limit('headersTimeout', 'connection');
  });

  it('row 9: half an HTTP/1.1 request head (headersTimeout 300 ms): 408, closed', async () => {
    const { port, events } = await start({ headersTimeout: 300 });
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    let reply = '';
    s.on('data', (d) => { reply += d; });
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write('GET /hello HTTP/1.1\r\nhost: x\r\n');
    await closedWithin({ closed }, 6000);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    const ev = await events.limit('headersTimeout', 'connection');
    expect(ev).toMatchObject({ protocol: 'http/1.1', action: '408', code: 408 });
  });

  it('HTTP/1.1 on the shared port: a request head past maxHeaderListSize gets 431, others served', async () => {
    const { port, events } = await start();
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(`GET /hello HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(100_000)}\r\n\r\n`));
      let out = '';
      s.on('data', (d) => { out += d; });
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431/);
    const ev = await events.limit('maxHeaderListSize', 'connection');
    expect(ev).toMatchObject({ protocol: 'http/1.1', action: '431', code: 431 });
    await legitBoth(port);
  });

  it('row 10: rapid reset, 2,000 streams opened and reset (streamResetBurst 50): GOAWAY after the burst', async () => {
    const { port, events } = await start({ streamResetBurst: 50, streamResetRate: 1 });
    const legit = new Legit(() => legitBoth(port));
    const c = await openSpdy(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 2000; i++) parts.push(await c.syn(2 * i + 1, '/'), rstStream(2 * i + 1, RST.CANCEL));
    c.write(...parts);
    const g = await c.waitFor(isSpdyGoaway, 10_000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(g.streamId).toBeLessThan(1000);
    const ev = await events.limit('streamResetRate', 'connection');
    expect(ev).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY' });
    await closedWithin(c, 5000);
    await legit.stop();
    expect(legit.failures).toEqual([]);
  });

  it('stream table: 100 held streams, 500 more refused (RST_STREAM REFUSED_STREAM); a flood of 5,000 more: GOAWAY (maxOutboundAck), memory bounded, others served', async () => {
    const { port, events } = await start();
    const probe = new MemProbe().start();
    const legit = new Legit(() => legitBoth(port));
    const c = await openSpdy(port);
    // maxConcurrentStreams is 100: POST /hold without FIN keeps each stream open.
    const syns = async (from: number, to: number): Promise<Buffer[]> => {
      const out: Buffer[] = [];
      for (let i = from; i < to; i++) out.push(await c.syn(2 * i + 1, '/hold', [], 0, 'POST'));
      return out;
    };
    c.write(...await syns(0, 100));
    c.write(...await syns(100, 600));
    await c.waitFor(isSpdyRst(2 * 599 + 1), 10_000);
    const rst = c.frames.filter((f) => f.control && f.type === T.RST_STREAM);
    expect(rst.map((f) => f.streamId)).toEqual(Array.from({ length: 500 }, (_, i) => 2 * (i + 100) + 1));
    expect(rst.every((f) => f.status === RST.REFUSED_STREAM)).toBe(true);
    expect(c.goaway).toBeUndefined();
    // Thousands of refusals queued faster than one read can carry them out.
    c.write(...await syns(600, 5600));
    const g = await c.waitFor(isSpdyGoaway, 15_000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(await events.limit('maxOutboundAck', 'connection')).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY' });
    await closedWithin(c, 5000);
    await endAttack(probe, legit);
  });

  it('stream table: 20,000 streams opened and answered on one connection, 100 in flight: every one answered, the table drained', async () => {
    const { port } = await start();
    const probe = new MemProbe().start();
    const c = await openSpdy(port);
    const total = 20_000;
    const inflight = 100;
    let next = 1;
    const send = async (n: number): Promise<void> => {
      const parts: Buffer[] = [];
      for (let i = 0; i < n && next <= 2 * total - 1; i++, next += 2) parts.push(await c.syn(next, '/'));
      if (parts.length) c.write(...parts);
    };
    await send(inflight);
    let done = 0;
    let bodyBytes = 0;
    const deadline = Date.now() + 60_000;
    while (done < total) {
      if (Date.now() > deadline) throw new Error(`only ${done} of ${total} streams answered in 60 s`);
      await c.waitFor(() => c.frames.some((f) => !f.control && (f.flags & FLAG_FIN) !== 0), 10_000);
      // Count and drop the finished streams' frames; open as many new ones.
      let finished = 0;
      for (let i = c.frames.length - 1; i >= 0; i--) {
        const f = c.frames[i]!;
        if (!f.control) bodyBytes += f.payload.length;
        if (!f.control && (f.flags & FLAG_FIN) !== 0) finished++;
        if (!f.control || f.type === T.SYN_REPLY) c.frames.splice(i, 1);
      }
      expect(c.frames.filter((f) => f.type === T.RST_STREAM || f.type === T.GOAWAY)).toEqual([]);
      done += finished;
      await send(finished);
    }
    expect(done).toBe(total);
    expect(bodyBytes).toBe(2 * total); // 'ok' each
    c.destroy();
    const mem = probe.stop();
    expect(mem.peak, fmtMem(mem)).toBeLessThan(64 * MiB);
  }, 90_000);

  it('row 10: handlers that throw under load: every request answered, the server lives on', async () => {
    const { port } = await start();
    const hs = await urlfetch(Array.from({ length: 200 }, () => `http://127.0.0.1:${port}/throw`), Collect,
      { version: PROTO_SPDY3_1, timeout: 10_000 });
    for (const h of hs) expect(h.code).toBe(500);
    await legitBoth(port);
  });

  it('no limit fires for an ordinary client (urlfetch: 50 GETs, then 20 uploads of 100 KiB)', async () => {
    const { port, events } = await start();
    const hs = await urlfetch(Array.from({ length: 50 }, () => `http://127.0.0.1:${port}/hello`), Collect,
      { version: PROTO_SPDY3_1, timeout: 10_000 });
    expect(hs.every((h) => h.code === 200)).toBe(true);
    const ups = await urlfetch(Array.from({ length: 20 }, () => `http://127.0.0.1:${port}/echo`), Collect,
      { version: PROTO_SPDY3_1, timeout: 10_000, method: 'POST', body: Buffer.alloc(100 * 1024, 0x70) });
    expect(ups.every((h) => h.code === 200 && h.body.toString() === 'ok')).toBe(true);
    expect(events.list).toEqual([]);
  });
});

// The same limits on a SPDY/3 connection (no connection-level WINDOW_UPDATE first: the server sniffs spdy/3).
describe('ThreadedSPDYServer (spdy/3)', () => {
  const open3 = async (port: number): Promise<RawSpdy3> => {
    const c = new RawSpdy3(port, { spdy31: false });
    await c.connected;
    return c;
  };

  it('row 7: a header block past maxHeaderListSize: RST_STREAM(FRAME_TOO_LARGE), connection kept', async () => {
    const { port, events } = await start({ maxHeaderListSize: 16_384 });
    const c = await open3(port);
    c.write(await c.syn(1, '/', [['x-big', Buffer.alloc(32 * 1024, 0x61)]]));
    const got = await c.waitFor((f) => f.streamId === 1 && ((f.control && f.type === T.RST_STREAM) || (f.flags & FLAG_FIN) !== 0));
    expect(got.control && got.type === T.RST_STREAM ? got.status : -1).toBe(RST.FRAME_TOO_LARGE);
    expect(await events.limit('maxHeaderListSize', 'stream')).toMatchObject({ protocol: 'spdy/3', streamId: 1, code: RST.FRAME_TOO_LARGE });
    c.write(await c.syn(3, '/'));
    expect((await c.body(3)).toString()).toBe('ok');
    c.destroy();
  });

  it('row 6: empty DATA frames past maxEmptyFrames (50): GOAWAY(PROTOCOL_ERROR), closed', async () => {
    const { port, events } = await start({ maxEmptyFrames: 50 });
    const c = await open3(port);
    const syn = await c.syn(1, '/echo', [], 0, 'POST');
    c.write(syn, Buffer.concat(Array.from({ length: 200 }, () => dataFrame(1, 0))));
    expect((await c.waitFor(isSpdyGoaway)).status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(await events.limit('maxEmptyFrames', 'connection')).toMatchObject({ protocol: 'spdy/3', action: 'GOAWAY' });
    await closedWithin(c, 5000);
    await legitBoth(port);
  });

  it('row 10: rapid reset (streamResetBurst 20): GOAWAY(PROTOCOL_ERROR), closed', async () => {
    const { port, events } = await start({ streamResetBurst: 20, streamResetRate: 1 });
    const c = await open3(port);
    const parts: Buffer[] = [];
    for (let i = 0; i < 300; i++) parts.push(await c.syn(2 * i + 1, '/'), rstStream(2 * i + 1, RST.CANCEL));
    c.write(...parts);
    const g = await c.waitFor(isSpdyGoaway, 5000);
    expect(g.status).toBe(GOAWAY_STATUS.PROTOCOL_ERROR);
    expect(g.streamId).toBeLessThan(300);
    expect(await events.limit('streamResetRate', 'connection')).toMatchObject({ protocol: 'spdy/3' });
    await closedWithin(c, 5000);
  });
});

// SPDY/2 (its own dictionary and 16-bit name/value lengths): the same header-list limit and zlib bomb cap.
describe('ThreadedSPDYServer (spdy/2)', () => {
  const open2 = async (port: number): Promise<RawSpdy3> => {
    const c = new RawSpdy3(port, { version: 2 });
    await c.connected;
    return c;
  };

  it('row 7: a header block past maxHeaderListSize: RST_STREAM for that stream, connection kept', async () => {
    const { port, events } = await start({ maxHeaderListSize: 16_384 });
    const c = await open2(port);
    c.write(await c.syn(1, '/', [['x-big', Buffer.alloc(32 * 1024, 0x61)]]));
    const got = await c.waitFor((f) => f.streamId === 1 && ((f.control && f.type === T.RST_STREAM) || (f.flags & FLAG_FIN) !== 0));
    expect(got.control && got.type === T.RST_STREAM ? 'RST_STREAM' : `type ${got.type}`).toBe('RST_STREAM');
    expect(await events.limit('maxHeaderListSize', 'stream')).toMatchObject({ protocol: 'spdy/2', streamId: 1, action: 'RST_STREAM' });
    c.write(await c.syn(3, '/'));
    expect((await c.body(3)).toString()).toBe('ok');
    c.destroy();
  });

  it('row 7: zlib bomb (300 x 60,000-byte values, 18 MB inflated): GOAWAY, closed, memory bounded, others served', async () => {
    const { port, events } = await start();
    const c = await open2(port);
    c.write(await c.syn(1, '/'));
    await c.body(1);
    let bomb: Buffer;
    {
      const v = Buffer.alloc(60_000, 0x61);
      bomb = await c.syn(3, '/', Array.from({ length: 300 }, (_, i) => [`x-b${i}`, v] as [string, Buffer]));
    }
    expect(bomb.length).toBeLessThan(256 * 1024);
    const probe = new MemProbe().start();
    c.write(bomb);
    await c.waitFor(isSpdyGoaway, 10_000);
    await closedWithin(c, 5000);
    const ev = await events.limit('maxHeaderListSize', 'connection');
    expect(ev).toMatchObject({ protocol: 'spdy/2', action: 'GOAWAY', code: null });
    const mem = probe.stop();
    expect(mem.peak, fmtMem(mem)).toBeLessThan(32 * MiB);
    await legitBoth(port);
  });
});
