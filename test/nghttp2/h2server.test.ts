// HTTP2Server / BaseRequestHandler against real clients: curl (h2c prior
// knowledge and TLS/ALPN), nghttp, h2load and Node's http2 client.
import { createHash } from 'node:crypto';
import type * as http2 from 'node:http2';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRequestHandler,
  DATA_DEFERRED,
  DATA_EOF,
  DATA_OK,
  HTTP2Server,
  NGHTTP2Error,
} from '../../lib/nghttp2/index.js';
import { testCert, type TestCert } from '../helpers/certs.js';
import { closeAll, closeSession, connect, request, run, sleep, startServer } from '../helpers/h2server.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** What handlers saw, for assertions. */
const seen: Record<string, unknown>[] = [];
const closes: { path: string | null; code: number }[] = [];

const BIG = Buffer.alloc(24 * 1024 * 1024);
for (let i = 0; i < BIG.length; i += 4) BIG.writeUInt32LE((i * 2654435761) >>> 0, i);

class TestHandler extends BaseRequestHandler {
  chunks: Buffer[] = [];

  override onHeaders(): void {
    const p = this.path?.toString() ?? '';
    if (p === '/boom') throw new Error('boom in onHeaders');
    if (p.startsWith('/info')) {
      seen.push({
        method: this.method?.toString(), path: this.path?.toString(), scheme: this.scheme?.toString(), host: this.host?.toString(), streamId: this.streamId,
        clientAddress: this.clientAddress,
        attributesAreBuffers: [this.method, this.path, this.scheme, this.host].every((b) => Buffer.isBuffer(b)),
        headers: this.headers.map(([n, v]) => [n.toString(), v.toString()]),
      });
      this.sendResponse({ headers: [['content-type', 'application/json']], body: JSON.stringify(seen.at(-1)) });
    } else if (p === '/hello') {
      this.sendResponse({ headers: [['content-type', 'text/plain'], ['x-custom', Buffer.from('bytes')]], body: 'hello world\n' });
    } else if (p === '/misc') {
      // Status as a string, UTF-8 and Buffer header values, a plain-object header list,
      // and one generator chunk much larger than nghttp2 asks for.
      let done = false;
      this.sendResponse({
        status: '201',
        headers: { 'X-UTF8': 'h\u00e9llo', 'x-num': 42, 'x-buf': Buffer.from([0x41, 0xff]) },
        body: () => {
          if (done) return [null, DATA_EOF];
          done = true;
          return [BIG.subarray(0, 100_000), DATA_OK];
        },
      });
    } else if (p === '/empty') {
      this.sendResponse({ status: 204 });
    } else if (p === '/twice') {
      this.sendResponse({ body: 'first' });
      try {
        this.sendResponse({ body: 'second' });
      } catch (err) {
        seen.push({ twice: (err as Error).message });
      }
    } else if (p === '/bad-status') {
      let message = '';
      try {
        this.sendResponse({ status: 42 });
      } catch (err) {
        message = (err as Error).message;
      }
      this.sendResponse({ status: 500, body: message });
    } else if (p === '/big') {
      this.sendResponse({ body: BIG });
    } else if (p === '/generated') {
      // 10 MiB from a body generator, 1000-byte pieces of a counter pattern.
      let sent = 0;
      const total = 10 * 1024 * 1024;
      this.sendResponse({
        body: (size: number) => {
          const n = Math.min(size, total - sent);
          const chunk = Buffer.alloc(n, sent & 0xff);
          sent += n;
          return [chunk, sent === total ? DATA_EOF : DATA_OK];
        },
      });
    } else if (p === '/deferred') {
      const queue: string[] = [];
      let eof = false;
      const parts = ['alpha,', 'beta,', 'gamma'];
      const timer = setInterval(() => {
        const next = parts.shift();
        if (next === undefined) {
          eof = true;
          clearInterval(timer);
        } else {
          queue.push(next);
        }
        this.resume();
        this.resume(); // harmless twice
      }, 30);
      this.resume(); // harmless when not paused
      this.sendResponse({
        body: () => {
          const c = queue.shift();
          if (c !== undefined) return [c, DATA_OK];
          return eof ? [null, DATA_EOF] : [null, DATA_DEFERRED];
        },
      });
    } else if (p === '/readable') {
      this.sendResponse({
        headers: { 'content-type': 'text/plain' },
        body: Readable.from((async function* () {
          for (let i = 0; i < 50; i++) {
            yield Buffer.from(`line ${i}\n`);
            if (i % 10 === 0) await sleep(5);
          }
        })()),
      });
    } else if (p === '/file') {
      this.sendResponse({ body: fs.createReadStream(fixtureFile) });
    } else if (p === '/gen-throws') {
      this.sendResponse({
        body: () => {
          throw new Error('generator failed');
        },
      });
    } else if (p === '/push') {
      const pushed = this.push({
        path: '/css/style.css', requestHeaders: [['content-type', 'text/css']], status: 200, body: 'body{margin:0;}',
      });
      seen.push({ pushedId: pushed.streamId, pushedPath: pushed.path?.toString(), pushedIsHandler: pushed instanceof TestHandler });
      this.sendResponse({ headers: [['content-type', 'text/plain']], body: Readable.from([Buffer.from('nghttp2-python FTW')]) });
    } else if (p === '/push-disabled') {
      let result = 'no error';
      try {
        this.push({ path: '/x.css', body: 'x' });
      } catch (err) {
        result = `${(err as Error).constructor.name} ${(err as NGHTTP2Error).code}`;
      }
      let emptyPath = '';
      try {
        this.push({ path: '' });
      } catch (err) {
        emptyPath = (err as Error).message;
      }
      this.sendResponse({ body: `${result}|${emptyPath}` });
    }
    // POST /echo, /data-boom, /done-boom: answered in onData/onRequestDone.
  }

  override onData(data: Buffer): void {
    if (String(this.path) === '/data-boom') throw new Error('boom in onData');
    this.chunks.push(Buffer.from(data));
  }

  override onRequestDone(): void {
    if (String(this.path) === '/done-boom') throw new Error('boom in onRequestDone');
    if (String(this.path) === '/echo') {
      const body = Buffer.concat(this.chunks);
      this.sendResponse({ headers: [['x-sha256', sha256(body)]], body });
    }
  }

  override onClose(errorCode: number): void {
    closes.push({ path: this.path?.toString(), code: errorCode });
  }
}

let fixtureDir = '';
let fixtureFile = '';
let cert: TestCert;

beforeAll(async () => {
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-h2-'));
  fixtureFile = path.join(fixtureDir, 'file.bin');
  fs.writeFileSync(fixtureFile, BIG.subarray(0, 3 * 1024 * 1024 + 17));
  cert = await testCert();
});

afterAll(() => {
  fs.rmSync(fixtureDir, { recursive: true, force: true });
});

afterEach(async () => {
  await closeAll();
  seen.length = 0;
  closes.length = 0;
});

describe('curl', () => {
  it('GET over h2c with prior knowledge', async () => {
    const { url, logs } = await startServer(TestHandler);
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-D', '-', `${url}/hello`]);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/^HTTP\/2 200 \r\n/);
    expect(out).toContain('content-type: text/plain\r\n');
    expect(out).toContain('x-custom: bytes\r\n');
    expect(out).not.toMatch(/^date:/m);
    expect(out.endsWith('\r\n\r\nhello world\n')).toBe(true);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^127\.0\.0\.1 - - \[\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\] "GET \/hello HTTP\/2" 200 - -$/);
  });

  it('GET over TLS with ALPN h2', async () => {
    const { url } = await startServer(TestHandler, { ssl: { key: cert.key, cert: cert.cert } });
    const r = await run('curl', ['-sS', '-k', '--http2', '-w', '\n%{http_version}', `${url}/hello`]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('hello world\n\n2');
  });

  it('POST echo of a 1 MiB body (h2c and TLS)', async () => {
    const body = BIG.subarray(0, 1024 * 1024 + 3);
    const file = path.join(fixtureDir, 'post.bin');
    fs.writeFileSync(file, body);
    for (const ssl of [undefined, { key: cert.key, cert: cert.cert }]) {
      const { url } = await startServer(TestHandler, { ssl });
      const r = await run('curl', ['-sS', '-k', ssl ? '--http2' : '--http2-prior-knowledge', '--data-binary', `@${file}`,
        `${url}/echo`]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(body.length);
      expect(sha256(r.stdout)).toBe(sha256(body));
    }
  });

  it('large Buffer body (24 MiB) arrives intact', async () => {
    const { url } = await startServer(TestHandler);
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', `${url}/big`]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(BIG.length);
    expect(sha256(r.stdout)).toBe(sha256(BIG));
  });

  it('a handler that throws resets its stream with INTERNAL_ERROR and is reported', async () => {
    const { url, errors } = await startServer(TestHandler);
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', `${url}/boom`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/INTERNAL_ERROR/);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom in onHeaders');
  });
});

describe('nghttp', () => {
  it('shows the PUSH_PROMISE and receives the pushed resource', async () => {
    const { url, logs } = await startServer(TestHandler);
    const r = await run('nghttp', ['-nv', `${url}/push`]);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/recv PUSH_PROMISE frame/);
    expect(out).toMatch(/promised_stream_id=2\)/);
    expect(out).toMatch(/:path: \/css\/style\.css/);
    expect(out).toMatch(/content-type: text\/css/);
    expect(seen[0]).toEqual({ pushedId: 2, pushedPath: '/css/style.css', pushedIsHandler: true });
    expect(logs.some((l) => /"GET \/css\/style\.css HTTP\/2" 200 - P$/.test(l))).toBe(true);
    expect(logs.some((l) => /"GET \/push HTTP\/2" 200 - -$/.test(l))).toBe(true);
  });

  it('downloads a 10 MiB generated body', async () => {
    const { url } = await startServer(TestHandler);
    const r = await run('nghttp', ['-s', `${url}/generated`]);
    expect(r.code).toBe(0);
    // nghttp -s prints statistics; the body goes to stdout before them.
    expect(r.stdout.length).toBeGreaterThanOrEqual(10 * 1024 * 1024);
  });
});

describe('h2load', () => {
  it('every request of a bounded run succeeds with 2xx', async () => {
    const { url } = await startServer(TestHandler, { log: false });
    const r = await run('h2load', ['-n', '2000', '-c', '10', '-m', '10', `${url}/hello`], 60_000);
    const out = r.stdout.toString();
    expect(out).toMatch(/requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout/);
    expect(out).toMatch(/status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx/);
  });

  it('works over TLS too', async () => {
    const { url } = await startServer(TestHandler, { log: false, ssl: { key: cert.key, cert: cert.cert } });
    const r = await run('h2load', ['-n', '500', '-c', '5', '-m', '10', `${url}/hello`], 60_000);
    expect(r.stdout.toString()).toMatch(/status codes: 500 2xx, 0 3xx, 0 4xx, 0 5xx/);
  });
});

describe('Node http2 client', () => {
  it('exposes the request attributes and headers (cookies joined last)', async () => {
    const { url, port } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      const r = await request(session, '/info?q=1', {
        headers: { 'x-a': 'one', cookie: ['a=1', 'b=2'], 'x-b': 'two' },
      });
      expect(r.status).toBe(200);
      const info = JSON.parse(r.body.toString());
      expect(info.attributesAreBuffers).toBe(true);
      expect(info.method).toBe('GET');
      expect(info.path).toBe('/info?q=1');
      expect(info.scheme).toBe('http');
      expect(info.host).toBe(`127.0.0.1:${port}`);
      expect(info.streamId).toBe(1);
      expect(info.clientAddress[0]).toBe('127.0.0.1');
      expect(typeof info.clientAddress[1]).toBe('number');
      const names = info.headers.map((h: string[]) => h[0]);
      expect(names.slice(0, 4).sort()).toEqual([':authority', ':method', ':path', ':scheme']);
      expect(info.headers).toContainEqual(['x-a', 'one']);
      expect(info.headers).toContainEqual(['x-b', 'two']);
      expect(names.filter((n: string) => n === 'cookie')).toHaveLength(1);
      expect(info.headers.at(-1)).toEqual(['cookie', 'a=1; b=2']);
    } finally {
      await closeSession(session);
    }
  });

  it('handler errors reset only their own stream', async () => {
    const { url, errors } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      const results = await Promise.allSettled([
        request(session, '/boom'),
        request(session, '/data-boom', { method: 'POST', body: 'xyz' }),
        request(session, '/done-boom', { method: 'POST', body: 'xyz' }),
        request(session, '/gen-throws'),
        request(session, '/hello'),
      ]);
      for (const r of results.slice(0, 4)) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.rstCode).toBe(2);
      }
      expect(results[4]!.status).toBe('fulfilled');
      expect((results[4] as PromiseFulfilledResult<{ body: Buffer }>).value.body.toString()).toBe('hello world\n');
      // The connection is still usable afterwards.
      expect((await request(session, '/hello')).status).toBe(200);
      expect(errors.map((e) => (e as Error).message).sort()).toEqual(
        ['boom in onData', 'boom in onHeaders', 'boom in onRequestDone', 'generator failed']);
    } finally {
      await closeSession(session);
    }
  });

  it('sendResponse twice throws; a bad status throws', async () => {
    const { url } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      expect((await request(session, '/twice')).body.toString()).toBe('first');
      expect(seen).toContainEqual({ twice: 'response has already been sent' });
      const r = await request(session, '/bad-status');
      expect(r.status).toBe(500);
      expect(r.body.toString()).toMatch(/status must be/);
      expect((await request(session, '/empty')).status).toBe(204);
    } finally {
      await closeSession(session);
    }
  });

  it('string status, UTF-8/number/Buffer header values, object headers, oversized generator chunks', async () => {
    const { url } = await startServer(TestHandler);
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-D', '-', '-o', path.join(fixtureDir, 'misc.bin'), `${url}/misc`]);
    const head = r.stdout.toString('latin1');
    expect(head).toMatch(/^HTTP\/2 201 \r\n/);
    expect(head).toContain('x-utf8: h\xc3\xa9llo\r\n');
    expect(head).toContain('x-num: 42\r\n');
    expect(head).toContain('x-buf: A\xff\r\n');
    expect(sha256(fs.readFileSync(path.join(fixtureDir, 'misc.bin')))).toBe(sha256(BIG.subarray(0, 100_000)));
  });

  it('deferred body generator with resume()', async () => {
    const { url } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      const r = await request(session, '/deferred');
      expect(r.body.toString()).toBe('alpha,beta,gamma');
    } finally {
      await closeSession(session);
    }
  });

  it('Readable bodies (async generator and file stream)', async () => {
    const { url } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      const r = await request(session, '/readable');
      expect(r.headers['content-type']).toBe('text/plain');
      expect(r.body.toString()).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
      const f = await request(session, '/file');
      expect(sha256(f.body)).toBe(sha256(fs.readFileSync(fixtureFile)));
    } finally {
      await closeSession(session);
    }
  });

  it('large POST echo and large response over TLS', async () => {
    const { url } = await startServer(TestHandler, { ssl: { key: cert.key, cert: cert.cert } });
    const session = await connect(url);
    try {
      const body = BIG.subarray(0, 5 * 1024 * 1024);
      const echo = await request(session, '/echo', { method: 'POST', body });
      expect(echo.headers['x-sha256']).toBe(sha256(body));
      expect(sha256(echo.body)).toBe(sha256(body));
      const big = await request(session, '/big');
      expect(sha256(big.body)).toBe(sha256(BIG));
    } finally {
      await closeSession(session);
    }
  });

  it('receives pushed streams; push() throws when the client disabled push', async () => {
    const { url } = await startServer(TestHandler);
    const session = await connect(url);
    try {
      const pushed = new Promise<{ headers: Record<string, unknown>; body: string }>((resolve) => {
        session.once('stream', (stream, headers) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve({ headers, body: Buffer.concat(chunks).toString() }));
        });
      });
      const r = await request(session, '/push');
      expect(r.body.toString()).toBe('nghttp2-python FTW');
      const p = await pushed;
      expect(p.headers[':path']).toBe('/css/style.css');
      expect(p.headers['content-type']).toBe('text/css');
      expect(p.body).toBe('body{margin:0;}');
    } finally {
      await closeSession(session);
    }
    const noPush = await connect(url, { settings: { enablePush: false } });
    try {
      const r = await request(noPush, '/push-disabled');
      expect(r.body.toString()).toBe('NGHTTP2Error -528|path must not be empty');
    } finally {
      await closeSession(noPush);
    }
  });

  it('onClose(0) after a normal response, onClose(INTERNAL_ERROR) on transport loss', async () => {
    const { url } = await startServer(TestHandler);
    const session = await connect(url);
    await request(session, '/hello');
    await sleep(50);
    expect(closes).toContainEqual({ path: '/hello', code: 0 });
    // A request whose body never ends, then the transport dies.
    const req = session.request({ ':method': 'POST', ':path': '/echo' }, { endStream: false });
    req.on('error', () => {});
    req.write('partial');
    await sleep(100);
    session.destroy();
    for (let i = 0; i < 50 && !closes.some((c) => c.path === '/echo'); i++) await sleep(20);
    expect(closes).toContainEqual({ path: '/echo', code: 2 });
  });
});

// onData returning a promise: per-stream back-pressure on request bodies.
let gate: (() => void) | null = null;
let gatedBytes = 0;
class GatedHandler extends BaseRequestHandler {
  total = 0;
  hash = createHash('sha256');
  override onData(data: Buffer): void | Promise<void> {
    this.total += data.length;
    this.hash.update(data);
    if (String(this.path) !== '/slow' || gate === null) return undefined;
    gatedBytes += data.length;
    return new Promise<void>((resolve) => {
      const prev = gate!;
      gate = () => { prev(); resolve(); };
    });
  }
  override onRequestDone(): void {
    this.sendResponse({ body: `${this.total} ${this.hash.digest('hex')}` });
  }
}

describe('request body back-pressure (onData returning a promise)', () => {
  it('a handler holding its chunks stops only its own stream; the rest of the connection goes on', async () => {
    const { url } = await startServer(GatedHandler);
    const session = await connect(url);
    try {
      gatedBytes = 0;
      gate = () => {};
      const body = BIG.subarray(0, 2 * 1024 * 1024);
      const slow = request(session, '/slow', { method: 'POST', body });
      const fast = await request(session, '/fast', { method: 'POST', body });
      // /fast went through while /slow held every chunk it got
      expect(fast.body.toString()).toBe(`${body.length} ${sha256(body)}`);
      expect(gatedBytes).toBeGreaterThan(0);
      expect(gatedBytes).toBeLessThanOrEqual(65535); // one stream window, never given back
      await sleep(100);
      expect(gatedBytes).toBeLessThanOrEqual(65535);
      const open = gate;
      gate = null; // from now on chunks are taken at once
      open();
      const s = await slow;
      expect(s.body.toString()).toBe(`${body.length} ${sha256(body)}`);
    } finally {
      gate = null;
      await closeSession(session);
    }
  });
});

describe('HTTP2Server lifecycle', () => {
  it('accepts { host, port } and [null, port]; serveForever resolves on close', async () => {
    const a = new HTTP2Server({ host: '127.0.0.1', port: 0 }, TestHandler, null, { log: false });
    const addr = await a.listen();
    expect(addr.address).toBe('127.0.0.1');
    expect(addr.port).toBeGreaterThan(0);
    const forever = a.serveForever();
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${addr.port}/hello`]);
    expect(r.stdout.toString()).toBe('hello world\n');
    await a.close();
    await expect(forever).resolves.toBeUndefined();

    const b = new HTTP2Server([null, 0], TestHandler, undefined, { log: false });
    const baddr = await b.listen();
    const r2 = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${baddr.port}/hello`]);
    expect(r2.stdout.toString()).toBe('hello world\n');
    await b.close();
  });

  it('rejects bad constructor arguments and listen errors', async () => {
    expect(() => new HTTP2Server(['127.0.0.1', -1], TestHandler)).toThrow(TypeError);
    expect(() => new HTTP2Server('x' as never, TestHandler)).toThrow(TypeError);
    const { port } = await startServer(TestHandler);
    const dup = new HTTP2Server(['127.0.0.1', port], TestHandler, null, { log: false });
    await expect(dup.listen()).rejects.toThrow(/EADDRINUSE/);
  });

  it('close() sends GOAWAY(NO_ERROR), lets the in-flight stream finish, and resolves', async () => {
    const { server, url } = await startServer(TestHandler);
    const session = await connect(url);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code) => resolve(code)));
    const inflight = request(session, '/deferred');
    await sleep(20);
    const closed = server.close();
    expect(await goaway).toBe(0);
    expect((await inflight).body.toString()).toBe('alpha,beta,gamma');
    await closed;
    expect(server.connections.size).toBe(0);
    session.destroy();
  });
});

describe('trailers and 1xx (node http2 client)', () => {
  it('sendTrailers() after a body sends trailing HEADERS; onTrailers() gets the request trailers; sendInfo() sends 103', async () => {
    const got: string[][] = [];
    class Handler extends BaseRequestHandler {
      override onTrailers(trailers: [Buffer, Buffer][]): void {
        got.push(trailers.map(([n, v]) => `${n}=${v}`));
      }
      override onRequestDone(): void {
        this.sendInfo(103, [['link', '</x.css>; rel=preload']]);
        let sent = false;
        this.sendResponse({
          status: 200,
          body: () => {
            if (sent) return [null, DATA_EOF];
            sent = true;
            return [Buffer.from('body'), DATA_OK];
          },
        });
        this.sendTrailers([['x-sum', 'abc'], ['x-n', 1]]);
      }
    }
    const { url } = await startServer(Handler, { log: false });
    const session = await connect(url);
    try {
      const r = await new Promise<{ infos: number[]; status: number; body: string; trailers: Record<string, unknown> }>((resolve, reject) => {
        const s = session.request({ ':method': 'POST', ':path': '/' }, { waitForTrailers: true });
        const infos: number[] = [];
        let status = 0;
        let body = '';
        let trailers: Record<string, unknown> = {};
        s.on('wantTrailers', () => s.sendTrailers({ 'x-req': 'r' }));
        s.on('headers', (h) => infos.push(h[':status'] as number));
        s.on('response', (h) => { status = h[':status'] as number; });
        s.on('trailers', (t) => { trailers = t; });
        s.on('data', (d: Buffer) => { body += d; });
        s.on('end', () => resolve({ infos, status, body, trailers }));
        s.on('error', reject);
        s.end('up');
      });
      expect(r.infos).toEqual([103]);
      expect(r.status).toBe(200);
      expect(r.body).toBe('body');
      expect(r.trailers['x-sum']).toBe('abc');
      expect(r.trailers['x-n']).toBe('1');
      expect(got).toEqual([['x-req=r']]);
    } finally {
      await closeSession(session);
    }
  });
});

describe("the reference's positional sendResponse()/push() forms (node http2 client)", () => {
  class PositionalHandler extends BaseRequestHandler {
    override onHeaders(): void {
      const p = this.path?.toString() ?? '';
      if (p === '/status-only') {
        this.sendResponse(404);
      } else if (p === '/all-three') {
        this.sendResponse(404, [['content-type', 'text/plain']], 'not here');
      } else if (p === '/string-status') {
        this.sendResponse('201', { 'x-form': 'positional' }, Buffer.from('made'));
      } else if (p === '/defaults') {
        this.sendResponse();
      } else if (p === '/push') {
        const pushed = this.push('/style.css', 'GET', [['accept', 'text/css']], 202, [['content-type', 'text/css']], 'p{}');
        const minimal = this.push(Buffer.from('/min.js'));
        this.sendResponse(200, null, `${pushed.streamId},${minimal.streamId}`);
      } else if (p === '/bad-shapes') {
        const h = this as BaseRequestHandler & Record<string, (...a: unknown[]) => unknown>;
        const attempts: [string, () => unknown][] = [
          ['unknown key', () => h.sendResponse({ code: 404 })],
          ['options then more', () => h.sendResponse({ status: 404 }, 'x')],
          ['array first', () => h.sendResponse([['a', 'b']])],
          ['boolean first', () => h.sendResponse(true)],
          ['string headers', () => h.sendResponse(200, 'content-type: text/plain')],
          ['four arguments', () => h.sendResponse(200, null, 'b', 'extra')],
          ['push number', () => h.push(42)],
          ['push snake_case', () => h.push({ path: '/x', request_headers: [] })],
          ['push seven arguments', () => h.push('/x', 'GET', null, 200, null, null, 'extra')],
          ['push bad method', () => h.push('/x', 7)],
        ];
        const results = attempts.map(([name, f]) => {
          try {
            f();
            return { name, error: null };
          } catch (err) {
            const e = err as Error & { code?: string };
            return { name, error: [e instanceof TypeError, e.code, e.message] };
          }
        });
        this.sendResponse(200, [['content-type', 'application/json']], JSON.stringify(results));
      }
    }
  }

  it('sendResponse(status), sendResponse(status, headers, body) and sendResponse() send what they say', async () => {
    const { url } = await startServer(PositionalHandler);
    const session = await connect(url);
    try {
      const statusOnly = await request(session, '/status-only');
      expect(statusOnly.status).toBe(404);
      expect(statusOnly.body.length).toBe(0);
      const all = await request(session, '/all-three');
      expect(all.status).toBe(404);
      expect(all.headers['content-type']).toBe('text/plain');
      expect(all.body.toString()).toBe('not here');
      const str = await request(session, '/string-status');
      expect(str.status).toBe(201);
      expect(str.headers['x-form']).toBe('positional');
      expect(str.body.toString()).toBe('made');
      const defaults = await request(session, '/defaults');
      expect(defaults.status).toBe(200);
      expect(defaults.body.length).toBe(0);
    } finally {
      await closeSession(session);
    }
  });

  it('push(path, method, requestHeaders, status, headers, body) and push(path) promise what they say', async () => {
    const { url } = await startServer(PositionalHandler);
    const session = await connect(url);
    try {
      const pushes: Promise<{ request: http2.IncomingHttpHeaders; response: http2.IncomingHttpHeaders; body: string }>[] = [];
      session.on('stream', (stream, requestHeaders) => {
        pushes.push(new Promise((resolve) => {
          let response: http2.IncomingHttpHeaders = {};
          const chunks: Buffer[] = [];
          stream.on('push', (h) => { response = h; });
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve({ request: requestHeaders, response, body: Buffer.concat(chunks).toString() }));
        }));
      });
      const r = await request(session, '/push');
      expect(r.body.toString()).toBe('2,4');
      const got = await Promise.all(pushes);
      expect(got).toHaveLength(2);
      const [js, css] = got.sort((a, b) => String(a.request[':path']).localeCompare(String(b.request[':path'])));
      expect(js.request[':path']).toBe('/min.js');
      expect(js.request[':method']).toBe('GET');
      expect(js.response[':status']).toBe(200);
      expect(js.body).toBe('');
      expect(css.request[':path']).toBe('/style.css');
      expect(css.request[':method']).toBe('GET');
      expect(css.request.accept).toBe('text/css');
      expect(css.response[':status']).toBe(202);
      expect(css.response['content-type']).toBe('text/css');
      expect(css.body).toBe('p{}');
    } finally {
      await closeSession(session);
    }
  });

  it('any other argument shape throws an ArgumentError (TypeError) and sends nothing', async () => {
    const { url } = await startServer(PositionalHandler);
    const session = await connect(url, { settings: { enablePush: true } });
    try {
      let pushed = 0;
      session.on('stream', () => pushed++);
      const r = await request(session, '/bad-shapes');
      expect(r.status).toBe(200);
      const results = JSON.parse(r.body.toString()) as { name: string; error: [boolean, string, string] | null }[];
      for (const { name, error } of results) {
        expect(error, name).not.toBeNull();
        expect(error![0], name).toBe(true);
        expect(error![1], name).toBe('ERR_SPDYLAY_INVALID_ARG');
      }
      const message = (name: string): string => results.find((x) => x.name === name)!.error![2];
      expect(message('unknown key')).toMatch(/unknown option "code"/);
      expect(message('push snake_case')).toMatch(/unknown option "request_headers" \(did you mean requestHeaders\?\)/);
      expect(message('array first')).toMatch(/status \(a number\) or an options object/);
      expect(message('push number')).toMatch(/path \(a string or bytes\) or an options object/);
      expect(pushed).toBe(0);
    } finally {
      await closeSession(session);
    }
  });
});
