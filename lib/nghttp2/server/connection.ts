/**
 * {@link HTTP2Connection}: one accepted HTTP/2 connection, its socket and
 * its server `nghttp2_session` (statically linked libnghttp2), driven with
 * `nghttp2_session_mem_recv` / `nghttp2_session_mem_send`: one native call
 * per socket read chunk (its events come back as one packed batch) and one
 * per output flush. Response bodies given as bytes are served natively; body
 * generators and Readable streams are pulled one DATA frame at a time.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import {
  resolveLimits, type LimitExceededInfo, type LimitName, type ServerLimits,
} from '../../limits.js';
import { http2Layout, native, type NativeHttp2Session } from '../../native.js';
import { FLUSH_TURN_MAX } from '../../transport.js';
import { ArgumentError, ConnectionClosedError, InvalidReturnValueError } from '../../errors.js';
import { nghttp2Error } from '../errors.js';
import {
  BODY_BYTES, BODY_JS, BODY_NONE, EV_CLOSE, EV_DATA, EV_END_STREAM, EV_HEADERS, EV_LIMIT_RESET, EV_SETTINGS_ACK, EV_TRAILERS, EV_X_FORWARDED_FOR,
  NATIVE_LIMITS, READ_ERROR, REC_BYTE_COUNT, REC_DATA_BYTES, REC_FIELD_COUNT, REC_FIELD_LENGTHS, REC_HEADERS_FLAGS,
  REC_BARE_SIZE, REC_STREAM_ID, REC_VALUE, REC_VALUE_SIZE, ST_EVENTS, ST_LIMIT, ST_MEMORY, ST_MID_HEADERS, ST_READ_FLAG, ST_WANT, STATE_SLOTS,
  decodeHeaders,
} from '../events.js';
import {
  DATA_DEFERRED, DATA_EOF, DATA_OK, headerEntries, isBytes, isReadable, packHeaders, readableBody, toBuffer,
  type BodyGenerator, type HeaderList, type HeaderPair, type ResponseBody,
} from './body.js';
import { BaseRequestHandler, handlerState, type HandlerInit, type PushOptions } from './handler.js';
import type { HTTP2Server } from './server.js';

// HTTP/2 error codes (RFC 9113 section 7).
const NO_ERROR = 0;
const PROTOCOL_ERROR = 1;
const INTERNAL_ERROR = 2;
const SETTINGS_TIMEOUT = 4;
const ENHANCE_YOUR_CALM = 11;

/** Output is pulled from nghttp2 until the socket holds more than this (bytes). */
const OUTPUT_HIGH_WATER = 65536;
/** Longer string bodies are encoded to a Buffer in JS (referenced natively, not copied). */
const STRING_COPY_MAX = 4096;
/** Bytes pulled per native send() call. */
const SEND_CHUNK = 65536;
/** After the session is done and the socket is ended, how long to wait for the peer to close (ms). */
const LINGER_MS = 3000;
/** Bytes written past the high-water mark to get a closing GOAWAY out (best effort). */
const FINAL_FLUSH_MAX = 4 * SEND_CHUNK;

// A body generator's flag is stored as the native read flag.
const { readFlags } = http2Layout;
if (readFlags.ok !== DATA_OK || readFlags.eof !== DATA_EOF || readFlags.deferred !== DATA_DEFERRED) {
  throw new Error('the addon\'s read flags differ from DATA_OK, DATA_EOF, DATA_DEFERRED');
}

/**
 * One HTTP/2 connection (the `http2` object handed to request handlers):
 * owns the socket and its server `nghttp2_session`. Created by
 * {@link HTTP2Server}; not constructed by applications.
 */
export class HTTP2Connection {
  /** The server that accepted this connection. */
  readonly server: HTTP2Server;
  /** The transport (a `tls.TLSSocket` for TLS servers). */
  readonly socket: net.Socket;
  /** The client's `[host, port]`. */
  readonly clientAddress: readonly [string, number];
  /** `'https'` over TLS, else `'http'`. */
  readonly defaultScheme: string;
  /**
   * The host of the last X_FORWARDED_FOR extension frame (type 0xde, the
   * `spdy` package's, on stream 0; at most 1 KiB kept) the client sent, or
   * null when none came.
   */
  xForwardedFor: string | null = null;

  #session: NativeHttp2Session | null;
  readonly #state = new Int32Array(STATE_SLOTS);
  readonly #limits: Required<ServerLimits>;
  /** The server logs responses (its `log` option). */
  readonly #logging: boolean;
  /** Request body bytes handed to `onData` whose promise has not settled. */
  #heldBytes = 0;
  #headersTimer: NodeJS.Timeout | null = null;
  #idleShutdown = false;
  readonly #handlers = new Map<number, BaseRequestHandler>();
  readonly #bodies = new Map<number, BodyGenerator>();
  readonly #aborts = new Map<number, () => void>();
  #init: HandlerInit | null = null;
  /** The init of a received request's handler, reused for every request. */
  readonly #recvInit: HandlerInit = {
    u32: null, buf: null, rec: 0, scheme: null, method: null, path: null, host: null, headers: null,
  };
  #flushing = false;
  #dispatching = false;
  #flushScheduled = false;
  /** The continuation of a flush that yielded after FLUSH_TURN_MAX bytes. */
  #flushImmediate: NodeJS.Immediate | null = null;
  #ending = false;
  #closed = false;
  #settingsTimer: NodeJS.Timeout | null = null;
  #lingerTimer: NodeJS.Timeout | null = null;
  /** (streamId, bytes) pairs of request body taken, for the next `consume()`. */
  #consumeList = new Int32Array(64);
  #consumeCount = 0;
  readonly #flushTick = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  /** @internal */
  constructor(server: HTTP2Server, socket: net.Socket, secure: boolean, maxConcurrentStreams: number,
    settingsTimeout: number, limits: Required<ServerLimits> = resolveLimits(null)) {
    this.server = server;
    this.socket = socket;
    this.defaultScheme = secure ? 'https' : 'http';
    this.clientAddress = Object.freeze([socket.remoteAddress ?? '', socket.remotePort ?? 0] as [string, number]);
    this.#limits = limits;
    this.#logging = server._logging;
    this.#session = new native.Http2Session(
      (streamId, length) => this.#read(streamId, length), this.#state, maxConcurrentStreams, limits);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#flush());
    socket.on('error', (err) => server._connectionError(err, this));
    socket.on('close', () => this.#onTransportClose());
    if (settingsTimeout > 0) {
      this.#settingsTimer = setTimeout(() => {
        this.#settingsTimer = null;
        if (this.#session) {
          this.#session.terminate(SETTINGS_TIMEOUT);
          this.#flush();
        }
      }, settingsTimeout);
      this.#settingsTimer.unref();
    }
    if (socket.destroyed) {
      // The peer left before we got the socket: 'close' has already been emitted.
      this.#onTransportClose();
      return;
    }
    this.#updateHeadersTimer();
    this.#flush();
  }

  /** Number of request/pushed streams with a live handler. */
  get activeStreams(): number {
    return this.#handlers.size;
  }

  /** Whether the transport has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Ends the connection gracefully: GOAWAY(NO_ERROR) with the last processed
   * stream ID (`nghttp2_submit_goaway`); open streams finish, then the
   * connection closes.
   */
  shutdown(): void {
    if (!this.#session) return;
    this.#session.submitGoaway(NO_ERROR);
    this.#flush();
  }

  /**
   * Ends the connection now: GOAWAY with `errorCode`
   * (`nghttp2_session_terminate_session`), flushed, then the socket closes.
   *
   * @param errorCode - HTTP/2 error code; default 0 (NO_ERROR).
   */
  terminate(errorCode = NO_ERROR): void {
    if (!this.#session) return;
    this.#session.terminate(errorCode);
    this.#flush();
  }

  /**
   * The socket was idle for `idleTimeout`: GOAWAY(NO_ERROR) (reported once);
   * open streams may finish.
   * @internal
   */
  _onIdle(): void {
    if (!this.#session || this.#ending) return;
    if (!this.#idleShutdown) {
      this.#idleShutdown = true;
      this.#report('idleTimeout', 'GOAWAY', NO_ERROR);
    }
    this.shutdown();
  }

  /** Destroys the socket without any further frame (live handlers get onClose(INTERNAL_ERROR)). */
  destroy(): void {
    this.socket.destroy();
  }

  /** @internal */
  _takeHandlerInit(): HandlerInit | null {
    const init = this.#init;
    this.#init = null;
    return init;
  }

  /** @internal */
  _submitResponse(h: BaseRequestHandler, status: number, headers: HeaderList | null | undefined,
    body: ResponseBody, pushed: boolean): void {
    const [hs, count] = packHeaders(headers);
    let kind = BODY_NONE;
    let bytes: string | Uint8Array | null = null;
    let gen: BodyGenerator | null = null;
    let abort: (() => void) | null = null;
    if (body == null) {
      kind = BODY_NONE;
    } else if (typeof body === 'string' || isBytes(body)) {
      kind = BODY_BYTES;
      // A long string is encoded here so that the native side references it
      // instead of holding a copy counted against maxSessionMemory.
      bytes = typeof body === 'string' && body.length > STRING_COPY_MAX ? Buffer.from(body, 'utf8') : body;
    } else if (body instanceof ArrayBuffer) {
      kind = BODY_BYTES;
      bytes = new Uint8Array(body);
    } else if (typeof body === 'function') {
      kind = BODY_JS;
      gen = body as BodyGenerator;
    } else if (isReadable(body)) {
      kind = BODY_JS;
      const sid = h.streamId;
      const r = readableBody(body, () => this._resume(sid));
      gen = r.gen;
      abort = r.abort;
    } else {
      throw new ArgumentError('body must be a string, Buffer, Readable stream or body generator');
    }
    handlerState.markResponded(h);
    const session = this.#session;
    // After the stream closed (typically reset by the client before a late
    // answer) nothing will be sent: the body is not kept. A body produced by
    // JS used to stay in #bodies (and a stream's listeners in #aborts) until
    // the connection ended, as no close comes again for that stream.
    if (!session || handlerState.closed(h)) {
      abort?.();
      return;
    }
    if (this.#logging) this.server._log(h, status, pushed);
    const sid = h.streamId;
    if (gen) this.#bodies.set(sid, gen);
    if (abort) this.#aborts.set(sid, abort);
    const rv = session.submitResponse(sid, status, hs, count, kind, bytes);
    if (rv < 0) {
      this.#dropBody(sid);
      throw nghttp2Error(rv);
    }
    this.#scheduleFlush();
  }

  /** @internal */
  _submitTrailers(h: BaseRequestHandler, headers: HeaderList): void {
    const session = this.#session;
    // closed: the body was never kept (see _submitResponse), nothing to add to
    if (!session || handlerState.closed(h)) return;
    const [hs, count] = packHeaders(headers);
    if (count === 0) return;
    const rv = session.submitTrailers(h.streamId, hs!, count);
    if (rv < 0) throw nghttp2Error(rv);
    this.#scheduleFlush();
  }

  /** @internal */
  _submitInfo(h: BaseRequestHandler, status: number, headers: HeaderList | null | undefined): void {
    const session = this.#session;
    if (!session || handlerState.closed(h)) return;
    const [hs, count] = packHeaders(headers);
    const rv = session.submitInfo(h.streamId, status, hs, count);
    if (rv < 0) throw nghttp2Error(rv);
    this.#scheduleFlush();
  }

  /** @internal */
  _push(parent: BaseRequestHandler, options: PushOptions, method: string | Uint8Array, status: number): BaseRequestHandler {
    const session = this.#session;
    if (!session) throw new ConnectionClosedError('the connection is closed');
    const scheme = parent.scheme ?? this.defaultScheme;
    const request: HeaderPair[] = [[':method', method], [':scheme', scheme]];
    if (parent.host !== null) request.push([':authority', parent.host]);
    request.push([':path', options.path]);
    if (options.requestHeaders) for (const field of headerEntries(options.requestHeaders)) request.push(field);
    const [hs, count] = packHeaders(request);
    const promised = session.submitPushPromise(parent.streamId, hs ?? '', count);
    if (promised < 0) throw nghttp2Error(promised);
    const reqHeaders: [Buffer, Buffer][] = request.map(([n, v]) => [
      typeof n === 'string' ? toBuffer(n.toLowerCase()) : toBuffer(n),
      typeof v === 'number' ? toBuffer(String(v)) : toBuffer(v),
    ]);
    this.#init = {
      u32: null, buf: null, rec: 0, scheme: toBuffer(scheme), method: toBuffer(method), path: toBuffer(options.path),
      host: parent.host, headers: reqHeaders,
    };
    const RequestHandler = this.server.RequestHandlerClass;
    let h: BaseRequestHandler;
    try {
      h = new RequestHandler(this, promised);
    } finally {
      this.#init = null;
    }
    handlerState.setStreamId(h, promised);
    this.#handlers.set(promised, h);
    this._submitResponse(h, status, options.headers, options.body, true);
    return h;
  }

  /** @internal */
  _resume(streamId: number): void {
    const session = this.#session;
    if (!session) return;
    if (session.resumeData(streamId) === 0) this.#scheduleFlush();
  }

  // -- native read callback (generator and stream bodies)

  #read(streamId: number, length: number): Uint8Array | undefined {
    const state = this.#state;
    const gen = this.#bodies.get(streamId);
    if (gen === undefined) {
      state[ST_READ_FLAG] = READ_ERROR;
      return undefined;
    }
    let result;
    try {
      result = gen(length);
      if (!Array.isArray(result) || result.length < 2) {
        throw new InvalidReturnValueError('a body generator must return [chunk, flag]');
      }
    } catch (err) {
      state[ST_READ_FLAG] = READ_ERROR;
      this.#dropBody(streamId);
      this.server._handlerError(err, this.#handlers.get(streamId) ?? null);
      return undefined;
    }
    let chunk = result[0];
    let flag = result[1];
    if (typeof chunk === 'string') chunk = Buffer.from(chunk);
    else if (chunk != null && !isBytes(chunk)) {
      state[ST_READ_FLAG] = READ_ERROR;
      this.#dropBody(streamId);
      this.server._handlerError(new InvalidReturnValueError('a body chunk must be a Buffer, a string or null'),
        this.#handlers.get(streamId) ?? null);
      return undefined;
    }
    if (flag === DATA_OK) {
      if (chunk == null || chunk.length === 0) {
        // Nothing to send yet: pause and poll again on the next turn.
        flag = DATA_DEFERRED;
        setImmediate(() => this._resume(streamId));
      }
    } else if (flag === DATA_EOF) {
      this.#bodies.delete(streamId);
      this.#aborts.delete(streamId);
    } else if (flag !== DATA_DEFERRED) {
      state[ST_READ_FLAG] = READ_ERROR;
      this.#dropBody(streamId);
      this.server._handlerError(new InvalidReturnValueError(`invalid body generator flag ${String(flag)}`),
        this.#handlers.get(streamId) ?? null);
      return undefined;
    }
    state[ST_READ_FLAG] = flag;
    return chunk ?? undefined;
  }

  #dropBody(streamId: number): void {
    this.#bodies.delete(streamId);
    const abort = this.#aborts.get(streamId);
    if (abort) {
      this.#aborts.delete(streamId);
      abort();
    }
  }

  // -- input

  #onData(chunk: Buffer): void {
    const session = this.#session;
    if (!session || this.#ending) return;
    const r = session.recv(chunk);
    if (typeof r === 'number') {
      const limit = NATIVE_LIMITS[this.#state[ST_LIMIT]!];
      if (limit) this.#endForLimit(limit, ENHANCE_YOUR_CALM);
      else this.#fatal(r);
      return;
    }
    this.#updateHeadersTimer();
    if (r !== undefined) this.#dispatch(r);
    if (this.#checkMemory()) this.#flush();
  }

  /** A negative mem_recv/mem_send result: GOAWAY if possible, then close. */
  #fatal(code: number): void {
    const session = this.#session;
    this.server._sessionError(nghttp2Error(code), this);
    if (session) {
      session.terminate(PROTOCOL_ERROR);
      this.#finalFlush();
    }
    this.#endTransport();
  }

  /**
   * Writes what nghttp2 has queued (the closing GOAWAY) past the high-water
   * mark, at most FINAL_FLUSH_MAX bytes: best effort for a client that may
   * not read.
   */
  #finalFlush(): void {
    const session = this.#session;
    if (!session || this.socket.destroyed) return;
    let written = 0;
    try {
      while (written < FINAL_FLUSH_MAX) {
        const out = session.send(SEND_CHUNK);
        if (out === undefined || typeof out === 'number') break;
        this.socket.write(out);
        written += out.length;
        if ((this.#state[ST_WANT]! & 2) === 0) break;
      }
    } catch {
      // Nothing more can be sent.
    }
  }

  /** Reports a limit hit on this connection through the server's `'limitExceeded'`. */
  #report(limit: LimitName, action: LimitExceededInfo['action'], code: number | null,
    scope: LimitExceededInfo['scope'] = 'connection', streamId: number | null = null): void {
    this.server._limitExceeded({
      limit, scope, protocol: 'h2', streamId, clientAddress: this.clientAddress, action, code,
    }, this);
  }

  /**
   * Ends the connection for a limit: GOAWAY with `code`
   * (`nghttp2_session_terminate_session`) written best-effort, the socket
   * ended, destroyed after the linger.
   */
  #endForLimit(limit: LimitName, code: number): void {
    const session = this.#session;
    if (!session || this.#ending) return;
    this.#report(limit, 'GOAWAY', code);
    session.terminate(code);
    this.#finalFlush();
    this.#endTransport();
  }

  /** Arms the headers timer while the connection is inside an incomplete header block. */
  #updateHeadersTimer(): void {
    const ms = this.#limits.headersTimeout;
    if (ms <= 0) return;
    const mid = this.#state[ST_MID_HEADERS] !== 0 && !this.#ending && this.#session !== null;
    if (mid && this.#headersTimer === null) {
      this.#headersTimer = setTimeout(() => {
        this.#headersTimer = null;
        this.#endForLimit('headersTimeout', NO_ERROR);
      }, ms);
      this.#headersTimer.unref();
    } else if (!mid && this.#headersTimer !== null) {
      clearTimeout(this.#headersTimer);
      this.#headersTimer = null;
    }
  }

  /**
   * Bytes this connection holds: native (nghttp2 + binding buffers), unsent
   * socket bytes, request body chunks held by handlers.
   */
  get memoryUsage(): number {
    return this.#state[ST_MEMORY]! + this.socket.writableLength + this.#heldBytes;
  }

  /** Ends the connection when it holds more than maxSessionMemory; false then. */
  #checkMemory(): boolean {
    if (this.#ending || !this.#session) return false;
    if (this.memoryUsage <= this.#limits.maxSessionMemory) return true;
    this.#endForLimit('maxSessionMemory', ENHANCE_YOUR_CALM);
    return false;
  }

  #dispatch(ab: ArrayBuffer): void {
    const u32 = new Uint32Array(ab);
    const n = u32.length;
    let buf: Buffer | null = null;
    const wasDispatching = this.#dispatching;
    this.#dispatching = true;
    try {
      let i = 0;
      while (i < n) {
        const type = u32[i]!;
        const sid = u32[i + REC_STREAM_ID]!;
        switch (type) {
          case EV_HEADERS: {
            const nf = u32[i + REC_FIELD_COUNT]!;
            const nbytes = u32[i + REC_BYTE_COUNT]!;
            const lensAt = i + REC_FIELD_LENGTHS;
            buf ??= Buffer.from(ab);
            this.#onRequest(sid, u32[i + REC_HEADERS_FLAGS]!, u32, buf, i);
            i = lensAt + 2 * nf + ((nbytes + 3) >>> 2);
            break;
          }
          case EV_X_FORWARDED_FOR: {
            const len = u32[i + REC_VALUE]!;
            buf ??= Buffer.from(ab);
            const at = (i + REC_DATA_BYTES) * 4;
            this.xForwardedFor = buf.toString('utf8', at, at + len);
            i += REC_DATA_BYTES + ((len + 3) >>> 2);
            break;
          }
          case EV_TRAILERS: {
            const nf = u32[i + REC_FIELD_COUNT]!;
            const nbytes = u32[i + REC_BYTE_COUNT]!;
            const h = this.#handlers.get(sid);
            if (h !== undefined && !handlerState.failed(h)) {
              buf ??= Buffer.from(ab);
              try {
                h.onTrailers(decodeHeaders(u32, buf, i));
              } catch (err) {
                this.#handlerFailed(h, err);
              }
            }
            i += REC_FIELD_LENGTHS + 2 * nf + ((nbytes + 3) >>> 2);
            break;
          }
          case EV_DATA: {
            const len = u32[i + REC_VALUE]!;
            const h = this.#handlers.get(sid);
            let held = false;
            if (h !== undefined && !handlerState.failed(h)) {
              buf ??= Buffer.from(ab);
              const at = (i + REC_DATA_BYTES) * 4;
              let r: unknown;
              try {
                r = h.onData(buf.subarray(at, at + len));
              } catch (err) {
                this.#handlerFailed(h, err);
              }
              if (r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
                // the handler takes the chunk when the promise settles: the
                // stream's window is given back then (per-stream back-pressure)
                held = true;
                this.#heldBytes += len;
                (r as PromiseLike<unknown>).then(() => {
                  this.#heldBytes -= len;
                  this.#consumeLater(sid, len);
                }, (err: unknown) => {
                  this.#heldBytes -= len;
                  if (!handlerState.failed(h)) this.#handlerFailed(h, err);
                  this.#consumeLater(sid, len);
                });
              }
            }
            if (!held) this.#consume(sid, len);
            i += REC_DATA_BYTES + ((len + 3) >>> 2);
            break;
          }
          case EV_END_STREAM: {
            const h = this.#handlers.get(sid);
            if (h !== undefined && !handlerState.failed(h)) {
              try {
                h.onRequestDone();
              } catch (err) {
                this.#handlerFailed(h, err);
              }
            }
            i += REC_BARE_SIZE;
            break;
          }
          case EV_CLOSE: {
            const h = this.#handlers.get(sid);
            if (h !== undefined) {
              this.#handlers.delete(sid);
              handlerState.setClosed(h);
              if (this.#bodies.size) this.#dropBody(sid);
              try {
                h.onClose(u32[i + REC_VALUE]!);
              } catch (err) {
                this.server._handlerError(err, h);
              }
            }
            i += REC_VALUE_SIZE;
            break;
          }
          case EV_LIMIT_RESET: {
            const limit = NATIVE_LIMITS[u32[i + REC_VALUE]!];
            if (limit) this.#report(limit, 'RST_STREAM', ENHANCE_YOUR_CALM, 'stream', sid);
            i += REC_VALUE_SIZE;
            break;
          }
          case EV_SETTINGS_ACK:
            if (this.#settingsTimer) {
              clearTimeout(this.#settingsTimer);
              this.#settingsTimer = null;
            }
            i += REC_BARE_SIZE;
            break;
          default:
            throw new Error(`internal error: unknown event ${type}`);
        }
      }
    } finally {
      this.#dispatching = wasDispatching;
      this.#flushConsumes();
    }
  }

  /** Queues `n` request body bytes of `streamId` as taken (WINDOW_UPDATE follows). */
  #consume(streamId: number, n: number): void {
    if (n === 0) return;
    let list = this.#consumeList;
    const c = this.#consumeCount;
    if (2 * c + 2 > list.length) {
      const bigger = new Int32Array(list.length * 2);
      bigger.set(list);
      this.#consumeList = list = bigger;
    }
    list[2 * c] = streamId;
    list[2 * c + 1] = n;
    this.#consumeCount = c + 1;
  }

  #flushConsumes(): void {
    const c = this.#consumeCount;
    if (c === 0) return;
    this.#consumeCount = 0;
    const session = this.#session;
    if (session) session.consume(this.#consumeList, c);
  }

  /** A handler's `onData` promise settled: give the window back and send the WINDOW_UPDATE. */
  #consumeLater(streamId: number, n: number): void {
    if (!this.#session) return;
    this.#consume(streamId, n);
    if (this.#dispatching) return; // flushed when the dispatch ends
    this.#flushConsumes();
    this.#scheduleFlush();
  }

  #onRequest(sid: number, flags: number, u32: Uint32Array, buf: Buffer, rec: number): void {
    const init = this.#recvInit;
    init.u32 = u32;
    init.buf = buf;
    init.rec = rec;
    this.#init = init;
    let h: BaseRequestHandler;
    try {
      h = new this.server.RequestHandlerClass(this, sid);
    } catch (err) {
      this.#init = null;
      init.u32 = init.buf = null;
      this.server._handlerError(err, null);
      this.#session?.submitRstStream(sid, INTERNAL_ERROR);
      return;
    }
    this.#init = null;
    init.u32 = init.buf = null;
    this.#handlers.set(sid, h);
    try {
      h.onHeaders();
      if (flags & 1 && !handlerState.failed(h)) h.onRequestDone();
    } catch (err) {
      this.#handlerFailed(h, err);
    }
  }

  #handlerFailed(h: BaseRequestHandler, err: unknown): void {
    handlerState.setFailed(h);
    this.server._handlerError(err, h);
    if (this.#session) {
      this.#dropBody(h.streamId);
      this.#session.submitRstStream(h.streamId, INTERNAL_ERROR);
    }
  }

  // -- output

  #scheduleFlush(): void {
    if (this.#dispatching || this.#flushing || this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#flushTick);
  }

  #flush(): void {
    const session = this.#session;
    if (this.#flushing || !session) return;
    const socket = this.socket;
    const state = this.#state;
    this.#flushing = true;
    let written = 0;
    let yielded = false;
    try {
      for (;;) {
        if (socket.writableLength > OUTPUT_HIGH_WATER || socket.destroyed || this.#ending || !this.#session) break;
        if (written >= FLUSH_TURN_MAX) {
          yielded = true;
          break;
        }
        let out: Buffer | number | undefined;
        try {
          out = session.send(SEND_CHUNK);
        } catch (err) {
          // Only reachable through a bug in #read; the stream was reset.
          this.server._handlerError(err, null);
          continue;
        }
        let events = false;
        if (state[ST_EVENTS]! > 0) {
          const ev = session.takeEvents();
          if (ev !== undefined) {
            this.#dispatch(ev);
            events = true;
          }
        }
        if (typeof out === 'number') {
          this.#flushing = false;
          this.#fatal(out);
          return;
        }
        if (out !== undefined) {
          socket.write(out);
          written += out.length;
        } else if (!events) break;
        // Stop without another native call when nghttp2 has nothing queued.
        if ((state[ST_WANT]! & 2) === 0) break;
      }
    } finally {
      this.#flushing = false;
    }
    if (yielded && !this.#flushImmediate) {
      this.#flushImmediate = setImmediate(() => {
        this.#flushImmediate = null;
        this.#flush();
      });
    }
    if (!this.#checkMemory()) return;
    if (this.#session && (state[ST_WANT]! & 3) === 0) this.#endTransport();
  }

  /** nghttp2 wants neither to read nor write: end the socket once written. */
  #endTransport(): void {
    if (this.#ending) return;
    this.#ending = true;
    if (this.#settingsTimer) {
      clearTimeout(this.#settingsTimer);
      this.#settingsTimer = null;
    }
    if (this.#headersTimer) {
      clearTimeout(this.#headersTimer);
      this.#headersTimer = null;
    }
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    this.#lingerTimer = setTimeout(() => socket.destroy(), LINGER_MS);
    this.#lingerTimer.unref();
  }

  #onTransportClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#settingsTimer) clearTimeout(this.#settingsTimer);
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    if (this.#headersTimer) clearTimeout(this.#headersTimer);
    this.#settingsTimer = this.#lingerTimer = this.#headersTimer = null;
    const session = this.#session;
    this.#session = null;
    for (const abort of this.#aborts.values()) abort();
    this.#aborts.clear();
    this.#bodies.clear();
    const handlers = [...this.#handlers.values()];
    this.#handlers.clear();
    for (const h of handlers) {
      handlerState.setClosed(h);
      try {
        h.onClose(INTERNAL_ERROR);
      } catch (err) {
        this.server._handlerError(err, h);
      }
    }
    session?.destroy();
    this.server._connectionClosed(this);
  }
}
