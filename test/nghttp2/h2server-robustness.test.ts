// HTTP2Server under bad input, timeouts and slow readers, with a raw client.
import { afterEach, describe, expect, it } from 'vitest';

import { BaseRequestHandler, DATA_EOF, DATA_OK, HTTP2Server } from '../../lib/nghttp2/index.js';
import {
  FrameParser,
  FrameType,
  goawayCode,
  PREFACE,
  RawClient,
  requestHeaders,
  serverSettings,
  settingsFrame,
  frame,
  windowUpdate,
} from '../helpers/h2raw.js';
import { closeAll, closeSession, connect, request, run, sleep, startServer } from '../helpers/h2server.js';

const PROTOCOL_ERROR = 1;
const SETTINGS_TIMEOUT = 4;
const COMPRESSION_ERROR = 9;

/** Observations of the slow-reader handler. */
const slow = { produced: 0, maxWritable: 0, samples: [] as number[] };
const SLOW_TOTAL = 100 * 1024 * 1024;

class Handler extends BaseRequestHandler {
  override onHeaders(): void {
    if (String(this.path) === '/slow') {
      const socket = this.http2.socket;
      const chunk = Buffer.alloc(16384, 0x61);
      this.sendResponse({
        body: (size: number) => {
          slow.maxWritable = Math.max(slow.maxWritable, socket.writableLength);
          const n = Math.min(size, SLOW_TOTAL - slow.produced);
          slow.produced += n;
          return [chunk.subarray(0, n), slow.produced === SLOW_TOTAL ? DATA_EOF : DATA_OK];
        },
      });
      return;
    }
    this.sendResponse({ body: 'ok' });
  }
}

afterEach(async () => {
  await closeAll();
});

async function stillServes(url: string): Promise<void> {
  const r = await run('curl', ['-sS', '--http2-prior-knowledge', `${url}/`]);
  expect(r.code).toBe(0);
  expect(r.stdout.toString()).toBe('ok');
}

describe('initial SETTINGS', () => {
  it('advertises MAX_CONCURRENT_STREAMS 100 and INITIAL_WINDOW_SIZE 65535', async () => {
    const { port } = await startServer(Handler);
    const { c, entries } = await serverSettings(port);
    expect(entries.get(3)).toBe(100);
    expect(entries.get(4)).toBe(65535);
    // Our SETTINGS gets acked by the server too.
    await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 1);
    c.destroy();
  });

  it('ends the connection with GOAWAY(SETTINGS_TIMEOUT) when the client never acks', async () => {
    const { port, url } = await startServer(Handler, { settingsTimeout: 300 });
    const c = new RawClient(port);
    await c.connected;
    c.write(PREFACE, settingsFrame());
    const started = Date.now();
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY, 3000);
    expect(goawayCode(g)).toBe(SETTINGS_TIMEOUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await c.closed;
    await stillServes(url);
  });

  it('keeps a connection that acks in time', async () => {
    const { port } = await startServer(Handler, { settingsTimeout: 300 });
    const c = new RawClient(port);
    await c.connected;
    c.write(PREFACE, settingsFrame(), settingsFrame([], true));
    await sleep(600);
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
    c.write(requestHeaders(1, '/'));
    const data = await c.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(data.payload.toString()).toBe('ok');
    c.destroy();
  });
});

describe('idleTimeout', () => {
  it('ends an idle connection with GOAWAY(NO_ERROR); a silent handler still finishes its response', async () => {
    const { url } = await startServer(SlowStartHandler, { idleTimeout: 300 });
    const session = await connect(url);
    const events: string[] = [];
    let goawayCode = -1;
    session.on('goaway', (code) => { goawayCode = code; events.push('goaway'); });
    const closed = new Promise<void>((r) => session.once('close', () => { events.push('close'); r(); }));
    // /late answers after 700 ms of silence: the idle GOAWAY comes first, the stream still completes
    const t0 = Date.now();
    const res = await request(session, '/late');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('late but whole');
    expect(events[0]).toBe('goaway');
    expect(goawayCode).toBe(0);
    await closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(() => new HTTP2Server(['127.0.0.1', 0], SlowStartHandler, null, { idleTimeout: -1 })).toThrow(TypeError);
  });

  it('without idleTimeout an idle connection stays open', async () => {
    const { url } = await startServer(SlowStartHandler);
    const session = await connect(url);
    let goaway = false;
    session.on('goaway', () => { goaway = true; });
    const res = await request(session, '/');
    expect(res.status).toBe(200);
    await sleep(700);
    expect(goaway).toBe(false);
    expect(session.closed || session.destroyed).toBe(false);
    await closeSession(session);
  });
});

class SlowStartHandler extends BaseRequestHandler {
  onHeaders(): void {
    const path = this.path.toString();
    if (path === '/late') {
      setTimeout(() => this.sendResponse({ status: 200, body: 'late but whole' }), 700);
      return;
    }
    this.sendResponse({ status: 200, body: 'ok' });
  }
}

describe('bad input', () => {
  it('wrong preface: GOAWAY, connection closed, server still serves', async () => {
    const { port, url } = await startServer(Handler);
    const c = new RawClient(port);
    await c.connected;
    c.write(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(PROTOCOL_ERROR);
    await c.closed;
    await stillServes(url);
  });

  it('garbage frames: GOAWAY(PROTOCOL_ERROR), closed, server still serves', async () => {
    const { port, url } = await startServer(Handler);
    const c = new RawClient(port);
    await c.connected;
    // DATA on stream 0 is a connection error.
    c.write(PREFACE, settingsFrame(), frame(FrameType.DATA, 0, 0, Buffer.from('garbage')));
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(PROTOCOL_ERROR);
    await c.closed;
    await stillServes(url);
  });

  it('random bytes after the preface: GOAWAY and close', async () => {
    const { port, url } = await startServer(Handler);
    const c = new RawClient(port);
    await c.connected;
    const junk = Buffer.alloc(512);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
    c.write(PREFACE, junk);
    await c.waitFor((f) => f.type === FrameType.GOAWAY);
    await c.closed;
    await stillServes(url);
  });

  it('a header block that is not HPACK: GOAWAY(COMPRESSION_ERROR), closed, other connections unaffected', async () => {
    const { port, url } = await startServer(Handler);
    const good = new RawClient(port);
    await good.connected;
    good.write(PREFACE, settingsFrame(), settingsFrame([], true));
    const c = new RawClient(port);
    await c.connected;
    // 0xff... is an indexed field with an index far past the tables.
    c.write(PREFACE, settingsFrame(), frame(FrameType.HEADERS, 0x5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    const g = await c.waitFor((f) => f.type === FrameType.GOAWAY);
    expect(goawayCode(g)).toBe(COMPRESSION_ERROR);
    await c.closed;
    // The other, already open connection still works.
    good.write(requestHeaders(1, '/'));
    const data = await good.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    expect(data.payload.toString()).toBe('ok');
    good.destroy();
    await stillServes(url);
  });

  it('peer closing mid-preface does not disturb the server', async () => {
    const { port, url } = await startServer(Handler);
    for (let i = 0; i < 5; i++) {
      const c = new RawClient(port);
      await c.connected;
      c.write(PREFACE.subarray(0, 10));
      c.destroy();
    }
    await stillServes(url);
  });
});

describe('back-pressure', () => {
  it('a 100 MiB response to a slow reader stays bounded on the server', async () => {
    slow.produced = 0;
    slow.maxWritable = 0;
    const { port, server } = await startServer(Handler);
    const c = new RawClient(port);
    await c.connected;
    // Huge HTTP/2 windows: only the socket (TCP) can hold the server back.
    c.write(
      PREFACE,
      settingsFrame([[4, 0x7fffffff]]),
      windowUpdate(0, 0x7fffffff - 65535),
      requestHeaders(1, '/slow'),
    );
    // Ack the server's SETTINGS once they arrive, then stop reading.
    await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0);
    c.write(settingsFrame([], true));
    c.socket.pause();
    const rssBefore = process.memoryUsage().rss;
    await sleep(1500);
    const producedWhilePaused = slow.produced;
    if (process.env.H2_DEBUG) console.log("produced while paused", producedWhilePaused, "maxWritable", slow.maxWritable);
    const rssPaused = process.memoryUsage().rss;
    // Bounded by kernel socket buffers (a few MiB on loopback) plus our 64 KiB high-water mark.
    expect(producedWhilePaused).toBeLessThan(24 * 1024 * 1024);
    expect(producedWhilePaused).toBeGreaterThan(0);
    const conn = [...server.connections][0]!;
    expect(conn.socket.writableLength).toBeLessThanOrEqual(256 * 1024);
    expect(rssPaused - rssBefore).toBeLessThan(48 * 1024 * 1024);

    // Now read everything, counting DATA payload bytes without keeping them.
    c.socket.removeAllListeners('data');
    const parser = new FrameParser();
    let received = 0;
    let done = false;
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slow download did not finish in 30 s')), 30_000);
      c.socket.on('data', (chunk: Buffer) => {
        for (const f of parser.push(chunk)) {
          if (f.type === FrameType.DATA && f.streamId === 1) {
            received += f.payload.length;
            if (f.flags & 1) {
              done = true;
              clearTimeout(timer);
              resolve();
            }
          }
        }
      });
    });
    c.socket.resume();
    await finished;
    expect(done).toBe(true);
    expect(received).toBe(SLOW_TOTAL);
    expect(slow.produced).toBe(SLOW_TOTAL);
    expect(slow.maxWritable).toBeLessThanOrEqual(256 * 1024);
    c.destroy();
  });
});
