// Helpers for the tests of urlfetch / ThreadedSPDYServer: a collecting
// stream handler, an echoing request handler, body patterns and digests.
import { createHash } from 'node:crypto';
import * as net from 'node:net';

import { BaseSPDYRequestHandler } from '../../lib/spdylay/server/handler.js';
import { BaseSPDYStreamHandler } from '../../lib/spdylay/client/handler.js';
import type { NameValue } from '../../lib/spdylay/frames.js';

export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes of length `len`. */
export function pattern(len: number, salt = 0): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + salt + (i >> 8)) & 0xff;
  return b;
}

/** Records everything a stream receives. */
export class Collect extends BaseSPDYStreamHandler {
  nv: NameValue[] = [];
  chunks: Buffer[] = [];
  status: number | null = null;
  events: string[] = [];
  override onHeader(nv: NameValue[]): void {
    this.nv.push(...nv);
    this.events.push('header');
  }
  override onData(data: Buffer): void {
    this.chunks.push(data);
    if (this.events[this.events.length - 1] !== 'data') this.events.push('data');
  }
  override onClose(statusCode: number): void {
    this.status = statusCode;
    this.events.push('close');
  }
  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }
  header(name: string): string | undefined {
    return this.nv.find(([n]) => n === name)?.[1];
  }
  /** The numeric status from `:status` (SPDY '200 OK' or h2 '200'). */
  get code(): number {
    return parseInt(this.header(':status') ?? this.header('status') ?? '0', 10);
  }
}

/**
 * The test server's handler: GET /hello, GET /big?n=BYTES, POST|PUT /echo
 * (echoes the body with x-len/x-sha), GET /slow (streams 5 chunks), GET
 * /throw (throws), GET /throw-late (throws after the headers went out).
 */
export class EchoHandler extends BaseSPDYRequestHandler {
  do_GET(): void | Promise<void> {
    const url = new URL(this.path ?? '/', 'http://x');
    switch (url.pathname) {
      case '/hello':
        this.sendResponse(200);
        this.sendHeader('content-type', 'text/plain');
        this.sendHeader('x-protocol', this.protocol);
        this.wfile.write(`hello ${this.path} over ${this.protocol}`);
        return;
      case '/big': {
        const n = Number(url.searchParams.get('n') ?? 1 << 20);
        const body = pattern(n, 7);
        this.sendResponse(200);
        this.sendHeader('content-length', String(n));
        this.sendHeader('x-sha', sha(body));
        return this.#stream(body);
      }
      case '/throw':
        throw new Error('boom (test)');
      case '/throw-late':
        return (async () => {
          this.sendResponse(200);
          this.wfile.write(Buffer.alloc(100_000, 1));
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('late boom (test)');
        })();
      default:
        this.sendError(404);
    }
  }

  async #stream(body: Buffer): Promise<void> {
    for (let off = 0; off < body.length; off += 50_000) {
      if (!this.wfile.write(body.subarray(off, off + 50_000))) {
        await new Promise<void>((r) => {
          const done = () => { this.wfile.off('drain', done); this.wfile.off('close', done); r(); };
          this.wfile.on('drain', done);
          this.wfile.on('close', done);
        });
        if (this.closed) return;
      }
    }
  }

  async do_POST(): Promise<void> {
    const body = await this.readBody();
    this.sendResponse(200);
    this.sendHeader('x-len', String(body.length));
    this.sendHeader('x-sha', sha(body));
    this.sendHeader('x-method', this.command ?? '');
    this.wfile.end(body);
  }

  do_PUT(): Promise<void> {
    return this.do_POST();
  }
}

/** Listens `server` (a net.Server) on 127.0.0.1:0 and returns the port. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
}

/** Handles other than stdio that keep the process alive. */
export function openHandles(): string[] {
  const p = process as unknown as { _getActiveHandles(): object[] };
  return p._getActiveHandles()
    .filter((h) => !((h as { fd?: number }).fd !== undefined && (h as { fd: number }).fd <= 2))
    .map((h) => h.constructor.name);
}
