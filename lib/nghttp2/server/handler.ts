/**
 * {@link BaseRequestHandler}: one HTTP/2 request stream as the application
 * sees it, the Node counterpart of nghttp2's Python
 * `nghttp2.BaseRequestHandler`.
 *
 * @packageDocumentation
 */
import { ArgumentError, HeadersSentError, OutOfRangeError, checkOptionKeys } from '../../errors.js';
import {
  REC_AUTHORITY, REC_HOST, REC_METHOD, REC_PATH, REC_SCHEME, decodeHeaderStrings, decodeHeaders, pseudoHeader,
} from '../events.js';
import type { HTTP2Connection } from './connection.js';
import { isReadable, normaliseStatus, type HeaderList, type ResponseBody } from './body.js';

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
 * What the connection hands to the handler being constructed: the event
 * batch and the position of the request's HEADERS record (a received
 * request), or the request fields (a pushed one).
 */
export interface HandlerInit {
  u32: Uint32Array | null;
  buf: Buffer | null;
  rec: number;
  scheme: Buffer | null;
  method: Buffer | null;
  path: Buffer | null;
  host: Buffer | null;
  /** Pushed request: its header pairs. */
  headers: [Buffer, Buffer][] | null;
}

/** The handler state its connection reads and sets. */
export let handlerState: {
  markResponded(h: BaseRequestHandler): void;
  setStreamId(h: BaseRequestHandler, id: number): void;
  failed(h: BaseRequestHandler): boolean;
  setFailed(h: BaseRequestHandler): void;
  /** Whether the stream of `h` has closed (its onClose was called, or is being called). */
  closed(h: BaseRequestHandler): boolean;
  setClosed(h: BaseRequestHandler): void;
  /** The request fields as `[name, value]` strings (as `headers`, decoded without a Buffer per field). */
  headerStrings(h: BaseRequestHandler): [string, string][];
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
  /** Pseudo-headers read from the batch on first access; undefined until then. */
  #scheme: Buffer | null | undefined;
  #method: Buffer | null | undefined;
  #host: Buffer | null | undefined;
  #path: Buffer | null | undefined;
  #headers: [Buffer, Buffer][] | null;
  /** The fields decoded as strings ({@link handlerState}.headerStrings). */
  #strings: [string, string][] | null = null;
  /** Received request: the event batch and its HEADERS record (word index). */
  #u32: Uint32Array | null;
  #buf: Buffer | null;
  #rec: number;
  #responded = false;
  #failed = false;
  #closed = false;

  static {
    handlerState = {
      markResponded(h) {
        h.#responded = true;
      },
      setStreamId(h, id) {
        h.streamId = id;
      },
      failed: (h) => h.#failed,
      headerStrings(h) {
        if (h.#strings !== null) return h.#strings;
        if (h.#headers !== null) return h.#headers.map(([n, v]) => [n.toString('latin1'), v.toString('utf8')]);
        h.#strings = decodeHeaderStrings(h.#u32!, h.#buf!, h.#rec);
        return h.#strings;
      },
      setFailed(h) {
        h.#failed = true;
      },
      closed: (h) => h.#closed,
      setClosed(h) {
        h.#closed = true;
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
    if (init === null) {
      this.#scheme = this.#method = this.#host = this.#path = null;
      this.#headers = [];
      this.#u32 = null;
      this.#buf = null;
      this.#rec = 0;
    } else if (init.u32 !== null) {
      this.#headers = null;
      this.#u32 = init.u32;
      this.#buf = init.buf;
      this.#rec = init.rec;
    } else {
      this.#scheme = init.scheme;
      this.#method = init.method;
      this.#host = init.host;
      this.#path = init.path;
      this.#headers = init.headers;
      this.#u32 = null;
      this.#buf = null;
      this.#rec = 0;
    }
  }

  /** A pseudo-header of the received request (slot: its record word), null when absent or not received. */
  #pseudo(slot: number): Buffer | null {
    return this.#u32 === null ? null : pseudoHeader(this.#u32, this.#buf!, this.#rec, slot);
  }

  /** `:scheme` of the request, or null when absent. Assignable. */
  get scheme(): Buffer | null {
    const v = this.#scheme;
    return v !== undefined ? v : (this.#scheme = this.#pseudo(REC_SCHEME));
  }

  set scheme(value: Buffer | null) {
    this.#scheme = value ?? null;
  }

  /** `:method` of the request, or null when absent. Assignable. */
  get method(): Buffer | null {
    const v = this.#method;
    return v !== undefined ? v : (this.#method = this.#pseudo(REC_METHOD));
  }

  set method(value: Buffer | null) {
    this.#method = value ?? null;
  }

  /** `:authority`, or else the `host` header field, or null when both are absent. Assignable. */
  get host(): Buffer | null {
    const v = this.#host;
    return v !== undefined ? v : (this.#host = this.#pseudo(REC_AUTHORITY) ?? this.#pseudo(REC_HOST));
  }

  set host(value: Buffer | null) {
    this.#host = value ?? null;
  }

  /** `:path` of the request, or null when absent. Assignable. */
  get path(): Buffer | null {
    const v = this.#path;
    return v !== undefined ? v : (this.#path = this.#pseudo(REC_PATH));
  }

  set path(value: Buffer | null) {
    this.#path = value ?? null;
  }

  /**
   * Request header fields as `[name, value]` Buffer pairs, pseudo-headers
   * included, in received order; a value containing NUL is split into
   * several pairs, and all `cookie` fields are removed and appended once at
   * the end, joined with `"; "`. Built on first access.
   */
  get headers(): [Buffer, Buffer][] {
    if (this.#headers === null && this.#strings !== null) {
      this.#headers = this.#strings.map(([n, v]) => [Buffer.from(n, 'latin1'), Buffer.from(v, 'utf8')]);
    } else if (this.#headers === null) {
      this.#headers = decodeHeaders(this.#u32!, this.#buf!, this.#rec);
    }
    return this.#headers;
  }

  set headers(value: [Buffer, Buffer][]) {
    this.#headers = value;
    this.#strings = null;
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

  /**
   * Called when the request's trailer fields arrived (a HEADERS frame after
   * the request HEADERS and its body; {@link onRequestDone} follows). Does
   * nothing by default.
   *
   * @param trailers - The fields as `[name, value]` Buffer pairs, in received order.
   */
  onTrailers(trailers: [Buffer, Buffer][]): void {
    void trailers;
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
   * has closed (from {@link onClose} on) or the connection is gone it does
   * nothing and keeps nothing: a Readable body is destroyed, a generator
   * is never called.
   *
   * Two call forms: the reference's positional
   * `sendResponse(status = 200, headers = null, body = null)`, or one options
   * object `sendResponse({ status, headers, body })`.
   *
   * @param options - `{ status = 200, headers, body }`; see {@link SendResponseOptions}.
   * @throws HeadersSentError (`ERR_SPDYLAY_HEADERS_SENT`) when a response was already sent for this handler.
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) when `status` is not an integer from 100 to 999.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when the arguments fit neither
   *   form (an options object with an unknown key or followed by more arguments, a `status` that is
   *   not a number or string, more than three arguments, `headers` that is not a header list), or
   *   when a header or the body has an unsupported type.
   * @throws NGHTTP2Error when nghttp2 refuses the submission.
   */
  sendResponse(options?: SendResponseOptions): void;
  /**
   * The reference's positional form; see {@link sendResponse}.
   *
   * @param status - HTTP status code, an integer from 100 to 999 (or its decimal string). Default 200.
   * @param headers - Extra response header fields, or null.
   * @param body - The response body ({@link ResponseBody}), or null.
   */
  sendResponse(status?: number | string, headers?: HeaderList | null, body?: ResponseBody): void;
  sendResponse(...args: unknown[]): void {
    const options = responseArgs('sendResponse', args);
    if (this.#responded) throw new HeadersSentError('response has already been sent');
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
   * Two call forms: the reference's positional
   * `push(path, method = 'GET', requestHeaders = null, status = 200, headers = null, body = null)`,
   * or one options object `push({ path, method, requestHeaders, status, headers, body })`.
   *
   * @param options - `{ path, method = 'GET', requestHeaders, status = 200, headers, body }`.
   * @returns The handler of the pushed stream (an instance of the server's
   * request handler class) with its promised `streamId`.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when `path`, `method` or `status`
   *   is empty, or when the arguments fit neither form (an options object with an unknown key or
   *   followed by more arguments, a first argument that is neither a path nor an options object,
   *   more than six arguments, a header list that is not one).
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) when `status` is not an integer from 100 to 999.
   * @throws ConnectionClosedError (`ERR_SPDYLAY_CONNECTION_CLOSED`) when the connection is closed.
   * @throws NGHTTP2Error when nghttp2 refuses the PUSH_PROMISE, e.g. code
   * -528 (`NGHTTP2_ERR_PUSH_DISABLED`) when the client disabled push.
   */
  push(options: PushOptions): this;
  /**
   * The reference's positional form; see {@link push}.
   *
   * @param path - `:path` of the pushed resource (non-empty), a string or bytes.
   * @param method - `:method` of the promised request. Default `'GET'`.
   * @param requestHeaders - Extra promised request header fields, or null.
   * @param status - Status of the pushed response, 100 to 999. Default 200.
   * @param headers - Extra header fields of the pushed response, or null.
   * @param body - Body of the pushed response, or null.
   */
  push(
    path: string | Uint8Array, method?: string | Uint8Array, requestHeaders?: HeaderList | null,
    status?: number | string, headers?: HeaderList | null, body?: ResponseBody,
  ): this;
  push(...args: unknown[]): this {
    const options = pushArgs(args);
    if (!options.path) throw new ArgumentError('path must not be empty');
    const method = options.method ?? 'GET';
    if (!method) throw new ArgumentError('method must not be empty');
    if (options.status === null || options.status === '' || options.status === 0) {
      throw new ArgumentError('status must not be empty');
    }
    const status = normaliseStatus(options.status ?? 200);
    return this.http2._push(this, options, method, status) as this;
  }

  /**
   * Sends trailer fields after the response body: the body's last DATA
   * frame goes without END_STREAM and a HEADERS frame with the fields and
   * END_STREAM follows it (`nghttp2_submit_trailer`). Call it after
   * {@link sendResponse} with a body (a generator or stream, or bytes
   * before they are sent), before the body's end is reached. After the
   * stream has closed (from {@link onClose} on) or the connection is gone
   * it does nothing.
   *
   * @param trailers - The trailer fields (lower-cased; no pseudo-headers).
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when a field has an unsupported type.
   * @throws NGHTTP2Error (-501, NGHTTP2_ERR_INVALID_ARGUMENT) when the response has no body being sent.
   */
  sendTrailers(trailers: HeaderList): void {
    this.http2._submitTrailers(this, trailers);
  }

  /**
   * Sends an informational (1xx) response before the final one: a HEADERS
   * frame with `:status` `status` and `headers`, without END_STREAM
   * (`nghttp2_submit_headers`), e.g. 100 Continue or 103 Early Hints.
   * After the stream has closed or the connection is gone it does nothing.
   *
   * @param status - 100 to 199.
   * @param headers - Extra fields (e.g. `link` for 103).
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) when `status` is not from 100 to 199.
   * @throws HeadersSentError (`ERR_SPDYLAY_HEADERS_SENT`) after {@link sendResponse}.
   * @throws NGHTTP2Error when nghttp2 refuses the frame.
   */
  sendInfo(status: number, headers?: HeaderList | null): void {
    if (!Number.isInteger(status) || status < 100 || status > 199) throw new OutOfRangeError('an informational status must be an integer from 100 to 199');
    if (this.#responded) throw new HeadersSentError('response has already been sent');
    this.http2._submitInfo(this, status, headers);
  }

  /**
   * Restarts body transmission paused by {@link DATA_DEFERRED}
   * (`nghttp2_session_resume_data`). Harmless when not paused.
   */
  resume(): void {
    this.http2._resume(this.streamId);
  }
}

const RESPONSE_KEYS: ReadonlySet<string> = new Set(['status', 'headers', 'body']);
const PUSH_KEYS: ReadonlySet<string> = new Set(['path', 'method', 'requestHeaders', ...RESPONSE_KEYS]);

/**
 * Whether every enumerable key of `o` is `status`, `headers` or `body` (the
 * common case, checked without a key array; any other key goes to
 * checkOptionKeys, which names it).
 */
function onlyResponseKeys(o: object): boolean {
  for (const key in o) {
    if (key !== 'status' && key !== 'headers' && key !== 'body') return false;
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (isReadable(v)) return 'a stream';
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}

function checkHeaderList(fn: string, name: string, v: unknown): void {
  if (v === undefined || v === null || Array.isArray(v) || isPlainObject(v)) return;
  if (typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' && !(v instanceof Uint8Array)) return;
  throw new ArgumentError(`${fn}(): ${name} must be a header list (an array of [name, value] pairs or a plain object), not ${describe(v)}`);
}

function checkStatus(fn: string, v: unknown): void {
  if (v === undefined || typeof v === 'number' || typeof v === 'string') return;
  throw new ArgumentError(`${fn}(): status must be a number, not ${describe(v)}`);
}

/** The options of `sendResponse(options)` or `sendResponse(status, headers, body)`. */
function responseArgs(fn: string, args: unknown[]): SendResponseOptions {
  if (args.length === 0) return {};
  const [first] = args;
  if (isPlainObject(first)) {
    if (args.length > 1) throw new ArgumentError(`${fn}(): an options object takes no further arguments (got ${args.length})`);
    if (!onlyResponseKeys(first)) checkOptionKeys(`${fn}()`, first, RESPONSE_KEYS);
    checkStatus(fn, first.status === null ? undefined : first.status);
    checkHeaderList(fn, 'headers', first.headers);
    return first as SendResponseOptions;
  }
  if (args.length > 3) throw new ArgumentError(`${fn}(): takes (status, headers, body) or one options object, not ${args.length} arguments`);
  if (first !== undefined && typeof first !== 'number' && typeof first !== 'string') {
    throw new ArgumentError(`${fn}(): the first argument must be a status (a number) or an options object { status, headers, body }, not ${describe(first)}`);
  }
  checkHeaderList(fn, 'headers', args[1]);
  return { status: first as number | string | undefined, headers: args[1] as HeaderList | null | undefined, body: args[2] as ResponseBody };
}

/** The options of `push(options)` or `push(path, method, requestHeaders, status, headers, body)`. */
function pushArgs(args: unknown[]): PushOptions {
  const [first] = args;
  if (isPlainObject(first)) {
    if (args.length > 1) throw new ArgumentError(`push(): an options object takes no further arguments (got ${args.length})`);
    checkOptionKeys('push()', first, PUSH_KEYS);
    checkStatus('push', first.status === null ? undefined : first.status);
    checkHeaderList('push', 'requestHeaders', first.requestHeaders);
    checkHeaderList('push', 'headers', first.headers);
    return first as unknown as PushOptions;
  }
  if (typeof first !== 'string' && !(first instanceof Uint8Array)) {
    throw new ArgumentError(`push(): the first argument must be a path (a string or bytes) or an options object { path, ... }, not ${describe(first)}`);
  }
  if (args.length > 6) throw new ArgumentError(`push(): takes (path, method, requestHeaders, status, headers, body) or one options object, not ${args.length} arguments`);
  const [, method, requestHeaders, status, headers, body] = args;
  if (method !== undefined && method !== null && typeof method !== 'string' && !(method instanceof Uint8Array)) {
    throw new ArgumentError(`push(): method must be a string or bytes, not ${describe(method)}`);
  }
  checkHeaderList('push', 'requestHeaders', requestHeaders);
  checkStatus('push', status === null ? undefined : status);
  checkHeaderList('push', 'headers', headers);
  return {
    path: first,
    method: (method ?? undefined) as string | Uint8Array | undefined,
    requestHeaders: requestHeaders as HeaderList | null | undefined,
    status: (status ?? undefined) as number | string | undefined,
    headers: headers as HeaderList | null | undefined,
    body: body as ResponseBody,
  };
}
