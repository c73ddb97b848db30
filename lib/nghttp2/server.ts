/**
 * HTTP/2 server of `spdylay/nghttp2`: {@link HTTP2Server} and
 * {@link BaseRequestHandler}, the Node counterparts of nghttp2's Python
 * `nghttp2.HTTP2Server` / `nghttp2.BaseRequestHandler`.
 *
 * Each accepted connection is served by one server `nghttp2_session`
 * (statically linked libnghttp2) driven from JavaScript with
 * `nghttp2_session_mem_recv` / `nghttp2_session_mem_send`: one native call per
 * socket read chunk (its events come back as one packed batch) and one per
 * output flush. Response bodies given as bytes are served natively; body
 * generators and Readable streams are pulled one DATA frame at a time.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Readable } from 'node:stream';

import {
  resolveLimits, type LimitExceededInfo, type LimitName, type ServerLimits,
} from '../limits.js';
import { native, type NativeHttp2Session } from '../native.js';
import { FastBuffer } from '../pool.js';
import { nghttp2Error } from './errors.js';

/** Body generator flag: a non-empty chunk is returned and more will follow. */
export const DATA_OK = 0;
/** Body generator flag: this is the last chunk (which may be `null`). */
export const DATA_EOF = 1;
/** Body generator flag: no data now; call {@link BaseRequestHandler.resume} when there is. */
export const DATA_DEFERRED = 2;

/** A body generator flag: {@link DATA_OK}, {@link DATA_EOF} or {@link DATA_DEFERRED}. */
export type DataFlag = typeof DATA_OK | typeof DATA_EOF | typeof DATA_DEFERRED;

/**
 * Body generator: called with the largest chunk size nghttp2 can send now (in
 * bytes, at most 16384 by default); returns `[chunk, flag]` where `chunk` is a
 * Buffer/Uint8Array/string (UTF-8) or `null`. A chunk longer than `size` is
 * sent over several DATA frames. Throwing resets the stream (RST_STREAM
 * INTERNAL_ERROR) and reports the error.
 */
export type BodyGenerator = (size: number) => readonly [Uint8Array | string | null | undefined, DataFlag];

/**
 * A response body: nothing (`undefined`/`null`: HEADERS carry END_STREAM), a
 * string (sent as UTF-8), bytes, a Node Readable stream (read with
 * back-pressure) or a {@link BodyGenerator}.
 */
export type ResponseBody = string | Uint8Array | ArrayBuffer | Readable | BodyGenerator | null | undefined;

/** A header field: `[name, value]`, each a string (UTF-8) or bytes. */
export type HeaderPair = readonly [name: string | Uint8Array, value: string | Uint8Array | number];

/**
 * Header fields: an array of `[name, value]` pairs, or a plain object whose
 * own enumerable properties are the fields. String names are lower-cased
 * (HTTP/2 requires lower-case names).
 */
export type HeaderList = Iterable<HeaderPair> | Record<string, string | number | Uint8Array>;

/** Options of {@link BaseRequestHandler.sendResponse}. */
export interface SendResponseOptions {
  /** HTTP status code, an integer from 100 to 999. Default 200. */
  status?: number | string;
  /** Extra response header fields (`:status` is put first by the library). */
  headers?: HeaderList | null;
  /** The response body. */
  body?: ResponseBody;
}

/** Options of {@link BaseRequestHandler.push}. */
export interface PushOptions extends SendResponseOptions {
  /** `:path` of the pushed resource (non-empty), a string (UTF-8) or bytes. */
  path: string | Uint8Array;
  /** `:method` of the promised request (non-empty), a string or bytes. Default `'GET'`. */
  method?: string | Uint8Array;
  /** Extra promised request header fields, after `:method`, `:scheme`, `:authority`, `:path`. */
  requestHeaders?: HeaderList | null;
}

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

export type { LimitExceededInfo, LimitName, ServerLimits } from '../limits.js';

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

// HTTP/2 error codes (RFC 9113 section 7).
const NO_ERROR = 0;
const PROTOCOL_ERROR = 1;
const INTERNAL_ERROR = 2;
const SETTINGS_TIMEOUT = 4;
const ENHANCE_YOUR_CALM = 11;

// Event record types and state slots of binding/h2_session.h.
const EV_HEADERS = 1;
const EV_DATA = 2;
const EV_END_STREAM = 3;
const EV_CLOSE = 4;
const EV_SETTINGS_ACK = 5;
const EV_LIMIT_RESET = 6;
const ST_READ_FLAG = 0;
const ST_WANT = 1;
const ST_EVENTS = 2;
const ST_MEMORY = 3;
const ST_LIMIT = 4;
const ST_MID_HEADERS = 5;
const STATE_SLOTS = 6;
/** Http2Session::Limit values (binding/h2_session.h) by number. */
const NATIVE_LIMITS: readonly (LimitName | null)[] = [
  null, 'maxHeaderListSize', 'maxOutboundAck', 'maxEmptyFrames', 'streamResetRate', 'maxContinuations',
];
const READ_ERROR = 3;
const BODY_NONE = 0;
const BODY_BYTES = 1;
const BODY_JS = 2;
const ABSENT = 0xffffffff;

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

const COOKIE = Buffer.from('cookie');
const COOKIE_SEP = Buffer.from('; ');

// ------------------------------------------------------------ header encoding

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function headerEntries(headers: HeaderList): Iterable<HeaderPair> {
  if (typeof (headers as Iterable<HeaderPair>)[Symbol.iterator] === 'function') {
    return headers as Iterable<HeaderPair>;
  }
  return Object.entries(headers as Record<string, string | number | Uint8Array>);
}

/**
 * Packs header fields as `"name\0value\0name\0value"` (a string when every
 * part is a string, else bytes) for the native side.
 */
function packHeaders(headers: HeaderList | null | undefined): [string | Buffer | null, number] {
  let s = '';
  let count = 0;
  let parts: (string | Uint8Array)[] | null = null;
  if (headers) {
    for (const field of headerEntries(headers)) {
      if (!field || (field as ArrayLike<unknown>).length !== 2) {
        throw new TypeError('header fields must be [name, value] pairs');
      }
      let name = field[0];
      let value = field[1];
      if (typeof name === 'string') name = name.toLowerCase();
      else if (!isBytes(name)) throw new TypeError('header name must be a string or a Buffer');
      if (typeof value === 'number') value = String(value);
      else if (typeof value !== 'string' && !isBytes(value)) {
        throw new TypeError('header value must be a string or a Buffer');
      }
      if (parts === null && typeof name === 'string' && typeof value === 'string') {
        s += (count ? '\0' : '') + name + '\0' + value;
      } else {
        if (parts === null) parts = s.length || count ? [s] : [];
        if (count) parts.push('\0');
        parts.push(name, '\0', value);
      }
      ++count;
    }
  }
  if (count === 0) return [null, 0];
  if (parts === null) return [s, count];
  return [Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))), count];
}

function normaliseStatus(status: number | string | undefined | null): number {
  const n = typeof status === 'number' ? status : status == null || status === '' ? NaN : Number(status);
  if (!Number.isInteger(n) || n < 100 || n > 999) {
    throw new RangeError(`status must be an integer from 100 to 999 (got ${String(status)})`);
  }
  return n;
}

function isReadable(v: unknown): v is Readable {
  return (
    typeof v === 'object' && v !== null &&
    typeof (v as Readable).read === 'function' && typeof (v as Readable).on === 'function'
  );
}

/** Splits `value` on NUL bytes. */
function splitNul(value: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = value.indexOf(0); i !== -1; i = value.indexOf(0, start)) {
    out.push(value.subarray(start, i));
    start = i + 1;
  }
  out.push(value.subarray(start));
  return out;
}

/** Wraps a Readable as a body generator honouring back-pressure. */
function readableBody(stream: Readable, resume: () => void): { gen: BodyGenerator; abort: () => void } {
  let pending: Buffer | null = null;
  let waiting = false;
  let ended = false;
  let failed: unknown = null;
  const wake = (): void => {
    if (waiting) {
      waiting = false;
      resume();
    }
  };
  const onEnd = (): void => {
    ended = true;
    wake();
  };
  const onError = (err: unknown): void => {
    failed = err ?? new Error('body stream failed');
    wake();
  };
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('readable', wake);
  const gen: BodyGenerator = (size) => {
    if (failed) throw failed;
    let chunk: Buffer | string | null = pending ?? (stream.read() as Buffer | string | null);
    pending = null;
    if (chunk === null) {
      if (ended || stream.readableEnded) return [null, DATA_EOF];
      waiting = true;
      return [null, DATA_DEFERRED];
    }
    if (typeof chunk === 'string') chunk = Buffer.from(chunk);
    else if (!Buffer.isBuffer(chunk)) chunk = Buffer.from(chunk as Uint8Array);
    if (chunk.length > size) {
      pending = chunk.subarray(size);
      chunk = chunk.subarray(0, size);
    }
    return [chunk, DATA_OK];
  };
  const abort = (): void => {
    stream.off('end', onEnd);
    stream.off('readable', wake);
    if (!ended && typeof stream.destroy === 'function') stream.destroy();
    // Keep an 'error' listener so that a late stream error cannot crash the process.
  };
  return { gen, abort };
}

// ------------------------------------------------------------------ handler

/** What the connection hands to the handler being constructed. */
interface HandlerInit {
  scheme: Buffer | null;
  method: Buffer | null;
  path: Buffer | null;
  host: Buffer | null;
  /** Received request: the event batch and the record's position. */
  u32: Uint32Array | null;
  buf: Buffer | null;
  rec: number;
  /** Pushed request: its header pairs. */
  headers: [Buffer, Buffer][] | null;
}

let handlerState: {
  markResponded(h: BaseRequestHandler): void;
  setStreamId(h: BaseRequestHandler, id: number): void;
  failed(h: BaseRequestHandler): boolean;
  setFailed(h: BaseRequestHandler): void;
};

/**
 * Handles one HTTP/2 request stream (mirror of Python's
 * `nghttp2.BaseRequestHandler`). Subclass it and override the `on*` methods;
 * the server creates one instance per request stream when the request HEADERS
 * have arrived, with the request's pseudo-headers already filled in.
 *
 * Order of calls: {@link onHeaders}, then {@link onData} per received DATA
 * chunk, {@link onRequestDone} when the request is complete, and
 * {@link onClose} when the stream closes. An exception thrown by `onHeaders`,
 * `onData` or `onRequestDone` resets this stream only (RST_STREAM
 * INTERNAL_ERROR) and is reported through the server's `'handlerError'`
 * event (stderr when nobody listens).
 */
export class BaseRequestHandler {
  /** The connection this stream belongs to. */
  readonly http2: HTTP2Connection;
  /** Stream ID (for a pushed handler, the promised stream ID). */
  streamId: number;
  /** The client's `[host, port]`. */
  readonly clientAddress: readonly [string, number];
  /** `:scheme` of the request, or null when absent. */
  scheme: Buffer | null;
  /** `:method` of the request, or null when absent. */
  method: Buffer | null;
  /** `:authority`, or else the `host` header field, or null when both are absent. */
  host: Buffer | null;
  /** `:path` of the request, or null when absent. */
  path: Buffer | null;

  #headers: [Buffer, Buffer][] | null;
  #u32: Uint32Array | null;
  #buf: Buffer | null;
  #rec: number;
  #responded = false;
  #failed = false;

  static {
    handlerState = {
      markResponded(h) {
        h.#responded = true;
      },
      setStreamId(h, id) {
        h.streamId = id;
      },
      failed: (h) => h.#failed,
      setFailed(h) {
        h.#failed = true;
      },
    };
  }

  /**
   * Called by the server; subclasses must pass both arguments to `super`.
   *
   * @param http2 - The connection (an {@link HTTP2Connection}).
   * @param streamId - The request's stream ID.
   */
  constructor(http2: HTTP2Connection, streamId: number) {
    this.http2 = http2;
    this.streamId = streamId;
    this.clientAddress = http2.clientAddress;
    const init = http2._takeHandlerInit();
    if (init) {
      this.scheme = init.scheme;
      this.method = init.method;
      this.host = init.host;
      this.path = init.path;
      this.#headers = init.headers;
      this.#u32 = init.u32;
      this.#buf = init.buf;
      this.#rec = init.rec;
    } else {
      this.scheme = this.method = this.host = this.path = null;
      this.#headers = [];
      this.#u32 = null;
      this.#buf = null;
      this.#rec = 0;
    }
  }

  /**
   * Request header fields as `[name, value]` Buffer pairs, pseudo-headers
   * included, in received order; a value containing NUL is split into
   * several pairs, and all `cookie` fields are removed and appended once at
   * the end, joined with `"; "`. Built on first access.
   */
  get headers(): [Buffer, Buffer][] {
    if (this.#headers === null) {
      this.#headers = decodeHeaders(this.#u32!, this.#buf!, this.#rec);
      this.#u32 = null;
      this.#buf = null;
    }
    return this.#headers;
  }

  set headers(value: [Buffer, Buffer][]) {
    this.#headers = value;
    this.#u32 = null;
    this.#buf = null;
  }

  /** Called when the request HEADERS have arrived. Does nothing by default. */
  onHeaders(): void {}

  /**
   * Called for each chunk of request body.
   *
   * Back-pressure (beyond the reference): return a promise and the chunk
   * counts as taken only when it settles. Until then this stream's HTTP/2
   * flow-control window is not given back, so a client uploading faster
   * than the handler consumes is held back (on this stream only: other
   * streams and the connection go on, within a 1 MiB connection window).
   * A sync return (the default) takes the chunk at once. A rejected
   * promise counts as a handler error (the stream is reset).
   *
   * @param data - The chunk (a view of the received bytes; it stays valid,
   *   but copy it to keep it long: it holds the whole received batch).
   * @returns Nothing, or a promise that settles when the chunk is processed.
   */
  onData(data: Buffer): void | PromiseLike<void> {
    void data;
  }

  /** Called when the whole request has been received. Does nothing by default. */
  onRequestDone(): void {}

  /**
   * Called when the stream closes.
   *
   * @param errorCode - HTTP/2 error code: 0 for a normal close, 2
   * (INTERNAL_ERROR) when the connection was lost, or the code of the
   * RST_STREAM that reset it.
   */
  onClose(errorCode: number): void {
    void errorCode;
  }

  /**
   * Sends the response (`nghttp2_submit_response`). `:status` is put first,
   * then `headers`; no other field is added. May be called from any `on*`
   * method or later (for example after an upstream fetch); after the stream
   * has closed or the connection is gone it does nothing.
   *
   * @param options - `{ status = 200, headers, body }`; see {@link SendResponseOptions}.
   * @throws Error when a response was already sent for this handler.
   * @throws RangeError when `status` is not an integer from 100 to 999.
   * @throws TypeError when a header or the body has an unsupported type, or a header contains NUL.
   * @throws NGHTTP2Error when nghttp2 refuses the submission.
   */
  sendResponse(options: SendResponseOptions = {}): void {
    if (this.#responded) throw new Error('response has already been sent');
    const status = normaliseStatus(options.status ?? 200);
    this.http2._submitResponse(this, status, options.headers, options.body, false);
  }

  /**
   * Pushes a resource (`nghttp2_submit_push_promise` on this stream, then the
   * pushed response is queued right away). Call it before
   * {@link sendResponse}. The promised request carries `:method`, `:scheme`
   * and `:authority` (inherited from this request), `:path`, then
   * `requestHeaders`.
   *
   * @param options - `{ path, method = 'GET', requestHeaders, status = 200, headers, body }`.
   * @returns The handler of the pushed stream (an instance of the server's
   * request handler class) with its promised `streamId`.
   * @throws Error when `path`, `method` or `status` is empty.
   * @throws NGHTTP2Error when nghttp2 refuses the PUSH_PROMISE, e.g. code
   * -528 (`NGHTTP2_ERR_PUSH_DISABLED`) when the client disabled push.
   */
  push(options: PushOptions): this {
    if (!options || !options.path) throw new Error('path must not be empty');
    const method = options.method ?? 'GET';
    if (!method) throw new Error('method must not be empty');
    if (options.status === null || options.status === '' || options.status === 0) {
      throw new Error('status must not be empty');
    }
    const status = normaliseStatus(options.status ?? 200);
    return this.http2._push(this, options, method, status) as this;
  }

  /**
   * Restarts body transmission paused by {@link DATA_DEFERRED}
   * (`nghttp2_session_resume_data`). Harmless when not paused.
   */
  resume(): void {
    this.http2._resume(this.streamId);
  }
}

/** A pseudo-header's value as a zero-copy view of the event batch, or null when absent. */
function valueAt(buf: Buffer, u32: Uint32Array, at: number, base: number): Buffer | null {
  const len = u32[at + 1]!;
  if (len === ABSENT) return null;
  return new FastBuffer(buf.buffer as ArrayBuffer, buf.byteOffset + base + u32[at]!, len) as Buffer;
}

function toBuffer(x: string | Uint8Array): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x);
}

function decodeHeaders(u32: Uint32Array, buf: Buffer, rec: number): [Buffer, Buffer][] {
  const nf = u32[rec + 3]!;
  const lensAt = rec + 15;
  let p = (lensAt + 2 * nf) * 4;
  const out: [Buffer, Buffer][] = [];
  let cookies: Buffer[] | null = null;
  for (let i = 0; i < nf; ++i) {
    const nl = u32[lensAt + 2 * i]!;
    const vl = u32[lensAt + 2 * i + 1]!;
    const name = buf.subarray(p, p + nl);
    const value = buf.subarray(p + nl, p + nl + vl);
    p += nl + vl;
    const values = value.indexOf(0) === -1 ? null : splitNul(value);
    if (nl === 6 && name.equals(COOKIE)) {
      cookies ??= [];
      if (values) cookies.push(...values);
      else cookies.push(value);
      continue;
    }
    if (values) for (const v of values) out.push([name, v]);
    else out.push([name, value]);
  }
  if (cookies) {
    const parts: Buffer[] = [];
    for (const c of cookies) {
      if (parts.length) parts.push(COOKIE_SEP);
      parts.push(c);
    }
    out.push([COOKIE, Buffer.concat(parts)]);
  }
  return out;
}

// --------------------------------------------------------------- connection

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

  #session: NativeHttp2Session | null;
  readonly #state = new Int32Array(STATE_SLOTS);
  readonly #limits: Required<ServerLimits>;
  /** Request body bytes handed to `onData` whose promise has not settled. */
  #heldBytes = 0;
  #headersTimer: NodeJS.Timeout | null = null;
  #idleShutdown = false;
  readonly #handlers = new Map<number, BaseRequestHandler>();
  readonly #bodies = new Map<number, BodyGenerator>();
  readonly #aborts = new Map<number, () => void>();
  #init: HandlerInit | null = null;
  #flushing = false;
  #dispatching = false;
  #flushScheduled = false;
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
      throw new TypeError('body must be a string, Buffer, Readable stream or body generator');
    }
    handlerState.markResponded(h);
    const session = this.#session;
    if (!session) {
      abort?.();
      return;
    }
    this.server._log(h, status, pushed);
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
  _push(parent: BaseRequestHandler, options: PushOptions, method: string | Uint8Array, status: number): BaseRequestHandler {
    const session = this.#session;
    if (!session) throw new Error('the connection is closed');
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
      scheme: toBuffer(scheme), method: toBuffer(method), path: toBuffer(options.path),
      host: parent.host, u32: null, buf: null, rec: 0, headers: reqHeaders,
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
        throw new TypeError('a body generator must return [chunk, flag]');
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
      this.server._handlerError(new TypeError('a body chunk must be a Buffer, a string or null'),
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
      this.server._handlerError(new TypeError(`invalid body generator flag ${String(flag)}`),
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
        const sid = u32[i + 1]!;
        switch (type) {
          case EV_HEADERS: {
            const nf = u32[i + 3]!;
            const nbytes = u32[i + 4]!;
            const lensAt = i + 15;
            buf ??= Buffer.from(ab);
            this.#onRequest(sid, u32[i + 2]!, u32, buf, i, (lensAt + 2 * nf) * 4);
            i = lensAt + 2 * nf + ((nbytes + 3) >>> 2);
            break;
          }
          case EV_DATA: {
            const len = u32[i + 2]!;
            const h = this.#handlers.get(sid);
            let held = false;
            if (h !== undefined && !handlerState.failed(h)) {
              buf ??= Buffer.from(ab);
              const at = (i + 3) * 4;
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
            i += 3 + ((len + 3) >>> 2);
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
            i += 2;
            break;
          }
          case EV_CLOSE: {
            const h = this.#handlers.get(sid);
            if (h !== undefined) {
              this.#handlers.delete(sid);
              if (this.#bodies.size) this.#dropBody(sid);
              try {
                h.onClose(u32[i + 2]!);
              } catch (err) {
                this.server._handlerError(err, h);
              }
            }
            i += 3;
            break;
          }
          case EV_LIMIT_RESET: {
            const limit = NATIVE_LIMITS[u32[i + 2]!];
            if (limit) this.#report(limit, 'RST_STREAM', ENHANCE_YOUR_CALM, 'stream', sid);
            i += 3;
            break;
          }
          case EV_SETTINGS_ACK:
            if (this.#settingsTimer) {
              clearTimeout(this.#settingsTimer);
              this.#settingsTimer = null;
            }
            i += 2;
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

  #onRequest(sid: number, flags: number, u32: Uint32Array, buf: Buffer, rec: number, base: number): void {
    const authority = valueAt(buf, u32, rec + 11, base);
    this.#init = {
      method: valueAt(buf, u32, rec + 5, base),
      scheme: valueAt(buf, u32, rec + 7, base),
      path: valueAt(buf, u32, rec + 9, base),
      host: authority ?? valueAt(buf, u32, rec + 13, base),
      u32, buf, rec, headers: null,
    };
    let h: BaseRequestHandler;
    try {
      h = new this.server.RequestHandlerClass(this, sid);
    } catch (err) {
      this.#init = null;
      this.server._handlerError(err, null);
      this.#session?.submitRstStream(sid, INTERNAL_ERROR);
      return;
    }
    this.#init = null;
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
    try {
      for (;;) {
        if (socket.writableLength > OUTPUT_HIGH_WATER || socket.destroyed || this.#ending || !this.#session) break;
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
        if (out !== undefined) socket.write(out);
        else if (!events) break;
        // Stop without another native call when nghttp2 has nothing queued.
        if ((state[ST_WANT]! & 2) === 0) break;
      }
    } finally {
      this.#flushing = false;
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

// ------------------------------------------------------------------- server

/** The bound address, as returned by {@link HTTP2Server.listen}. */
export interface BoundAddress {
  address: string;
  port: number;
  family: string;
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
export interface HTTP2Server<H extends BaseRequestHandler = BaseRequestHandler> {
  /**
   * `'limitExceeded'`: a client ran into a limit of {@link HTTP2ServerOptions}:
   * a stream reset for `maxHeaderListSize` (scope `'stream'`, RST_STREAM
   * ENHANCE_YOUR_CALM) or a connection ended for a limit or timeout (scope
   * `'connection'`, GOAWAY ENHANCE_YOUR_CALM, or NO_ERROR for the timeouts).
   * The info object is frozen; `protocol` is `'h2'`.
   */
  on(event: 'limitExceeded', listener: (info: LimitExceededInfo, connection: HTTP2Connection) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /** See {@link HTTP2Server.on}. */
  once(event: 'limitExceeded', listener: (info: LimitExceededInfo, connection: HTTP2Connection) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

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
   * pass null for cleartext h2c (prior knowledge).
   * @param options - See {@link HTTP2ServerOptions}.
   * @throws TypeError when the address or handler class is invalid, or a
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
      throw new TypeError('address must be [host, port] or { host, port }');
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError('port must be an integer from 0 to 65535');
    }
    if (typeof RequestHandlerClass !== 'function') {
      throw new TypeError('RequestHandlerClass must be a class extending BaseRequestHandler');
    }
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
      this.#server.on('tlsClientError', (err: Error) => this.emit('clientError', err, null));
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
   * Starts listening (`net.Server.listen`). Idempotent.
   *
   * @returns The bound address (the port actually chosen when 0 was given).
   * @throws (rejects) the listen error, e.g. EADDRINUSE.
   */
  listen(): Promise<BoundAddress> {
    if (this.#listening) return this.#listening;
    this.#listening = new Promise<BoundAddress>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#listening = null;
        reject(err);
      };
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this.emit('clientError', err, null));
        this.emit('listening');
        resolve(this.address()!);
      });
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
  _limitExceeded(info: LimitExceededInfo, conn: HTTP2Connection): void {
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

