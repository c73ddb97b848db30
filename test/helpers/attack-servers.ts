// The servers of the hardening tests: HTTP2Server and ThreadedSPDYServer on
// 127.0.0.1 with given limits, each with a collector of its
// 'limitExceeded' events, closed together after each test; and the SPDY
// request handler those tests share.
import type { ServerLimits } from '../../lib/limits.js';
import { HTTP2Server, type HTTP2ServerOptions } from '../../lib/nghttp2/index.js';
import type { RequestHandlerClass } from '../../lib/nghttp2/server/server.js';
import type { SPDYRequestHandlerClass, ThreadedSPDYServerOptions } from '../../lib/spdylay/server/options.js';
import { ThreadedSPDYServer } from '../../lib/spdylay/server/server.js';
import { LimitEvents, MiB } from './attack-mem.js';
import { EchoHandler } from './spdy-fetch.js';

/** One 32 MiB response body that every large response of a test file shares. */
export const BIG = Buffer.alloc(32 * MiB, 0x62);
/** The path that answers BIG. */
export const BIG_PATH = '/shared-big';

/**
 * ThreadedSPDYServer handler of the hardening tests: GET / answers 'ok',
 * GET BIG_PATH answers BIG (with content-length), POST /hold never reads its
 * body, any other POST reads its body and answers 'ok'; other GETs as
 * EchoHandler.
 */
export class AttackSpdyHandler extends EchoHandler {
  override do_GET(): void | Promise<void> {
    const p = this.path ?? '/';
    if (p === '/') {
      this.sendResponse(200);
      this.wfile.end('ok');
      return;
    }
    if (p === BIG_PATH) {
      this.sendResponse(200);
      this.sendHeader('content-length', String(BIG.length));
      this.wfile.end(BIG);
      return;
    }
    return super.do_GET();
  }

  override async do_POST(): Promise<void> {
    if (this.path === '/hold') return new Promise<void>(() => {}); // never reads its body
    await this.readBody();
    this.sendResponse(200);
    this.wfile.end('ok');
  }
}

/** A server the helpers started. */
export interface StartedServer<S> {
  server: S;
  port: number;
  events: LimitEvents;
  /** Open connections of the server. */
  connections(): number;
  close(): Promise<void>;
}

/** What the start helpers take besides the limits. */
export interface StartOptions {
  /** Certificate and key: TLS; none: cleartext. */
  tls?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Events given a no-op listener (default: 'handlerError'). */
  quiet?: string[];
}

const started: StartedServer<unknown>[] = [];

/** Closes every server the helpers started (for afterEach). */
export async function closeStartedServers(): Promise<void> {
  await Promise.all(started.splice(0).map((r) => r.close()));
}

/** Starts an HTTP2Server with `handler` and `limits` on 127.0.0.1, port chosen by the system. */
export async function startHttp2Server(handler: RequestHandlerClass, limits: ServerLimits = {},
  opts: StartOptions = {}): Promise<StartedServer<HTTP2Server>> {
  const tls = opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : null;
  const server = new HTTP2Server(['127.0.0.1', 0], handler, tls,
    { log: false, ...limits } as HTTP2ServerOptions);
  for (const name of opts.quiet ?? ['handlerError']) server.on(name, () => {});
  const events = new LimitEvents(server);
  const { port } = await server.listen();
  const r: StartedServer<HTTP2Server> = {
    server, port, events, connections: () => server.connections.size, close: () => server.close({ timeout: 1000 }),
  };
  started.push(r);
  return r;
}

/**
 * Starts a ThreadedSPDYServer with `handler` and `limits` on 127.0.0.1,
 * port chosen by the system: cleartext (protocol sniffed) unless opts.tls.
 */
export async function startSpdyServer(handler: SPDYRequestHandlerClass,
  limits: ServerLimits = {}, opts: StartOptions = {}): Promise<StartedServer<ThreadedSPDYServer>> {
  const tls = opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : { plain: true };
  const server = new ThreadedSPDYServer(['127.0.0.1', 0], handler, { ...tls, ...limits } as ThreadedSPDYServerOptions);
  for (const name of opts.quiet ?? ['handlerError']) server.on(name, () => {});
  const events = new LimitEvents(server);
  const { port } = await server.start();
  const r: StartedServer<ThreadedSPDYServer> = {
    server, port, events, connections: () => server.connectionCount, close: () => server.close({ timeout: 1000 }),
  };
  started.push(r);
  return r;
}
