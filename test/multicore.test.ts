// Multi-core serving: Node's listen options on HTTP2Server.listen() and
// ThreadedSPDYServer.start() (backlog, exclusive, reusePort, signal),
// ThreadedSPDYServer.handleConnection() with sockets accepted elsewhere, and
// the README's examples (examples/cluster.js under node:cluster with both
// servers, examples/worker-threads.js with reusePort) fetched with curl and
// spdycat.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';

import { afterEach, describe, expect, it } from 'vitest';

import {
  BaseSPDYRequestHandler, ThreadedSPDYServer, reusePortSupported, urlfetch, type UrlFetchOptions,
} from '../lib/index.js';
import { BaseRequestHandler, HTTP2Server } from '../lib/nghttp2/index.js';
import { testCert } from './helpers/certs.js';
import { Collect } from './helpers/spdy-fetch.js';

const root = path.resolve(__dirname, '..');

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, out: String(stdout) + String(stderr) });
    });
  });
}

class Hello extends BaseSPDYRequestHandler {
  do_GET(): void {
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/plain');
    this.wfile.end(`hello ${this.protocol}\n`);
  }
}
class H2Hello extends BaseRequestHandler {
  override onHeaders(): void {
    this.sendResponse({ status: 200, body: 'hello h2\n' });
  }
}

/** The body of one SPDY GET (urlfetch), as a string. */
async function spdyGet(url: string, options: UrlFetchOptions = {}): Promise<string> {
  const [h] = await urlfetch(url, Collect, { timeout: 10_000, ...options });
  return h!.body.toString();
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('listen options', () => {
  it('backlog and exclusive reach net.Server.listen; bad options reject with ArgumentError', async () => {
    const h2 = new HTTP2Server(['127.0.0.1', 0], H2Hello, null, { log: false });
    cleanup.push(() => h2.close());
    await expect(h2.listen({ backlog: -1 })).rejects.toMatchObject({ code: 'ERR_SPDYLAY_INVALID_ARG' });
    await expect(h2.listen({ exclusive: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'ERR_SPDYLAY_INVALID_ARG' });
    const a = await h2.listen({ backlog: 8, exclusive: true });
    expect((await curl(['--http2-prior-knowledge', `http://127.0.0.1:${a.port}/`])).out).toBe('hello h2\n');

    const spdy = new ThreadedSPDYServer(['127.0.0.1', 0], Hello, { plain: true, log: false });
    cleanup.push(() => spdy.close());
    await expect(spdy.start({ signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_SPDYLAY_INVALID_ARG' });
    const b = await spdy.start({ backlog: 8 });
    expect((await curl(['--http1.1', `http://127.0.0.1:${b.port}/`])).out).toBe('hello http/1.1\n');
  });

  it('an aborted signal closes the server gracefully; an already aborted one rejects', async () => {
    const ac = new AbortController();
    const spdy = new ThreadedSPDYServer(['127.0.0.1', 0], Hello, { plain: true, log: false });
    const { port } = await spdy.start({ signal: ac.signal });
    const closed = new Promise((resolve) => spdy.once('close', () => resolve(true)));
    expect(await spdyGet(`http://127.0.0.1:${port}/`)).toBe('hello spdy/3.1\n');
    ac.abort();
    expect(await closed).toBe(true);
    expect(spdy.address()).toBeNull();
    const refused = await curl(['--http1.1', `http://127.0.0.1:${port}/`]);
    expect(refused.code).toBe(1);

    const h2 = new HTTP2Server(['127.0.0.1', 0], H2Hello, null, { log: false });
    const gone = AbortSignal.abort();
    await expect(h2.listen({ signal: gone })).rejects.toMatchObject({ name: 'AbortError' });
    expect(h2.address()).toBeNull();
    const ac2 = new AbortController();
    await h2.listen({ signal: ac2.signal });
    const h2Closed = new Promise((resolve) => h2.once('close', () => resolve(true)));
    ac2.abort();
    expect(await h2Closed).toBe(true);
  });

  it('reusePortSupported() follows the Node versions that pass SO_REUSEPORT (22.12+, 23.1+)', () => {
    expect(reusePortSupported('20.20.2')).toBe(false);
    expect(reusePortSupported('22.11.0')).toBe(false);
    expect(reusePortSupported('22.12.0')).toBe(true);
    expect(reusePortSupported('23.0.0')).toBe(false);
    expect(reusePortSupported('23.1.0')).toBe(true);
    expect(reusePortSupported('26.0.0')).toBe(true);
  });

  it.skipIf(reusePortSupported())(`reusePort on Node ${process.versions.node} (without it) rejects with a clear message`, async () => {
    const h2 = new HTTP2Server(['127.0.0.1', 0], H2Hello, null, { log: false });
    await expect(h2.listen({ reusePort: true })).rejects.toThrow(/reusePort needs Node 22\.12\+ or 23\.1\+/);
    const spdy = new ThreadedSPDYServer(['127.0.0.1', 0], Hello, { plain: true, log: false });
    await expect(spdy.start({ reusePort: true })).rejects.toMatchObject({ code: 'ERR_SPDYLAY_INVALID_ARG' });
  });

  it.runIf(reusePortSupported())('two servers bind one port with reusePort', async () => {
    const a = new HTTP2Server(['127.0.0.1', 0], H2Hello, null, { log: false });
    cleanup.push(() => a.close());
    const { port } = await a.listen({ reusePort: true });
    const b = new ThreadedSPDYServer(['127.0.0.1', port], Hello, { plain: true, log: false });
    cleanup.push(() => b.close());
    expect((await b.start({ reusePort: true })).port).toBe(port);
  });
});

describe('ThreadedSPDYServer.handleConnection', () => {
  it('serves cleartext sockets accepted by another server (SPDY, h2, HTTP/1.1 detected)', async () => {
    const spdy = new ThreadedSPDYServer(['127.0.0.1', 0], Hello, { plain: true, log: false });
    cleanup.push(() => spdy.close());
    const front = net.createServer((socket) => spdy.handleConnection(socket));
    cleanup.push(() => new Promise((r) => front.close(r)));
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const { port } = front.address() as net.AddressInfo;
    expect(spdy.address()).toBeNull();
    expect((await spdyGet(`http://127.0.0.1:${port}/`))).toBe('hello spdy/3.1\n');
    expect((await curl(['--http2-prior-knowledge', `http://127.0.0.1:${port}/`])).out).toBe('hello h2\n');
    expect((await curl(['--http1.1', `http://127.0.0.1:${port}/`])).out).toBe('hello http/1.1\n');
    expect(() => spdy.handleConnection({} as net.Socket)).toThrow(/net\.Socket/);
  });

  it('a TLS server handshakes raw sockets it is handed, and routes handshaken TLS sockets by ALPN', async () => {
    const { key, cert } = await testCert();
    const spdy = new ThreadedSPDYServer(['127.0.0.1', 0], Hello, { key, cert, log: false });
    cleanup.push(() => spdy.close());
    // Raw TCP sockets: the server does the TLS handshake itself.
    const raw = net.createServer((socket) => spdy.handleConnection(socket));
    cleanup.push(() => new Promise((r) => raw.close(r)));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const rawPort = (raw.address() as net.AddressInfo).port;
    expect((await curl(['-k', '--http2', `https://127.0.0.1:${rawPort}/`])).out).toBe('hello h2\n');
    expect((await spdyGet(`https://127.0.0.1:${rawPort}/`, { rejectUnauthorized: false })))
      .toBe('hello spdy/3.1\n');
    // The application's own TLS server: the socket arrives with its ALPN protocol chosen.
    const front = tls.createServer({ key, cert, ALPNProtocols: [...spdy.alpnProtocols] },
      (socket) => spdy.handleConnection(socket));
    cleanup.push(() => new Promise((r) => front.close(r)));
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const tlsPort = (front.address() as net.AddressInfo).port;
    expect((await curl(['-k', '--http2', `https://127.0.0.1:${tlsPort}/`])).out).toBe('hello h2\n');
    expect((await curl(['-k', '--http1.1', `https://127.0.0.1:${tlsPort}/`])).out).toBe('hello http/1.1\n');
    expect((await spdyGet(`https://127.0.0.1:${tlsPort}/`, { rejectUnauthorized: false })))
      .toBe('hello spdy/3.1\n');
  });
});

/** Runs an example until it prints its URL; returns the port and a stop function resolving to the exit code. */
function startExample(node: string, script: string, args: string[]): Promise<{ port: number; stop: () => Promise<number | null>; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(node, [path.join(root, 'examples', script), ...args], { cwd: root });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL:\n${out}`));
    }, 20_000);
    const stop = () => new Promise<number | null>((res) => {
      if (child.exitCode !== null) return res(child.exitCode);
      const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
      child.once('exit', (code) => {
        clearTimeout(kill);
        res(code);
      });
      child.kill('SIGTERM');
    });
    const onData = (d: Buffer) => {
      out += d;
      const m = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop, out: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited ${code}:\n${out}`));
    });
  });
}

/** Who answered each of `n` requests, each on its own connection. */
async function responders(n: number, args: (i: number) => string[]): Promise<string[]> {
  const who: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await curl(args(i));
    expect(r.code, r.out).toBe(0);
    who.push(r.out.trim());
  }
  return who;
}

describe('examples/cluster.js: one worker per core on one port', () => {
  for (const kind of ['h2', 'spdy'] as const) {
    it(`${kind === 'h2' ? 'HTTP2Server' : 'ThreadedSPDYServer'} in 2 workers answers from both; SIGTERM stops them gracefully`, async () => {
      const ex = await startExample(process.execPath, 'cluster.js', [kind, '--port', '0', '--workers', '2']);
      try {
        expect(ex.out()).toMatch(new RegExp(`2 workers serving ${kind}`));
        const who = await responders(6, (i) => [kind === 'spdy' && i % 2 ? '--http1.1' : '--http2-prior-knowledge',
          `http://127.0.0.1:${ex.port}/`]);
        for (const w of who) expect(w).toMatch(/^worker \d+$/);
        expect(new Set(who).size).toBe(2);
        if (kind === 'spdy') {
          expect(await spdyGet(`http://127.0.0.1:${ex.port}/`)).toMatch(/^worker \d+\n$/);
        }
      } finally {
        expect(await ex.stop()).toBe(0);
      }
    }, 60_000);
  }
});

// reusePort needs Node 22.12+/23.1+: the example runs under this Node, or
// under SPDYLAY_REUSEPORT_NODE (a newer Node binary) when this one lacks it.
const reuseNode = process.env.SPDYLAY_REUSEPORT_NODE ?? process.execPath;
const reuseVersion = execFileSync(reuseNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
describe('examples/worker-threads.js: worker threads sharing a port with reusePort', () => {
  it.skipIf(!reusePortSupported(reuseVersion))(
    `2 threads of each server answer on one port (Node ${reuseVersion}${reusePortSupported(reuseVersion) ? '' : ': skipped, no reusePort before 22.12/23.1; set SPDYLAY_REUSEPORT_NODE to a newer node'})`,
    async () => {
      for (const kind of ['h2', 'spdy'] as const) {
        const ex = await startExample(reuseNode, 'worker-threads.js', [kind, '--port', '0', '--threads', '2']);
        try {
          expect(ex.out()).toMatch(new RegExp(`2 threads serving ${kind}`));
          // The kernel hashes each connection (its source port) to a thread: 16 connections reach both.
          const who = await responders(16, () => ['--http2-prior-knowledge', `http://127.0.0.1:${ex.port}/`]);
          for (const w of who) expect(w).toMatch(/^thread \d+$/);
          expect(new Set(who).size).toBe(2);
        } finally {
          expect(await ex.stop()).toBe(0);
        }
      }
    }, 90_000);

  it.skipIf(reusePortSupported())('without reusePort support the example says so and exits 2', async () => {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'examples', 'worker-threads.js'), '--port', '0'], { timeout: 15_000 },
        (err, _out, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, err: String(stderr) }));
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/reusePort needs Node 22\.12\+ or 23\.1\+/);
  });
});

it('bench/cluster prints the req/s of both servers with 1 and 2 workers', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'bench', 'cluster'), '--requests', '2000', '--rounds', '1', '--json'],
      { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const report = JSON.parse(out) as { requests: number; results: { server: string; workers1: number; workers2: number }[] };
  expect(report.requests).toBe(2000);
  expect(report.results.map((r) => r.server)).toEqual(['HTTP2Server', 'ThreadedSPDYServer']);
  for (const r of report.results) {
    expect(r.workers1).toBeGreaterThan(0);
    expect(r.workers2).toBeGreaterThan(0);
  }
}, 150_000);
