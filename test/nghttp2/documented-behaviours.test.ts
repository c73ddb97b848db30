// The documented behaviours of nghttp2's Python binding (seed 004) listed in
// issue 13 ("Documented behaviours with no test", items 8-13): HTTP2Server
// and BaseRequestHandler against Node's http2 client, curl and nghttp; the
// HPACK tables; printHdTable's default output in a child process.
import { execFile } from 'node:child_process';
import type * as http2 from 'node:http2';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRequestHandler, HDDeflater, HDInflater, type HDTableEntry,
} from '../../lib/nghttp2/index.js';
import { testCert, type TestCert } from '../helpers/certs.js';
import { closeAll, closeSession, connect, run, sleep, startServer } from '../helpers/h2server.js';

/** What the handlers saw. */
const seen: Record<string, unknown>[] = [];

const UTF8_TEXT = 'héllo wörld — ✓ 日本語 🚀\n';
/** 100 000+ bytes of multi-byte text: characters straddle the DATA frame boundaries. */
const UTF8_BIG = 'añ€😀'.repeat(10_000);

class Handler extends BaseRequestHandler {
  received: Buffer[] = [];

  override onHeaders(): void {
    const p = this.path?.toString() ?? '';
    seen.push({
      on: 'headers', path: p, host: this.host?.toString() ?? null, scheme: this.scheme?.toString() ?? null,
    });
    if (p === '/push') {
      const pushed = this.push({ path: '/pushed.css', body: 'p{}' });
      seen.push({ on: 'push', host: pushed.host?.toString() ?? null, scheme: pushed.scheme?.toString() ?? null });
      this.sendResponse({ body: 'main' });
    } else if (p === '/utf8') {
      this.sendResponse({ headers: [['content-type', 'text/plain; charset=utf-8']], body: UTF8_TEXT });
    } else if (p === '/utf8-big') {
      this.sendResponse({ body: UTF8_BIG });
    } else if (p === '/utf8-push') {
      this.push({ path: '/pushed.txt', body: UTF8_TEXT });
      this.sendResponse({ body: UTF8_TEXT });
    } else if (p === '/host') {
      this.sendResponse({ body: this.host === null ? '(null)' : this.host });
    }
    // POST /early: answered from onData
  }

  override onData(data: Buffer): void {
    this.received.push(Buffer.from(data));
    if (String(this.path) === '/early' && this.received.length === 1) {
      seen.push({ on: 'data-respond', bytesSoFar: data.length });
      this.sendResponse({ headers: [['x-first-chunk', String(data.length)]], body: `answered after ${data.length} bytes` });
    }
  }

  override onRequestDone(): void {
    seen.push({ on: 'done', path: String(this.path), total: Buffer.concat(this.received).toString() });
  }

  override onClose(errorCode: number): void {
    seen.push({ on: 'close', path: String(this.path), errorCode });
  }
}

let cert: TestCert;
beforeAll(async () => {
  cert = await testCert();
});
afterEach(async () => {
  await closeAll();
  seen.length = 0;
});

/** A request on `session` with its response headers, body, and the pushed streams it brought. */
function fetch(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<{
  headers: http2.IncomingHttpHeaders; body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let h: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (x) => { h = x; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ headers: h, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

function pushes(session: http2.ClientHttp2Session): Promise<{ request: http2.IncomingHttpHeaders; body: Buffer }>[] {
  const out: Promise<{ request: http2.IncomingHttpHeaders; body: Buffer }>[] = [];
  session.on('stream', (stream, request) => {
    out.push(new Promise((resolve) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ request, body: Buffer.concat(chunks) }));
    }));
  });
  return out;
}

describe('issue 13 documented behaviours (HTTP2Server, BaseRequestHandler)', () => {
  it('13.8 host is :authority, or the host header when :authority is absent (node:http2 client sends host instead)', async () => {
    const { url, port } = await startServer(Handler);
    const session = await connect(url);
    try {
      // with a host header Node's client sends no :authority
      const viaHost = await fetch(session, { ':path': '/host', host: 'example.test:8080' });
      expect(viaHost.body.toString()).toBe('example.test:8080');
      const viaAuthority = await fetch(session, { ':path': '/host', ':authority': 'authority.test' });
      expect(viaAuthority.body.toString()).toBe('authority.test');
      // the default: Node sends :authority from the URL it connected to
      const byDefault = await fetch(session, { ':path': '/host' });
      expect(byDefault.body.toString()).toBe(`127.0.0.1:${port}`);
      expect(seen.filter((s) => s.on === 'headers').map((s) => s.host))
        .toEqual(['example.test:8080', 'authority.test', `127.0.0.1:${port}`]);
    } finally {
      await closeSession(session);
    }
    // curl turns a Host header into :authority
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-H', 'Host: curl.test:99', `${url}/host`]);
    expect(r.stdout.toString()).toBe('curl.test:99');
  });

  it('13.9 a pushed request inherits :scheme and :authority of the request it is pushed on (h2c, TLS, host header; node:http2 and nghttp)', async () => {
    for (const tls of [false, true]) {
      const { url } = await startServer(Handler, tls ? { ssl: { key: cert.key, cert: cert.cert } } : {});
      const scheme = tls ? 'https' : 'http';
      for (const [label, headers, authority] of [
        [':authority', { ':authority': 'origin.test:4443' }, 'origin.test:4443'],
        ['host header', { host: 'hosted.test' }, 'hosted.test'],
      ] as const) {
        seen.length = 0;
        const session = await connect(url);
        try {
          const pushed = pushes(session);
          const main = await fetch(session, { ':path': '/push', ...headers });
          expect(main.body.toString()).toBe('main');
          const [p] = await Promise.all(pushed);
          expect(pushed, label).toHaveLength(1);
          expect(p!.request[':scheme'], label).toBe(scheme);
          expect(p!.request[':authority'], label).toBe(authority);
          expect(p!.request[':path']).toBe('/pushed.css');
          expect(p!.body.toString()).toBe('p{}');
          // the handler push() returned has them too
          expect(seen.find((s) => s.on === 'push')).toEqual({ on: 'push', host: authority, scheme });
        } finally {
          await closeSession(session);
        }
      }
      // nghttp prints the PUSH_PROMISE's header fields as received request fields (a response has no :scheme)
      const r = await run('nghttp', ['-nv', '-H', ':authority: nghttp.test:81', `${url}/push`]);
      expect(r.code).toBe(0);
      const out = r.stdout.toString();
      expect(out).toMatch(/recv PUSH_PROMISE frame/);
      const recvd = [...out.matchAll(/recv \(stream_id=\d+\) (:scheme|:authority|:path): (.*)/g)].map((m) => `${m[1]}=${m[2]}`);
      expect(recvd).toEqual([`:scheme=${scheme}`, ':authority=nghttp.test:81', ':path=/pushed.css']);
    }
  });

  it('13.10 sendResponse called from onData: the response goes out while the request body is still coming', async () => {
    const { url } = await startServer(Handler);
    const session = await connect(url);
    try {
      const req = session.request({ ':method': 'POST', ':path': '/early' }, { endStream: false });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise<void>((resolve) => req.on('end', () => resolve()));
      const response = new Promise<http2.IncomingHttpHeaders>((resolve) => req.on('response', resolve));
      req.write('first part;');
      // the whole response arrives before the client ends its request
      const headers = await Promise.race([response, sleep(5000).then(() => null)]);
      expect(headers).not.toBeNull();
      expect(headers![':status']).toBe(200);
      expect(headers!['x-first-chunk']).toBe('11');
      await ended;
      expect(Buffer.concat(chunks).toString()).toBe('answered after 11 bytes');
      expect(seen.some((s) => s.on === 'done')).toBe(false);
      // the rest of the request body is still read, and the request completes
      req.end('second part');
      for (let i = 0; i < 100 && !seen.some((s) => s.on === 'close'); i++) await sleep(10);
      expect(seen.filter((s) => s.on !== 'headers')).toEqual([
        { on: 'data-respond', bytesSoFar: 11 },
        { on: 'done', path: '/early', total: 'first part;second part' },
        { on: 'close', path: '/early', errorCode: 0 },
      ]);
    } finally {
      await closeSession(session);
    }
  });

  it('13.11 a str body with non-ASCII text is sent as UTF-8 (curl bytes; node:http2 for a large body and a push)', async () => {
    const { url } = await startServer(Handler);
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-D', '-', `${url}/utf8`]);
    const raw = r.stdout;
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1');
    const body = raw.subarray(split + 4);
    expect(head).toMatch(/^HTTP\/2 200/);
    expect(body.equals(Buffer.from(UTF8_TEXT, 'utf8'))).toBe(true);
    expect(body.length).toBeGreaterThan(UTF8_TEXT.length); // bytes, not UTF-16 code units nor latin1
    const cl = /content-length: (\d+)/i.exec(head);
    if (cl) expect(Number(cl[1])).toBe(body.length);

    const session = await connect(url);
    try {
      const pushed = pushes(session);
      const big = await fetch(session, { ':path': '/utf8-big' });
      expect(big.body.equals(Buffer.from(UTF8_BIG, 'utf8'))).toBe(true);
      const withPush = await fetch(session, { ':path': '/utf8-push' });
      expect(withPush.body.toString('utf8')).toBe(UTF8_TEXT);
      const [p] = await Promise.all(pushed);
      expect(p!.body.equals(Buffer.from(UTF8_TEXT, 'utf8'))).toBe(true);
    } finally {
      await closeSession(session);
    }
  });
});

describe('issue 13 documented behaviours (HPACK)', () => {
  const names = (t: HDTableEntry[]) => t.map((e) => `${e.name.toString()}=${e.value.toString()}`);

  it('13.12 getHdTable() returns a copy: changing it changes neither the table nor the blocks; later changes leave it alone', () => {
    const deflater = new HDDeflater(4096);
    const inflater = new HDInflater();
    const first = [['x-alpha', 'one'], ['x-beta', 'two']] as const;
    inflater.inflate(deflater.deflate(first));
    for (const coder of [deflater, inflater]) {
      const copy = coder.getHdTable();
      expect(names(copy)).toEqual(['x-beta=two', 'x-alpha=one']);
      // write over the returned entries' bytes and the array itself
      copy[0]!.name.fill(0x5a);
      copy[0]!.value.fill(0x5a);
      copy.pop();
      copy.push(copy[0]!);
      const again = coder.getHdTable();
      expect(again).not.toBe(copy);
      expect(names(again)).toEqual(['x-beta=two', 'x-alpha=one']);
      expect(again[0]).not.toBe(copy[0]);
    }
    // both coders still hold the true entries: a block of indexed references decodes to the original fields
    const snapshot = deflater.getHdTable();
    const block = deflater.deflate(first);
    expect(block.length).toBe(2); // two indexed fields
    expect(inflater.inflate(block).map(([n, v]) => `${n}=${v}`)).toEqual(['x-alpha=one', 'x-beta=two']);
    // fill the 4096-byte table until the first entries are evicted: the old copy does not change
    for (let i = 0; i < 40; i++) inflater.inflate(deflater.deflate([[`x-fill-${i}`, 'v'.repeat(100)]]));
    const now = names(deflater.getHdTable());
    expect(now).not.toContain('x-alpha=one');
    expect(names(snapshot)).toEqual(['x-beta=two', 'x-alpha=one']);
    expect(snapshot[0]!.space()).toBe('x-beta'.length + 'two'.length + 32);
    expect(names(inflater.getHdTable())).toEqual(now);
  });

  it('13.13 printHdTable writes to stdout by default (child process, nothing on stderr)', async () => {
    const dist = path.resolve(__dirname, '..', '..', 'dist', 'nghttp2', 'index.js');
    const script = `
      const ng = require(${JSON.stringify(dist)});
      const d = new ng.HDDeflater();
      d.deflate([['foo', 'bar']]);
      d.deflate([['baz', 'buz']]);
      ng.printHdTable(d.getHdTable());
      ng.printHdTable(new ng.HDInflater().getHdTable());
    `;
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, out, errOut) => {
        resolve({ stdout: out, stderr: errOut, code: err ? (err as { code?: number }).code ?? 1 : 0 });
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('[1] (s=38) baz: buz\n[2] (s=38) foo: bar\n');
  });
});

afterAll(async () => {
  await closeAll();
});
