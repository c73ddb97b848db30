/**
 * `ThreadedSPDYServer` and `BaseSPDYRequestHandler`: python-spdylay's simple
 * SPDY server, on Node's event loop.
 *
 * One server `Session` (deps/spdylay) serves each SPDY connection; every
 * request stream gets a new instance of the application's
 * `BaseSPDYRequestHandler` subclass, whose `do_GET`, `do_POST`, ... method
 * runs as soon as the request headers have arrived. The request body is
 * streamed into `rfile` (a Readable, for every method) and the response body
 * is streamed out of `wfile` (a Writable) with back-pressure: socket output
 * is bounded, and SPDY/3 flow control holds DATA until the peer opens its
 * window.
 *
 * Beyond the reference, the same port can also serve HTTP/2 (through
 * `HTTP2Server` of `spdylay/nghttp2`) and HTTP/1.1 (through `node:http`):
 * over TLS the protocol is chosen by ALPN, in cleartext by sniffing the
 * first bytes. The same handler class serves all three.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { Readable, Writable } from 'node:stream';
import * as tls from 'node:tls';

import {
  type LimitExceededInfo, type LimitName, type ServedProtocol, type ServerLimits, resolveLimits,
} from '../limits.js';
import {
  BaseRequestHandler, DATA_DEFERRED, DATA_EOF, DATA_OK, HTTP2Server, type HTTP2Connection,
} from '../nghttp2/server.js';
import {
  CTRL_FLAG_FIN, DATA_FLAG_FIN, ERR_DEFERRED, FLAG_SETTINGS_NONE, FRAME_TOO_LARGE, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR,
  HEADERS, ID_FLAG_SETTINGS_NONE, INTERNAL_ERROR, LIMIT_EMPTY_FRAMES, LIMIT_HEADER_BLOCK_INFLATE, LIMIT_NONE,
  LIMIT_OUTBOUND_ACK, LIMIT_STREAM_RESETS, OK, OPT_MAX_EMPTY_FRAMES, OPT_MAX_HEADER_BLOCK_INFLATE,
  OPT_MAX_HEADER_LIST_SIZE, OPT_MAX_OUTBOUND_ACK, OPT_MAX_RECV_CTRL_FRAME_BUFFER, OPT_NO_AUTO_WINDOW_UPDATE2,
  OPT_STREAM_RESET_BURST, OPT_STREAM_RESET_RATE, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, READ_EOF, SERVER,
  SETTINGS_MAX_CONCURRENT_STREAMS, SYN_STREAM,
} from './constants.js';
import { FloodedError } from './errors.js';

export { DEFAULT_LIMITS, type LimitExceededInfo, type LimitName, type ServedProtocol, type ServerLimits } from '../limits.js';
import type { NameValue } from './frames.js';
import { DataProvider, BufferDataProvider, Session, getNpnProtocols, npnGetVersion, type ReadCtrl } from './session.js';
import { ByteQueue, RESPONSES, dateTimeString, htmlEscape } from './spdy-common.js';

/** `[host, port]` to listen on; a null/undefined host means all interfaces, port 0 picks a free port. */
export type SPDYServerAddress = readonly [host: string | null | undefined, port: number];

/** The bound address, as resolved by {@link ThreadedSPDYServer.start}. */
export interface SPDYBoundAddress {
  address: string;
  port: number;
  family: string;
}

/** Access log hook: one line per finished stream (no trailing newline). */
export type SPDYAccessLog = (line: string, handler: BaseSPDYRequestHandler) => void;

/**
 * Options of {@link ThreadedSPDYServer} (third constructor argument).
 *
 * The limit fields ({@link ServerLimits}, defaults in `DEFAULT_LIMITS`) keep
 * what one client can make a connection hold bounded; every connection the
 * server ends for a limit, and every stream it resets for
 * `maxHeaderListSize`, is reported through the server's `'limitExceeded'`
 * event. On the h2 path every limit is passed to the inner `HTTP2Server`
 * (see its options for the HTTP/2 frames and codes).
 */
export interface ThreadedSPDYServerOptions extends ServerLimits {
  /** Path of the PEM certificate (chain) file (python: `cert_file`). */
  certFile?: string;
  /** Path of the PEM private key file (python: `key_file`). */
  keyFile?: string;
  /** PEM certificate (chain), instead of `certFile`. */
  cert?: string | Buffer;
  /** PEM private key, instead of `keyFile`. */
  key?: string | Buffer;
  /** More options for `tls.createServer` (`ca`, `passphrase`, `SNICallback`, ...). `ALPNProtocols` is set by the server. */
  tls?: tls.TlsOptions;
  /**
   * Cleartext: no TLS. The protocol of each connection is sniffed from its
   * first bytes: a SPDY control frame (version 2 or 3), the HTTP/2 client
   * preface (when `h2` is on), else HTTP/1.1 (when `http1` is on).
   */
  plain?: boolean;
  /** Also serve HTTP/2 (ALPN `h2`, or the h2c preface in cleartext) on the same port. Default true. */
  h2?: boolean;
  /** Also serve HTTP/1.1 (ALPN `http/1.1`, a TLS client without ALPN, or cleartext HTTP/1.x). Default true. */
  http1?: boolean;
  /** SPDY versions accepted, in order of preference. Default `[PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2]`. */
  versions?: number[];
  /**
   * In cleartext, the version of a connection whose first frames say 3 and
   * that sends no connection-level WINDOW_UPDATE (the SPDY/3.1 signature)
   * before its first SYN_STREAM. Default `PROTO_SPDY3`.
   */
  plainSpdy3Version?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients. Default 100 (as the reference). */
  maxConcurrentStreams?: number;
  /**
   * SPDY/2 has no flow control, but some peers (the `spdy` npm package)
   * apply SPDY/3's: when true (default), the server sends WINDOW_UPDATE for
   * received SPDY/2 DATA so that such peers do not stall.
   */
  spdy2WindowUpdate?: boolean;
  /**
   * Access log (`host - - [date] "METHOD path PROTOCOL" status bytes`):
   * `true` writes to stderr, a function receives each line. Default false.
   */
  log?: boolean | SPDYAccessLog;
  /**
   * Largest request header block accepted, in bytes. Default 65536.
   * - SPDY: the decompressed header block of a SYN_STREAM or HEADERS
   *   (`SPDYLAY_OPT_MAX_HEADER_LIST_SIZE`). Past it the client receives
   *   RST_STREAM with status FRAME_TOO_LARGE (11) for that stream, nothing
   *   of the block is kept, and the connection goes on ('limitExceeded'
   *   with scope `'stream'`). A block that inflates past max(1 MiB, 4 x
   *   this limit) (`SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE`: a compression
   *   bomb) ends the connection: GOAWAY PROTOCOL_ERROR, then close. Control
   *   frames are buffered up to this limit + 8192 bytes
   *   (`SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER`, clamped to 8192..16777215).
   * - h2: the inner `HTTP2Server`'s `maxHeaderListSize` (RST_STREAM
   *   ENHANCE_YOUR_CALM).
   * - HTTP/1.1: Node's `maxHeaderSize` (the whole request head): the client
   *   receives `431 Request Header Fields Too Large` and the connection
   *   closes.
   */
  maxHeaderListSize?: number;
  /**
   * Memory one connection may hold, in bytes. Default 10485760 (10 MiB).
   * SPDY: bytes written to the socket and not yet sent
   * (`socket.writableLength`), request body bytes received and not yet
   * read by the handlers, response body bytes queued for the session (up to
   * 64 KiB per stream: larger Buffers written by the application are
   * referenced, not copied), plus an estimate of the C session (its zlib
   * streams, 320 KiB, 256 bytes per open stream and per queued frame; its
   * header buffers are bounded by `maxHeaderListSize` instead). A value
   * under about 400 KiB ends every SPDY connection. Past it the client
   * receives GOAWAY PROTOCOL_ERROR and the connection closes. h2: the
   * inner `HTTP2Server`'s
   * `maxSessionMemory` (GOAWAY ENHANCE_YOUR_CALM). Not used for HTTP/1.1
   * (Node's `http` bounds its own buffers).
   */
  maxSessionMemory?: number;
  /**
   * Frames the server queues on its own in reply to the client (PING
   * replies, RST_STREAMs) that may wait unsent because the client does not
   * read. Default 1000. SPDY: `SPDYLAY_OPT_MAX_OUTBOUND_ACK`; past it the
   * client receives GOAWAY PROTOCOL_ERROR (written even past the socket's
   * high-water mark) and the connection closes. h2: the inner
   * `HTTP2Server`'s (GOAWAY ENHANCE_YOUR_CALM).
   */
  maxOutboundAck?: number;
  /**
   * Frames carrying nothing the client may send in a row (DATA without
   * payload or FIN, SETTINGS after the first, header blocks refused as too
   * large); a new request or body bytes reset the count. Default 1000.
   * SPDY: `SPDYLAY_OPT_MAX_EMPTY_FRAMES`; past it GOAWAY PROTOCOL_ERROR and
   * close. h2: the inner `HTTP2Server`'s (GOAWAY ENHANCE_YOUR_CALM).
   */
  maxEmptyFrames?: number;
  /**
   * Streams the client opens and then resets itself: a token bucket of this
   * many tokens (default 1000), refilled at {@link streamResetRate} per
   * second. SPDY: `SPDYLAY_OPT_STREAM_RESET_BURST`; when it runs dry GOAWAY
   * PROTOCOL_ERROR and close. h2: the inner `HTTP2Server`'s (GOAWAY
   * ENHANCE_YOUR_CALM).
   */
  streamResetBurst?: number;
  /** Tokens per second of {@link streamResetBurst}'s bucket. Default 33 (`SPDYLAY_OPT_STREAM_RESET_RATE`). */
  streamResetRate?: number;
  /**
   * h2 only: CONTINUATION frames allowed after one HEADERS frame (the inner
   * `HTTP2Server`'s; GOAWAY ENHANCE_YOUR_CALM past it). Default 8.
   */
  maxContinuations?: number;
  /**
   * Milliseconds a connection may spend inside an incomplete request head.
   * Default 60000; 0 disables it.
   * - SPDY: part of a frame head or of a control frame (e.g. half a
   *   SYN_STREAM) received and its end not: the client receives GOAWAY OK
   *   (SPDY/2: GOAWAY) and the connection closes.
   * - Cleartext protocol detection (the first bytes; 10 s at most) and the
   *   TLS handshake (`handshakeTimeout`, Node's default 120 s, unless set in
   *   {@link tls}) take the smaller of theirs and this: the socket is closed.
   * - HTTP/1.1: Node's `headersTimeout` (the client receives `408 Request
   *   Timeout`, then close; Node checks it periodically, so it fires up to a
   *   quarter of it late). Node's `requestTimeout` is not used (0): a slow
   *   body is bounded by `idleTimeout`.
   * - h2: the inner `HTTP2Server`'s (GOAWAY NO_ERROR).
   */
  headersTimeout?: number;
  /**
   * Milliseconds a connection may go without reading or writing a byte
   * before it is ended gracefully (SPDY: GOAWAY OK, h2: GOAWAY NO_ERROR;
   * open streams finish; HTTP/1.1: the socket closes; between two requests
   * Node's `keepAliveTimeout` applies instead: 5 s, or this when shorter,
   * plus Node's 1 s allowance). Default 120000
   * (2 minutes; earlier versions defaulted to 0). `0` keeps idle
   * connections open.
   */
  idleTimeout?: number;
}

/** Constructor of the request handler class (see {@link BaseSPDYRequestHandler}). */
export type SPDYRequestHandlerClass<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> =
  new (init: SPDYHandlerInit) => H;

/** Outgoing body bytes buffered per stream before `wfile.write()` reports back-pressure. */
const BODY_HIGH_WATER = 65536;
/** SPDY/3.1 connection-level receive window of the server, in bytes. */
const CONNECTION_WINDOW = 1 << 20;
/** Socket output buffered before the session stops producing frames. */
const SOCKET_HIGH_WATER = 65536;
/** After a connection is done and ended, how long to wait for the peer to close (ms). */
const LINGER_MS = 3000;
/** How long a cleartext connection may take to show its protocol (ms). */
const SNIFF_MS = 10000;
/** How long to wait, in cleartext, for a SPDY/3.1 signature before the first SYN_STREAM (ms). */
const SPDY31_SNIFF_MS = 200;
/** Node's default TLS `handshakeTimeout` (ms). */
const TLS_HANDSHAKE_MS = 120_000;
/**
 * When a connection is ended for a limit: output written past the socket's
 * high-water mark so that the GOAWAY (queued behind the frames already
 * queued, e.g. up to `maxOutboundAck` PING replies) goes out.
 */
const LIMIT_FLUSH_BUDGET = 128 * 1024;
/** Estimate of a SPDY C session's fixed memory: its two zlib streams (deflate level 9, inflate) and frame buffers. */
const SESSION_BASE_BYTES = 320 * 1024;
/** Estimate per queued outbound frame of the C session (item, frame, header block). */
const QUEUED_FRAME_BYTES = 256;
/** Estimate per open stream of the C session. */
const STREAM_BYTES = 256;
/** Range of `SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER`. */
const CTRL_BUF_MIN = 8192;
const CTRL_BUF_MAX = 16777215;
/** Least bytes one header block may inflate to (kept + discarded) before the session ends (zlib bomb). */
const MIN_HEADER_BLOCK_INFLATE = 1 << 20;

/** The option named by a `FloodedError`'s `LIMIT_*`. */
function floodLimitName(limit: number): LimitName {
  switch (limit) {
    case LIMIT_OUTBOUND_ACK: return 'maxOutboundAck';
    case LIMIT_EMPTY_FRAMES: return 'maxEmptyFrames';
    case LIMIT_STREAM_RESETS: return 'streamResetRate';
    case LIMIT_HEADER_BLOCK_INFLATE: return 'maxHeaderListSize';
    default: return 'maxSessionMemory';
  }
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Marker error thrown from an HTTP/2 body generator to reset its stream. */
class StreamResetMarker extends Error {}

/** Reads a header list: pseudo-headers go to the record, other pairs to `headers`. */
function parseNv(nv: NameValue[]): {
  method: string | null; path: string | null; version: string | null; scheme: string | null; host: string | null;
  headers: NameValue[];
} {
  let method: string | null = null;
  let path: string | null = null;
  let version: string | null = null;
  let scheme: string | null = null;
  let host: string | null = null;
  const headers: NameValue[] = [];
  for (const p of nv) {
    const name = p[0];
    if (name.charCodeAt(0) === 58 /* : */) {
      switch (name) {
        case ':method': method = p[1]; continue;
        case ':path': path = p[1]; continue;
        case ':version': version = p[1]; continue;
        case ':scheme': scheme = p[1]; continue;
        case ':host': case ':authority': host = p[1]; continue;
        default: break;
      }
    }
    headers.push(p);
  }
  return { method, path, version, scheme, host, headers };
}

// ------------------------------------------------------------------ stream I/O

/**
 * The response side of one request stream, independent of the protocol:
 * buffers the body written to `wfile` and hands it to the protocol.
 * @internal
 */
abstract class StreamIO {
  readonly queue = new ByteQueue();
  /** The response headers (or the whole response) were handed to the protocol. */
  committed = false;
  /** No more body bytes will be written. */
  ended = false;
  /** The stream is gone (closed or reset): writes are dropped. */
  closed = false;
  /** The protocol closed the stream; `onClosed()` (handler code) follows after the C call. */
  gone = false;
  /** The handler failed (threw); the rest of the request body is dropped. */
  failed = false;
  /** The handler's `handle()` has settled. */
  handlerDone = false;
  /** Bytes of response body handed to the protocol. */
  bytesSent = 0;
  /** Write callbacks held while the queue is over the high-water mark. */
  private waiting: ((err?: Error | null) => void)[] = [];
  /** Request body chunks received before `rfile` was created. */
  pendingBody: Buffer[] | null = [];
  /** Request body bytes received but not yet taken by the handler (in `pendingBody` or over `rfile`'s high-water mark). */
  heldBytes = 0;
  bodyEnded = false;
  rfile: Readable | null = null;
  handler!: BaseSPDYRequestHandler;

  abstract readonly protocol: string;
  /** Hands the status line, headers and (when `ended`) the whole body to the protocol. */
  protected abstract commit(): void;
  /** More body (or the end) is queued: let the protocol pull it. */
  protected abstract wake(): void;
  /** Resets the stream (RST_STREAM INTERNAL_ERROR). */
  abstract reset(): void;
  /** Asks the protocol to process commits (schedules a flush). */
  abstract schedule(): void;
  /** Pauses or resumes reading from the transport (request body back-pressure). */
  abstract setReading(on: boolean): void;

  /**
   * `n` request body bytes have been taken by the handler or dropped: a
   * protocol with flow control grants the peer that much window again.
   */
  protected settle(n: number): void {
    void n;
  }

  /** Settles the bytes held so far. */
  settleHeld(): void {
    const n = this.heldBytes;
    if (n === 0) return;
    this.heldBytes = 0;
    this.settle(n);
  }

  /**
   * Whether the body is complete: `end()` was seen, or the handler ended
   * `wfile` and every chunk reached the queue (its `_final` may still be
   * pending on the next tick).
   */
  get bodyDone(): boolean {
    if (this.ended) return true;
    const w = this.handler?._wfile;
    if (w && w.writableEnded && w.writableLength === 0) {
      this.ended = true;
      return true;
    }
    return false;
  }

  write(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.closed || this.gone || this.ended) {
      cb();
      return;
    }
    this.queue.push(chunk);
    if (this.committed) this.wake();
    else this.schedule();
    if (this.queue.bytes < BODY_HIGH_WATER) cb();
    else this.waiting.push(cb);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.closed) return;
    if (this.committed) this.wake();
    else this.schedule();
  }

  /** Called by the protocol after taking bytes: releases writers below the high-water mark. */
  taken(n: number): void {
    this.bytesSent += n;
    if (this.waiting.length && this.queue.bytes < BODY_HIGH_WATER) {
      const w = this.waiting;
      this.waiting = [];
      for (const cb of w) cb();
    }
  }

  /** Runs the commit if pending (called from the protocol's flush). */
  runCommit(): void {
    if (this.committed || this.closed || this.gone) return;
    this.committed = true;
    this.commit();
  }

  /** Status code and header list for the response (protocol-independent parts). */
  responseHead(): { code: number; line: string; headers: NameValue[] } {
    const h = this.handler;
    let code = h._status;
    let line = h._statusLine;
    if (code === null) {
      code = 200;
      line = '200 OK';
    }
    return { code, line, headers: h._responseHeaders };
  }

  // ---- request body

  pushBody(chunk: Buffer): void {
    if (this.bodyEnded || this.failed) {
      this.settle(chunk.length);
      return;
    }
    if (this.rfile) {
      if (this.rfile.push(chunk)) {
        this.settle(chunk.length);
      } else {
        this.heldBytes += chunk.length;
        this.setReading(false);
      }
    } else if (this.pendingBody) {
      if (this.handlerDone && this.ended) {
        this.pendingBody = null; // nobody will read it
        this.settle(chunk.length);
        this.settleHeld();
        this.setReading(true);
      } else {
        this.pendingBody.push(chunk);
        this.heldBytes += chunk.length;
        // no flow control (SPDY/2): bounded as rfile's buffer is, by pausing the connection
        if (this.heldBytes >= BODY_HIGH_WATER) this.setReading(false);
      }
    } else {
      this.settle(chunk.length);
    }
  }

  endBody(): void {
    if (this.bodyEnded) return;
    this.bodyEnded = true;
    if (this.rfile) this.rfile.push(null);
  }

  makeRfile(): Readable {
    if (this.rfile) return this.rfile;
    const r = new GuardedReadable(this, {
      highWaterMark: BODY_HIGH_WATER,
      read: () => {
        this.settleHeld();
        this.setReading(true);
      },
    });
    this.rfile = r;
    const pending = this.pendingBody;
    this.pendingBody = null;
    if (pending) for (const c of pending) r.push(c);
    if (this.bodyEnded) r.push(null);
    else if (this.closed) r.destroy();
    return r;
  }

  /** The stream closed (normally or not). */
  onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.waiting = [];
    this.pendingBody = null;
    this.settleHeld();
    if (this.rfile && !this.bodyEnded) this.rfile.destroy();
    this.setReading(true);
    const w = this.handler?._wfile;
    if (w && !w.writableFinished) w.destroy();
  }

  /** The handler's `handle()` settled: end the response if it did not. */
  finish(): void {
    this.handlerDone = true;
    if (this.closed) return;
    const w = this.handler._wfile;
    if (!w) this.end();
    else if (!w.writableEnded) {
      if (w.writableLength === 0) this.end();
      w.end();
    }
    if (this.bodyEnded === false && this.ended && this.rfile === null) {
      this.pendingBody = null;
      this.settleHeld();
      this.setReading(true);
    }
  }
}

/**
 * Reports an exception thrown by a listener of a handler's `rfile`/`wfile`
 * (streams emit from process ticks, where a throw would crash the process):
 * it counts as a handler error of that stream (500 or reset).
 */
function listenerFailed(io: StreamIO, err: unknown): void {
  const server = io.handler?.server;
  if (server) server._failed(io, err);
}

/** `rfile`: a Readable whose listeners' exceptions become handler errors. */
class GuardedReadable extends Readable {
  readonly #io: StreamIO;
  constructor(io: StreamIO, opts: ConstructorParameters<typeof Readable>[0]) {
    super(opts);
    this.#io = io;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    try {
      return super.emit(event, ...args);
    } catch (err) {
      listenerFailed(this.#io, err);
      return true;
    }
  }
}

/** `wfile`: a Writable whose listeners' exceptions become handler errors. */
class GuardedWritable extends Writable {
  readonly #io: StreamIO;
  constructor(io: StreamIO, opts: ConstructorParameters<typeof Writable>[0]) {
    super(opts);
    this.#io = io;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    try {
      return super.emit(event, ...args);
    } catch (err) {
      listenerFailed(this.#io, err);
      return true;
    }
  }
}

/** SPDY stream I/O: the body goes through a `DataProvider` of the connection's `Session`. */
class SpdyStreamIO extends StreamIO {
  deferred = false;
  constructor(readonly conn: SPDYConnection, readonly streamId: number) {
    super();
  }

  get protocol(): string {
    return this.conn.protocol;
  }

  protected commit(): void {
    const { line, headers } = this.responseHead();
    const h = this.handler;
    const nv: NameValue[] = [[':status', line], [':version', 'HTTP/1.1'], ...headers,
      ['server', h.versionString()], ['date', dateTimeString()]];
    let prd: DataProvider<any> | null = null;
    if (this.bodyDone) {
      if (this.queue.bytes) {
        const body = this.queue.drain();
        this.taken(body.length);
        prd = new BufferDataProvider(body);
      }
    } else {
      prd = new DataProvider<SpdyStreamIO>(this, spdyRead);
    }
    try {
      this.conn.session.submitResponse(this.streamId, nv, prd);
    } catch (err) {
      this.conn.server._handlerError(err, h);
      this.reset();
    }
  }

  protected wake(): void {
    if (this.deferred && !this.closed && !this.gone) {
      this.deferred = false;
      this.conn.session.resumeData(this.streamId);
    }
    this.conn.schedule();
  }

  reset(): void {
    if (this.closed || this.gone) return;
    try {
      this.conn.session.submitRstStream(this.streamId, INTERNAL_ERROR);
    } catch { /* stream already gone */ }
    this.queue.clear();
    this.conn.schedule();
  }

  schedule(): void {
    this.conn.commitLater(this);
  }

  setReading(on: boolean): void {
    this.conn.setReading(this, on);
  }

  protected override settle(n: number): void {
    this.conn.consume(this.streamId, n);
  }
}

/** The read callback of a streamed SPDY response body. */
function spdyRead(_s: Session, _sid: number, length: number, ctrl: ReadCtrl, io: SpdyStreamIO): Buffer | number | null {
  const b = io.queue.take(length);
  if (b) {
    io.taken(b.length);
    if (io.queue.bytes === 0 && io.bodyDone) ctrl.flags = READ_EOF;
    return b;
  }
  if (io.bodyDone || io.closed) {
    ctrl.flags = READ_EOF;
    return null;
  }
  io.deferred = true;
  return ERR_DEFERRED;
}

/** HTTP/2 stream I/O over the nghttp2 server's request handler. */
class H2StreamIO extends StreamIO {
  readonly protocol = 'h2';
  deferred = false;
  constructor(readonly bridge: BaseRequestHandler, readonly server: ThreadedSPDYServer) {
    super();
  }

  protected commit(): void {
    const { code, headers } = this.responseHead();
    const h = this.handler;
    const out: [string, string][] = [];
    for (const [n, v] of headers) {
      const name = n.toLowerCase();
      if (name.charCodeAt(0) === 58 || HOP_BY_HOP.has(name)) continue;
      out.push([name, v]);
    }
    out.push(['server', h.versionString()], ['date', dateTimeString()]);
    let body: Buffer | ((size: number) => readonly [Buffer | null, 0 | 1 | 2]) | null = null;
    if (this.bodyDone) {
      if (this.queue.bytes) {
        body = this.queue.drain();
        this.taken(body.length);
      }
    } else {
      body = (size: number) => {
        if (this.failed) throw new StreamResetMarker('handler failed');
        const b = this.queue.take(size);
        if (b) {
          this.taken(b.length);
          return [b, this.queue.bytes === 0 && this.bodyDone ? DATA_EOF : DATA_OK] as const;
        }
        if (this.bodyDone || this.closed) return [null, DATA_EOF] as const;
        this.deferred = true;
        return [null, DATA_DEFERRED] as const;
      };
    }
    try {
      this.bridge.sendResponse({ status: code, headers: out, body });
    } catch (err) {
      this.server._handlerError(err, h);
      this.reset();
    }
  }

  protected wake(): void {
    if (this.deferred && !this.closed) {
      this.deferred = false;
      this.bridge.resume();
    }
  }

  reset(): void {
    if (this.closed) return;
    this.failed = true;
    if (!this.committed) {
      this.committed = true;
      try {
        this.bridge.sendResponse({ status: 500, body: () => { throw new StreamResetMarker('handler failed'); } });
      } catch { /* gone */ }
      return;
    }
    this.deferred = true;
    this.wake();
  }

  schedule(): void {
    this.server._commitSoon(this);
  }

  setReading(on: boolean): void {
    // HTTP/2 flow control holds the client back per stream: the bridge's
    // onData returns a promise (hold()) while body bytes are held.
    void on;
  }

  #waiters: (() => void)[] = [];

  /** A promise that settles once the held body bytes have been taken (or dropped). */
  hold(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  protected override settle(n: number): void {
    void n;
    if (this.heldBytes !== 0 || this.#waiters.length === 0) return;
    const w = this.#waiters;
    this.#waiters = [];
    for (const resolve of w) resolve();
  }
}

/** HTTP/1.1 stream I/O over `node:http`. */
class H1StreamIO extends StreamIO {
  readonly protocol = 'http/1.1';
  blocked = false;
  constructor(readonly req: http.IncomingMessage, readonly res: http.ServerResponse, readonly server: ThreadedSPDYServer) {
    super();
    this.pendingBody = null;
    this.rfile = req;
  }

  protected commit(): void {
    const { code, line, headers } = this.responseHead();
    const h = this.handler;
    const sp = line.indexOf(' ');
    const reason = sp > 0 ? line.slice(sp + 1) : (RESPONSES[code]?.[0] ?? '???');
    const flat: string[] = [];
    for (const [n, v] of headers) {
      if (n.charCodeAt(0) === 58) continue;
      flat.push(n, v);
    }
    flat.push('server', h.versionString(), 'date', dateTimeString());
    try {
      this.res.writeHead(code, reason, flat);
    } catch (err) {
      this.server._handlerError(err, h);
      this.reset();
      return;
    }
    this.wake();
  }

  protected wake(): void {
    if (this.blocked || this.closed) return;
    let b: Buffer | null;
    while ((b = this.queue.take(65536)) !== null) {
      this.taken(b.length);
      if (!this.res.write(b)) {
        this.blocked = true;
        this.res.once('drain', () => {
          this.blocked = false;
          this.wake();
        });
        return;
      }
    }
    if (this.ended) this.res.end();
  }

  reset(): void {
    if (this.closed) return;
    if (!this.committed) {
      this.committed = true;
      this.res.writeHead(500, { 'content-length': '0' });
      this.res.end();
      return;
    }
    this.res.destroy();
  }

  schedule(): void {
    this.server._commitSoon(this);
  }

  setReading(): void { /* req is rfile itself: it handles its own back-pressure */ }

  override onClosed(): void {
    // a request received to its end leaves the connection to Node's keep-alive (Node discards an
    // unread body); only a request still arriving is destroyed, which closes the connection
    if (this.req.complete) this.bodyEnded = true;
    super.onClosed();
  }
}

// ------------------------------------------------------------------ handler

/**
 * What the server hands to a request handler's constructor. Opaque:
 * subclasses pass it to `super()` unchanged (or do not define a
 * constructor).
 */
export interface SPDYHandlerInit {
  /** @internal */ readonly server: ThreadedSPDYServer;
  /** @internal */ readonly io: StreamIO;
  /** @internal */ readonly clientAddress: readonly [string, number];
  /** @internal */ readonly streamId: number;
  /** @internal */ readonly nv: ReturnType<typeof parseNv>;
}

/**
 * Handles one request stream (python-spdylay's `BaseSPDYRequestHandler`,
 * itself modelled on `http.server.BaseHTTPRequestHandler`). Subclass it and
 * define `do_GET`, `do_POST`, ... (one method per request method, named
 * exactly after it); `handle()` calls the matching one as soon as the
 * request headers have arrived, or answers 501 when there is none.
 *
 * Differences from the reference, for Node:
 * - the handler runs when the headers arrive, not when the whole request
 *   has: the request body (of any method) streams into {@link rfile}; read
 *   it with `for await (const chunk of this.rfile)` or {@link readBody};
 * - `do_*` may return a Promise: the response ends when it settles (an
 *   unfinished `wfile` is ended then); a synchronous `do_*` ends the response
 *   when it returns;
 * - {@link wfile} is a Writable: the headers go out with the first body
 *   bytes (or at the end), then the body streams with back-pressure.
 *
 * An exception thrown (or a rejection) from `do_*` is reported through the
 * server's `'handlerError'` event (stderr when nobody listens) and answers
 * 500 when no header was sent yet, else resets the stream (RST_STREAM
 * INTERNAL_ERROR / HTTP/2 RST_STREAM / HTTP/1.1 connection close). It never
 * affects other streams or crashes the process.
 */
export class BaseSPDYRequestHandler {
  /** Server software name sent in the `server` header (python: `server_version`). */
  static serverVersion = 'Node-spdylay/0.1';
  /** Runtime version (python: `sys_version`). */
  static sysVersion = `Node/${process.versions.node}`;
  /** Content type of {@link sendError} pages (python: `error_content_type`). */
  static errorContentType = 'text/html; charset=UTF-8';
  /** Status code -> `[short phrase, long explanation]` (python: `responses`). */
  static responses: Readonly<Record<number, readonly [string, string]>> = RESPONSES;

  /** The server (python: `server`). */
  readonly server: ThreadedSPDYServer;
  /** The client's `[host, port]` (python: `client_address`). */
  readonly clientAddress: readonly [string, number];
  /** The request method, e.g. `'GET'`; null when the request had none (python: `command`). */
  readonly command: string | null;
  /** The request path with query, e.g. `'/index.html?a=1'`; null when absent. */
  readonly path: string | null;
  /** The request's HTTP version string, e.g. `'HTTP/1.1'` (`'HTTP/2'` over h2) (python: `request_version`). */
  readonly requestVersion: string | null;
  /** Request header pairs other than the pseudo-headers, as received (python: `headers`). */
  readonly headers: NameValue[];
  /** `:scheme` (`'https'`/`'http'`), or null. */
  readonly scheme: string | null;
  /** `:host` (`:authority` over h2, `host` over HTTP/1.1), or null. */
  readonly host: string | null;
  /** The stream ID (0 over HTTP/1.1). */
  readonly streamId: number;
  /** The protocol of the stream: `'spdy/3.1'`, `'spdy/3'`, `'spdy/2'`, `'h2'` or `'http/1.1'`. */
  readonly protocol: string;

  /** @internal */ _status: number | null = null;
  /** @internal */ _statusLine = '';
  /** @internal */ _responseHeaders: NameValue[] = [];
  /** @internal */ _wfile: Writable | null = null;
  /** @internal */ readonly _io: StreamIO;

  /**
   * Called by the server only.
   *
   * @param init - Opaque; pass it on unchanged when overriding the constructor.
   */
  constructor(init: SPDYHandlerInit) {
    this.server = init.server;
    this._io = init.io;
    this.clientAddress = init.clientAddress;
    this.streamId = init.streamId;
    this.command = init.nv.method;
    this.path = init.nv.path;
    this.requestVersion = init.nv.version;
    this.headers = init.nv.headers;
    this.scheme = init.nv.scheme;
    this.host = init.nv.host;
    this.protocol = init.io.protocol;
  }

  /**
   * The request body as a Readable stream of Buffers (python: `rfile`). It
   * ends when the client's last DATA frame arrives; it is destroyed when the
   * stream is reset or the connection lost. Not reading it holds back the
   * client's upload once 64 KiB are buffered: over SPDY/3 and 3.1 through
   * flow control, for this stream only (WINDOW_UPDATE follows what the
   * handler reads); the same over h2; over SPDY/2, which has no flow
   * control, and HTTP/1.1 by pausing the connection.
   */
  get rfile(): Readable {
    return this._io.makeRfile();
  }

  /**
   * The response body (python: `wfile`): a Writable of Buffers/strings.
   * Up to 64 KiB wait for the session (SPDY flow control, socket
   * back-pressure); past that, writes buffer in the Writable and `write()`
   * returns false once it holds 64 KiB ('drain' follows), so
   * `pipeline(source, this.wfile)` streams with bounded memory. The status
   * and headers are sent with the first body bytes or at `end()`; set them
   * before writing.
   */
  get wfile(): Writable {
    if (this._wfile) return this._wfile;
    const io = this._io;
    const w = new GuardedWritable(io, {
      highWaterMark: BODY_HIGH_WATER,
      decodeStrings: true,
      write: (chunk: Buffer, _enc, cb) => io.write(chunk, cb),
      final: (cb) => {
        io.end();
        cb();
      },
    });
    // a late error on a reset stream must not crash the process
    w.on('error', () => {});
    this._wfile = w;
    return w;
  }

  /** Whether the status and headers have been handed to the protocol. */
  get headersSent(): boolean {
    return this._io.committed;
  }

  /** Whether the stream has closed (normally, reset, or connection lost). */
  get closed(): boolean {
    return this._io.closed;
  }

  /**
   * Handles the request: calls `do_<METHOD>()` (e.g. `do_GET`), or
   * `sendError(400)` when the request has no method, or
   * `sendError(501, 'Unsupported method (<METHOD>)')` when the handler has no
   * such method. May be overridden. The response ends when the returned
   * value (or Promise) settles.
   */
  handle(): void | Promise<void> {
    const cmd = this.command;
    if (cmd === null || cmd === '') {
      this.sendError(400);
      return;
    }
    const m = (this as unknown as Record<string, unknown>)['do_' + cmd];
    if (typeof m !== 'function') {
      this.sendError(501, `Unsupported method (${cmd})`);
      return;
    }
    return (m as () => void | Promise<void>).call(this);
  }

  /**
   * Sends a complete error reply: status `code` with `message` (default: the
   * short phrase of {@link responses}), `content-type` and `content-length`
   * headers, and an HTML page explaining it. Ends the response.
   *
   * @param code - The HTTP status code.
   * @param message - A more specific text for the page and status line.
   * @throws Error when the headers were already sent.
   */
  sendError(code: number, message?: string): void {
    code = Math.trunc(Number(code));
    if (this._io.committed) throw new Error('sendError: headers were already sent');
    const ctor = this.constructor as typeof BaseSPDYRequestHandler;
    const [short, long] = ctor.responses[code] ?? ['???', '???'];
    const msg = message ?? short;
    const port = this.server.address()?.port ?? 0;
    const body = Buffer.from('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n' +
      '<html><head>\n' +
      `<title>${code} ${htmlEscape(msg)}</title>\n` +
      '</head><body>\n' +
      `<h1>${htmlEscape(msg)}</h1>\n` +
      `<p>${htmlEscape(long)}</p>\n` +
      '<hr>\n' +
      `<address>${htmlEscape(ctor.serverVersion)} at ${htmlEscape(hostname())} Port ${port}</address>\n` +
      '</body></html>\n', 'utf8');
    this._io.queue.clear();
    this._responseHeaders = [];
    this.sendResponse(code, msg);
    this.sendHeader('content-type', ctor.errorContentType);
    this.sendHeader('content-length', String(body.length));
    this._io.queue.push(body);
    this._io.end();
    if (this._wfile && !this._wfile.writableEnded) this._wfile.end();
  }

  /**
   * Sets the response status: the `:status` header `'<code> <message>'`
   * (SPDY/2: `status`), message defaulting to the short phrase of
   * {@link responses} (`'???'` when unknown).
   *
   * @param code - The HTTP status code (100 to 999).
   * @param message - The reason phrase.
   * @throws RangeError when `code` is not an integer from 100 to 999.
   */
  sendResponse(code: number, message?: string): void {
    const n = Math.trunc(Number(code));
    if (!(n >= 100 && n <= 999)) throw new RangeError(`status code must be an integer from 100 to 999 (got ${code})`);
    const ctor = this.constructor as typeof BaseSPDYRequestHandler;
    this._status = n;
    this._statusLine = `${n} ${message ?? ctor.responses[n]?.[0] ?? '???'}`;
  }

  /**
   * Adds a response header, sent as given (SPDY lower-cases names).
   *
   * @param keyword - The header name.
   * @param value - The value (a string; numbers are converted).
   * @throws TypeError when a name or value is missing.
   * @throws Error when the headers were already sent.
   */
  sendHeader(keyword: string, value: string | number): void {
    if (typeof keyword !== 'string' || keyword === '') throw new TypeError('header name must be a non-empty string');
    if (value === undefined || value === null) throw new TypeError('header value must not be null');
    if (this._io.committed) throw new Error('sendHeader: headers were already sent');
    this._responseHeaders.push([keyword, String(value)]);
  }

  /** python: `end_headers()` — a no-op kept for ported handlers (SPDY has no header terminator). */
  endHeaders(): void {}

  /** `serverVersion + ' ' + sysVersion` (the `server` header). */
  versionString(): string {
    const ctor = this.constructor as typeof BaseSPDYRequestHandler;
    return `${ctor.serverVersion} ${ctor.sysVersion}`;
  }

  /**
   * An RFC 1123 date in GMT.
   *
   * @param timestamp - Milliseconds since the epoch (default now).
   */
  dateTimeString(timestamp?: number): string {
    return dateTimeString(timestamp);
  }

  /**
   * Reads the whole request body.
   *
   * @param limit - Maximum size in bytes (default 64 MiB).
   * @returns The body (empty when there is none).
   * @throws RangeError (rejects) when the body exceeds `limit`.
   * @throws Error (rejects) when the stream was reset or the connection lost.
   */
  readBody(limit = 64 * 1024 * 1024): Promise<Buffer> {
    const r = this.rfile;
    return new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      const cleanup = (): void => {
        r.off('data', onData);
        r.off('end', onEnd);
        r.off('close', onClose);
        r.off('error', onError);
      };
      const onData = (c: Buffer): void => {
        n += c.length;
        if (n > limit) {
          cleanup();
          r.resume();
          reject(new RangeError(`request body exceeds ${limit} bytes`));
          return;
        }
        parts.push(c);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, n));
      };
      const onClose = (): void => {
        cleanup();
        reject(new Error('the stream was reset before the request body was complete'));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      r.on('data', onData);
      r.on('end', onEnd);
      r.on('close', onClose);
      r.on('error', onError);
    });
  }

  /**
   * Called when the stream has closed. Does nothing by default.
   *
   * @param statusCode - SPDY status code: `OK` (0) for a normal close, else
   *   the reset reason (`CANCEL` when the connection was lost).
   */
  onClose(statusCode: number): void {
    void statusCode;
  }
}

let cachedHostname: string | null = null;
function hostname(): string {
  cachedHostname ??= os.hostname();
  return cachedHostname;
}

// ------------------------------------------------------------------ SPDY connection

/**
 * One SPDY connection of a {@link ThreadedSPDYServer}: a server `Session`
 * over a socket. Created by the server; exposed in its `'connection'` event.
 */
export class SPDYConnection {
  /** The SPDY session. */
  readonly session: Session;
  /** The transport. */
  readonly socket: net.Socket;
  /** `'spdy/3.1'`, `'spdy/3'` or `'spdy/2'`. */
  readonly protocol: string;
  /** `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`. */
  readonly version: number;
  /** The client's `[host, port]`. */
  readonly clientAddress: readonly [string, number];
  /** @internal */ readonly server: ThreadedSPDYServer;
  readonly #streams = new Map<number, SpdyStreamIO>();
  #starts: SpdyStreamIO[] = [];
  /**
   * Stream events of the running recv()/send(), as (io, event) pairs: a
   * body chunk, null (end of the request body), or a number (the stream
   * closed with that status).
   */
  #bodies: (SpdyStreamIO | Buffer | null | number)[] = [];
  #commits: SpdyStreamIO[] = [];
  #inRecv = false;
  #flushing = false;
  #scheduled = false;
  #ending = false;
  #closed = false;
  #paused = new Set<SpdyStreamIO>();
  /**
   * SPDY/3 and 3.1: request bodies are flow-controlled per stream. WINDOW_UPDATE
   * follows what the handlers took (OPT_NO_AUTO_WINDOW_UPDATE2 + consume()),
   * so a handler that does not read holds back only its own stream's sender.
   * SPDY/2 has no flow control: there the socket is paused instead.
   */
  readonly #flow: boolean;
  /** Request body bytes taken per stream since the last flush (SPDY/3, 3.1). */
  readonly #consumed = new Map<number, number>();
  #linger: NodeJS.Timeout | null = null;
  readonly #limits: Required<ServerLimits>;
  /** Ended for a limit: input is dropped, no more output is produced. */
  #aborting = false;
  /** Bytes written past the high-water mark while ending the connection for a limit (-1: not doing so). */
  #forced = -1;
  /** Streams whose header block was refused as too large during the running recv(). */
  #refused: number[] = [];
  #headersTimer: NodeJS.Timeout | null = null;
  #idleReported = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** @internal */
  constructor(server: ThreadedSPDYServer, socket: net.Socket, version: number, opts: Required<Pick<ThreadedSPDYServerOptions,
    'maxConcurrentStreams' | 'spdy2WindowUpdate'>> & { limits: Required<ServerLimits> }) {
    this.server = server;
    this.#limits = opts.limits;
    this.socket = socket;
    this.version = version;
    this.protocol = version === PROTO_SPDY2 ? 'spdy/2' : version === PROTO_SPDY3 ? 'spdy/3' : 'spdy/3.1';
    this.clientAddress = Object.freeze([socket.remoteAddress ?? '', socket.remotePort ?? 0] as [string, number]);
    const streams = this.#streams;
    const spdy2 = version === PROTO_SPDY2 && opts.spdy2WindowUpdate;
    this.session = new Session(SERVER, version, {
      sendCb: (_s, data) => {
        if (socket.destroyed) return data.length;
        if (this.#forced >= 0) {
          // ending the connection for a limit: the GOAWAY goes out past the high-water mark
          if (this.#forced >= LIMIT_FLUSH_BUDGET) return 0;
          this.#forced += data.length;
        } else if (socket.writableLength >= SOCKET_HIGH_WATER || this.#aborting) return 0;
        socket.write(data);
        return data.length;
      },
      onInvalidCtrlRecvCb: (_s, f, status) => {
        // a header block past maxHeaderListSize: the library reset the stream (RST_STREAM FRAME_TOO_LARGE)
        if (status === FRAME_TOO_LARGE && (f.frameType === SYN_STREAM || f.frameType === HEADERS)) {
          this.#refused.push(f.streamId);
        }
      },
      onCtrlRecvCb: (s, f) => {
        if (f.frameType === SYN_STREAM) this.#open(s, f.streamId, f.nv, (f.flags & CTRL_FLAG_FIN) !== 0);
        else if (f.frameType === HEADERS && (f.flags & CTRL_FLAG_FIN)) {
          const io = streams.get(f.streamId);
          if (io) this.#bodies.push(io, null);
        }
      },
      // request body events are delivered after recv() returns, so that
      // user 'data' listeners never run inside the C library's callbacks
      onDataChunkRecvCb: (s, _flags, sid, data) => {
        const io = streams.get(sid);
        if (io) this.#bodies.push(io, data.buffer === this.#chunkBuffer ? data : Buffer.from(data));
        else if (this.#flow) {
          try { s.consume(sid, data.length); } catch { /* not flow-controlled */ }
        }
      },
      onDataRecvCb: spdy2
        ? (s, flags, sid, length) => {
          if (!(flags & DATA_FLAG_FIN) && length > 0 && streams.has(sid)) {
            try { s.submitWindowUpdate(sid, length); } catch { /* closed */ }
          }
        }
        : undefined,
      onRequestRecvCb: (_s, sid) => {
        const io = streams.get(sid);
        if (io) this.#bodies.push(io, null);
      },
      onStreamCloseCb: (_s, sid, status) => {
        const io = streams.get(sid);
        if (!io) return;
        streams.delete(sid);
        this.#paused.delete(io);
        io.gone = true;
        // in order with the body events; handler code runs after the C call
        this.#bodies.push(io, status);
      },
    });
    this.#flow = version !== PROTO_SPDY2;
    this.#applyLimits();
    if (this.#flow) {
      this.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE2, true);
      // SPDY/3.1: a 1 MiB connection window, so that streams whose handlers
      // are not reading (each holds at most its 64 KiB stream window) do
      // not stop the others at the connection level.
      if (version === PROTO_SPDY3_1) this.session.submitWindowUpdate(0, CONNECTION_WINDOW - 65536);
    }
    this.session.submitSettings(FLAG_SETTINGS_NONE,
      [[SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_NONE, opts.maxConcurrentStreams]]);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.flush());
    socket.on('error', (err) => server._clientError(err, socket));
    socket.on('close', () => this.#onTransportClose());
    socket.resume();
  }

  #chunkBuffer: ArrayBufferLike | null = null;

  /** Hands the limits to the C session. */
  #applyLimits(): void {
    const L = this.#limits;
    const s = this.session;
    s.setOption(OPT_MAX_HEADER_LIST_SIZE, L.maxHeaderListSize);
    // a block may inflate to 4 x the limit (discarded past it) before it counts as a bomb
    s.setOption(OPT_MAX_HEADER_BLOCK_INFLATE,
      Math.min(0xffffffff, Math.max(MIN_HEADER_BLOCK_INFLATE, 4 * L.maxHeaderListSize)));
    // the compressed block is not much larger than the decompressed one
    s.setOption(OPT_MAX_RECV_CTRL_FRAME_BUFFER,
      Math.min(CTRL_BUF_MAX, Math.max(CTRL_BUF_MIN, L.maxHeaderListSize + 8192)));
    s.setOption(OPT_MAX_OUTBOUND_ACK, L.maxOutboundAck);
    s.setOption(OPT_MAX_EMPTY_FRAMES, L.maxEmptyFrames);
    s.setOption(OPT_STREAM_RESET_BURST, L.streamResetBurst);
    s.setOption(OPT_STREAM_RESET_RATE, L.streamResetRate);
  }

  /**
   * Bytes this connection holds, as counted for `maxSessionMemory`: socket
   * output not yet sent, request body bytes not yet read by the handlers,
   * response body bytes queued for the session (up to 64 KiB per stream),
   * and an estimate of the C session.
   */
  get memoryUsage(): number {
    // the C session's header buffers are not counted: maxHeaderListSize bounds them
    let n = this.socket.writableLength + SESSION_BASE_BYTES;
    if (!this.#closed) {
      try {
        n += this.session.getOutboundQueueSize() * QUEUED_FRAME_BYTES;
      } catch { /* session gone */ }
    }
    n += this.#streams.size * STREAM_BYTES;
    for (const io of this.#streams.values()) {
      n += Math.max(io.heldBytes, io.rfile ? io.rfile.readableLength : 0);
      n += Math.min(io.queue.bytes, BODY_HIGH_WATER);
    }
    const b = this.#bodies;
    for (let i = 1; i < b.length; i += 2) {
      const ev = b[i];
      if (ev instanceof Uint8Array) n += ev.length;
    }
    return n;
  }
  /** Number of open streams. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Whether the transport has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal Feeds bytes read before the connection was set up. */
  _start(initial: Buffer | null): void {
    if (initial && initial.length) this.#onData(initial);
    else this.flush();
  }

  /** @internal The socket was idle for `idleTimeout`: GOAWAY(OK), open streams finish. */
  _idle(): void {
    if (this.#closed || this.#aborting) return;
    if (!this.#idleReported) {
      this.#idleReported = true;
      this.#report('idleTimeout', 'connection', null, GOAWAY_OK);
    }
    this.shutdown();
  }

  /** Sends GOAWAY(OK): open streams finish, then the connection closes. */
  shutdown(): void {
    if (this.#closed || this.#ending) return;
    try {
      this.session.submitGoaway(GOAWAY_OK);
    } catch { /* already sent */ }
    this.flush();
  }

  /** Closes the socket now (open streams are closed with `CANCEL`). */
  destroy(): void {
    this.socket.destroy();
  }

  #open(s: Session, sid: number, nv: NameValue[], fin: boolean): void {
    const io = new SpdyStreamIO(this, sid);
    const parsed = parseNv(nv);
    let h: BaseSPDYRequestHandler;
    try {
      h = new this.server.RequestHandlerClass({ server: this.server, io, clientAddress: this.clientAddress,
        streamId: sid, nv: parsed });
    } catch (err) {
      this.server._handlerError(err, null);
      try { s.submitRstStream(sid, INTERNAL_ERROR); } catch { /* gone */ }
      return;
    }
    io.handler = h;
    if (fin) io.bodyEnded = true;
    this.#streams.set(sid, io);
    this.#starts.push(io);
  }

  #closeStream(io: SpdyStreamIO, status: number): void {
    io.onClosed();
    this.server._log(io, status);
    try {
      io.handler.onClose(status);
    } catch (err) {
      this.server._handlerError(err, io.handler);
    }
  }

  /** @internal */
  commitLater(io: SpdyStreamIO): void {
    this.#commits.push(io);
    this.schedule();
  }

  /** @internal */
  schedule(): void {
    if (this.#inRecv || this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushTick);
  }

  /** @internal `n` request body bytes of `streamId` were taken or dropped: grant the window again. */
  consume(streamId: number, n: number): void {
    if (!this.#flow || n <= 0 || this.#closed) return;
    // summed per stream and handed to the session once per flush
    this.#consumed.set(streamId, (this.#consumed.get(streamId) ?? 0) + n);
    this.schedule();
  }

  /** @internal */
  setReading(io: SpdyStreamIO, on: boolean): void {
    if (this.#flow) return; // flow control holds the sender back per stream
    if (on) {
      if (this.#paused.delete(io) && this.#paused.size === 0) this.socket.resume();
    } else if (!io.closed) {
      this.#paused.add(io);
      this.socket.pause();
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#aborting) return;
    this.#inRecv = true;
    this.#chunkBuffer = chunk.buffer;
    try {
      this.session.recv(chunk);
    } catch (err) {
      this.#inRecv = false;
      this.#chunkBuffer = null;
      this.#reportRefused();
      // a flood limit: the session queued GOAWAY(PROTOCOL_ERROR) ahead of everything else
      let limit = err instanceof FloodedError ? err.limit : LIMIT_NONE;
      if (limit === LIMIT_NONE) {
        try {
          limit = this.session.getLimitExceeded();
        } catch { /* session gone */ }
      }
      if (err instanceof FloodedError || limit !== LIMIT_NONE) {
        this.#abort(floodLimitName(limit), GOAWAY_PROTOCOL_ERROR, true);
        return;
      }
      this.#fatal(err);
      return;
    }
    this.#chunkBuffer = null;
    this.#inRecv = false;
    this.#reportRefused();
    this.#runStarts();
    this.#deliverBodies();
    this.flush();
    this.#checkMemory();
    this.#checkHeadersTimer();
  }

  /**
   * headersTimeout: one timer per connection, armed while the session is
   * inside a frame head or a control frame (e.g. half a SYN_STREAM), kept
   * running (not restarted) while more of the same frame trickles in.
   */
  #checkHeadersTimer(): void {
    const ms = this.#limits.headersTimeout;
    if (ms <= 0 || this.#closed || this.#aborting) return;
    if (this.session.inCtrlFrame()) {
      if (this.#headersTimer === null) {
        this.#headersTimer = setTimeout(this.#onHeadersTimeout, ms);
        this.#headersTimer.unref();
      }
    } else this.#clearHeadersTimer();
  }

  readonly #onHeadersTimeout = (): void => {
    this.#headersTimer = null;
    if (this.#closed || this.#aborting || !this.session.inCtrlFrame()) return;
    if (this.#paused.size > 0) {
      // SPDY/2: we stopped reading (a handler's body is full), not the client
      this.#checkHeadersTimer();
      return;
    }
    this.#abort('headersTimeout', GOAWAY_OK, false);
  };

  /** Reports the header blocks refused during the last recv() ('limitExceeded', scope 'stream'). */
  #reportRefused(): void {
    if (this.#refused.length === 0) return;
    const r = this.#refused;
    this.#refused = [];
    for (const sid of r) this.#report('maxHeaderListSize', 'stream', sid, FRAME_TOO_LARGE);
  }

  #report(limit: LimitName, scope: 'stream' | 'connection', streamId: number | null, code: number | null): void {
    this.server._limitExceeded({
      limit, scope, protocol: this.protocol as ServedProtocol, streamId, clientAddress: this.clientAddress,
      action: scope === 'stream' ? 'RST_STREAM' : 'GOAWAY',
      // SPDY/2's GOAWAY carries no status
      code: scope === 'connection' && this.version === PROTO_SPDY2 ? null : code,
    }, this);
  }

  /** Ends the connection past `maxSessionMemory`. */
  #checkMemory(): void {
    if (this.#closed || this.#aborting) return;
    if (this.memoryUsage > this.#limits.maxSessionMemory) this.#abort('maxSessionMemory', GOAWAY_PROTOCOL_ERROR, false);
  }

  /**
   * Ends the connection for a limit: GOAWAY(`status`) (already queued by
   * the session when `queued`), written best-effort even past the socket's
   * high-water mark, then the socket is ended and destroyed after
   * `LINGER_MS` if the client does not close it. Input is dropped from now.
   */
  #abort(limit: LimitName, status: number, queued: boolean): void {
    if (this.#closed || this.#aborting) return;
    this.#aborting = true;
    this.#clearHeadersTimer();
    if (!queued) {
      try {
        this.session.failSession(status);
      } catch { /* GOAWAY already sent */ }
    }
    if (!this.#inRecv && !this.#flushing) {
      this.#forced = 0;
      try {
        this.session.send();
      } catch { /* best effort */ }
      this.#forced = -1;
    }
    this.#endTransport();
    this.#report(limit, 'connection', null, status);
  }

  #clearHeadersTimer(): void {
    if (this.#headersTimer) clearTimeout(this.#headersTimer);
    this.#headersTimer = null;
  }

  #deliverBodies(): void {
    if (this.#bodies.length === 0) return;
    const b = this.#bodies;
    this.#bodies = [];
    for (let i = 0; i < b.length; i += 2) {
      const io = b[i] as SpdyStreamIO;
      const ev = b[i + 1] as Buffer | null | number;
      if (typeof ev === 'number') {
        this.#closeStream(io, ev);
        continue;
      }
      if (io.closed) {
        if (ev !== null) this.consume(io.streamId, ev.length); // the connection window (SPDY/3.1)
        continue;
      }
      try {
        if (ev === null) io.endBody();
        else io.pushBody(ev);
      } catch (err) {
        // a 'data' listener of the handler threw
        this.server._failed(io, err);
      }
    }
  }

  #runStarts(): void {
    if (this.#starts.length === 0) return;
    const starts = this.#starts;
    this.#starts = [];
    for (const io of starts) {
      if (io.closed || io.gone) continue;
      this.server._run(io);
    }
  }

  /** @internal Commits pending responses and sends what the session has, within socket limits. */
  flush(): void {
    if (this.#flushing || this.#closed || this.#inRecv || this.#aborting) return;
    this.#flushing = true;
    const session = this.session;
    try {
      if (this.#commits.length) {
        const commits = this.#commits;
        this.#commits = [];
        for (const io of commits) io.runCommit();
      }
      if (this.#consumed.size) {
        for (const [sid, n] of this.#consumed) session.consume(sid, n);
        this.#consumed.clear();
      }
      if (this.socket.writableLength < SOCKET_HIGH_WATER) session.send();
    } catch (err) {
      this.#flushing = false;
      this.#fatal(err);
      return;
    }
    this.#flushing = false;
    this.#deliverBodies();
    if (this.#commits.length) this.schedule();
    if (!session.wantRead() && !session.wantWrite()) this.#endTransport();
    else this.#checkMemory();
  }

  #fatal(err: unknown): void {
    this.server._sessionError(err, this);
    this.socket.destroy();
  }

  #endTransport(): void {
    if (this.#ending) return;
    this.#ending = true;
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    this.#linger = setTimeout(() => socket.destroy(), LINGER_MS);
    this.#linger.unref();
  }

  #onTransportClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearHeadersTimer();
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = null;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    this.#starts = [];
    this.#commits = [];
    const pending = this.#bodies;
    this.#bodies = [];
    for (let i = 0; i < pending.length; i += 2) {
      if (typeof pending[i + 1] === 'number') this.#closeStream(pending[i] as SpdyStreamIO, pending[i + 1] as number);
    }
    for (const io of streams) this.#closeStream(io, CANCEL_ON_LOSS);
    this.server._connectionClosed(this);
  }
}

/** Status given to streams whose connection was lost (SPDY `CANCEL`). */
const CANCEL_ON_LOSS = 5;

// ------------------------------------------------------------------ server

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
  readonly #opts: Required<Pick<ThreadedSPDYServerOptions, 'maxConcurrentStreams' | 'spdy2WindowUpdate'
    | 'plainSpdy3Version' | 'h2' | 'http1'>> & { versions: number[]; limits: Required<ServerLimits> };
  readonly #log: SPDYAccessLog | null;
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
   * @throws TypeError for a bad address or handler class, when neither TLS
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
      throw new TypeError('serverAddress must be [host, port]');
    }
    const [host, port] = serverAddress;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer from 0 to 65535');
    if (typeof RequestHandlerClass !== 'function') {
      throw new TypeError('RequestHandlerClass must be a class extending BaseSPDYRequestHandler');
    }
    this.#host = host ?? undefined;
    this.#port = port;
    this.RequestHandlerClass = RequestHandlerClass;
    const versions = (options.versions ?? [PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2]).slice();
    const limits = resolveLimits(options);
    this.#opts = {
      maxConcurrentStreams: options.maxConcurrentStreams ?? 100,
      spdy2WindowUpdate: options.spdy2WindowUpdate ?? true,
      plainSpdy3Version: options.plainSpdy3Version ?? PROTO_SPDY3,
      h2: options.h2 ?? true,
      http1: options.http1 ?? true,
      versions,
      limits,
    };
    const idle = limits.idleTimeout;
    const headersTimeout = limits.headersTimeout;
    const log = options.log ?? false;
    this.#log = typeof log === 'function' ? log : log ? (line) => process.stderr.write(line + '\n') : null;
    const tokens = getNpnProtocols().filter((p) => versions.includes(npnGetVersion(p)));
    if (this.#opts.h2) tokens.push('h2');
    if (this.#opts.http1) tokens.push('http/1.1');
    this.alpnProtocols = Object.freeze(tokens);
    if (this.#opts.h2) {
      const server = this;
      class Bridge extends BaseRequestHandler {
        io: H2StreamIO | null = null;
        override onHeaders(): void { this.io = server._startH2(this); }
        override onData(data: Buffer): Promise<void> | void {
          const io = this.io;
          if (!io) return undefined;
          io.pushBody(Buffer.from(data));
          // held (rfile full or not opened yet): the chunk's window comes back when taken
          return io.heldBytes > 0 ? io.hold() : undefined;
        }
        override onRequestDone(): void { this.io?.endBody(); }
        override onClose(errorCode: number): void { if (this.io) server._closeH2(this.io, errorCode); }
      }
      // every limit goes to the inner server, which reports through its own 'limitExceeded'
      const h2Options = { log: false, maxConcurrentStreams: this.#opts.maxConcurrentStreams, ...limits };
      this.#h2 = new HTTP2Server([null, 0], Bridge, null, h2Options);
      this.#h2.on('limitExceeded', (info: LimitExceededInfo, conn: unknown) => this._limitExceeded(info, conn));
      this.#h2.on('handlerError', (err: unknown) => {
        if (!(err instanceof StreamResetMarker)) this._handlerError(err, null);
      });
      this.#h2.on('sessionError', (err: unknown, conn: unknown) => this.emit('sessionError', err, conn));
      this.#h2.on('clientError', (err: unknown) => this._clientError(err, null));
    }
    if (this.#opts.http1) {
      const h1 = http.createServer({
        maxHeaderSize: limits.maxHeaderListSize,
        headersTimeout: Math.ceil(headersTimeout),
        // a slow body is bounded by idleTimeout; Node's 300 s for the whole request would cut long uploads
        requestTimeout: 0,
        // Node's 5 s between requests, or less when the idle timeout is shorter
        keepAliveTimeout: idle > 0 ? Math.min(5000, Math.ceil(idle)) : 5000,
        // Node checks headersTimeout on this period: keep the overshoot within a quarter of it
        connectionsCheckingInterval: headersTimeout > 0 ? Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 4))) : 30_000,
      }, (req, res) => this._startH1(req, res));
      this.#h1 = h1;
      // sockets reach this server through emit('connection'): it never listens, and Node starts the
      // periodic headersTimeout check on 'listening'
      h1.emit('listening');
      if (idle > 0) {
        h1.setTimeout(idle);
        // with a 'timeout' listener Node leaves the socket to us. The same event ends
        // keep-alive waits (keepAliveTimeout): only a socket at the idle timeout is reported.
        h1.on('timeout', (socket: net.Socket) => {
          if (socket.timeout === idle) this.#reportSocket('idleTimeout', socket, 'http/1.1', 'close');
          socket.destroy();
        });
      }
      h1.on('clientError', (err: NodeJS.ErrnoException, socket) => {
        const code = err.code;
        const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 0;
        if (status === 0) {
          this._clientError(err, socket as net.Socket);
          if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
          return;
        }
        // as Node's own handler: no status line once a response has started on this socket
        const msg = (socket as net.Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
        const canWrite = socket.writable && (!msg || !msg.headersSent);
        this.#reportSocket(status === 431 ? 'maxHeaderListSize' : 'headersTimeout', socket as net.Socket, 'http/1.1',
          canWrite ? (status === 431 ? '431' : '408') : 'close');
        if (canWrite) {
          socket.end(status === 431
            ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'
            : 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
          setTimeout(() => socket.destroy(), LINGER_MS).unref();
        } else socket.destroy();
      });
    }
    if (options.plain) {
      this.secure = false;
      this.#server = net.createServer({ noDelay: true }, (socket) => this.#sniff(socket));
    } else {
      const key = options.key ?? (options.keyFile ? fs.readFileSync(options.keyFile) : undefined);
      const cert = options.cert ?? (options.certFile ? fs.readFileSync(options.certFile) : undefined);
      if (!options.tls && (key === undefined || cert === undefined)) {
        throw new TypeError('TLS needs certFile/keyFile (or cert/key); pass plain: true for cleartext');
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
          // the protocol is not chosen yet: reported as the ALPN fallback, HTTP/1.1
          this.#reportSocket('headersTimeout', socket, 'http/1.1', 'close');
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
   * Starts listening (python: `start()`, which serves in a thread). Idempotent.
   *
   * @returns The bound `{ address, port, family }` (the port chosen when 0 was given).
   * @throws (rejects) the listen error, e.g. EADDRINUSE.
   */
  start(): Promise<SPDYBoundAddress> {
    if (this.#started) return this.#started;
    this.#started = new Promise<SPDYBoundAddress>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#started = null;
        reject(err);
      };
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this._clientError(err, null));
        this.emit('listening');
        resolve(this.address()!);
      });
    });
    return this.#started;
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
    let buf: Buffer = Buffer.alloc(0);
    let timer: NodeJS.Timeout | null = null;
    let spdyTimer: NodeJS.Timeout | null = null;
    const done = (fn: () => void): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (timer) clearTimeout(timer);
      if (spdyTimer) clearTimeout(spdyTimer);
      timer = spdyTimer = null;
      fn();
    };
    const onClose = (): void => done(() => {
      this.#pendingSockets.delete(socket);
      this.#checkDrained();
    });
    const onError = (err: Error): void => this._clientError(err, socket);
    const decide = (): void => {
      if (buf.length === 0) return;
      if (buf[0]! & 0x80) {
        if (buf.length < 2) return;
        const v = buf[1]!;
        if (v === 2) return done(() => this.#route(socket, null, buf, PROTO_SPDY2));
        if (v !== 3) return done(() => { this.#pendingSockets.delete(socket); socket.destroy(); });
        // SPDY/3 or 3.1: look for a connection-level WINDOW_UPDATE before the first SYN_STREAM
        let off = 0;
        while (off + 8 <= buf.length) {
          const control = (buf[off]! & 0x80) !== 0;
          const len = buf.readUIntBE(off + 5, 3);
          if (control) {
            const type = buf.readUInt16BE(off + 2);
            if (type === SYN_STREAM) break;
            if (type === 9 /* WINDOW_UPDATE */ && off + 12 <= buf.length && (buf.readUInt32BE(off + 8) & 0x7fffffff) === 0) {
              return done(() => this.#route(socket, null, buf, PROTO_SPDY3_1));
            }
          } else break;
          if (off + 8 + len > buf.length) {
            spdyTimer ??= setTimeout(() => done(() => this.#route(socket, null, buf, this.#opts.plainSpdy3Version)), SPDY31_SNIFF_MS);
            return;
          }
          off += 8 + len;
        }
        if (off + 8 > buf.length && buf.length < 65536) {
          spdyTimer ??= setTimeout(() => done(() => this.#route(socket, null, buf, this.#opts.plainSpdy3Version)), SPDY31_SNIFF_MS);
          return;
        }
        return done(() => this.#route(socket, null, buf, this.#opts.plainSpdy3Version));
      }
      const n = Math.min(buf.length, H2_PREFACE.length);
      if (buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
        if (n < H2_PREFACE.length) return;
      }
      done(() => this.#route(socket, null, buf));
    };
    const onData = (d: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      decide();
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    // detection is part of the request head: min(SNIFF_MS, headersTimeout)
    const ht = this.#opts.limits.headersTimeout;
    const sniffMs = ht > 0 ? Math.min(SNIFF_MS, ht) : SNIFF_MS;
    timer = setTimeout(() => done(() => {
      this.#pendingSockets.delete(socket);
      // the protocol the first bytes point to, HTTP/1.1 when there are none
      const protocol: ServedProtocol = buf.length && buf[0]! & 0x80 ? (buf.length > 1 && buf[1] === 2 ? 'spdy/2' : 'spdy/3')
        : buf.length && buf[0] === 0x50 /* P */ ? 'h2' : 'http/1.1';
      this.#reportSocket('headersTimeout', socket, protocol, 'close');
      socket.destroy();
    }), sniffMs);
    timer.unref();
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

  /** @internal */
  _startH2(bridge: BaseRequestHandler): H2StreamIO | null {
    const io = new H2StreamIO(bridge, this);
    const nv: NameValue[] = bridge.headers.map(([n, v]) => [n.toString('latin1'), v.toString('utf8')]);
    const parsed = parseNv(nv);
    parsed.version = 'HTTP/2';
    let h: BaseSPDYRequestHandler;
    try {
      h = new this.RequestHandlerClass({ server: this, io, clientAddress: bridge.clientAddress,
        streamId: bridge.streamId, nv: parsed });
    } catch (err) {
      this._handlerError(err, null);
      io.failed = true;
      bridge.sendResponse({ status: 500 });
      return null;
    }
    io.handler = h;
    // the request body arrives after onHeaders returns: run the handler first
    this._run(io);
    return io;
  }

  /** @internal */
  _closeH2(io: H2StreamIO, errorCode: number): void {
    io.onClosed();
    this._log(io, errorCode);
    try {
      io.handler.onClose(errorCode);
    } catch (err) {
      this._handlerError(err, io.handler);
    }
  }

  /** @internal */
  _startH1(req: http.IncomingMessage, res: http.ServerResponse): void {
    const io = new H1StreamIO(req, res, this);
    const nv: NameValue[] = [];
    const raw = req.rawHeaders;
    let host: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name === 'host') host = raw[i + 1]!;
      nv.push([name, raw[i + 1]!]);
    }
    const parsed = parseNv(nv);
    parsed.method = req.method ?? null;
    parsed.path = req.url ?? null;
    parsed.version = `HTTP/${req.httpVersion}`;
    parsed.scheme = this.secure ? 'https' : 'http';
    parsed.host = host;
    const sock = req.socket;
    let h: BaseSPDYRequestHandler;
    try {
      h = new this.RequestHandlerClass({ server: this, io,
        clientAddress: Object.freeze([sock.remoteAddress ?? '', sock.remotePort ?? 0] as [string, number]),
        streamId: 0, nv: parsed });
    } catch (err) {
      this._handlerError(err, null);
      res.writeHead(500).end();
      return;
    }
    io.handler = h;
    let done = false;
    const close = (status: number): void => {
      if (done) return;
      done = true;
      io.onClosed();
      this._log(io, status);
      try {
        h.onClose(status);
      } catch (err) {
        this._handlerError(err, h);
      }
    };
    res.on('finish', () => close(OK));
    res.on('close', () => close(res.writableFinished ? OK : CANCEL_ON_LOSS));
    this._run(io);
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
  #reportSocket(limit: LimitName, socket: net.Socket | null | undefined, protocol: ServedProtocol,
    action: LimitExceededInfo['action']): void {
    this._limitExceeded({
      limit, scope: 'connection', protocol, streamId: null,
      clientAddress: Object.freeze([socket?.remoteAddress ?? '', socket?.remotePort ?? 0] as [string, number]),
      action, code: action === '431' ? 431 : action === '408' ? 408 : null,
    }, socket ?? null);
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

// Typed listeners of the server's own event (declaration merging with the class above).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ThreadedSPDYServer<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> {
  /**
   * `'limitExceeded'`: a client ran into a limit of
   * {@link ThreadedSPDYServerOptions}: one stream reset (scope `'stream'`:
   * a header block past `maxHeaderListSize`) or a connection ended for a
   * limit or timeout (scope `'connection'`). The info object is frozen;
   * `connection` is the {@link SPDYConnection}, the `HTTP2Connection` (h2),
   * the socket (HTTP/1.1, TLS handshake, protocol detection) or null.
   */
  on(event: 'limitExceeded', listener: (info: LimitExceededInfo, connection: SPDYConnection | HTTP2Connection | net.Socket | null) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /** See {@link ThreadedSPDYServer.on}. */
  once(event: 'limitExceeded', listener: (info: LimitExceededInfo, connection: SPDYConnection | HTTP2Connection | net.Socket | null) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}
