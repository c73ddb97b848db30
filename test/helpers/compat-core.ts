// Clients and a test app for the createServer core tests (test/compat/core/):
// Node's http2 client, curl, the `spdy` package's agent, plain http/https.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type * as net from 'node:net';

import type { CompatIncomingMessage, CompatServer, CompatServerResponse } from '../../lib/compat/index.js';

export { pattern, sha } from './spdy-fetch.js';

/**
 * Why the `spdy` package (a test peer) cannot load on this Node, or null:
 * it needs `process.binding('http_parser')`, which newer Node versions
 * removed. The cases that use its agent are skipped then (reported with
 * this reason); our urlfetch covers SPDY on every version.
 */
export let spdyUnavailable: string | null = null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const spdy = (() => { try { return require('spdy'); } catch (err) { spdyUnavailable = `the spdy package cannot load on Node ${process.version}: ${(err as Error).message}`; return null; } })();

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Server-side records of the app, by request URL. */
export const seen = new Map<string, Record<string, unknown>>();

/**
 * The app every protocol is tested with (plain `(req, res)`):
 * - `/info`: JSON of the request's fields and classes;
 * - `/echo`: `req.pipe(res)`;
 * - `/bp?n=BYTES`: writes 64 KiB chunks honouring `write()` / `'drain'`, records the counts in `seen`;
 * - `/head`: content-type and content-length 5 and body `hello` (HEAD: no body);
 * - `/status?code=N`: that status with a body (204/304 send none);
 * - `/hop`: connection-specific response headers besides `x-ok`;
 * - `/throw`: throws; `/throw-late`: writes, then throws;
 * - `/push`: pushes `/pushed.css` (h2), then answers `page`; over SPDY/HTTP/1.1 reports the error;
 * - `/trailers`: a body with trailers.
 */
export function app(req: CompatIncomingMessage, res: CompatServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/info': {
      const s = req.socket as net.Socket & { alpnProtocol?: string | false; encrypted?: boolean };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers, rawHeaders: req.rawHeaders,
        isSpdy: req.isSpdy, spdyVersion: req.spdyVersion, streamID: req.streamID ?? null,
        reqIsIncoming: req instanceof http.IncomingMessage, resIsServerResponse: res instanceof http.ServerResponse,
        remoteAddress: s.remoteAddress, remotePort: s.remotePort, encrypted: s.encrypted === true,
        alpnProtocol: s.alpnProtocol ?? null,
      }));
      return;
    }
    case '/echo':
      res.setHeader('content-type', 'application/octet-stream');
      req.pipe(res);
      return;
    case '/bp': {
      const n = Number(url.searchParams.get('n'));
      const chunk = Buffer.alloc(65536, 7);
      const rec = { falses: 0, drains: 0, written: 0 };
      seen.set(req.url!, rec);
      res.on('drain', () => rec.drains++);
      const pump = (): void => {
        while (rec.written < n) {
          rec.written += chunk.length;
          if (!res.write(chunk)) {
            rec.falses++;
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    case '/head':
      res.setHeader('content-type', 'text/plain');
      res.setHeader('content-length', '5');
      res.end('hello');
      return;
    case '/status':
      res.statusCode = Number(url.searchParams.get('code'));
      res.end('not sent for 204/304');
      return;
    case '/hop':
      res.writeHead(200, {
        connection: 'keep-alive', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', upgrade: 'h2c',
        'proxy-connection': 'close', 'x-ok': 'yes',
      });
      res.end('hop');
      return;
    case '/throw':
      throw new Error('listener boom (test)');
    case '/throw-late':
      res.write('partial');
      res.flushHeaders();
      setImmediate(() => res.emit('x-throw'));
      res.on('x-throw', () => {
        throw new Error('late listener boom (test)');
      });
      return;
    case '/push': {
      try {
        const w = res.push('/pushed.css', { request: { accept: 'text/css' }, response: { 'content-type': 'text/css', connection: 'close' } });
        w.end('body{}');
        res.end('page');
      } catch (err) {
        res.statusCode = 501;
        res.end(String((err as Error).message));
      }
      return;
    }
    case '/trailers':
      res.writeHead(200, { trailer: 'x-checksum' });
      res.write('body');
      res.addTrailers({ 'x-checksum': 'abc' });
      res.end();
      return;
    default:
      res.statusCode = 404;
      res.end('not found');
  }
}

/** `server.listen(0, '127.0.0.1')`: its port. */
export function listen(server: CompatServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

export function closeServer(server: CompatServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** One request over Node's http2 client; pushed streams are collected. */
export async function h2request(session: http2.ClientHttp2Session, path: string,
  opts: { method?: string; headers?: http2.OutgoingHttpHeaders; body?: Buffer; slowRead?: boolean } = {}):
  Promise<Reply & { pushes: { path: string; headers: http2.IncomingHttpHeaders; body: Buffer }[]; rstCode: number }> {
  const pushes: { path: string; headers: http2.IncomingHttpHeaders; body: Buffer }[] = [];
  const pushDone: Promise<void>[] = [];
  const onPush = (stream: http2.ClientHttp2Stream, reqHeaders: http2.IncomingHttpHeaders): void => {
    pushDone.push(new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let headers: http2.IncomingHttpHeaders = {};
      stream.on('push', (h) => { headers = h; });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        pushes.push({ path: String(reqHeaders[':path']), headers, body: Buffer.concat(chunks) });
        resolve();
      });
      stream.on('error', () => resolve());
    }));
  };
  session.on('stream', onPush);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ':path': path, ':method': opts.method ?? 'GET', ...opts.headers });
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => { headers = h; });
      if (opts.slowRead) {
        req.pause();
        setTimeout(() => req.resume(), 200);
      }
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', reject);
      req.on('close', () => {
        void Promise.all(pushDone).then(() => resolve({
          status: Number(headers[':status'] ?? 0), headers: headers as Reply['headers'], body: Buffer.concat(chunks),
          pushes, rstCode: req.rstCode ?? 0,
        }));
      });
      if (opts.body) req.end(opts.body);
      else req.end();
    });
  } finally {
    session.off('stream', onPush);
  }
}

/** Runs curl; resolves with its stdout (the `-D -` headers and body). */
export function curl(args: string[]): Promise<{ stdout: Buffer; code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-S', '--max-time', '20', ...args], { encoding: 'buffer', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ stdout, code: err ? (err as NodeJS.ErrnoException & { code: number }).code ?? 1 : 0,
        stderr: stderr.toString() }));
  });
}

/** A request through the `spdy` package's agent (or no agent: plain HTTP/1.1). */
export function agentRequest(agent: http.Agent | undefined, secure: boolean, port: number, method: string, path: string,
  body?: Buffer, headers?: http.OutgoingHttpHeaders): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request({ host: '127.0.0.1', port, method, path, agent, headers, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end(body);
  });
}

/** The `spdy` package's agent for `protocol` (`'spdy/3.1'`, `'spdy/3'`). */
export function spdyAgent(port: number, secure: boolean, protocol: string): http.Agent {
  return spdy.createAgent({ host: '127.0.0.1', port, rejectUnauthorized: false,
    spdy: secure ? { protocols: [protocol] } : { plain: true, ssl: false, protocol } });
}

export function closeAgent(agent: http.Agent): void {
  (agent as unknown as { close?: () => void }).close?.();
  (agent as unknown as { _spdyState?: { socket?: net.Socket } })._spdyState?.socket?.destroy();
}
