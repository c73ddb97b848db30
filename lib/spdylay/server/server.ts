/**
 * `ThreadedSPDYServer`: python-spdylay's simple SPDY server, on Node's
 * event loop. It listens, finds each connection's protocol (ALPN over TLS,
 * `sniffSocket` in cleartext) and hands the connection to its adapter:
 * `SPDYConnection` (spdy.ts), the inner `HTTP2Server` (h2.ts) or the inner
 * `node:http` server (h1.ts). The adapters see the server through small
 * interfaces (`SpdyConnectionOwner`, `H2Owner`, `H1Owner`, `SniffOwner`)
 * and run the application's `BaseSPDYRequestHandler` subclass per stream.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';

import { ArgumentError } from '../../errors.js';
import { type ListenOptions, listenServer } from '../../listen.js';
import type { LimitExceededInfo, LimitName, ServedProtocol } from '../../limits.js';
import type { HTTP2Connection, HTTP2Server } from '../../nghttp2/index.js';
import { OK } from '../constants.js';
import { getNpnProtocols, npnGetVersion } from '../session.js';
import { createH1Server } from './h1.js';
import { createH2Server } from './h2.js';
import type { BaseSPDYRequestHandler, RequestHead } from './handler.js';
import { dateTimeString } from './http-util.js';
import {
  type ResolvedServerOptions, type SPDYAccessLog, type SPDYBoundAddress, type SPDYRequestHandlerClass,
  type SPDYServerAddress, type ThreadedSPDYServerOptions, resolveServerOptions, socketLimitInfo,
} from './options.js';
import { type SniffOwner, sniffSocket } from './sniff.js';
import { SPDYConnection } from './spdy.js';
import type { StreamIO } from './stream-io.js';

/** Node's default TLS `handshakeTimeout` (ms). */
const TLS_HANDSHAKE_MS = 120_000;

/**
 * python-spdylay's `ThreadedSPDYServer` on Node's event loop: listens on
 * `serverAddress` and serves SPDY/3.1, SPDY/3 and SPDY/2 (TLS with ALPN, or
 * cleartext), handling each request stream with a new instance of
 * `RequestHandlerClass`. With `h2`/`http1` (on by default) the same port also
 * serves HTTP/2 and HTTP/1.1 with the same handler class.
 *
 * Each SPDY connection gets a server `Session` that announces
 * SETTINGS_MAX_CONCURRENT_STREAMS (100 by default); output is produced while
 * the socket buffers under 64 KiB (resumed on `'drain'`); flow control is
 * the session's. What one client can make the server hold is bounded by the
 * limit options ({@link ThreadedSPDYServerOptions}: header size, memory per
 * connection, flood caps, header and idle timeouts), on every protocol of
 * the port.
 *
 * Events (none is `'error'`; a failing handler never crashes the process):
 * - `'limitExceeded'` (info: `LimitExceededInfo`, connection:
 *   `SPDYConnection | HTTP2Connection | net.Socket | null`): a client ran
 *   into a limit:
 *   `info.limit` names the option, `info.scope` is `'stream'` (one stream
 *   was reset: a header block past `maxHeaderListSize`) or `'connection'`
 *   (the connection is being ended: GOAWAY, an HTTP/1.1 `431`/`408`, or a
 *   plain close during the TLS handshake or protocol detection), with the
 *   protocol, client address, stream ID, the action and the code sent.
 *   Every connection ended for a limit is reported once; HTTP/2 connections
 *   are reported by the inner `HTTP2Server`. A listener that throws is
 *   reported as `'handlerError'`;
 * - `'handlerError'` (err, handler | null): a handler threw or rejected
 *   (printed to stderr when nobody listens);
 * - `'sessionError'` (err, connection): a SPDY session failed fatally;
 * - `'clientError'` (err, socket | null): a socket or TLS handshake error;
 * - `'connection'` (SPDYConnection | HTTP2Connection | net.Socket, protocol);
 * - `'listening'`, `'close'`.
 *
 * @typeParam H - The request handler class's instance type.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ThreadedSPDYServer<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> extends EventEmitter {
  /** The class instantiated for every request stream. */
  readonly RequestHandlerClass: SPDYRequestHandlerClass<H>;
  /** Whether TLS is used. */
  readonly secure: boolean;
  /** The ALPN protocols offered (TLS), in order of preference. */
  readonly alpnProtocols: readonly string[];
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #server: net.Server;
  readonly #opts: ResolvedServerOptions;
  readonly #log: SPDYAccessLog | null;
  /** Where cleartext detection reports (see `sniffSocket`). */
  readonly #sniffOwner: SniffOwner;
  readonly #spdy = new Set<SPDYConnection>();
  readonly #pendingSockets = new Set<net.Socket>();
  readonly #h1Sockets = new Set<net.Socket>();
  #h2: HTTP2Server | null = null;
  #h1: http.Server | null = null;
  #commitQueue: StreamIO[] = [];
  #commitScheduled = false;
  #started: Promise<SPDYBoundAddress> | null = null;
  #closing = false;
  #drainWaiters: (() => void)[] = [];

  /**
   * @param serverAddress - `[host, port]`; port 0 picks a free port.
   * @param RequestHandlerClass - A subclass of {@link BaseSPDYRequestHandler}.
   * @param options - TLS material (`certFile`/`keyFile` or `cert`/`key`) or
   *   `plain: true`, and the rest of {@link ThreadedSPDYServerOptions}.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) for a bad
   *   address or handler class, when neither TLS
   *   material nor `plain` is given, or for a bad limit option (the message
   *   names it: a timeout that is not a number of milliseconds >= 0, another
   *   limit that is not an integer from 1 to 4294967295).
   * @throws Error (from `fs`) when `certFile`/`keyFile` cannot be read.
   */
  constructor(serverAddress: SPDYServerAddress, RequestHandlerClass: SPDYRequestHandlerClass<H>,
    options?: ThreadedSPDYServerOptions);
  /**
   * python-spdylay's positional form: `ThreadedSPDYServer(serverAddress,
   * RequestHandlerClass, certFile, keyFile)` (TLS, other options default).
   */
  constructor(serverAddress: SPDYServerAddress, RequestHandlerClass: SPDYRequestHandlerClass<H>,
    certFile: string, keyFile: string);
  constructor(serverAddress: SPDYServerAddress, RequestHandlerClass: SPDYRequestHandlerClass<H>,
    optionsOrCertFile: ThreadedSPDYServerOptions | string = {}, keyFile?: string) {
    super();
    const options: ThreadedSPDYServerOptions = typeof optionsOrCertFile === 'string'
      ? { certFile: optionsOrCertFile, keyFile }
      : optionsOrCertFile ?? {};
    if (!Array.isArray(serverAddress) || serverAddress.length !== 2) {
      throw new ArgumentError('serverAddress must be [host, port]');
    }
    const [host, port] = serverAddress;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError('port must be an integer from 0 to 65535');
    if (typeof RequestHandlerClass !== 'function') {
      throw new ArgumentError('RequestHandlerClass must be a class extending BaseSPDYRequestHandler');
    }
    this.#host = host ?? undefined;
    this.#port = port;
    this.RequestHandlerClass = RequestHandlerClass;
    this.#opts = resolveServerOptions(options);
    const { versions, limits } = this.#opts;
    const headersTimeout = limits.headersTimeout;
    this.#log = this.#opts.log;
    const tokens = getNpnProtocols().filter((p) => versions.includes(npnGetVersion(p)));
    if (this.#opts.h2) tokens.push('h2');
    if (this.#opts.http1) tokens.push('http/1.1');
    this.alpnProtocols = Object.freeze(tokens);
    if (this.#opts.h2) this.#h2 = createH2Server(this, this.#opts.maxConcurrentStreams, limits);
    if (this.#opts.http1) this.#h1 = createH1Server(this, limits);
    this.#sniffOwner = {
      headersTimeout,
      plainSpdy3Version: this.#opts.plainSpdy3Version,
      detected: (socket, initial, spdyVersion) => this.#route(socket, null, initial, spdyVersion),
      refused: (socket) => {
        this.#pendingSockets.delete(socket);
        socket.destroy();
      },
      lost: (socket) => {
        this.#pendingSockets.delete(socket);
        this.#checkDrained();
      },
      timedOut: (socket) => {
        this.#pendingSockets.delete(socket);
        // detection did not finish: the protocol is not known
        this.#reportSocket('headersTimeout', socket, null, 'close');
        socket.destroy();
      },
      socketError: (err, socket) => this._clientError(err, socket),
    };
    if (options.plain) {
      this.secure = false;
      this.#server = net.createServer({ noDelay: true }, (socket) => this.#sniff(socket));
    } else {
      const key = options.key ?? (options.keyFile ? fs.readFileSync(options.keyFile) : undefined);
      const cert = options.cert ?? (options.certFile ? fs.readFileSync(options.certFile) : undefined);
      if (!options.tls && (key === undefined || cert === undefined)) {
        throw new ArgumentError('TLS needs certFile/keyFile (or cert/key); pass plain: true for cleartext');
      }
      this.secure = true;
      // the handshake is part of the request head: min(Node's 120 s, headersTimeout), unless set in options.tls
      const handshakeTimeout = options.tls?.handshakeTimeout
        ?? (headersTimeout > 0 ? Math.min(TLS_HANDSHAKE_MS, Math.ceil(headersTimeout)) : TLS_HANDSHAKE_MS);
      this.#server = tls.createServer({ ...options.tls, ...(key ? { key } : {}), ...(cert ? { cert } : {}),
        ALPNProtocols: tokens.slice(), handshakeTimeout });
      this.#server.on('secureConnection', (socket: tls.TLSSocket) => this.#route(socket, socket.alpnProtocol || null));
      this.#server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
        if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
          // the protocol is not chosen yet
          this.#reportSocket('headersTimeout', socket, null, 'close');
          // Node reports the timeout but leaves the socket open
          socket.destroy();
        } else this._clientError(err, null);
      });
      this.#server.on('connection', (socket: net.Socket) => {
        this.#pendingSockets.add(socket);
        socket.once('close', () => this.#pendingSockets.delete(socket));
      });
    }
  }

  /**
   * Starts listening (python: `start()`, which serves in a thread).
   * Idempotent: a second call returns the first call's promise (its options
   * are ignored).
   *
   * @param options - Node's listen options: `backlog`, `exclusive` (a
   *   `node:cluster` worker binds its own handle), `reusePort` (several
   *   processes or worker threads bind one port), `ipv6Only`, and `signal`
   *   (aborting it closes the server as {@link close} does).
   * @returns The bound `{ address, port, family }` (the port chosen when 0 was given).
   * @throws ArgumentError (rejects; a TypeError, `ERR_SPDYLAY_INVALID_ARG`) for
   *   a bad option, or `reusePort` on a Node older than 22.12.
   * @throws (rejects) the reason of an already aborted `signal`; the listen
   *   error, e.g. EADDRINUSE.
   */
  start(options: ListenOptions = {}): Promise<SPDYBoundAddress> {
    if (this.#started) return this.#started;
    this.#started = listenServer(this.#server, this.#port, this.#host, options, () => {
      this.close().catch(() => undefined);
    }).then(() => {
      this.#server.on('error', (err) => this._clientError(err, null));
      this.emit('listening');
      return this.address()!;
    }, (err: unknown) => {
      this.#started = null;
      throw err;
    });
    return this.#started;
  }

  /**
   * Serves a connection accepted elsewhere as if this server had accepted
   * it: a socket handed over by a `node:cluster` primary or another process
   * (`child.send('socket', socket)`), or accepted by the application's own
   * `net`/`tls` server. The server need not be listening.
   * - A TLS socket whose handshake is done (`tls.TLSSocket`, e.g. from
   *   `tls.Server`'s `'secureConnection'`) is routed by its ALPN protocol.
   * - Any other socket goes through this server's own path: the TLS
   *   handshake (ALPN) on a TLS server, protocol detection in cleartext.
   * After {@link close} began, the socket is destroyed.
   *
   * @param socket - A connected socket.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when `socket` is not a `net.Socket`.
   */
  handleConnection(socket: net.Socket): void {
    if (!(socket instanceof net.Socket)) throw new ArgumentError('socket must be a net.Socket');
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const secured = socket as tls.TLSSocket;
    if (secured.encrypted === true && typeof secured.alpnProtocol !== 'undefined') {
      this.#route(socket, secured.alpnProtocol || null);
      return;
    }
    this.#server.emit('connection', socket);
  }

  /** Alias of {@link start} returning a Promise that resolves once the server is closed. */
  async serveForever(): Promise<void> {
    await this.start();
    if (!this.#server.listening) return;
    await new Promise<void>((r) => this.#server.once('close', () => r()));
  }

  /** The bound address, or null when not listening. */
  address(): SPDYBoundAddress | null {
    const a = this.#server.address();
    if (!a || typeof a === 'string') return null;
    return { address: a.address, port: a.port, family: a.family };
  }

  /** Number of open connections (SPDY, HTTP/2 and HTTP/1.1). */
  get connectionCount(): number {
    return this.#spdy.size + (this.#h2?.connections.size ?? 0) + this.#h1Sockets.size + this.#pendingSockets.size;
  }

  /**
   * Stops accepting connections, sends GOAWAY(OK) on every SPDY and HTTP/2
   * connection (open streams complete), closes idle HTTP/1.1 connections,
   * and resolves once every connection has closed. After `timeout` ms the
   * remaining connections are destroyed.
   *
   * @param options - `{ timeout }` in milliseconds, default 5000.
   */
  async close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing = true;
    const timeout = options.timeout ?? 5000;
    const serverClosed = new Promise<void>((resolve) => {
      if (this.#server.listening) this.#server.close(() => resolve());
      else resolve();
    });
    for (const c of this.#spdy) c.shutdown();
    for (const s of this.#pendingSockets) s.destroy();
    this.#h1?.closeIdleConnections();
    const h2Closed = this.#h2 ? this.#h2.close({ timeout }) : Promise.resolve();
    const timer = setTimeout(() => {
      for (const c of this.#spdy) c.destroy();
      for (const s of this.#h1Sockets) s.destroy();
    }, timeout);
    const h1Timer = setInterval(() => this.#h1?.closeIdleConnections(), 50);
    try {
      await serverClosed;
      if (this.#spdy.size || this.#h1Sockets.size) {
        await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      }
      await h2Closed;
    } finally {
      clearTimeout(timer);
      clearInterval(h1Timer);
      // stops Node's periodic headersTimeout check of the inner HTTP/1.1 server
      this.#h1?.close();
    }
    this.emit('close');
  }

  // ---- routing

  #route(socket: net.Socket, alpn: string | null, initial: Buffer | null = null, plainVersion = 0): void {
    this.#pendingSockets.delete(socket);
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const version = plainVersion || (alpn ? npnGetVersion(alpn) : 0);
    if (version && this.#opts.versions.includes(version)) {
      let conn: SPDYConnection;
      try {
        conn = new SPDYConnection(this, socket, version, this.#opts);
      } catch (err) {
        this._clientError(err, socket);
        socket.destroy();
        return;
      }
      this.#spdy.add(conn);
      if (this.#opts.limits.idleTimeout > 0) {
        socket.setTimeout(this.#opts.limits.idleTimeout);
        socket.on('timeout', () => conn._idle());
      }
      this.emit('connection', conn, conn.protocol);
      conn._start(initial);
      return;
    }
    const h2 = alpn === 'h2' || (alpn === null && initial !== null && initial.length >= 3 && initial.subarray(0, 3).toString('latin1') === 'PRI');
    if (h2 && this.#h2) {
      if (initial) socket.unshift(initial);
      this.#h2.handleConnection(socket);
      socket.resume();
      this.emit('connection', socket, 'h2');
      return;
    }
    if (!h2 && this.#h1 && (alpn === null || alpn === 'http/1.1') && !(initial && initial[0]! & 0x80)) {
      if (initial) socket.unshift(initial);
      this.#h1Sockets.add(socket);
      socket.once('close', () => {
        this.#h1Sockets.delete(socket);
        this.#checkDrained();
      });
      this.#h1.emit('connection', socket);
      socket.resume();
      this.emit('connection', socket, 'http/1.1');
      return;
    }
    socket.destroy();
  }

  /** Cleartext: finds the protocol from the first bytes. */
  #sniff(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#pendingSockets.add(socket);
    sniffSocket(socket, this.#sniffOwner);
  }

  // ---- internals shared with the connections

  /** @internal Runs a handler's `handle()` and settles its response. */
  _run(io: StreamIO): void {
    const h = io.handler;
    let r: void | Promise<void>;
    try {
      r = h.handle();
    } catch (err) {
      this._failed(io, err);
      return;
    }
    if (r && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(() => io.finish(), (err: unknown) => this._failed(io, err));
    } else io.finish();
  }

  /** @internal A handler threw: 500 if nothing was sent, else reset. */
  _failed(io: StreamIO, err: unknown): void {
    if (io.failed) return; // reported once per stream
    io.failed = true;
    io.handlerDone = true;
    if (io.closed) return; // e.g. rfile destroyed by a reset: nothing to report
    this._handlerError(err, io.handler);
    if (!io.committed) {
      try {
        io.handler.sendError(500);
        return;
      } catch { /* fall through */ }
    }
    io.reset();
  }

  /** @internal */
  _commitSoon(io: StreamIO): void {
    this.#commitQueue.push(io);
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    process.nextTick(() => {
      this.#commitScheduled = false;
      const q = this.#commitQueue;
      this.#commitQueue = [];
      for (const x of q) x.runCommit();
    });
  }

  /** @internal A new instance of the handler class for a request stream. */
  _newHandler(io: StreamIO, clientAddress: readonly [string, number], streamId: number, head: RequestHead): H {
    return new this.RequestHandlerClass({ server: this, io, clientAddress, streamId, nv: head });
  }

  /** @internal */
  _connectionClosed(conn: SPDYConnection): void {
    this.#spdy.delete(conn);
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#spdy.size === 0 && this.#h1Sockets.size === 0) for (const w of this.#drainWaiters.splice(0)) w();
  }

  /** @internal Emits 'limitExceeded'; a throwing listener counts as a handler error. */
  _limitExceeded(info: LimitExceededInfo, conn: unknown): void {
    try {
      this.emit('limitExceeded', Object.freeze(info), conn);
    } catch (err) {
      this._handlerError(err, null);
    }
  }

  /** A connection-scope limit hit outside a SPDY session (detection, TLS handshake, HTTP/1.1). */
  #reportSocket(limit: LimitName, socket: net.Socket | null | undefined, protocol: ServedProtocol | null,
    action: LimitExceededInfo['action']): void {
    this._limitExceeded(socketLimitInfo(limit, socket, protocol, action), socket ?? null);
  }

  /** @internal */
  _handlerError(err: unknown, handler: BaseSPDYRequestHandler | null): void {
    if (this.listenerCount('handlerError') > 0) {
      this.emit('handlerError', err, handler);
      return;
    }
    const where = handler ? ` (${handler.protocol} stream ${handler.streamId}, ${handler.command ?? '-'} ${handler.path ?? '-'})` : '';
    console.error(`spdylay: request handler error${where}:`, err);
  }

  /** @internal */
  _sessionError(err: unknown, conn: SPDYConnection): void {
    if (this.listenerCount('sessionError') > 0) this.emit('sessionError', err, conn);
  }

  /** @internal */
  _clientError(err: unknown, socket: net.Socket | null): void {
    if (this.listenerCount('clientError') > 0) this.emit('clientError', err, socket);
  }

  /** @internal */
  _log(io: StreamIO, status: number): void {
    const log = this.#log;
    if (!log || !io.handler) return;
    const h = io.handler;
    const code = io.committed ? (h._status ?? 200) : '-';
    const line = `${h.clientAddress[0]} - - [${dateTimeString()}] "${h.command ?? '-'} ${h.path ?? '-'} ` +
      `${io.protocol === 'h2' ? 'HTTP/2' : io.protocol.toUpperCase()}" ${code} ${io.bytesSent}${status === OK ? '' : ` (reset ${status})`}`;
    try {
      log(line, h);
    } catch (err) {
      this._handlerError(err, h);
    }
  }
}

/**
 * The events of {@link ThreadedSPDYServer}: each key is an event name, its
 * value the listener's arguments.
 */
export interface ThreadedSPDYServerEvents<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> {
  /** The server is bound (after `start()` resolves its address). */
  listening: [];
  /** The server stopped listening and every connection has ended. */
  close: [];
  /**
   * A connection was routed: a SPDY session (with its version's protocol
   * token), or the socket of an h2 or HTTP/1.1 connection.
   */
  connection: [connection: SPDYConnection, protocol: string] | [socket: net.Socket, protocol: 'h2' | 'http/1.1'];
  /**
   * A request handler threw, or a listener of `'limitExceeded'` or the
   * access log did. `handler` is null when there is none (the handler's
   * constructor threw, or an h2 stream's). Without a listener the error is
   * printed to stderr.
   */
  handlerError: [error: unknown, handler: H | null];
  /** A session failed (spdylay's or nghttp2's); the connection closes. */
  sessionError: [error: unknown, connection: SPDYConnection | HTTP2Connection];
  /**
   * A client's socket failed: a socket error during protocol detection, of
   * an HTTP/1.1 connection or a SPDY session's setup (`socket` given); a
   * TLS handshake error, an h2 connection's socket error, or an error of
   * the listening socket after `start()` (`socket` null).
   */
  clientError: [error: unknown, socket: net.Socket | null];
  /**
   * A client ran into a limit of {@link ThreadedSPDYServerOptions}: one
   * stream reset (scope `'stream'`: a header block past
   * `maxHeaderListSize`) or a connection ended for a limit or timeout
   * (scope `'connection'`). The info object is frozen; `connection` is the
   * {@link SPDYConnection}, the `HTTP2Connection` (h2), the socket
   * (HTTP/1.1, TLS handshake, protocol detection) or null.
   */
  limitExceeded: [info: LimitExceededInfo, connection: SPDYConnection | HTTP2Connection | net.Socket | null];
}

// Typed listeners of the server's events (declaration merging with the class above).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ThreadedSPDYServer<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> {
  /**
   * Adds a listener of one of the server's events (see {@link ThreadedSPDYServerEvents}).
   *
   * @param event - The event name.
   * @param listener - Called with the event's arguments.
   */
  on<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** As {@link ThreadedSPDYServer.on}, for `addListener`. */
  addListener<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** As {@link ThreadedSPDYServer.on}, called once. */
  once<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** As {@link ThreadedSPDYServer.on}, added before the other listeners. */
  prependListener<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** As {@link ThreadedSPDYServer.once}, added before the other listeners. */
  prependOnceListener<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** Removes a listener added with {@link ThreadedSPDYServer.on} or {@link ThreadedSPDYServer.once}. */
  off<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
  /** As {@link ThreadedSPDYServer.off}. */
  removeListener<E extends keyof ThreadedSPDYServerEvents<H>>(event: E, listener: (...args: ThreadedSPDYServerEvents<H>[E]) => void): this;
}
