/**
 * {@link createServer}: a real `https.Server` (TLS) or `http.Server`
 * (cleartext) whose connections are routed by protocol: HTTP/1.x to Node's
 * own connection listener (the one the server installed on itself), h2 and
 * SPDY to this package's engines ({@link CompatEngine}), every request
 * emitted as `'request'` with a real `http.IncomingMessage` and
 * `http.ServerResponse`.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Writable } from 'node:stream';

import { ArgumentError, PushUnavailableError, UnsupportedOptionError } from '../errors.js';
import type { LimitExceededInfo } from '../limits.js';
import { sniffSocket } from '../spdylay/server/sniff.js';
import { CompatEngine, reportHandlerError } from './engine.js';
import { type CompatServerOptions, type ResolvedCompatOptions, resolveCompatOptions } from './options.js';
import { pushUnavailable } from './push.js';

/** After a 400/408/431 on HTTP/1.1, how long the socket may linger before it is destroyed (ms). */
const LINGER_MS = 3000;

/** A request listener: `req` and `res` are always `http.IncomingMessage` and `http.ServerResponse`. */
export type CompatRequestListener = (req: CompatIncomingMessage, res: CompatServerResponse) => void;

/** The request of a compat server: an `http.IncomingMessage` with the `spdy` package's fields. */
export interface CompatIncomingMessage extends http.IncomingMessage {
  /** True over h2 and SPDY, false over HTTP/1.x. */
  isSpdy: boolean;
  /** 4 over h2, 3.1, 3 or 2 over SPDY, 1 over HTTP/1.x (as the `spdy` package). */
  spdyVersion: number;
  /** The stream ID over h2/SPDY; undefined over HTTP/1.x. */
  streamID?: number;
}

/** The response of a compat server: an `http.ServerResponse` with the `spdy` package's `push`. */
export interface CompatServerResponse extends http.ServerResponse {
  /** True over h2 and SPDY, false over HTTP/1.x. */
  isSpdy: boolean;
  /** 4 over h2, 3.1, 3 or 2 over SPDY, 1 over HTTP/1.x. */
  spdyVersion: number;
  /**
   * Pushes a resource (h2: PUSH_PROMISE on this request's stream, then the
   * pushed response; SPDY: a SYN_STREAM associated with this request's
   * stream, FLAG_UNIDIRECTIONAL). Write the pushed body to the returned
   * Writable and end it.
   *
   * @param path - `:path` of the promised request, e.g. `'/style.css'`.
   * @param options - `{ request, response, method = 'GET', status = 200 }`:
   *   promised request fields and pushed response fields (objects).
   * @param callback - Called with an error, or with null and the Writable.
   * @returns The Writable of the pushed body.
   * @throws PushUnavailableError (`ERR_SPDYLAY_PUSH_UNAVAILABLE`, without
   *   `callback`) over HTTP/1.x or when this response has ended;
   *   NGHTTP2Error -528 when the h2 client disabled push; SpdylayError when
   *   the SPDY session refuses the stream; ArgumentError for an empty path.
   *   With `callback`, the error goes there and a destroyed Writable is
   *   returned.
   */
  push(path: string, options?: { request?: object; response?: object; method?: string; status?: number },
    callback?: (err: Error | null, stream?: Writable) => void): Writable;
}

/**
 * The server {@link createServer} returns: an `https.Server` (TLS) or an
 * `http.Server` (`spdy.plain`), with every method, option and event of
 * those, plus:
 * - `'limitExceeded'` (info: `LimitExceededInfo`, connection): a client
 *   ran into a limit (as the package's other servers report it);
 * - `'handlerError'` (err, req | null): a request listener threw (without
 *   a listener the error is printed to stderr); the request got a 500 when
 *   nothing was sent yet, else its stream was reset (HTTP/1.1: the socket
 *   destroyed);
 * - `'sessionError'` (err, connection): an h2/SPDY connection failed fatally.
 */
export type CompatServer = (https.Server | http.Server) & CompatServerMembers;

/** What a {@link CompatServer} adds to Node's server. */
export interface CompatServerMembers {
  /** Whether the server uses TLS. */
  readonly secure: boolean;
  /** The protocols served, in ALPN order. */
  readonly protocols: readonly string[];
  /** Open h2 and SPDY connections (HTTP/1.x ones are Node's). */
  readonly spdyConnections: number;
  /**
   * Node's server events, plus `'limitExceeded'` (a client ran into a
   * limit: `LimitExceededInfo`, and the connection: `SPDYConnection`,
   * `HTTP2Connection` or the socket) and `'handlerError'` (a request
   * listener threw: the error and the request, or null).
   */
  on(event: 'limitExceeded', listener: (info: LimitExceededInfo, connection: unknown) => void): this;
  on(event: 'handlerError', listener: (err: unknown, req: http.IncomingMessage | null) => void): this;
  on(event: 'request', listener: CompatRequestListener): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

const kEngine = Symbol('spdylay.compat.engine');
type Internal = (http.Server | https.Server) & { [kEngine]: CompatEngine };

/** Installs the routing on a freshly constructed Node server. */
function setup(server: Internal, opts: ResolvedCompatOptions, listener: CompatRequestListener | undefined): void {
  const event = opts.secure ? 'secureConnection' : 'connection';
  const nodeListeners = server.listeners(event).slice() as ((socket: net.Socket) => void)[];
  if (nodeListeners.length === 0) throw new Error('createServer: Node\'s server has no connection listener');
  server.removeAllListeners(event);
  const http1 = (socket: net.Socket): void => {
    for (const l of nodeListeners) l.call(server, socket);
  };
  const engine = new CompatEngine(server, opts, http1);
  server[kEngine] = engine;
  if (opts.secure) {
    server.on('secureConnection', (socket: tls.TLSSocket) => engine.routeTls(socket, socket.alpnProtocol));
  } else {
    server.on('connection', (socket: net.Socket) => {
      if (engine.closing) {
        socket.destroy();
        return;
      }
      sniffSocket(socket, engine);
    });
  }
  // a server closed and listening again serves again
  server.on('listening', () => {
    engine.closing = false;
  });
  const idle = opts.limits.idleTimeout;
  if (idle > 0) server.timeout = idle;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    // h2/SPDY sockets (and the inner HTTP/2 server's reports, which carry no socket) are not Node's to answer
    if (!socket || engine.engineSockets.has(socket)) return;
    const code = err.code;
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (status !== 400) {
      engine.reportSocket(status === 431 ? 'maxHeaderListSize' : 'headersTimeout', socket, 'http/1.1',
        socket.writable ? (status === 431 ? '431' : '408') : 'close');
    }
    // the application's own 'clientError' listeners handle the socket, as with Node's servers
    if (server.listenerCount('clientError') > 1) return;
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const phrase = http.STATUS_CODES[status];
    socket.end(`HTTP/1.1 ${status} ${phrase}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  if (listener) server.on('request', listener as (req: http.IncomingMessage, res: http.ServerResponse) => void);
}

/**
 * Node's 'request' (HTTP/1.x): the `spdy` package's fields and `push`
 * (which fails over HTTP/1.x), and a listener that throws answers 500
 * (or destroys the socket once the response started) instead of
 * crashing the process.
 */
function emitGuarded(server: EventEmitter, event: string | symbol, args: unknown[]): boolean {
  if (event !== 'request' && event !== 'checkContinue') return EventEmitter.prototype.emit.apply(server, [event, ...args]);
  const req = args[0] as CompatIncomingMessage;
  const res = args[1] as CompatServerResponse;
  if (req.isSpdy === undefined) {
    req.isSpdy = false;
    req.spdyVersion = 1;
    res.isSpdy = false;
    res.spdyVersion = 1;
    res.push = pushOverHttp1;
  }
  try {
    return EventEmitter.prototype.emit.apply(server, [event, ...args]);
  } catch (err) {
    reportHandlerError(server, err, req);
    if (!res.headersSent) {
      try {
        res.writeHead(500, { 'content-length': '0' }).end();
        return true;
      } catch { /* destroyed below */ }
    }
    res.destroy();
    return true;
  }
}

function pushOverHttp1(this: CompatServerResponse, _path: string, options?: unknown, cb?: unknown): Writable {
  const callback = typeof options === 'function' ? options : cb;
  return pushUnavailable(new PushUnavailableError('res.push() is not available over HTTP/1.x'),
    callback as ((err: Error | null) => void) | undefined);
}

function close(server: Internal, base: (cb?: (err?: Error) => void) => unknown, cb?: (err?: Error) => void): void {
  server[kEngine].shutdown();
  base.call(server, cb);
}

/** The TLS compat server (`https.Server`). */
class CompatHttpsServer extends https.Server {
  declare [kEngine]: CompatEngine;
  readonly secure = true;

  constructor(opts: ResolvedCompatOptions, listener: CompatRequestListener | undefined) {
    super(opts.nodeOptions);
    this.protocols = opts.protocols;
    setup(this as unknown as Internal, opts, listener);
  }

  protocols: readonly string[];

  get spdyConnections(): number {
    return this[kEngine].connections;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return emitGuarded(this, event, args);
  }

  override close(cb?: (err?: Error) => void): this {
    close(this as unknown as Internal, https.Server.prototype.close as never, cb);
    return this;
  }

  override closeAllConnections(): void {
    // Node 18.2+
    (Object.getPrototypeOf(CompatHttpsServer.prototype) as { closeAllConnections?: () => void }).closeAllConnections?.call(this);
    this[kEngine].destroyAll();
  }
}

/** The cleartext compat server (`http.Server`). */
class CompatHttpServer extends http.Server {
  declare [kEngine]: CompatEngine;
  readonly secure = false;

  constructor(opts: ResolvedCompatOptions, listener: CompatRequestListener | undefined) {
    super(opts.nodeOptions);
    this.protocols = opts.protocols;
    setup(this as unknown as Internal, opts, listener);
  }

  protocols: readonly string[];

  get spdyConnections(): number {
    return this[kEngine].connections;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return emitGuarded(this, event, args);
  }

  override close(cb?: (err?: Error) => void): this {
    close(this as unknown as Internal, http.Server.prototype.close as never, cb);
    return this;
  }

  override closeAllConnections(): void {
    // Node 18.2+
    (Object.getPrototypeOf(CompatHttpServer.prototype) as { closeAllConnections?: () => void }).closeAllConnections?.call(this);
    this[kEngine].destroyAll();
  }
}

/**
 * `instanceof CompatServer` holds for every server {@link createServer}
 * returned (they are also `instanceof https.Server` or `http.Server`).
 */
export const CompatServer: { readonly prototype: object; [Symbol.hasInstance](x: unknown): boolean } = Object.freeze({
  prototype: Object.prototype,
  [Symbol.hasInstance](x: unknown): boolean {
    return x instanceof CompatHttpsServer || x instanceof CompatHttpServer;
  },
});

/**
 * Creates a server that serves h2, SPDY/3.1, SPDY/3, SPDY/2 and HTTP/1.1
 * on one port with Node's `http` request and response objects: a drop-in
 * for the `spdy` package's `createServer` (and for `https.createServer` /
 * `http.createServer`), so that Express, Koa and Fastify apps run over h2
 * and SPDY unchanged.
 *
 * With TLS material (`key`/`cert`, `pfx` or `SNICallback`) the server is
 * an `https.Server` that offers `spdy.protocols` over ALPN; with
 * `spdy.plain: true` (or no TLS material) it is an `http.Server` that finds
 * each connection's protocol from its first bytes (h2c with prior
 * knowledge, SPDY, HTTP/1.x). HTTP/1.x connections are served by Node
 * itself (`upgrade`, `checkContinue`, `clientError`, `headersTimeout`,
 * `requestTimeout`, `keepAliveTimeout`, `maxHeadersCount` as Node has
 * them); h2 and SPDY streams by this package's engines, each emitted as
 * `'request'` (or `'checkContinue'` when it expects 100-continue and there
 * is a listener) with a real `http.IncomingMessage` (`httpVersion` `'2.0'`
 * over h2, `'1.1'` over SPDY; body streamed with back-pressure: the
 * stream's flow-control window follows what the application reads) and a
 * real `http.ServerResponse` (see README "createServer").
 *
 * @param options - {@link CompatServerOptions}: `https.createServer`
 *   options, `spdy: { protocols, plain, ssl, 'x-forwarded-for',
 *   connection: { windowSize, autoSpdy31, maxStreams } }`, and the limits of `ServerLimits` (bytes,
 *   counts; timeouts in ms). May be omitted.
 * @param requestListener - Added as a `'request'` listener.
 * @returns The server, not yet listening: call `listen()` as on any Node server.
 * @throws UnsupportedOptionError (a TypeError, `ERR_SPDYLAY_UNSUPPORTED_OPTION`)
 *   naming the option for an option of the `spdy` package this server does
 *   not support (`spdy.protocol`, `spdy.maxChunk`,
 *   `spdy.connection.maxChunk`, `headerCompression`, `acceptPush`, a
 *   `windowSize` other than 1 MiB), an unknown `spdy`/`spdy.connection`
 *   key, an unknown protocol, or a base-class first argument
 *   (`spdy.createServer(base, ...)`); ArgumentError (a TypeError,
 *   `ERR_SPDYLAY_INVALID_ARG`) for TLS without key material, an invalid
 *   limit or `maxStreams`, or a requestListener that is not a function.
 */
export function createServer(options?: CompatServerOptions | CompatRequestListener | null,
  requestListener?: CompatRequestListener): CompatServer {
  if (typeof options === 'function') {
    if ((options as { prototype?: unknown }).prototype instanceof EventEmitter) {
      throw new UnsupportedOptionError('base', 'a base class argument (spdy.createServer(base, options, listener)) is not supported');
    }
    requestListener = options;
    options = {};
  }
  if (requestListener !== undefined && typeof requestListener !== 'function') {
    throw new ArgumentError('createServer: requestListener must be a function');
  }
  const opts = resolveCompatOptions(options ?? {});
  const server = opts.secure ? new CompatHttpsServer(opts, requestListener) : new CompatHttpServer(opts, requestListener);
  return server as unknown as CompatServer;
}
