// Shared helpers of the HTTP2Server tests: start servers on 127.0.0.1:0,
// run external clients with bounded time, and a promise-based Node http2 client.
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';

import {
  type BaseRequestHandler,
  HTTP2Server,
  type HTTP2ServerOptions,
  type RequestHandlerClass,
  type ServerTlsOptions,
} from '../../lib/nghttp2/index.js';

export interface Started {
  server: HTTP2Server;
  port: number;
  url: string;
  /** Errors reported through 'handlerError'. */
  errors: unknown[];
  /** Access log lines. */
  logs: string[];
}

const running = new Set<HTTP2Server>();

export async function startServer(
  Handler: RequestHandlerClass<BaseRequestHandler>,
  options: HTTP2ServerOptions & { ssl?: ServerTlsOptions } = {},
): Promise<Started> {
  const logs: string[] = [];
  const { ssl, ...rest } = options;
  const server = new HTTP2Server(['127.0.0.1', 0], Handler, ssl ?? null, { log: (line) => logs.push(line), ...rest });
  const errors: unknown[] = [];
  server.on('handlerError', (err) => errors.push(err));
  const { port } = await server.listen();
  running.add(server);
  return { server, port, url: `${ssl ? 'https' : 'http'}://127.0.0.1:${port}`, errors, logs };
}

/** Closes every server started by startServer (call from afterEach). */
export async function closeAll(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((s) => s.close({ timeout: 1000 })));
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool with a time limit; throws loudly when the tool is not installed. */
export function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // External tools must not inherit a sanitizer preload meant for node (sanitizer test runs).
    const env = { ...process.env };
    if (cmd !== process.execPath) delete env.LD_PRELOAD;
    execFile(cmd, args, { env, timeout: timeoutMs, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
      if (e && e.code === 'ENOENT') {
        reject(new Error(`${cmd} is not installed: this test needs it (apt-get install nghttp2-client curl)`));
        return;
      }
      if (e && e.killed) {
        reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms`));
        return;
      }
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}

export interface Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** One request over an existing Node http2 session. Rejects with the stream error (rstCode set). */
export function request(
  session: http2.ClientHttp2Session,
  path: string,
  options: { method?: string; headers?: http2.OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': options.method ?? 'GET', ':path': path, ...options.headers },
      { endStream: options.body === undefined });
    let status = 0;
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      headers = h;
      status = Number(h[':status']);
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks) }));
    req.on('error', (err) => reject(Object.assign(err, { rstCode: req.rstCode })));
    req.on('close', () => {
      if (req.rstCode) reject(Object.assign(new Error(`stream reset with code ${req.rstCode}`), { rstCode: req.rstCode }));
    });
    if (options.body !== undefined) req.end(options.body);
  });
}

export function connect(url: string, options: http2.SecureClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { rejectUnauthorized: false, ...options });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

export function closeSession(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) resolve();
    else session.close(() => resolve());
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
