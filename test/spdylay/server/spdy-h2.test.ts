// HTTP/2 on both sides of the spdylay high-level API: urlfetch's h2 client
// (nghttp2 client session, binding/nghttp2/client_session.cc) against ThreadedSPDYServer's
// shared port and against the `spdy` package's h2 server; curl and nghttp
// (h2, HTTP/1.1 fallback) against the shared port, TLS and cleartext.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UrlFetchError, urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { formatFrame, type TraceFrame } from '../../../lib/spdylay/trace.js';
import { testCert, type TestCert } from '../../helpers/certs.js';
import { Collect, EchoHandler, listen, pattern, sha } from '../../helpers/spdy-fetch.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

let cert: TestCert;
let caFile: string;
let tlsServer: ThreadedSPDYServer;
let plainServer: ThreadedSPDYServer;
let tlsBase: string;
let plainBase: string;

beforeAll(async () => {
  cert = await testCert();
  caFile = path.join(os.tmpdir(), `spdy-h2-ca-${process.pid}.pem`);
  fs.writeFileSync(caFile, cert.cert);
  tlsServer = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler, { key: cert.key, cert: cert.cert });
  plainServer = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler, { plain: true });
  tlsBase = `https://127.0.0.1:${(await tlsServer.start()).port}`;
  plainBase = `http://127.0.0.1:${(await plainServer.start()).port}`;
});
afterAll(async () => {
  await Promise.all([tlsServer.close(), plainServer.close()]);
  fs.rmSync(caFile, { force: true });
});

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('urlfetch over h2 (nghttp2 client session)', () => {
  it('selects h2 by ALPN against the shared port; headers, bodies, 100 concurrent streams, frame trace', async () => {
    const frames: [string, TraceFrame][] = [];
    let protocol = '';
    const urls = [`${tlsBase}/hello`, `${tlsBase}/missing`, `${tlsBase}/big?n=2000003`,
      ...Array.from({ length: 100 }, (_, i) => `${tlsBase}/hello?${i}`)];
    const hs = await urlfetch(urls, Collect, { ca: cert.cert, protocols: ['h2'],
      onProtocol: (p) => { protocol = p; }, onFrame: (d, f) => frames.push([d, f]) });
    expect(protocol).toBe('h2');
    expect(hs[0]!.header(':status')).toBe('200');
    expect(hs[0]!.body.toString()).toBe('hello /hello over h2');
    expect(hs[0]!.events).toEqual(['header', 'data', 'close']);
    expect(hs[1]!.code).toBe(404);
    expect(hs[1]!.body.toString()).toContain('<title>404 Not Found</title>');
    expect(hs[2]!.body.length).toBe(2000003);
    expect(sha(hs[2]!.body)).toBe(hs[2]!.header('x-sha'));
    hs.slice(3).forEach((h, i) => {
      expect(h.body.toString()).toBe(`hello /hello?${i} over h2`);
      expect(h.status).toBe(0);
    });
    expect(new Set(hs.map((h) => h.streamId)).size).toBe(hs.length);
    const text = frames.map(([d, f]) => formatFrame(d as 'send' | 'recv', f)).join('\n');
    expect(text).toMatch(/^send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n +:method: GET$/m);
    expect(text).toMatch(/^recv HEADERS frame <length=\d+, flags=0x04, stream_id=1>\n +:status: 200$/m);
    expect(text).toMatch(/^recv DATA frame <length=\d+, flags=0x01, stream_id=\d+>/m);
    expect(text).toMatch(/^send GOAWAY frame/m);
  });

  it('request bodies of 0, 1, 16 KiB + 1 and 10 MiB over h2', async () => {
    for (const size of [0, 1, 16 * 1024 + 1, 10 * 1024 * 1024]) {
      const body = pattern(size, 1);
      const [h] = await urlfetch(`${tlsBase}/echo`, Collect, { ca: cert.cert, protocols: ['h2'], method: 'POST', body });
      expect(h!.header('x-len')).toBe(String(size));
      expect(h!.header('x-sha')).toBe(sha(body));
      expect(h!.body.equals(body)).toBe(true);
    }
  }, 30_000);

  it('fetches from the spdy package server, which prefers h2', async () => {
    const srv: net.Server = spdy.createServer({ key: cert.key, cert: cert.cert },
      (req: http.IncomingMessage, res: http.ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const b = Buffer.concat(chunks);
          res.writeHead(200, { 'x-len': String(b.length), 'x-sha': sha(b) });
          res.end(`spdy says ${req.url}`);
        });
      });
    const port = await listen(srv);
    try {
      let protocol = '';
      const body = pattern(100_000, 4);
      const hs = await urlfetch([`https://127.0.0.1:${port}/a`, `https://127.0.0.1:${port}/b`], Collect,
        { ca: cert.cert, onProtocol: (p) => { protocol = p; }, method: 'PUT', body });
      expect(protocol).toBe('h2');
      expect(hs.map((h) => h.body.toString())).toEqual(['spdy says /a', 'spdy says /b']);
      expect(hs[0]!.header('x-sha')).toBe(sha(body));
    } finally {
      srv.close();
    }
  });
});

describe("urlfetch over h2c (version: 'h2', prior knowledge)", () => {
  it('against the shared cleartext port: GET, 404, a 2 MB body, a POST body, 50 concurrent streams', async () => {
    let protocol = '';
    const body = pattern(300_001, 9);
    const urls = [`${plainBase}/hello`, `${plainBase}/missing`, `${plainBase}/big?n=2000003`,
      ...Array.from({ length: 50 }, (_, i) => `${plainBase}/hello?${i}`)];
    const hs = await urlfetch(urls, Collect, { version: 'h2', onProtocol: (p) => { protocol = p; } });
    expect(protocol).toBe('h2c');
    expect(hs[0]!.header(':status')).toBe('200');
    expect(hs[0]!.body.toString()).toBe('hello /hello over h2');
    expect(hs[1]!.code).toBe(404);
    expect(hs[2]!.body.length).toBe(2000003);
    expect(sha(hs[2]!.body)).toBe(hs[2]!.header('x-sha'));
    hs.slice(3).forEach((h, i) => expect(h.body.toString()).toBe(`hello /hello?${i} over h2`));
    const [p] = await urlfetch(`${plainBase}/echo`, Collect, { version: 'h2', method: 'POST', body });
    expect(p!.header('x-sha')).toBe(sha(body));
    expect(p!.body.equals(body)).toBe(true);
  });

  it("against Node's own http2 cleartext server", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const http2 = require('node:http2') as typeof import('node:http2');
    const srv = http2.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const b = Buffer.concat(chunks);
        res.writeHead(201, { 'x-len': String(b.length), 'x-sha': sha(b), 'x-path': req.url });
        res.end(`node says ${req.method} ${req.url}`);
      });
    });
    const port = await listen(srv as unknown as net.Server);
    try {
      let protocol = '';
      const body = pattern(70_000, 3);
      const hs = await urlfetch([`http://127.0.0.1:${port}/x`, `http://127.0.0.1:${port}/y`], Collect,
        { version: 'h2', method: 'PUT', body, onProtocol: (p) => { protocol = p; } });
      expect(protocol).toBe('h2c');
      expect(hs.map((h) => h.body.toString())).toEqual(['node says PUT /x', 'node says PUT /y']);
      expect(hs.map((h) => h.code)).toEqual([201, 201]);
      expect(hs[1]!.header('x-sha')).toBe(sha(body));
    } finally {
      srv.close();
    }
  });

  it('against a SPDY-only cleartext port it fails with a typed error, not a hang', async () => {
    const spdyOnly = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler, { plain: true, h2: false, http1: false });
    const port = (await spdyOnly.start()).port;
    try {
      await expect(urlfetch(`http://127.0.0.1:${port}/hello`, Collect, { version: 'h2', timeout: 5000 }))
        .rejects.toThrow(UrlFetchError);
    } finally {
      await spdyOnly.close();
    }
  });
});

describe.each([['tls', true], ['plain', false]] as const)('curl and nghttp against the shared port (%s)', (_m, secure) => {
  const base = () => (secure ? tlsBase : plainBase);
  const tlsArgs = () => (secure ? ['--cacert', caFile] : []);

  it('curl h2: GET, POST with a streamed 3 MiB body, 404', async () => {
    const h2 = secure ? '--http2' : '--http2-prior-knowledge';
    const get = await run('curl', ['-sS', ...tlsArgs(), h2, '-w', '\n%{http_version} %{http_code}', `${base()}/hello`]);
    expect(get.stdout).toBe('hello /hello over h2\n2 200');
    const file = path.join(os.tmpdir(), `spdy-h2-body-${process.pid}-${secure}`);
    const body = pattern(3 * 1024 * 1024 + 5, 2);
    fs.writeFileSync(file, body);
    try {
      const post = await run('curl', ['-sS', ...tlsArgs(), h2, '-D', '-', '-o', '/dev/null', '--data-binary', `@${file}`, `${base()}/echo`]);
      expect(post.stdout).toMatch(new RegExp(`x-sha: ${sha(body)}`));
      expect(post.stdout).toMatch(/^HTTP\/2 200/);
    } finally {
      fs.rmSync(file, { force: true });
    }
    const nf = await run('curl', ['-sS', ...tlsArgs(), h2, '-w', '%{http_code}', '-o', '/dev/null', `${base()}/x`]);
    expect(nf.stdout).toBe('404');
  });

  it('curl HTTP/1.1 fallback: GET, POST, unknown method -> 501', async () => {
    const get = await run('curl', ['-sS', ...tlsArgs(), '--http1.1', '-w', '\n%{http_version} %{http_code}', `${base()}/hello`]);
    expect(get.stdout).toBe('hello /hello over http/1.1\n1.1 200');
    const post = await run('curl', ['-sS', ...tlsArgs(), '--http1.1', '--data-binary', 'abc', `${base()}/echo`]);
    expect(post.stdout).toBe('abc');
    const del = await run('curl', ['-sS', ...tlsArgs(), '--http1.1', '-X', 'DELETE', '-w', '\n%{http_code}', `${base()}/x`]);
    expect(del.stdout).toMatch(/Unsupported method \(DELETE\)[\s\S]*\n501$/);
  });

  it('nghttp: GET and POST over h2', async () => {
    const r = await run('nghttp', ['-v', ...(secure ? [] : []), `${base()}/hello`]);
    expect(r.stdout).toMatch(/:status: 200/);
    expect(r.stdout).toContain('hello /hello over h2');
    const file = path.join(os.tmpdir(), `spdy-h2-ng-${process.pid}-${secure}`);
    fs.writeFileSync(file, pattern(70_000, 8));
    try {
      const p = await run('nghttp', ['-v', '-d', file, `${base()}/echo`]);
      expect(p.stdout).toMatch(new RegExp(`x-sha: ${sha(pattern(70_000, 8))}`));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
