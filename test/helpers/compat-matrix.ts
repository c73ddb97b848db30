// The compat tests' peer matrix: one app served through `createServer` (a TLS
// server and a cleartext `spdy.plain` server), and a client per transport
// that every case runs through with the same request shape.
//
// Transports (the `name` of each entry of TRANSPORTS):
//   h2              node:http2 client, TLS + ALPN h2
//   h2-curl         curl --http2, TLS + ALPN h2
//   h2c             node:http2 client, cleartext prior knowledge
//   h2c-curl        curl --http2-prior-knowledge
//   spdy/3.1        the `spdy` package's agent (bodies: our urlfetch), TLS + ALPN spdy/3.1
//   spdy/3          the `spdy` package's agent (bodies: our urlfetch), TLS + ALPN spdy/3
//   spdy/3.1-plain  our urlfetch, cleartext SPDY/3.1 (sniffed by the server)
//   http/1.1        node:https client, TLS + ALPN http/1.1
//   http/1.1-curl   curl --http1.1, cleartext
//
// SPDYLAY_COMPAT_IMPL=spdy runs the same matrix against the `spdy` package's
// own server (for comparison); the default is ours (lib/index.ts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

import { testCert, type TestCert } from './certs.js';
import { BaseSPDYStreamHandler } from '../../lib/spdylay/client/handler.js';
import { urlfetch } from '../../lib/spdylay/client/fetcher.js';
import { PROTO_SPDY3, PROTO_SPDY3_1 } from '../../lib/spdylay/constants.js';
import type { NameValue } from '../../lib/spdylay/frames.js';

// The `spdy` package cannot load on Node versions without process.binding('http_parser'):
// its agent's transports then go through our urlfetch (TLS, same protocol).
let spdyPkg: any = null;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  spdyPkg = require('spdy');
} catch { /* see above */ }

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Which server implementation runs the apps: ours unless SPDYLAY_COMPAT_IMPL=spdy. */
export const IMPL: 'ours' | 'spdy' = process.env.SPDYLAY_COMPAT_IMPL === 'spdy' ? 'spdy' : 'ours';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type CreateServer = (options: Record<string, unknown>, listener?: Listener) => http.Server;

/** `createServer` of the implementation under test (ours from lib/index.ts, or the `spdy` package's). */
export async function loadCreateServer(): Promise<CreateServer> {
  if (IMPL === 'spdy') return spdyPkg.createServer as CreateServer;
  const mod = (await import('../../lib/index.js')) as Record<string, unknown>;
  if (typeof mod.createServer !== 'function') throw new Error('lib/index.ts does not export createServer');
  return mod.createServer as CreateServer;
}

/** A running app: the same listener on a TLS server and a cleartext (`spdy.plain`) server. */
export interface AppServers {
  tls: http.Server;
  plain: http.Server;
  tlsPort: number;
  plainPort: number;
  cert: TestCert;
  /** PEM file of the certificate (for curl --cacert). */
  certFile: string;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Starts `listener` (an Express/Koa app, or `(req, res) => ...`) on a TLS
 * server and a cleartext server, both made by `createServer`.
 * `extra` is merged into the options of both.
 */
export function startApp(listener: Listener, extra: Record<string, unknown> = {}): Promise<AppServers> {
  return startServers((createServer, options) => createServer({ ...extra, ...options }, listener));
}

/**
 * Starts two servers made by `make(createServer, options)`: one with TLS
 * options (key, cert), one with the cleartext options (`spdy.plain`).
 * `make` may return a server already listening (e.g. through a framework's
 * own `listen`); otherwise it is started on 127.0.0.1, port 0.
 */
export async function startServers(
  make: (createServer: CreateServer, options: Record<string, unknown>) => http.Server | Promise<http.Server>,
): Promise<AppServers> {
  const createServer = await loadCreateServer();
  const cert = await testCert();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-compat-'));
  const certFile = path.join(dir, 'cert.pem');
  fs.writeFileSync(certFile, cert.cert);
  const tls = await make(createServer, { key: cert.key, cert: cert.cert });
  const plain = await make(createServer, IMPL === 'spdy' ? { spdy: { plain: true, ssl: false } } : { spdy: { plain: true } });
  const port = async (s: http.Server): Promise<number> => (s.listening ? (s.address() as AddressInfo).port : listen(s));
  const tlsPort = await port(tls);
  const plainPort = await port(plain);
  return {
    tls, plain, tlsPort, plainPort, cert, certFile,
    async close() {
      for (const s of [tls, plain]) {
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await Promise.race([
          new Promise((r) => s.close(r)),
          new Promise((r) => setTimeout(r, 1000)),
        ]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One request, as every transport takes it. */
export interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Called for every body chunk as it arrives (before the response ends). */
  onData?: (chunk: Buffer) => void;
}

/** One response. Header names are lower case; repeated headers are arrays. */
export interface Res {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The protocol the client reports having used ('2', '1.1', 'spdy/3.1', ...). */
  protocol: string;
}

/** The value of header `name` (arrays joined with ', '). */
export function header(res: Res, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Every value of header `name`. */
export function headerAll(res: Res, name: string): string[] {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface Client {
  request(req: Req): Promise<Res>;
  close(): Promise<void>;
}

export interface Transport {
  name: string;
  /** What the server sees: 'h2', 'spdy' or 'http/1.1'. */
  kind: 'h2' | 'spdy' | 'http/1.1';
  /** The `spdyVersion` the `spdy` package reports for this transport (4 for h2). */
  spdyVersion?: number;
  tls: boolean;
  open(app: AppServers): Client;
}

const REQUEST_TIMEOUT = 30_000;

function addHeader(out: Record<string, string | string[]>, name: string, value: string): void {
  const k = name.toLowerCase();
  const prev = out[k];
  if (prev === undefined) out[k] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[k] = [prev, value];
}

function fromNodeHeaders(h: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.startsWith(':')) continue;
    // (the spdy agent nests repeated values one array deeper)
    out[k] = Array.isArray(v) ? (v as unknown[]).flat(2).map(String) : String(v);
  }
  return out;
}

// ---- node:http2 ----------------------------------------------------------

function h2Client(url: string, ca?: string): Client {
  let session: http2.ClientHttp2Session | null = null;
  const connect = (): http2.ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    // Node's client counts a request body queued at once against its own
    // maxSessionMemory (10 MB by default) and resets the stream past it.
    session = http2.connect(url, ca ? { ca, servername: 'localhost', maxSessionMemory: 64 } : { maxSessionMemory: 64 });
    session.on('error', () => {});
    return session;
  };
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const s = connect();
        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        const stream = s.request({
          ':method': req.method ?? 'GET',
          ':path': req.path,
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...req.headers,
        }, { endStream: !body });
        const timer = setTimeout(() => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(new Error(`h2 request ${req.path} timed out`));
        }, REQUEST_TIMEOUT);
        let status = 0;
        let headers: Record<string, string | string[]> = {};
        const chunks: Buffer[] = [];
        stream.on('response', (h) => {
          status = Number(h[':status']);
          headers = fromNodeHeaders(h);
        });
        stream.on('data', (d: Buffer) => {
          chunks.push(d);
          req.onData?.(d);
        });
        stream.on('end', () => {
          clearTimeout(timer);
          resolve({ status, headers, body: Buffer.concat(chunks), protocol: '2' });
        });
        stream.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        if (body) stream.end(body);
      });
    },
    async close() {
      const s = session;
      session = null;
      if (s && !s.closed) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

// ---- curl ----------------------------------------------------------------

function curlClient(base: string, flag: string, certFile?: string): Client {
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-curl-'));
        const hdrFile = path.join(dir, 'headers');
        const method = req.method ?? 'GET';
        const args = ['-sS', '-N', flag, '-D', hdrFile, '-o', '-', '-w', '%{stderr}@@%{http_version}',
          '--max-time', String(REQUEST_TIMEOUT / 1000)];
        if (certFile) args.push('--cacert', certFile);
        if (method === 'HEAD') args.push('-I');
        else if (method !== 'GET' || req.body !== undefined) args.push('-X', method);
        for (const [k, v] of Object.entries(req.headers ?? {})) args.push('-H', `${k}: ${v}`);
        if (req.body !== undefined) args.push('--data-binary', '@-');
        args.push(`${base}${req.path}`);
        const child = spawn('curl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const chunks: Buffer[] = [];
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          // With -I (HEAD) curl prints the headers on stdout and reads no body.
          if (method === 'HEAD') return;
          chunks.push(d);
          req.onData?.(d);
        });
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => {
          let raw = '';
          try {
            raw = fs.readFileSync(hdrFile, 'latin1');
          } catch { /* no headers */ }
          fs.rmSync(dir, { recursive: true, force: true });
          const m = /@@([\d.]+)$/.exec(stderr);
          if (code !== 0) return reject(new Error(`curl ${flag} exited ${code}: ${stderr}`));
          // The last header block (after any 100 Continue).
          const blocks = raw.split(/\r?\n\r?\n/).filter((b) => b.trim());
          const last = blocks[blocks.length - 1] ?? '';
          const lines = last.split(/\r?\n/);
          const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
          const headers: Record<string, string | string[]> = {};
          for (const line of lines.slice(1)) {
            const i = line.indexOf(':');
            if (i > 0) addHeader(headers, line.slice(0, i).trim(), line.slice(i + 1).trim());
          }
          resolve({ status, headers, body: Buffer.concat(chunks), protocol: m?.[1] ?? '?' });
        });
        child.stdin.on('error', () => {});
        if (req.body !== undefined) child.stdin.end(Buffer.from(req.body));
        else child.stdin.end();
      });
    },
    async close() {},
  };
}

// ---- node:https / node:http, and the spdy agent --------------------------

function nodeHttpClient(
  mod: typeof http | typeof https,
  port: number,
  agent: http.Agent,
  protocol: string,
  tlsOpts: Record<string, unknown> = {},
): Client {
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        const r = (mod as typeof https).request({
          host: '127.0.0.1', port, path: req.path, method: req.method ?? 'GET', agent,
          headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
          ...tlsOpts,
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => {
            chunks.push(d);
            req.onData?.(d);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: fromNodeHeaders(res.headers), body: Buffer.concat(chunks), protocol });
          });
          res.on('error', reject);
        });
        const timer = setTimeout(() => {
          r.destroy(new Error(`${protocol} request ${req.path} timed out`));
        }, REQUEST_TIMEOUT);
        r.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        r.end(body);
      });
    },
    async close() {
      const a = agent as http.Agent & { close?: (cb: () => void) => void };
      if (typeof a.close === 'function' && a !== agent.constructor.prototype) {
        await Promise.race([new Promise<void>((r) => a.close!(() => r())), new Promise((r) => setTimeout(r, 500))]);
      }
      agent.destroy();
    },
  };
}

/** The `spdy` package's client agent, forced to one SPDY version through ALPN. */
export function spdyAgent(app: AppServers, protocol: 'spdy/3.1' | 'spdy/3' | 'spdy/2' | 'h2'): http.Agent {
  const agent = spdyPkg.createAgent({
    host: '127.0.0.1', port: app.tlsPort, servername: 'localhost', ca: app.cert.cert,
    spdy: { protocols: [protocol] },
  }) as http.Agent;
  agent.on('error', () => {});
  return agent;
}

// ---- our urlfetch ----------------------------------------------------------

function urlfetchClient(base: string, extra: Record<string, unknown> = { version: PROTO_SPDY3_1 }, protocol = 'spdy/3.1'): Client {
  return {
    async request(req) {
      const onData = req.onData;
      class H extends BaseSPDYStreamHandler {
        nv: NameValue[] = [];
        chunks: Buffer[] = [];
        override onHeader(nv: NameValue[]): void {
          this.nv.push(...nv);
        }
        override onData(data: Buffer): void {
          this.chunks.push(Buffer.from(data));
          onData?.(Buffer.from(data));
        }
      }
      const headers: NameValue[] = Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
      const [h] = await urlfetch(`${base}${req.path}`, H, {
        ...extra, method: req.method ?? 'GET', headers,
        body: req.body === undefined ? null : Buffer.from(req.body), timeout: REQUEST_TIMEOUT,
      });
      const out: Record<string, string | string[]> = {};
      let status = 0;
      for (const [k, v] of h!.nv) {
        if (k === ':status' || k === 'status') status = parseInt(v, 10);
        else if (!k.startsWith(':') && k !== 'version') {
          // SPDY carries repeated values NUL-separated.
          for (const part of v.split('\0')) addHeader(out, k, part);
        }
      }
      return { status, headers: out, body: Buffer.concat(h!.chunks), protocol };
    },
    async close() {},
  };
}

/**
 * SPDY over TLS, forced to one version through ALPN: requests go through the
 * `spdy` package's agent, except two kinds that go through our urlfetch (same
 * ALPN) because the agent fails them whatever the server (the `spdy`
 * package's own server included) on Node 20:
 *   - requests with a body: handle-thing's writev runs before the agent has
 *     a stream (TypeError "Cannot read properties of null (reading 'write')");
 *   - conditional requests (if-none-match, if-modified-since): the agent's
 *     request emits ECONNRESET on a 304 reply;
 *   - HEAD: the agent's HTTP/1.1 parser waits for a body and hangs up.
 */
function spdyClient(a: AppServers, protocol: 'spdy/3.1' | 'spdy/3'): Client {
  const agent = nodeHttpClient(https, a.tlsPort, spdyAgent(a, protocol), protocol);
  const fetcher = urlfetchClient(`https://127.0.0.1:${a.tlsPort}`, { ca: a.cert.cert, protocols: [protocol], h2: false }, protocol);
  return {
    request: (req) => {
      const conditional = Object.keys(req.headers ?? {}).some((k) => /^if-(none-match|modified-since)$/i.test(k));
      return req.body === undefined && !conditional && req.method !== 'HEAD' ? agent.request(req) : fetcher.request(req);
    },
    close: () => agent.close(),
  };
}

export const TRANSPORTS: Transport[] = [
  { name: 'h2', kind: 'h2', spdyVersion: 4, tls: true, open: (a) => h2Client(`https://127.0.0.1:${a.tlsPort}`, a.cert.cert) },
  { name: 'h2-curl', kind: 'h2', spdyVersion: 4, tls: true, open: (a) => curlClient(`https://127.0.0.1:${a.tlsPort}`, '--http2', a.certFile) },
  { name: 'h2c', kind: 'h2', spdyVersion: 4, tls: false, open: (a) => h2Client(`http://127.0.0.1:${a.plainPort}`) },
  { name: 'h2c-curl', kind: 'h2', spdyVersion: 4, tls: false, open: (a) => curlClient(`http://127.0.0.1:${a.plainPort}`, '--http2-prior-knowledge') },
  {
    name: 'spdy/3.1', kind: 'spdy', spdyVersion: 3.1, tls: true,
    open: (a) => spdyPkg ? spdyClient(a, 'spdy/3.1')
      : urlfetchClient(`https://127.0.0.1:${a.tlsPort}`, { version: PROTO_SPDY3_1, ca: a.cert.cert, protocols: ['spdy/3.1'] }, 'spdy/3.1'),
  },
  {
    name: 'spdy/3', kind: 'spdy', spdyVersion: 3, tls: true,
    open: (a) => spdyPkg ? spdyClient(a, 'spdy/3')
      : urlfetchClient(`https://127.0.0.1:${a.tlsPort}`, { version: PROTO_SPDY3, ca: a.cert.cert, protocols: ['spdy/3'] }, 'spdy/3'),
  },
  { name: 'spdy/3.1-plain', kind: 'spdy', spdyVersion: 3.1, tls: false, open: (a) => urlfetchClient(`http://127.0.0.1:${a.plainPort}`) },
  {
    name: 'http/1.1', kind: 'http/1.1', tls: true,
    open: (a) => nodeHttpClient(https, a.tlsPort,
      new https.Agent({ keepAlive: true, ca: a.cert.cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] } as https.AgentOptions),
      '1.1'),
  },
  { name: 'http/1.1-curl', kind: 'http/1.1', tls: false, open: (a) => curlClient(`http://127.0.0.1:${a.plainPort}`, '--http1.1') },
];

/** The transports whose names are in `names` (all when omitted). */
export function transports(names?: string[]): Transport[] {
  if (!names) return TRANSPORTS;
  return names.map((n) => {
    const t = TRANSPORTS.find((x) => x.name === n);
    if (!t) throw new Error(`no transport ${n}`);
    return t;
  });
}

/** Builds a multipart/form-data body (the encoding of the WHATWG FormData). */
export async function multipart(fields: Record<string, string | { name: string; type: string; data: Buffer }>):
  Promise<{ body: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') fd.append(k, v);
    else fd.append(k, new Blob([v.data], { type: v.type }), v.name);
  }
  const r = new Request('http://x/', { method: 'POST', body: fd });
  return { body: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get('content-type')! };
}

/** Deterministic bytes of length `len`. */
export function pattern(len: number, salt = 0): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + salt + (i >> 8)) & 0xff;
  return b;
}
