// One Express app (built from the `express` module under test: Express 4 or
// 5, unmodified from npm) and the case list every transport of the peer
// matrix runs against it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  header, headerAll, multipart, pattern, sha256, startApp, transports,
  type AppServers, type Client, type Transport,
} from './compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compression = require('compression');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cookieParser = require('cookie-parser');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const multer = require('multer');

/** Size of the static fixture file (bytes). */
export const STATIC_SIZE = 200_000;
/** Size of the req.pipe(res) echo body (10 MiB). */
export const ECHO_SIZE = 10 * 1024 * 1024;
/** Milliseconds the SSE route waits for the client to report the first event. */
const SSE_WAIT = 5000;

export interface ExpressFixture {
  app: unknown;
  dir: string;
  staticBody: Buffer;
  /** SSE: resolves the route's wait once the client saw event `one` of request `id`. */
  sseSeen(id: string): void;
  cleanup(): void;
}

/** The what-the-server-saw record of GET /proto. */
export interface ProtoInfo {
  httpVersion: string;
  isSpdy: boolean | null;
  spdyVersion: number | null;
  alpn: string | null;
  encrypted: boolean;
  remoteAddress: string | null;
  method: string;
  url: string;
  host: string | null;
  reqIsIncomingMessage: boolean;
  resIsServerResponse: boolean;
}

/** Builds the test app with `express` (the module: Express 4 or 5). */
export function expressApp(express: any): ExpressFixture {
  const app = express();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-express-'));
  const staticBody = pattern(STATIC_SIZE, 3);
  fs.writeFileSync(path.join(dir, 'a.bin'), staticBody);
  fs.writeFileSync(path.join(dir, 'page.html'), '<!doctype html><title>t</title><p>hello page</p>\n');
  const sseWaits = new Map<string, () => void>();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 4 << 20 } });

  app.use(cookieParser());
  app.get('/proto', (req: any, res: any) => {
    const info: ProtoInfo = {
      httpVersion: req.httpVersion,
      isSpdy: req.isSpdy ?? null,
      spdyVersion: req.spdyVersion ?? null,
      alpn: req.socket?.alpnProtocol || null,
      encrypted: !!req.socket?.encrypted,
      remoteAddress: req.socket?.remoteAddress ?? null,
      method: req.method,
      url: req.url,
      host: req.headers.host ?? null,
      reqIsIncomingMessage: req instanceof http.IncomingMessage,
      resIsServerResponse: res instanceof http.ServerResponse,
    };
    res.json(info);
  });
  app.get('/users/:id', (req: any, res: any) => res.json({ id: req.params.id, q: req.query.q ?? null }));
  app.get('/redirect', (_req: any, res: any) => res.redirect('/target'));
  app.get('/file', (_req: any, res: any) => res.sendFile(path.join(dir, 'page.html')));
  app.use('/static', express.static(dir));
  app.use('/gz', compression({ threshold: 0 }));
  app.get('/gz/text', (_req: any, res: any) => {
    res.type('text/plain');
    res.send('compressible line of text\n'.repeat(2000));
  });
  app.post('/json', express.json(), (req: any, res: any) => res.json({ got: req.body }));
  app.post('/form', express.urlencoded({ extended: false }), (req: any, res: any) => res.json({ got: req.body }));
  app.post('/upload', upload.single('file'), (req: any, res: any) => {
    res.json({ field: req.body.field, name: req.file?.originalname, size: req.file?.size, sha: req.file && sha256(req.file.buffer) });
  });
  app.get('/cookies', (req: any, res: any) => {
    res.cookie('a', '1');
    res.cookie('b', '2', { httpOnly: true });
    res.json(req.cookies);
  });
  app.get('/sse', (req: any, res: any) => {
    const id = String(req.query.id);
    res.setHeader('content-type', 'text/event-stream');
    res.setHeader('cache-control', 'no-cache');
    res.flushHeaders();
    res.write('data: one\n\n');
    let timer: NodeJS.Timeout | undefined;
    new Promise<string>((resolve) => {
      sseWaits.set(id, () => resolve('two'));
      timer = setTimeout(() => resolve('timeout'), SSE_WAIT);
    }).then((what) => {
      clearTimeout(timer);
      sseWaits.delete(id);
      res.write(`data: ${what}\n\n`);
      res.end();
    });
  });
  app.get('/push-page', (req: any, res: any) => {
    // As in the spdy package's README: push where the protocol can, else a clear error.
    let pushed = 'no';
    try {
      const w = res.push('/pushed.js', { request: { accept: '*/*' }, response: { 'content-type': 'application/javascript' } });
      w.on('error', () => {});
      w.end('window.pushed = 1;');
      pushed = 'yes';
    } catch (err) {
      pushed = `error: ${(err as Error).message}`;
    }
    res.setHeader('x-pushed', pushed.slice(0, 200).replace(/[^\x20-\x7e]/g, '?'));
    res.type('html').send(`<script src="/pushed.js"></script> ${req.isSpdy ? 'spdy' : 'h1'}`);
  });
  app.get('/async-throw', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('rejected by an async route (test)');
  });
  app.get('/throw', () => {
    throw new Error('thrown by a route (test)');
  });
  app.post('/echo', (req: any, res: any) => {
    res.setHeader('content-type', 'application/octet-stream');
    req.pipe(res);
  });
  return {
    app, dir, staticBody,
    sseSeen: (id) => sseWaits.get(id)?.(),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ExpressCase {
  name: string;
  run(c: Client, t: Transport, fx: ExpressFixture, app: AppServers): Promise<void>;
}

let sseCounter = 0;

/** Express 5 only: a rejected promise of an async route gives a 500 (Express 4 does not catch it). */
export const EXPRESS5_CASES: ExpressCase[] = [
  {
    name: 'an async route that rejects gives a 500',
    async run(c) {
      const r = await c.request({ path: '/async-throw' });
      expect(r.status).toBe(500);
    },
  },
];

function runCmd(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The cases every transport runs against {@link expressApp}. */
export const EXPRESS_CASES: ExpressCase[] = [
  {
    name: 'req/res are http objects; protocol fields as the spdy package gives them',
    async run(c, t) {
      const r = await c.request({ path: '/proto?x=1' });
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toMatch(/^application\/json/);
      const info = JSON.parse(r.body.toString()) as ProtoInfo;
      expect(info.reqIsIncomingMessage).toBe(true);
      expect(info.resIsServerResponse).toBe(true);
      expect(info.method).toBe('GET');
      expect(info.url).toBe('/proto?x=1');
      expect(info.host).toMatch(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
      expect(info.encrypted).toBe(t.tls);
      expect(info.remoteAddress).toMatch(/127\.0\.0\.1$/);
      if (t.kind === 'h2') {
        expect(info.httpVersion).toBe('2.0');
        expect(info.isSpdy).toBe(true);
        expect(info.spdyVersion).toBe(4);
      } else if (t.kind === 'spdy') {
        expect(info.httpVersion).toBe('1.1');
        expect(info.isSpdy).toBe(true);
        expect(info.spdyVersion).toBe(t.spdyVersion);
      } else {
        expect(info.httpVersion).toBe('1.1');
        // The spdy package's values for its HTTP/1.1 fallback.
        expect(info.isSpdy).toBe(false);
        expect(info.spdyVersion).toBe(1);
      }
      if (t.tls) expect(info.alpn).toBe(t.kind === 'spdy' ? t.name : t.kind);
    },
  },
  {
    name: 'routing with params and query; 404 for an unknown path',
    async run(c) {
      const r = await c.request({ path: '/users/42?q=z' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.toString())).toEqual({ id: '42', q: 'z' });
      const nf = await c.request({ path: '/nope' });
      expect(nf.status).toBe(404);
    },
  },
  {
    name: 'HEAD sends headers and no body',
    async run(c) {
      const r = await c.request({ method: 'HEAD', path: '/users/7' });
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toMatch(/^application\/json/);
      expect(r.body.length).toBe(0);
    },
  },
  {
    name: 'res.redirect gives 302 with Location',
    async run(c) {
      const r = await c.request({ path: '/redirect' });
      expect(r.status).toBe(302);
      expect(header(r, 'location')).toBe('/target');
    },
  },
  {
    name: 'res.sendFile serves the file with its type',
    async run(c) {
      const r = await c.request({ path: '/file' });
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toMatch(/^text\/html/);
      expect(r.body.toString()).toContain('hello page');
    },
  },
  {
    name: 'express.static: full body, Range gives 206, If-None-Match gives 304',
    async run(c, _t, fx) {
      const full = await c.request({ path: '/static/a.bin' });
      expect(full.status).toBe(200);
      expect(full.body.length).toBe(STATIC_SIZE);
      expect(sha256(full.body)).toBe(sha256(fx.staticBody));
      expect(header(full, 'content-length')).toBe(String(STATIC_SIZE));
      const etag = header(full, 'etag');
      expect(etag).toBeTruthy();

      const part = await c.request({ path: '/static/a.bin', headers: { range: 'bytes=100-1099' } });
      expect(part.status).toBe(206);
      expect(header(part, 'content-range')).toBe(`bytes 100-1099/${STATIC_SIZE}`);
      expect(part.body.equals(fx.staticBody.subarray(100, 1100))).toBe(true);

      const nm = await c.request({ path: '/static/a.bin', headers: { 'if-none-match': etag! } });
      expect(nm.status).toBe(304);
      expect(nm.body.length).toBe(0);
    },
  },
  {
    name: 'compression middleware gzips the response',
    async run(c) {
      const r = await c.request({ path: '/gz/text', headers: { 'accept-encoding': 'gzip' } });
      expect(r.status).toBe(200);
      expect(header(r, 'content-encoding')).toBe('gzip');
      const text = gunzipSync(r.body).toString();
      expect(text).toBe('compressible line of text\n'.repeat(2000));
      expect(r.body.length).toBeLessThan(text.length / 10);
    },
  },
  {
    name: 'express.json and express.urlencoded parse request bodies',
    async run(c) {
      const j = await c.request({
        method: 'POST', path: '/json', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: [1, 2], b: 'ü' }),
      });
      expect(j.status).toBe(200);
      expect(JSON.parse(j.body.toString())).toEqual({ got: { a: [1, 2], b: 'ü' } });
      const f = await c.request({
        method: 'POST', path: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'x=1&y=two+words',
      });
      expect(f.status).toBe(200);
      expect(JSON.parse(f.body.toString())).toEqual({ got: { x: '1', y: 'two words' } });
    },
  },
  {
    name: 'multipart upload through multer',
    async run(c) {
      const data = pattern(300_000, 9);
      const mp = await multipart({ field: 'value', file: { name: 'up.bin', type: 'application/octet-stream', data } });
      const r = await c.request({ method: 'POST', path: '/upload', headers: { 'content-type': mp.contentType }, body: mp.body });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.toString())).toEqual({ field: 'value', name: 'up.bin', size: data.length, sha: sha256(data) });
    },
  },
  {
    name: 'cookies: cookie-parser reads them, res.cookie sets two',
    async run(c) {
      const r = await c.request({ path: '/cookies', headers: { cookie: 'x=1; y=hello' } });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.toString())).toEqual({ x: '1', y: 'hello' });
      const set = headerAll(r, 'set-cookie');
      expect(set).toHaveLength(2);
      expect(set[0]).toMatch(/^a=1; Path=\//);
      expect(set[1]).toMatch(/^b=2; Path=\/; HttpOnly/);
    },
  },
  {
    name: 'server-sent events: the first event arrives before the response ends',
    async run(c, _t, fx) {
      const id = `s${++sseCounter}`;
      let seenAt = -1;
      let got = '';
      const r = await c.request({
        path: `/sse?id=${id}`,
        onData: (d) => {
          got += d.toString();
          if (seenAt < 0 && got.includes('data: one\n\n')) {
            seenAt = got.length;
            fx.sseSeen(id);
          }
        },
      });
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toMatch(/^text\/event-stream/);
      expect(r.body.toString()).toBe('data: one\n\ndata: two\n\n');
      expect(seenAt).toBeGreaterThan(0);
    },
  },
  {
    name: 'a thrown error gives a 500 and the server keeps serving',
    async run(c) {
      const r = await c.request({ path: '/throw' });
      expect(r.status).toBe(500);
      const ok = await c.request({ path: '/users/1' });
      expect(ok.status).toBe(200);
    },
  },
  {
    name: 'req.pipe(res) echoes a 10 MiB body (sha256)',
    async run(c) {
      const body = pattern(ECHO_SIZE, 5);
      const r = await c.request({ method: 'POST', path: '/echo', headers: { 'content-type': 'application/octet-stream' }, body });
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(ECHO_SIZE);
      expect(sha256(r.body)).toBe(sha256(body));
    },
  },
];

/**
 * Declares the Express suite for `express` (the module): one app served by
 * `createServer` (TLS and cleartext), every case over every transport.
 * `expectFail` names `transport/case` pairs known to fail (run as `it.fails`).
 */
export function expressSuite(title: string, express: any, extraCases: ExpressCase[] = [], expectFail: Set<string> = new Set()): void {
  describe(title, () => {
    let fx: ExpressFixture;
    let app: AppServers;
    beforeAll(async () => {
      fx = expressApp(express);
      app = await startApp(fx.app as never);
    });
    afterAll(async () => {
      await app?.close();
      fx?.cleanup();
    });
    describe('push (res.push, as the spdy package)', () => {
      for (const scheme of ['https', 'http'] as const) {
        it(`nghttp -nv over ${scheme === 'https' ? 'h2 (TLS)' : 'h2c'} receives PUSH_PROMISE for /pushed.js and its body`, async () => {
          const port = scheme === 'https' ? app.tlsPort : app.plainPort;
          const r = await runCmd('nghttp', ['-nv', `${scheme}://127.0.0.1:${port}/push-page`]);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout).toMatch(/recv PUSH_PROMISE frame <length=\d+, flags=0x04, stream_id=\d+>\n\s+; END_HEADERS\n\s+\(padlen=0, promised_stream_id=2\)/);
          expect(r.stdout).toMatch(/:path: \/pushed\.js/);
          expect(r.stdout).toMatch(/recv \(stream_id=2\) content-type: application\/javascript/);
          expect(r.stdout).toMatch(/recv DATA frame <length=18, flags=0x01, stream_id=2>/);
        });
      }
      it('node:http2 client gets the pushed stream (TLS)', async () => {
        const http2 = await import('node:http2');
        const s = http2.connect(`https://127.0.0.1:${app.tlsPort}`, { ca: app.cert.cert, servername: 'localhost' });
        s.on('error', () => {});
        try {
          const pushed = new Promise<{ path: string; type: string; body: string }>((resolve) => {
            s.on('stream', (stream, headers) => {
              let body = '';
              let type = '';
              stream.on('push', (h) => (type = String(h['content-type'])));
              stream.on('data', (d) => (body += d));
              stream.on('end', () => resolve({ path: String(headers[':path']), type, body }));
            });
          });
          const main = await new Promise<string>((resolve, reject) => {
            const r = s.request({ ':path': '/push-page' });
            let b = '';
            r.on('data', (d) => (b += d));
            r.on('end', () => resolve(b));
            r.on('error', reject);
          });
          expect(main).toBe('<script src="/pushed.js"></script> spdy');
          expect(await pushed).toEqual({ path: '/pushed.js', type: 'application/javascript', body: 'window.pushed = 1;' });
        } finally {
          s.close();
        }
      });
      it('over HTTP/1.1 res.push throws a clear error and the page is still served', async () => {
        const c = transports(['http/1.1'])[0]!.open(app);
        try {
          const r = await c.request({ path: '/push-page' });
          expect(r.status).toBe(200);
          expect(header(r, 'x-pushed')).toMatch(/^error: .*(push|HTTP\/1)/i);
          expect(r.body.toString()).toBe('<script src="/pushed.js"></script> h1');
        } finally {
          await c.close();
        }
      });
    });
    for (const t of transports()) {
      describe(t.name, () => {
        let client: Client;
        beforeAll(() => {
          client = t.open(app);
        });
        afterAll(async () => {
          await client?.close();
        });
        for (const cs of [...EXPRESS_CASES, ...extraCases]) {
          const fn = expectFail.has(`${t.name}/${cs.name}`) ? it.fails : it;
          fn(cs.name, () => cs.run(client, t, fx, app));
        }
      });
    }
  });
}
