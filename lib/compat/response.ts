/**
 * The `http.ServerResponse` of an h2 or SPDY request: built with Node's
 * public constructor; the methods that send (`writeHead`, `write`, `end`,
 * `flushHeaders`, `addTrailers`, `writeContinue`, `push`) and the state
 * fields (`headersSent`, `writableNeedDrain`, `writableFinished`) are own
 * properties of the instance, so that Express and Koa, which replace the
 * prototype of the response, keep them. Header storage is Node's public
 * `OutgoingMessage.prototype` API on the instance.
 *
 * @packageDocumentation
 */
import * as http from 'node:http';
import type { Writable } from 'node:stream';

import type { NameValue } from '../spdylay/frames.js';

/** What the response methods drive: the request stream (see `CompatStream`). @internal */
export interface ResponseStream {
  /** The status and headers were fixed (they go out with the next flush). */
  headSent: boolean;
  /** `end()` was called. */
  ended: boolean;
  /** The stream closed after the response was complete. */
  finished: boolean;
  /** `write()` returned false and no `'drain'` was emitted since. */
  needDrain: boolean;
  /**
   * A header was set through `setHeader`/`appendHeader` (Node's header
   * store holds fields): `writeHead(status, headers)` merges into it, else
   * its fields go out as given, unstored (as Node's `writeHead` does).
   */
  headerSet: boolean;
  /** Bytes of response body queued and not yet taken by the protocol. */
  readonly queuedBytes: number;
  /** The request method is HEAD. */
  readonly head: boolean;
  /** Fixes the status line and header list (`code`, `line`, header pairs). */
  sendHead(code: number, line: string, headers: NameValue[]): void;
  /** Queues body bytes; false when over the high-water mark (a `'drain'` follows). */
  writeBody(chunk: Buffer): boolean;
  /** No more body. */
  endBody(): void;
  /** Sets the trailer fields sent after the body (before `endBody`). */
  setTrailers(fields: NameValue[]): void;
  /** Sends a 1xx response (h2); false when the protocol has none (SPDY) or the head went out. */
  sendInfo(code: number, headers: NameValue[]): boolean;
  /** Whether push is possible, else the reason. */
  push(path: string, options: PushInit, cb: ((err: Error | null, stream?: Writable) => void) | undefined): Writable;
}

/** The second argument of `res.push()`, as in the `spdy` package. */
export interface PushInit {
  /** Promised request header fields (besides `:method`, `:path`, `:authority`, `:scheme`). */
  request?: Record<string, string | number | string[]>;
  /** Pushed response header fields. */
  response?: Record<string, string | number | string[]>;
  /** The promised request's method. Default `'GET'`. */
  method?: string;
  /** The pushed response's status. Default 200. */
  status?: number;
}

/** Headers a response over h2/SPDY never carries (RFC 9113 8.2.2; SPDY has the same rule). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te']);

/** @internal */
export const kStream = Symbol('spdylay.compat.stream');

/** The fields `addTrailers()` gave, per response. */
const trailerList = new WeakMap<object, NameValue[]>();

type Res = http.ServerResponse & { [kStream]: ResponseStream };

const { validateHeaderName, validateHeaderValue } = http;
const proto = http.OutgoingMessage.prototype;
const setHeader = proto.setHeader;
const appendHeader = (proto as unknown as { appendHeader?: (n: string, v: string | string[]) => unknown }).appendHeader;
const removeHeader = proto.removeHeader;
const getHeader = proto.getHeader;
const getHeaderNames = proto.getHeaderNames;
const hasOwn = Object.prototype.hasOwnProperty;

function errorWithCode(Ctor: new (m: string) => Error, code: string, message: string): Error {
  const e = new Ctor(message) as Error & { code: string };
  e.code = code;
  return e;
}

function headersSentError(what: string): Error {
  return errorWithCode(Error, 'ERR_HTTP_HEADERS_SENT', `Cannot ${what} headers after they are sent to the client`);
}

let cachedSecond = -1;
let cachedDate = '';
function utcDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== cachedSecond) {
    cachedSecond = s;
    cachedDate = new Date(s * 1000).toUTCString();
  }
  return cachedDate;
}

function noop(): void {}

/** Fixes status and headers (implicitly or from writeHead) from Node's header store. */
function commitHead(res: Res, s: ResponseStream, contentLength: number): void {
  const out: NameValue[] = [];
  let hasDate = false;
  let hasLength = false;
  if (s.headerSet) {
    // names, then each stored value: no copy of the header store as getHeaders() makes
    const names = getHeaderNames.call(res);
    for (let n = 0; n < names.length; n++) {
      const name = names[n]!;
      if (HOP_BY_HOP.has(name)) continue;
      const v = getHeader.call(res, name);
      if (v === undefined) continue;
      if (name === 'date') hasDate = true;
      else if (name === 'content-length') hasLength = true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) out.push([name, String(v[i])]);
      } else out.push([name, typeof v === 'string' ? v : String(v)]);
    }
  }
  finishHead(res, s, out, hasDate, hasLength, contentLength);
}

/**
 * `writeHead(status, headers)` on a response with no header set before:
 * the fields of `headers` (own enumerable, validated as Node validates
 * them) go out as given, without Node's header store, as Node's own
 * `writeHead` sends them.
 */
function commitGivenHead(res: Res, s: ResponseStream, headers: Record<string, unknown>): void {
  const out: NameValue[] = [];
  let hasDate = false;
  let hasLength = false;
  for (const k in headers) {
    if (!hasOwn.call(headers, k)) continue;
    const v = headers[k];
    if (v === undefined) continue;
    validateHeaderName(k);
    validateHeaderValue(k, v as string);
    const name = lowerName(k);
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'date') hasDate = true;
    else if (name === 'content-length') hasLength = true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) out.push([name, String(v[i])]);
    } else out.push([name, typeof v === 'string' ? v : String(v)]);
  }
  finishHead(res, s, out, hasDate, hasLength, -1);
}

function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.toLowerCase();
  }
  return name;
}

/** Adds `content-length` (when known) and `date`, and hands the head to the stream. */
function finishHead(res: Res, s: ResponseStream, out: NameValue[], hasDate: boolean, hasLength: boolean, contentLength: number): void {
  const code = res.statusCode;
  const noBody = code === 204 || code === 304 || (code >= 100 && code < 200);
  if (contentLength >= 0 && !hasLength && !noBody && !s.head) out.push(['content-length', String(contentLength)]);
  if (!hasDate && res.sendDate) out.push(['date', utcDate()]);
  const msg = res.statusMessage;
  s.sendHead(code, msg ? `${code} ${msg}` : statusLine(code), out);
}

/** `'200 OK'`, ...: the status lines with Node's reason phrases, built once per code. */
const statusLines = new Map<number, string>();
function statusLine(code: number): string {
  let line = statusLines.get(code);
  if (line === undefined) {
    line = `${code} ${http.STATUS_CODES[code] || 'unknown'}`;
    statusLines.set(code, line);
  }
  return line;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw errorWithCode(TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
}

function checkStatus(code: unknown): number {
  const n = typeof code === 'number' ? code : Number(code);
  if (!Number.isInteger(n) || n < 100 || n > 999) {
    throw errorWithCode(RangeError, 'ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${String(code)}`);
  }
  return n;
}

function writeAfterEnd(res: Res, cb: unknown): void {
  const err = errorWithCode(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
  process.nextTick(() => {
    if (typeof cb === 'function') cb(err);
    if (res.listenerCount('error') > 0) res.emit('error', err);
  });
}

const methods = {
  writeHead(this: Res, statusCode: number, reason?: string | http.OutgoingHttpHeaders | http.OutgoingHttpHeader[],
    headers?: http.OutgoingHttpHeaders | http.OutgoingHttpHeader[]): Res {
    const s = this[kStream];
    if (s.headSent) {
      // middleware such as compression call Node's implicit header step on every write while it
      // sees no header written (it reads an internal field this response never sets): a bare
      // repeat of the status already sent is a no-op
      if (statusCode === this.statusCode && reason === undefined && headers === undefined) return this;
      throw headersSentError('write');
    }
    const code = checkStatus(statusCode);
    if (typeof reason === 'string') this.statusMessage = reason;
    else headers = reason;
    this.statusCode = code;
    if (headers && !s.headerSet && !Array.isArray(headers)) {
      commitGivenHead(this, s, headers as Record<string, unknown>);
      return this;
    }
    if (headers) {
      if (Array.isArray(headers)) {
        // flat [name, value, ...] or [[name, value], ...]
        if (headers.length && Array.isArray(headers[0])) {
          for (const p of headers as unknown as [string, string][]) addHeader(this, p[0], p[1]);
        } else {
          if (headers.length % 2 !== 0) throw errorWithCode(TypeError, 'ERR_INVALID_ARG_VALUE', 'headers array must have an even length');
          for (let i = 0; i < headers.length; i += 2) addHeader(this, String(headers[i]), headers[i + 1] as string);
        }
      } else {
        // own enumerable fields, as Object.keys gives them, without the key array
        for (const k in headers) {
          if (!hasOwn.call(headers, k)) continue;
          const v = headers[k];
          if (v !== undefined) setHeader.call(this, k, v);
        }
        s.headerSet = true;
      }
    }
    commitHead(this, s, -1);
    return this;
  },

  write(this: Res, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const s = this[kStream];
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (s.ended) {
      writeAfterEnd(this, cb);
      return false;
    }
    if (chunk === null) throw errorWithCode(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
    const buf = toBuffer(chunk, encoding);
    if (!s.headSent) commitHead(this, s, -1);
    let ok = true;
    if (buf.length > 0 && !s.head) ok = s.writeBody(buf);
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return ok;
  },

  end(this: Res, chunk?: unknown, encoding?: unknown, cb?: unknown): Res {
    const s = this[kStream];
    if (typeof chunk === 'function') {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (s.ended) {
      if (typeof cb === 'function') process.nextTick(cb as () => void);
      return this;
    }
    const buf = chunk === undefined || chunk === null ? null : toBuffer(chunk, encoding);
    if (!s.headSent) commitHead(this, s, buf ? buf.length : 0);
    if (buf && buf.length > 0 && !s.head) s.writeBody(buf);
    s.ended = true;
    this.finished = true;
    if (typeof cb === 'function') this.once('finish', cb as () => void);
    const trailers = trailerList.get(this);
    if (trailers !== undefined && !s.head) s.setTrailers(trailers);
    s.endBody();
    return this;
  },

  flushHeaders(this: Res): void {
    const s = this[kStream];
    if (!s.headSent) commitHead(this, s, -1);
  },

  setHeader(this: Res, name: string, value: number | string | readonly string[]): Res {
    const s = this[kStream];
    if (s.headSent) throw headersSentError('set');
    setHeader.call(this, name, value);
    s.headerSet = true;
    return this;
  },

  appendHeader(this: Res, name: string, value: string | readonly string[]): Res {
    if (this[kStream].headSent) throw headersSentError('append');
    addHeader(this, name, value);
    return this;
  },

  removeHeader(this: Res, name: string): void {
    if (this[kStream].headSent) throw headersSentError('remove');
    removeHeader.call(this, name);
  },

  /**
   * Trailer fields sent after the body at `end()`: over h2 a trailing
   * HEADERS frame (END_STREAM); over SPDY a HEADERS frame with FIN after the
   * last DATA, when the head has not gone out yet at `end()` or declared a
   * `Trailer` header (else they are dropped: a SPDY body already under way
   * ends with FIN on its last DATA frame). Not sent for HEAD, 204 and 304.
   */
  addTrailers(this: Res, headers: http.OutgoingHttpHeaders | readonly [string, string][]): void {
    const list = trailerList.get(this) ?? [];
    const entries = Array.isArray(headers) ? headers as [string, string][] : Object.entries(headers);
    for (const [k, v] of entries) {
      if (v === undefined) continue;
      const name = String(k).toLowerCase();
      if (HOP_BY_HOP.has(name) || name.charCodeAt(0) === 58) continue;
      if (Array.isArray(v)) for (const x of v) list.push([name, String(x)]);
      else list.push([name, String(v)]);
    }
    trailerList.set(this, list);
  },

  /** h2: a 100 Continue HEADERS frame; SPDY (which has no 1xx responses): nothing. The callback follows on the next tick. */
  writeContinue(this: Res, cb?: () => void): void {
    this[kStream].sendInfo(100, []);
    if (cb) process.nextTick(cb);
  },

  /** h2: a 102 Processing HEADERS frame; SPDY: nothing. The callback follows on the next tick. */
  writeProcessing(this: Res, cb?: () => void): void {
    this[kStream].sendInfo(102, []);
    if (cb) process.nextTick(cb);
  },

  /**
   * h2: a 103 Early Hints HEADERS frame with `hints` (`{ link: string |
   * string[], ...}`, as Node's); SPDY: nothing. The callback follows on the
   * next tick.
   */
  writeEarlyHints(this: Res, hints: Record<string, string | string[] | number>, cb?: () => void): void {
    const fields: NameValue[] = [];
    if (hints && typeof hints === 'object') {
      for (const k of Object.keys(hints)) {
        const name = k.toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        const v = hints[k];
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const x of v) fields.push([name, String(x)]);
        else fields.push([name, String(v)]);
      }
    }
    this[kStream].sendInfo(103, fields);
    if (cb) process.nextTick(cb);
  },

  push(this: Res, path: string, options?: PushInit | ((err: Error | null, s?: Writable) => void),
    cb?: (err: Error | null, stream?: Writable) => void): Writable {
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    return this[kStream].push(path, options ?? {}, cb);
  },
};

function addHeader(res: Res, name: string, value: string | number | readonly string[]): void {
  res[kStream].headerSet = true;
  if (appendHeader) {
    appendHeader.call(res, name, value as string);
    return;
  }
  const prev = res.getHeader(name);
  if (prev === undefined) setHeader.call(res, name, value);
  else setHeader.call(res, name, ([] as string[]).concat(String(prev), value as string));
}

/**
 * The response class: Node's `http.ServerResponse` with the stream's
 * methods and state as class fields, that is own properties of each
 * instance defined at construction (one shared hidden class, no
 * `Object.defineProperty` per response), which outlive a prototype swap.
 * `headersSent`, `writableNeedDrain` and `writableFinished` are own data
 * properties that the stream keeps up to date ({@link markHeadersSent}, {@link setNeedDrain}, {@link markFinished}):
 * Node's getters of the same names read fields of its own socket handling.
 */
const ServerResponseBase = http.ServerResponse as unknown as new (req: http.IncomingMessage) => object;
class ServerResponse extends ServerResponseBase {
  writeHead = methods.writeHead;
  write = methods.write;
  end = methods.end;
  flushHeaders = methods.flushHeaders;
  setHeader = methods.setHeader;
  appendHeader = methods.appendHeader;
  removeHeader = methods.removeHeader;
  addTrailers = methods.addTrailers;
  writeContinue = methods.writeContinue;
  writeProcessing = methods.writeProcessing;
  writeEarlyHints = methods.writeEarlyHints;
  push = methods.push;
  /** The head went out (or is fixed and goes out with the next flush). */
  headersSent = false;
  /** `write()` returned false and no `'drain'` came yet. */
  writableNeedDrain = false;
  /** The stream closed after the whole response went out. */
  writableFinished = false;
  /**
   * Express's per-response variables (`res.locals`), undefined until a
   * framework sets it. Declared here so that Express's store after its
   * prototype swap writes an existing field: V8 gives an object a map of its
   * own when a property is added after `Object.setPrototypeOf`, which makes
   * every property access on that response megamorphic.
   */
  locals: unknown = undefined;
  /** The `spdy` package's fields. */
  isSpdy: boolean;
  spdyVersion: number;
  [kStream]: ResponseStream;

  constructor(req: http.IncomingMessage, socket: object, stream: ResponseStream, isSpdy: boolean, spdyVersion: number) {
    super(req);
    this[kStream] = stream;
    // OutgoingMessage's socket and connection (its getter reads socket)
    (this as { socket?: unknown }).socket = socket;
    this.isSpdy = isSpdy;
    this.spdyVersion = spdyVersion;
  }
}

/** The own state fields of a response that {@link markHeadersSent}, {@link setNeedDrain} and {@link markFinished} set. */
interface ResponseStateFields {
  headersSent: boolean;
  writableNeedDrain: boolean;
  writableFinished: boolean;
}

/** Sets `res`'s own `headersSent` (a named store: one inline cache per field). @internal */
export function markHeadersSent(res: http.ServerResponse): void {
  (res as unknown as ResponseStateFields).headersSent = true;
}

/** Sets `res`'s own `writableNeedDrain`. @internal */
export function setNeedDrain(res: http.ServerResponse, value: boolean): void {
  (res as unknown as ResponseStateFields).writableNeedDrain = value;
}

/** Sets `res`'s own `writableFinished`. @internal */
export function markFinished(res: http.ServerResponse): void {
  (res as unknown as ResponseStateFields).writableFinished = true;
}

/**
 * A real `http.ServerResponse` (its constructor ran on it; `instanceof`
 * holds) bound to `stream` through own properties (see the module
 * comment). The writable state getters of `OutgoingMessage.prototype`
 * (`writableEnded`, `writableLength`, `writableHighWaterMark`,
 * `writableCorked`) read `finished` and the socket, which is the stream's
 * {@link StreamSocket}.
 * @internal
 */
export function makeResponse(req: http.IncomingMessage, socket: object, stream: ResponseStream,
  extra: { isSpdy: boolean; spdyVersion: number }): http.ServerResponse {
  return new ServerResponse(req, socket, stream, extra.isSpdy, extra.spdyVersion) as unknown as http.ServerResponse;
}

export { noop };
