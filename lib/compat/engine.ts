/**
 * {@link CompatEngine}: the h2 and SPDY side of a compat server. It is the
 * owner the existing adapters of `ThreadedSPDYServer` see
 * (`SpdyConnectionOwner` for `SPDYConnection`, `H2Owner` for the inner
 * `HTTP2Server`, `SniffOwner` for cleartext detection), runs each request
 * stream as a {@link CompatStream} and reports to the Node server.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import type * as http from 'node:http';
import type * as net from 'node:net';

import type { LimitExceededInfo, LimitName, ServedProtocol } from '../limits.js';
import type { HTTP2Connection, HTTP2Server } from '../nghttp2/index.js';
import { npnGetVersion } from '../spdylay/session.js';
import { createH2Server } from '../spdylay/server/h2.js';
import type { BaseSPDYRequestHandler, RequestHead } from '../spdylay/server/handler.js';
import { socketLimitInfo } from '../spdylay/server/options.js';
import type { SniffOwner } from '../spdylay/server/sniff.js';
import { SPDYConnection, type SpdyConnectionOwner } from '../spdylay/server/spdy.js';
import { H2StreamIO, type StreamIO } from '../spdylay/server/stream-io.js';
import type { ResolvedCompatOptions } from './options.js';
import { CompatStream } from './stream.js';

const rawEmit = EventEmitter.prototype.emit;
/** Emits on the Node server without its HTTP/1.1 'request' guard. */
const emit = (target: EventEmitter, event: string, ...args: unknown[]): boolean => rawEmit.call(target, event, ...args);

/** The h2/SPDY side of a compat server (see the module comment). @internal */
export class CompatEngine implements SpdyConnectionOwner, SniffOwner {
  readonly server: EventEmitter;
  /** Hands an HTTP/1.x socket to Node's own connection listener. */
  readonly http1: (socket: net.Socket) => void;
  readonly opts: ResolvedCompatOptions;
  readonly h2: HTTP2Server | null;
  readonly spdy = new Set<SPDYConnection>();
  /** Sockets handed to the engines (their errors are not Node's HTTP/1.1 client errors). */
  readonly engineSockets = new WeakSet<net.Socket>();
  #commitQueue: StreamIO[] = [];
  #commitScheduled = false;
  closing = false;
  readonly headersTimeout: number;
  readonly plainSpdy3Version: number;

  constructor(server: EventEmitter, opts: ResolvedCompatOptions, http1: (socket: net.Socket) => void) {
    this.server = server;
    this.http1 = http1;
    this.opts = opts;
    this.headersTimeout = opts.limits.headersTimeout;
    this.plainSpdy3Version = opts.plainSpdy3Version;
    this.h2 = opts.h2 ? createH2Server(this, opts.maxConcurrentStreams, opts.limits) : null;
  }

  // ---- routing

  /** A TLS connection with its ALPN protocol. */
  routeTls(socket: net.Socket, alpn: string | false | null | undefined): void {
    this.route(socket, alpn || null, null, 0);
  }

  /**
   * Serves `socket` with the engine its protocol needs: `alpn` (TLS) or the
   * sniffed bytes `initial` and SPDY version (cleartext); HTTP/1.x goes to
   * Node's listener.
   */
  route(socket: net.Socket, alpn: string | null, initial: Buffer | null, plainVersion: number): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const version = plainVersion || (alpn ? npnGetVersion(alpn) : 0);
    if (version) {
      if (!this.opts.spdyVersions.includes(version)) {
        socket.destroy();
        return;
      }
      let conn: SPDYConnection;
      try {
        conn = new SPDYConnection(this, socket, version, {
          maxConcurrentStreams: this.opts.maxConcurrentStreams, spdy2WindowUpdate: true, limits: this.opts.limits,
        });
      } catch (err) {
        this._clientError(err, socket);
        socket.destroy();
        return;
      }
      this.engineSockets.add(socket);
      this.spdy.add(conn);
      const idle = this.opts.limits.idleTimeout;
      if (idle > 0) {
        socket.setTimeout(idle);
        socket.on('timeout', () => conn._idle());
      }
      conn._start(initial);
      return;
    }
    const h2 = alpn === 'h2' || (alpn === null && initial !== null && initial.length >= 3 && initial[0] === 0x50 &&
      initial[1] === 0x52 && initial[2] === 0x49);
    if (h2) {
      if (!this.h2) {
        socket.destroy();
        return;
      }
      if (initial) socket.unshift(initial);
      this.engineSockets.add(socket);
      this.h2.handleConnection(socket);
      socket.resume();
      return;
    }
    if (!this.opts.http1 || (initial && initial[0]! & 0x80)) {
      socket.destroy();
      return;
    }
    if (initial) socket.unshift(initial);
    this.http1(socket);
    socket.resume();
  }

  // ---- SniffOwner

  detected(socket: net.Socket, initial: Buffer, spdyVersion: number): void {
    this.route(socket, null, initial, spdyVersion);
  }

  refused(socket: net.Socket): void {
    socket.destroy();
  }

  lost(): void {}

  timedOut(socket: net.Socket): void {
    this._limitExceeded(socketLimitInfo('headersTimeout', socket, null, 'close'), socket);
    socket.destroy();
  }

  socketError(err: Error, socket: net.Socket): void {
    this._clientError(err, socket);
  }

  // ---- closing

  /** GOAWAY on every h2/SPDY connection: open streams finish, then they close. */
  shutdown(): void {
    this.closing = true;
    for (const c of this.spdy) c.shutdown();
    if (this.h2) for (const c of this.h2.connections) c.shutdown();
  }

  /** Destroys every h2/SPDY connection. */
  destroyAll(): void {
    for (const c of this.spdy) c.destroy();
    if (this.h2) for (const c of this.h2.connections) c.destroy();
  }

  // ---- HandlerHost / StreamOwner

  _newHandler(io: StreamIO, clientAddress: readonly [string, number], streamId: number, head: RequestHead): BaseSPDYRequestHandler {
    return new CompatStream({ server: this as never, io, clientAddress, streamId, nv: head });
  }

  /**
   * A request stream's headers arrived. SPDY knows then whether a body
   * follows (FIN on SYN_STREAM); the h2 bridge is called before the
   * END_STREAM of the same HEADERS frame is delivered, so h2 requests are
   * emitted after the batch being dispatched (one tick for all of them).
   */
  _run(io: StreamIO): void {
    if (io instanceof H2StreamIO) {
      this.#h2Starts.push(io);
      if (this.#h2Starts.length === 1) process.nextTick(this.#runH2Starts);
      return;
    }
    this.#emitRequest(io);
  }

  #h2Starts: StreamIO[] = [];
  readonly #runH2Starts = (): void => {
    const q = this.#h2Starts;
    this.#h2Starts = [];
    for (const io of q) if (!io.closed && !io.gone) this.#emitRequest(io);
  };

  #emitRequest(io: StreamIO): void {
    const s = io.handler as CompatStream;
    let event = 'request';
    try {
      s.start();
      const expect = s.req.headers.expect;
      if (expect !== undefined && /100-continue/i.test(expect) && this.server.listenerCount('checkContinue') > 0) {
        event = 'checkContinue';
      }
      rawEmit.call(this.server, event, s.req, s.res);
    } catch (err) {
      this._failed(io, err);
    }
  }

  _failed(io: StreamIO, err: unknown): void {
    if (io.failed) return;
    io.failed = true;
    if (io.closed) return;
    const s = io.handler as CompatStream;
    this._handlerError(err, s);
    s.fail();
  }

  _handlerError(err: unknown, handler: BaseSPDYRequestHandler | null): void {
    const req = handler instanceof CompatStream ? handler.req ?? null : null;
    reportHandlerError(this.server, err, req);
  }

  _commitSoon(io: StreamIO): void {
    this.#commitQueue.push(io);
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    process.nextTick(this.#runCommits);
  }

  readonly #runCommits = (): void => {
    this.#commitScheduled = false;
    const q = this.#commitQueue;
    this.#commitQueue = [];
    for (const x of q) x.runCommit();
  };

  _log(): void {}

  // ---- owner reports

  _limitExceeded(info: LimitExceededInfo, conn: unknown): void {
    try {
      emit(this.server, 'limitExceeded', Object.freeze(info), conn);
    } catch (err) {
      this._handlerError(err, null);
    }
  }

  _clientError(err: unknown, socket: net.Socket | null): void {
    if (socket) this.engineSockets.add(socket);
    // Node's own 'clientError' handling answers HTTP/1.1 requests: only the application's listeners are told
    if (this.server.listenerCount('clientError') > 1) emit(this.server, 'clientError', err, socket);
  }

  _sessionError(err: unknown, conn: SPDYConnection): void {
    if (this.server.listenerCount('sessionError') > 0) emit(this.server, 'sessionError', err, conn);
  }

  /** H2Owner: the inner HTTP/2 server's session errors. */
  emit(event: 'sessionError', err: unknown, conn: unknown): boolean {
    if (this.server.listenerCount(event) > 0) return emit(this.server, event, err, conn);
    return false;
  }

  _connectionClosed(conn: SPDYConnection): void {
    this.spdy.delete(conn);
  }

  /** Reports a connection ended for a limit outside the engines (HTTP/1.1). */
  reportSocket(limit: LimitName, socket: net.Socket, protocol: ServedProtocol | null, action: LimitExceededInfo['action']): void {
    this._limitExceeded(socketLimitInfo(limit, socket, protocol, action), socket);
  }

  /** Open h2 and SPDY connections. */
  get connections(): number {
    return this.spdy.size + (this.h2?.connections.size ?? 0);
  }
}

/**
 * A request listener threw (or rejected in a listener of the request's
 * streams): `'handlerError'` (err, req | null) on the server, else stderr.
 * @internal
 */
export function reportHandlerError(server: EventEmitter, err: unknown, req: http.IncomingMessage | null): void {
  if (server.listenerCount('handlerError') > 0) {
    try {
      emit(server, 'handlerError', err, req);
      return;
    } catch { /* printed below */ }
  }
  const where = req ? ` (${req.method ?? '-'} ${req.url ?? '-'})` : '';
  console.error(`spdylay: request listener error${where}:`, err);
}

export type { HTTP2Connection };
