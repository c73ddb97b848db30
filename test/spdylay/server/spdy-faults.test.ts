// Faults against ThreadedSPDYServer: garbage, a client that stalls mid-body,
// one that disconnects mid-response, handlers that throw (before and after
// the headers went out), over SPDY and h2; the stream or connection ends
// with the right status or GOAWAY, other streams keep going, and nothing
// leaks (no open handle after close()).
import * as net from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  GOAWAY, GOAWAY_OK, INTERNAL_ERROR, PROTO_SPDY3, PROTO_SPDY3_1, type GoawayFrame, type RstStreamFrame,
} from '../../../lib/spdylay/index.js';
import type { BaseSPDYRequestHandler } from '../../../lib/spdylay/server/handler.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { testCert } from '../../helpers/certs.js';
import { Collect, EchoHandler, openHandles } from '../../helpers/spdy-fetch.js';
import { RawSpdyClient, fullBody, stallingBody } from '../../helpers/spdy-raw.js';

const closes: [string | null, number][] = [];
class Handler extends EchoHandler {
  override onClose(statusCode: number): void {
    closes.push([this.path, statusCode]);
  }

  /** PUT /data-throws: a request body listener that throws. */
  override do_PUT(): Promise<void> {
    if (this.path !== '/data-throws') return super.do_PUT();
    this.rfile.on('data', () => {
      throw new Error('data boom (test)');
    });
    return new Promise(() => {}); // never settles: the throw decides
  }
}

let server: ThreadedSPDYServer;
let port: number;
let errors: [unknown, BaseSPDYRequestHandler | null][];
let baseline: number;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

beforeEach(async () => {
  baseline = openHandles().length;
  closes.length = 0;
  errors = [];
  server = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
  server.on('handlerError', (e: unknown, h: BaseSPDYRequestHandler | null) => errors.push([e, h]));
  ({ port } = await server.start());
});

afterEach(async () => {
  await server.close({ timeout: 1000 });
  await until(() => openHandles().length <= baseline, 3000).catch(() => {});
  expect(openHandles()).toHaveLength(baseline);
});

const ok = async () => {
  const [h] = await urlfetch(`http://127.0.0.1:${port}/hello`, Collect, { version: PROTO_SPDY3_1 });
  expect(h!.body.toString()).toBe('hello /hello over spdy/3.1');
};

describe('bad input', () => {
  it('a malformed SPDY frame gets GOAWAY(PROTOCOL_ERROR) and the connection closes; others keep going', async () => {
    const sock = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    sock.on('data', (d) => got.push(d));
    sock.on('error', () => {});
    const closed = new Promise((r) => sock.once('close', r));
    // a SYN_STREAM whose length (4) is too short to hold its fields, then junk
    sock.write(Buffer.concat([Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4]),
      Buffer.alloc(64, 0xee)]));
    await ok();
    await closed;
    const bytes = Buffer.concat(got);
    // find the GOAWAY control frame (type 7) and its status (1 = PROTOCOL_ERROR)
    let off = 0;
    let status = -1;
    while (off + 8 <= bytes.length) {
      const len = bytes.readUIntBE(off + 5, 3);
      if ((bytes[off]! & 0x80) && bytes.readUInt16BE(off + 2) === GOAWAY) status = bytes.readUInt32BE(off + 12);
      off += 8 + len;
    }
    expect(status).toBe(1);
    await ok();
  });

  it('non-SPDY garbage falls back to HTTP/1.1 and gets 400; with http1 off the socket is dropped', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('\x01\x02garbage garbage\r\n\r\n'));
      let out = '';
      s.on('data', (d) => { out += d; });
      s.on('close', () => resolve(out));
      s.on('error', () => {});
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    const strict = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true, http1: false, h2: false });
    const sp = (await strict.start()).port;
    try {
      const out = await new Promise<number>((resolve) => {
        const s = net.connect(sp, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
        let n = 0;
        s.on('data', (d) => { n += d.length; });
        s.on('close', () => resolve(n));
        s.on('error', () => {});
      });
      expect(out).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

describe('misbehaving clients', () => {
  it('a client that stalls mid-body: its stream waits, others are served, close() ends it', async () => {
    const c = new RawSpdyClient(port, PROTO_SPDY3);
    const stalled = c.request('POST', '/echo', stallingBody(10_000), [['content-length', '100000']]);
    const fine = c.request('POST', '/echo', fullBody(50_000));
    expect(await fine.closed).toBe(0);
    expect(fine.bytes).toBe(50_000);
    await ok();
    expect(stalled.status).toBeNull();
    const t0 = Date.now();
    await server.close({ timeout: 300 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(c.goaway).toBeDefined();
    expect((c.goaway as GoawayFrame).statusCode).toBe(GOAWAY_OK);
    await c.ended;
    expect(closes).toContainEqual(['/echo', 5]); // the stalled stream: CANCEL when the connection went
    expect(errors).toEqual([]); // the aborted readBody is not a handler error
  });

  it('a client that disconnects mid-response: the server stream closes with CANCEL, the server goes on', async () => {
    const c = new RawSpdyClient(port, PROTO_SPDY3_1);
    const st = c.request('GET', '/big?n=50000000');
    await new Promise<void>((r) => { c.onData = () => r(); });
    c.socket.destroy();
    await until(() => closes.some(([p]) => p === '/big?n=50000000'));
    expect(closes.find(([p]) => p === '/big?n=50000000')![1]).toBe(5);
    expect(st.bytes).toBeLessThan(50_000_000);
    await ok();
    expect(errors).toEqual([]);
  });
});

it('a request body listener that throws: 500 for its stream, the connection lives on', async () => {
  const hs = await urlfetch([`http://127.0.0.1:${port}/data-throws`, `http://127.0.0.1:${port}/hello`], Collect,
    { method: 'PUT', body: Buffer.alloc(10_000, 1) });
  expect(hs[0]!.code).toBe(500);
  // the other stream of the connection (PUT /hello: an echo) is unaffected
  expect(hs[1]!.body.equals(Buffer.alloc(10_000, 1))).toBe(true);
  expect(errors.map(([e]) => (e as Error).message)).toEqual(['data boom (test)']);
  await ok();
});

describe.each([['spdy', false], ['h2', true]] as const)('handlers that throw (%s)', (proto, h2) => {
  it('before the headers: 500; after: the stream is reset; reported; others keep going', async () => {
    const cert = await testCert();
    const srv = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { key: cert.key, cert: cert.cert });
    const errs: unknown[] = [];
    srv.on('handlerError', (e: unknown) => errs.push(e));
    const { port: p } = await srv.start();
    try {
      const base = `https://127.0.0.1:${p}`;
      const hs = await urlfetch([`${base}/throw`, `${base}/throw-late`, `${base}/hello`], Collect,
        { ca: cert.cert, protocols: [h2 ? 'h2' : 'spdy/3.1'] });
      expect(hs[0]!.code).toBe(500);
      expect(hs[0]!.body.toString()).toContain('<title>500 Internal Server Error</title>');
      expect(hs[1]!.code).toBe(200);
      // SPDY INTERNAL_ERROR (6); HTTP/2 INTERNAL_ERROR (2)
      expect(hs[1]!.status).toBe(h2 ? 2 : INTERNAL_ERROR);
      expect(hs[2]!.body.toString()).toBe(`hello /hello over ${h2 ? 'h2' : 'spdy/3.1'}`);
      expect(errs.map((e) => (e as Error).message).sort()).toEqual(['boom (test)', 'late boom (test)']);
      void proto;
    } finally {
      await srv.close();
    }
  });
});

it('without a handlerError listener, errors go to stderr and the process survives', async () => {
  const srv = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
  const { port: p } = await srv.start();
  const orig = console.error;
  const logged: unknown[][] = [];
  console.error = (...a: unknown[]) => { logged.push(a); };
  try {
    const [h] = await urlfetch(`http://127.0.0.1:${p}/throw`, Collect);
    expect(h!.code).toBe(500);
  } finally {
    console.error = orig;
    await srv.close();
  }
  expect(String(logged[0]?.[0])).toMatch(/request handler error \(spdy\/3\.1 stream 1, GET \/throw\)/);
});

it('RST_STREAM from the server reaches urlfetch handlers as their close status', async () => {
  const c = new RawSpdyClient(port, PROTO_SPDY3);
  const st = c.request('GET', '/throw-late');
  expect(await st.closed).toBe(INTERNAL_ERROR);
  expect((c.resets[0] as RstStreamFrame).statusCode).toBe(INTERNAL_ERROR);
  c.socket.destroy();
});
