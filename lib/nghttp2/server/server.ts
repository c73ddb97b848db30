/**
 * HTTP/2 server of `spdylay/nghttp2`: {@link HTTP2Server}, the Node
 * counterpart of nghttp2's Python `nghttp2.HTTP2Server`, listening for and
 * accepting connections (each an {@link HTTP2Connection}).
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';

import {
  resolveLimits, type LimitExceededInfo, type LimitName, type ServerLimits,
} from '../../limits.js';
import { ArgumentError } from '../../errors.js';
import { type ListenOptions, listenServer } from '../../listen.js';
import { HTTP2Connection } from './connection.js';
import type { BaseRequestHandler } from './handler.js';

/**
 * Address to bind: `[host, port]` as in the Python API or `{ host, port }`.
 * A `null`/`undefined` host means all interfaces; port 0 picks a free port.
 */
export type ServerAddress =
  | readonly [host: string | null | undefined, port: number]
  | { host?: string | null; port: number };

/**
 * TLS options: what `tls.createServer` accepts (`key`, `cert`, `ca`,
 * `pfx`, `SNICallback`, ...). `ALPNProtocols` is always set to `['h2']`.
 */
export type ServerTlsOptions = tls.TlsOptions;

/** Access log hook: receives one line per response (no trailing newline). */
export type AccessLogFunction = (line: string, handler: BaseRequestHandler) => void;

export type { LimitExceededInfo, LimitName, ServerLimits } from '../../limits.js';

/**
 * Options of {@link HTTP2Server} (fourth constructor argument): its own
 * options plus the resource limits of {@link ServerLimits} (see
 * `lib/limits.ts` for the shared defaults), which on HTTP/2 work as follows.
 *
 * - `maxHeaderListSize` (bytes, default 65536): announced as
 *   SETTINGS_MAX_HEADER_LIST_SIZE and enforced in nghttp2's header callback
 *   as fields are decoded, counting name + value + 32 per field. Past it the
 *   stream gets RST_STREAM ENHANCE_YOUR_CALM (0xb), nothing of its header
 *   list is kept, no handler is created, and the connection goes on
 *   (`'limitExceeded'`, scope `'stream'`).
 * - `maxSessionMemory` (bytes, default 10 MiB): nghttp2's allocations for the
 *   connection (counted through a custom `nghttp2_mem`), the binding's
 *   header, event, output and copied-body buffers (bodies up to 16 KiB are
 *   copied), the socket's unsent bytes and request body chunks whose
 *   `onData` promise has not settled. Response bodies and body-generator
 *   chunks the application provides are referenced and not counted. Past
 *   it: GOAWAY ENHANCE_YOUR_CALM, then close. {@link HTTP2Connection.memoryUsage}
 *   gives the current figure.
 * - `maxOutboundAck` (frames, default 1000): `nghttp2_option_set_max_outbound_ack`;
 *   nghttp2's NGHTTP2_ERR_FLOODED (PING/SETTINGS replies piling up unsent)
 *   is reported under this name. GOAWAY ENHANCE_YOUR_CALM, then close.
 * - `maxEmptyFrames` (frames, default 1000): DATA frames with no payload and
 *   no END_STREAM, and SETTINGS frames after the first, in a row; a new
 *   request stream or DATA with payload resets the count. GOAWAY
 *   ENHANCE_YOUR_CALM, then close.
 * - `streamResetBurst` / `streamResetRate` (RST_STREAM frames on
 *   client-initiated streams, default 1000 and 33 per second): token bucket;
 *   dry: GOAWAY ENHANCE_YOUR_CALM, then close (reported as `streamResetRate`).
 * - `maxContinuations` (frames, default 8): CONTINUATION frames after one
 *   HEADERS/PUSH_PROMISE. Past it: GOAWAY ENHANCE_YOUR_CALM, then close.
 * - `headersTimeout` (ms, default 60000; 0 disables): how long the
 *   connection may stay inside an incomplete header block (client preface,
 *   partial frame head, partial HEADERS/CONTINUATION frame, CONTINUATION
 *   awaited). Past it: GOAWAY NO_ERROR, then close. On a TLS server it is
 *   also the `handshakeTimeout` unless the TLS options set one.
 * - `idleTimeout` (ms, default 120000; 0 disables): no byte read or written:
 *   GOAWAY NO_ERROR with the last processed stream ID, open streams finish,
 *   then the socket closes.
 *
 * Flood limits are checked by our layer on the frame heads before nghttp2
 * processes the frame, so they hold with any libnghttp2 build. Each
 * connection ended for a limit or timeout, and each stream reset for
 * `maxHeaderListSize`, is reported once through the server's
 * `'limitExceeded'` event ({@link LimitExceededInfo}, protocol `'h2'`).
 */
export interface HTTP2ServerOptions extends ServerLimits {
  /**
   * Access log, one line per response like the reference
   * (`host - - [date] "METHOD path HTTP/2" status - P|-`): `true` (default)
   * writes to stderr, `false` disables it, a function receives each line.
   */
  log?: boolean | AccessLogFunction;
  /** SETTINGS_MAX_CONCURRENT_STREAMS sent to clients. Default 100. */
  maxConcurrentStreams?: number;
  /**
   * Milliseconds to wait for the client's SETTINGS ACK before ending the
   * connection with GOAWAY(SETTINGS_TIMEOUT). Default 5000.
   */
  settingsTimeout?: number;
}

/** Constructor of the request handler class given to {@link HTTP2Server}. */
export type RequestHandlerClass<H extends BaseRequestHandler = BaseRequestHandler> =
  new (http2: HTTP2Connection, streamId: number) => H;

/** The bound address, as returned by {@link HTTP2Server.listen}. */
export interface BoundAddress {
  address: string;
  port: number;
  family: string;
}

/**
 * The events of {@link HTTP2Server}: each key is an event name, its value the
 * listener's arguments.
 */
export interface HTTP2ServerEvents<H extends BaseRequestHandler = BaseRequestHandler> {
  /** The server is bound (after `listen()` resolves its address). */
  listening: [];
  /** The server stopped listening and every connection has ended. */
  close: [];
  /** A connection was accepted (or handed to `handleConnection()`) and its session started. */
  connection: [connection: HTTP2Connection];
  /**
   * A request handler threw or its body failed. `handler` is null when the
   * handler's constructor threw. Without a listener the error is printed to
   * stderr.
   */
  handlerError: [error: unknown, handler: H | null];
  /** nghttp2 failed a connection's session (`nghttp2_session_mem_recv`/`mem_send` returned an error); the connection closes. */
  sessionError: [error: Error, connection: HTTP2Connection];
  /**
   * A client's socket failed: a TLS handshake error (`connection` null), a
   * socket error on a connection, or an error of the listening socket after
   * `listen()` (`connection` null).
   */
  clientError: [error: Error, connection: HTTP2Connection | null];
  /**
   * A client ran into a limit of {@link HTTP2ServerOptions}: a stream reset
   * for `maxHeaderListSize` (scope `'stream'`, RST_STREAM
   * ENHANCE_YOUR_CALM) or a connection ended for a limit or timeout (scope
   * `'connection'`, GOAWAY ENHANCE_YOUR_CALM, or NO_ERROR for the
   * timeouts). The info object is frozen; `protocol` is `'h2'`.
   */
  limitExceeded: [info: LimitExceededInfo, connection: HTTP2Connection | null];
}

// Typed listeners of the server's events (declaration merging with the class below).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface HTTP2Server<H extends BaseRequestHandler = BaseRequestHandler> {
  /**
   * Adds a listener of one of the server's events (see {@link HTTP2ServerEvents}).
   *
   * @param event - The event name.
   * @param listener - Called with the event's arguments.
   */
  on<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** As {@link HTTP2Server.on}, for `addListener`. */
  addListener<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** As {@link HTTP2Server.on}, called once. */
  once<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** As {@link HTTP2Server.on}, added before the other listeners. */
  prependListener<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** As {@link HTTP2Server.once}, added before the other listeners. */
  prependOnceListener<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** Removes a listener added with {@link HTTP2Server.on} or {@link HTTP2Server.once}. */
  off<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
  /** As {@link HTTP2Server.off}. */
  removeListener<E extends keyof HTTP2ServerEvents<H>>(event: E, listener: (...args: HTTP2ServerEvents<H>[E]) => void): this;
}

/**
 * `ssl` must be `tls.createServer` options: a `tls.SecureContext` (which
 * `tls.createServer` would ignore, failing every handshake) or any
 * non-object throws, saying what to pass.
 */
function checkTlsOptions(ssl: unknown): void {
  const isContext = typeof ssl === 'object' && ssl !== null && 'context' in ssl &&
    (ssl as { constructor?: { name?: string } }).constructor?.name === 'SecureContext';
  if (isContext) {
    throw new ArgumentError('ssl must be tls.createServer options, not a tls.SecureContext: pass the options it was ' +
      'made from ({ key, cert, ... }), or { key, cert, SNICallback: (name, cb) => cb(null, context) } to serve it by SNI');
  }
  if (typeof ssl !== 'object' || Array.isArray(ssl)) {
    throw new ArgumentError(`ssl must be tls.createServer options ({ key, cert, ... }) or null, not ${Array.isArray(ssl) ? 'an array' : `a ${typeof ssl}`}`);
  }
}

/**
 * HTTP/2 server (mirror of Python's `nghttp2.HTTP2Server`): cleartext h2c
 * with prior knowledge, or TLS with ALPN `h2` when `ssl` is given. Each
 * request stream is handled by a new instance of `RequestHandlerClass`.
 *
 * Each accepted connection gets a server `nghttp2_session`
 * (`nghttp2_session_server_new3`, its allocations counted per connection)
 * with SETTINGS MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 65535 and
 * MAX_HEADER_LIST_SIZE (`nghttp2_submit_settings`); socket input goes
 * to `nghttp2_session_mem_recv`, output comes from
 * `nghttp2_session_mem_send` and is written while the socket buffers at most
 * 64 KiB (resumed on `'drain'`). One output pull produces at most 64 KiB plus
 * one DATA frame (DATA payloads are at most 16 KiB), whatever the client's
 * windows and however large a Buffer body is (bodies are referenced, never
 * copied whole), so what a response holds is bounded by what is in flight:
 * the socket's high-water mark plus one pull. The limits of
 * {@link HTTP2ServerOptions} bound the rest. A client that does not
 * acknowledge the SETTINGS within `settingsTimeout` gets
 * GOAWAY(SETTINGS_TIMEOUT); protocol errors end only their connection
 * (GOAWAY, then close).
 *
 * Events: `'listening'`, `'close'`, `'connection'` (HTTP2Connection),
 * `'handlerError'` (error, handler or null) for exceptions thrown by request
 * handlers and body generators (printed to stderr when nobody listens),
 * `'sessionError'` (NGHTTP2Error, connection) for connections ended by a
 * protocol error, `'limitExceeded'` ({@link LimitExceededInfo}, connection)
 * for every stream reset for `maxHeaderListSize` (scope `'stream'`,
 * RST_STREAM ENHANCE_YOUR_CALM) and every connection ended for a limit or
 * timeout of {@link HTTP2ServerOptions} (scope `'connection'`: GOAWAY with
 * ENHANCE_YOUR_CALM for the flood and memory limits, NO_ERROR for
 * `headersTimeout` and `idleTimeout`), `'clientError'` (error, connection) for socket errors.
 * None of them is `'error'`: a failing handler never crashes the process.
 *
 * @typeParam H - The request handler class's instance type.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class HTTP2Server<H extends BaseRequestHandler = BaseRequestHandler> extends EventEmitter {
  /** The class instantiated for every request stream (and pushed stream). */
  readonly RequestHandlerClass: RequestHandlerClass<H>;
  /** Whether TLS is used. */
  readonly secure: boolean;
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #server: net.Server;
  readonly #connections = new Set<HTTP2Connection>();
  readonly #drainWaiters: (() => void)[] = [];
  readonly #log: AccessLogFunction | null;
  readonly #maxConcurrentStreams: number;
  readonly #settingsTimeout: number;
  readonly #limits: Required<ServerLimits>;
  #listening: Promise<BoundAddress> | null = null;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #closing = false;
  #dateSecond = -1;
  #dateString = '';

  /**
   * @param address - `[host, port]` or `{ host, port }`; host null/undefined = all interfaces.
   * @param RequestHandlerClass - A subclass of {@link BaseRequestHandler}.
   * @param ssl - TLS options for `tls.createServer` (cert, key, ...); omit or
   * pass null for cleartext h2c (prior knowledge). A `tls.SecureContext` is
   * not accepted (`tls.createServer` ignores a `secureContext` option): pass
   * the options it was made from, or `{ SNICallback: (name, cb) => cb(null, ctx) }`
   * with default `key`/`cert` for clients that send no SNI.
   * @param options - See {@link HTTP2ServerOptions}.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when the
   *   address or handler class is invalid, `ssl` is not an options object
   *   (a `tls.SecureContext`, a string, ...), or a
   *   limit of {@link HTTP2ServerOptions} is invalid (the message names the
   *   option): a count that is not an integer from 1 to 4294967295, a
   *   timeout that is not a number of milliseconds >= 0.
   */
  constructor(address: ServerAddress, RequestHandlerClass: RequestHandlerClass<H>,
    ssl?: ServerTlsOptions | null, options: HTTP2ServerOptions = {}) {
    super();
    let host: string | null | undefined;
    let port: number;
    if (Array.isArray(address)) {
      [host, port] = address as readonly [string | null | undefined, number];
    } else if (address && typeof address === 'object') {
      ({ host, port } = address as { host?: string | null; port: number });
    } else {
      throw new ArgumentError('address must be [host, port] or { host, port }');
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ArgumentError('port must be an integer from 0 to 65535');
    }
    if (typeof RequestHandlerClass !== 'function') {
      throw new ArgumentError('RequestHandlerClass must be a class extending BaseRequestHandler');
    }
    if (ssl != null) checkTlsOptions(ssl);
    this.#host = host ?? undefined;
    this.#port = port;
    this.RequestHandlerClass = RequestHandlerClass;
    this.secure = ssl != null;
    const log = options.log ?? true;
    this.#log = typeof log === 'function' ? log : log ? (line) => process.stderr.write(line + '\n') : null;
    this.#maxConcurrentStreams = options.maxConcurrentStreams ?? 100;
    this.#settingsTimeout = options.settingsTimeout ?? 5000;
    this.#limits = resolveLimits(options);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    if (ssl != null) {
      const handshake = ssl.handshakeTimeout ?? (this.#limits.headersTimeout > 0 ? this.#limits.headersTimeout : undefined);
      this.#server = tls.createServer({
        ...ssl, ALPNProtocols: ['h2'], ...(handshake !== undefined ? { handshakeTimeout: handshake } : {}),
      });
      this.#server.on('secureConnection', (socket: tls.TLSSocket) => this.#accept(socket));
      this.#server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
        if (err.code !== 'ERR_TLS_HANDSHAKE_TIMEOUT') {
          this.emit('clientError', err, null);
          return;
        }
        // headersTimeout covers the handshake; Node reports it but leaves the socket open
        this._limitExceeded({
          limit: 'headersTimeout', scope: 'connection', protocol: 'h2', streamId: null,
          clientAddress: Object.freeze([socket.remoteAddress ?? '', socket.remotePort ?? 0] as [string, number]),
          action: 'close', code: null,
        }, null);
        socket.destroy();
      });
    } else {
      this.#server = net.createServer({ noDelay: true });
      this.#server.on('connection', (socket: net.Socket) => this.#accept(socket));
    }
    this.#server.on('close', () => {
      this.emit('close');
      this.#resolveClosed();
    });
  }

  /**
   * Serves an already-accepted socket as an HTTP/2 connection, as if this
   * server had accepted it: for a front end that picked the protocol itself
   * (ALPN `h2` on its own TLS server, or the h2c preface sniffed from
   * cleartext, the sniffed bytes put back with `socket.unshift()`). The
   * server need not be listening. A `tls.TLSSocket` is served with the
   * `https` default scheme. After {@link close} the socket is destroyed.
   *
   * @param socket - A connected socket (TLS handshake done, ALPN `h2`).
   * @returns The connection, or null when the server is closing or the
   *   connection could not be set up (reported as `'clientError'`).
   */
  handleConnection(socket: net.Socket): HTTP2Connection | null {
    return this.#accept(socket);
  }

  #accept(socket: net.Socket): HTTP2Connection | null {
    if (this.#closing) {
      socket.destroy();
      return null;
    }
    let conn: HTTP2Connection;
    try {
      conn = new HTTP2Connection(this as HTTP2Server, socket,
        this.secure || (socket as tls.TLSSocket).encrypted === true, this.#maxConcurrentStreams,
        this.#settingsTimeout, this.#limits);
    } catch (err) {
      socket.destroy();
      this.emit('clientError', err, null);
      return null;
    }
    this.#connections.add(conn);
    if (conn.closed) this.#connections.delete(conn);
    else if (this.#limits.idleTimeout > 0) {
      socket.setTimeout(this.#limits.idleTimeout);
      socket.on('timeout', () => conn._onIdle());
    }
    this.emit('connection', conn);
    return conn;
  }

  /**
   * Starts listening (`net.Server.listen`). Idempotent: a second call
   * returns the first call's promise (its options are ignored).
   *
   * @param options - Node's listen options: `backlog`, `exclusive` (a
   *   `node:cluster` worker binds its own handle), `reusePort` (several
   *   processes or worker threads bind one port), `ipv6Only`, and `signal`
   *   (aborting it closes the server as {@link close} does).
   * @returns The bound address (the port actually chosen when 0 was given).
   * @throws ArgumentError (rejects; a TypeError, `ERR_SPDYLAY_INVALID_ARG`) for
   *   a bad option, or `reusePort` on a Node older than 22.12.
   * @throws (rejects) the reason of an already aborted `signal`; the listen
   *   error, e.g. EADDRINUSE.
   */
  listen(options: ListenOptions = {}): Promise<BoundAddress> {
    if (this.#listening) return this.#listening;
    this.#listening = listenServer(this.#server, this.#port, this.#host, options, () => {
      this.close().catch(() => undefined);
    }).then(() => {
      this.#server.on('error', (err) => this.emit('clientError', err, null));
      this.emit('listening');
      return this.address()!;
    }, (err: unknown) => {
      this.#listening = null;
      throw err;
    });
    return this.#listening;
  }

  /**
   * Runs the server: listens (if not yet) and resolves when the server has
   * been closed with {@link close}.
   *
   * @throws (rejects) the listen error, e.g. EADDRINUSE.
   */
  async serveForever(): Promise<void> {
    await this.listen();
    await this.#closed;
  }

  /** The bound address, or null when not listening. */
  address(): BoundAddress | null {
    const a = this.#server.address();
    if (!a || typeof a === 'string') return null;
    return { address: a.address, port: a.port, family: a.family };
  }

  /** The open connections. */
  get connections(): ReadonlySet<HTTP2Connection> {
    return this.#connections;
  }

  /**
   * Stops accepting connections, sends GOAWAY(NO_ERROR) on each open
   * connection (in-flight streams complete) and resolves once every
   * connection has closed. After `timeout` ms connections still open are
   * destroyed (their live handlers get onClose(INTERNAL_ERROR)).
   *
   * @param options - `{ timeout }` in milliseconds, default 5000.
   */
  async close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing = true;
    const timeout = options.timeout ?? 5000;
    if (this.#server.listening) this.#server.close();
    else this.#resolveClosed();
    for (const conn of this.#connections) conn.shutdown();
    const timer = setTimeout(() => {
      for (const conn of this.#connections) conn.destroy();
    }, timeout);
    try {
      await this.#closed;
      if (this.#connections.size) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    } finally {
      clearTimeout(timer);
    }
  }

  /** @internal */
  _connectionClosed(conn: HTTP2Connection): void {
    this.#connections.delete(conn);
    if (this.#connections.size === 0) for (const w of this.#drainWaiters.splice(0)) w();
  }

  /** @internal */
  _handlerError(err: unknown, handler: BaseRequestHandler | null): void {
    if (this.listenerCount('handlerError') > 0) {
      this.emit('handlerError', err, handler);
      return;
    }
    const where = handler ? ` (stream ${handler.streamId}, ${handler.method ?? '-'} ${handler.path ?? '-'})` : '';
    console.error(`spdylay/nghttp2: request handler error${where}:`, err);
  }

  /** The limits in force (defaults applied). */
  get limits(): Readonly<Required<ServerLimits>> {
    return this.#limits;
  }

  /** @internal */
  _limitExceeded(info: LimitExceededInfo, conn: HTTP2Connection | null): void {
    if (this.listenerCount('limitExceeded') > 0) this.emit('limitExceeded', Object.freeze(info), conn);
  }

  /** @internal */
  _sessionError(err: Error, conn: HTTP2Connection): void {
    if (this.listenerCount('sessionError') > 0) this.emit('sessionError', err, conn);
  }

  /** @internal */
  _connectionError(err: Error, conn: HTTP2Connection): void {
    if (this.listenerCount('clientError') > 0) this.emit('clientError', err, conn);
  }

  /** Whether responses are logged (the `log` option is on). @internal */
  get _logging(): boolean {
    return this.#log !== null;
  }

  /** @internal */
  _log(h: BaseRequestHandler, status: number, pushed: boolean): void {
    const log = this.#log;
    if (!log) return;
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.#dateSecond) {
      this.#dateSecond = second;
      this.#dateString = new Date(second * 1000).toUTCString();
    }
    const line = `${h.clientAddress[0]} - - [${this.#dateString}] "${h.method ?? '-'} ${h.path ?? '-'} HTTP/2" ` +
      `${status} - ${pushed ? 'P' : '-'}`;
    try {
      log(line, h);
    } catch (err) {
      this._handlerError(err, h);
    }
  }
}


