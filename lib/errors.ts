/**
 * Errors of the package's high-level layer: the servers (`HTTP2Server`,
 * `ThreadedSPDYServer`) and their request handlers, `urlfetch`, the HPACK
 * wrappers and the limit options. Each has a stable string `code`
 * (`ERR_SPDYLAY_*`) to test instead of the message, as undici's `UND_ERR_*`
 * and Node's `ERR_*` codes. An error for a wrong argument stays a
 * `TypeError` (or a `RangeError` for a number out of range), so code that
 * tests for those classes keeps working.
 *
 * Failures the C libraries report keep their own classes and numeric
 * `code`: `SpdylayError` and its subclasses (`spdylay`, the spdylay error
 * code) and `NGHTTP2Error` and its subclasses (`spdylay/nghttp2`, the
 * nghttp2 error code).
 *
 * Both entry points, `spdylay` and `spdylay/nghttp2`, export these classes;
 * they are the same objects, so `instanceof` works whichever was imported.
 *
 * @packageDocumentation
 */

/** Every string `code` of the errors of this module. */
export type ErrorCode =
  | 'ERR_SPDYLAY_INVALID_ARG'
  | 'ERR_SPDYLAY_OUT_OF_RANGE'
  | 'ERR_SPDYLAY_INVALID_RETURN_VALUE'
  | 'ERR_SPDYLAY_HEADERS_SENT'
  | 'ERR_SPDYLAY_CONNECTION_CLOSED'
  | 'ERR_SPDYLAY_STREAM_RESET'
  | 'ERR_SPDYLAY_BODY_TOO_LARGE'
  | 'ERR_SPDYLAY_UNSUPPORTED_OPTION'
  | 'ERR_SPDYLAY_PUSH_UNAVAILABLE'
  | UrlFetchErrorCode;

/**
 * `ERR_SPDYLAY_INVALID_ARG`: an argument has the wrong type or a value the
 * function does not accept. Thrown synchronously by:
 * - the `HTTP2Server` and `ThreadedSPDYServer` constructors: a bad address
 *   or port, a handler class that is not a class, TLS without a
 *   certificate and key (`ThreadedSPDYServer` without `plain: true`), a
 *   limit option (`ServerLimits`) that is not a positive integer or a
 *   timeout that is not a number of milliseconds >= 0 (the message names
 *   the option);
 * - `BaseRequestHandler.sendResponse()` and `push()` (`spdylay/nghttp2`):
 *   a header list or body of an unsupported type, an empty push `path`,
 *   `method` or `status`;
 * - `BaseSPDYRequestHandler.sendHeader()`: an empty name or a null value;
 * - `HDDeflater.deflate()`, `HDInflater.inflate()`: headers or a block of
 *   the wrong shape;
 * - `new UrlFetcher([])`: no URL;
 * - `createServer()`: an option value it cannot use (`spdy.protocols`,
 *   `spdy.connection.maxStreams`, a limit, TLS without key material), a
 *   requestListener that is not a function; `res.push()` with an empty path.
 */
export class ArgumentError extends TypeError {
  /** Always `'ERR_SPDYLAY_INVALID_ARG'`. */
  readonly code = 'ERR_SPDYLAY_INVALID_ARG' as const;

  /** @param message - What is wrong with which argument. */
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/**
 * Throws an {@link ArgumentError} for the first key of `options` that is
 * not in `known`, naming it and, for a snake_case key (a python-spdylay
 * name such as `send_cb`), the camelCase option meant.
 *
 * @param what - Who takes the options, for the message (e.g. `'sendResponse()'`).
 * @param options - The options object given.
 * @param known - The option names accepted.
 * @throws ArgumentError on the first unknown key.
 * @internal
 */
export function checkOptionKeys(what: string, options: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const meant = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const hint = meant !== key && known.has(meant) ? ` (did you mean ${meant}?)` : '';
    throw new ArgumentError(`${what}: unknown option ${JSON.stringify(key)}${hint}; the options are ${[...known].join(', ')}`);
  }
}

/**
 * `ERR_SPDYLAY_OUT_OF_RANGE`: a number outside the range the function
 * accepts. Thrown synchronously by:
 * - `BaseSPDYRequestHandler.sendResponse(code)` and the `status` of
 *   `BaseRequestHandler.sendResponse()`/`push()`: not an integer from 100
 *   to 999;
 * - `new HDDeflater(size)`, `HDDeflater.changeTableSize(size)`,
 *   `HDInflater.changeTableSize(size)`: not an integer from 0 to 2^32-1;
 * - `new HDInflater({ maxHeaderListSize })`: not a non-negative integer.
 */
export class OutOfRangeError extends RangeError {
  /** Always `'ERR_SPDYLAY_OUT_OF_RANGE'`. */
  readonly code = 'ERR_SPDYLAY_OUT_OF_RANGE' as const;

  /** @param message - Which value, its range and what was given. */
  constructor(message: string) {
    super(message);
    this.name = 'OutOfRangeError';
  }
}

/**
 * `ERR_SPDYLAY_INVALID_RETURN_VALUE`: a body generator given to
 * `BaseRequestHandler.sendResponse()`/`push()` (`spdylay/nghttp2`)
 * returned something other than `[chunk, flag]`, a chunk that is not a
 * Buffer, a string or null, or a flag other than `DATA_OK`, `DATA_EOF` or
 * `DATA_DEFERRED`. Not thrown to the caller: the stream is reset
 * (RST_STREAM INTERNAL_ERROR) and the error is reported through the
 * server's `'handlerError'` event.
 */
export class InvalidReturnValueError extends TypeError {
  /** Always `'ERR_SPDYLAY_INVALID_RETURN_VALUE'`. */
  readonly code = 'ERR_SPDYLAY_INVALID_RETURN_VALUE' as const;

  /** @param message - What the generator returned and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReturnValueError';
  }
}

/**
 * `ERR_SPDYLAY_HEADERS_SENT`: the response head can no longer change.
 * Thrown synchronously by `BaseRequestHandler.sendResponse()`
 * (`spdylay/nghttp2`) called a second time for one stream, and by
 * `BaseSPDYRequestHandler.sendHeader()` and `sendError()` once the
 * response headers were handed to the protocol.
 */
export class HeadersSentError extends Error {
  /** Always `'ERR_SPDYLAY_HEADERS_SENT'`. */
  readonly code = 'ERR_SPDYLAY_HEADERS_SENT' as const;

  /** @param message - Which call came too late. */
  constructor(message: string) {
    super(message);
    this.name = 'HeadersSentError';
  }
}

/**
 * `ERR_SPDYLAY_CONNECTION_CLOSED`: `BaseRequestHandler.push()`
 * (`spdylay/nghttp2`) was called after the handler's connection closed.
 */
export class ConnectionClosedError extends Error {
  /** Always `'ERR_SPDYLAY_CONNECTION_CLOSED'`. */
  readonly code = 'ERR_SPDYLAY_CONNECTION_CLOSED' as const;

  /** @param message - What could not be done. */
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

/**
 * `ERR_SPDYLAY_STREAM_RESET`: `BaseSPDYRequestHandler.readBody()` rejects
 * with it when the request stream was reset, or its connection lost,
 * before the request body was complete.
 */
export class StreamResetError extends Error {
  /** Always `'ERR_SPDYLAY_STREAM_RESET'`. */
  readonly code = 'ERR_SPDYLAY_STREAM_RESET' as const;

  /** @param message - What was cut short. */
  constructor(message: string) {
    super(message);
    this.name = 'StreamResetError';
  }
}

/**
 * `ERR_SPDYLAY_BODY_TOO_LARGE`: `BaseSPDYRequestHandler.readBody(limit)`
 * rejects with it when the request body exceeds `limit` bytes (the rest
 * of the body is read and dropped).
 */
export class BodyTooLargeError extends RangeError {
  /** Always `'ERR_SPDYLAY_BODY_TOO_LARGE'`. */
  readonly code = 'ERR_SPDYLAY_BODY_TOO_LARGE' as const;
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  /** @param limit - The limit that was exceeded, in bytes. */
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/**
 * `ERR_SPDYLAY_UNSUPPORTED_OPTION`: `createServer()` was given an option of
 * the `spdy` package (or of `spdy.connection`) that this server does not
 * support, an unknown `spdy` key, or a combination it cannot serve (e.g.
 * `spdy.ssl: false` with TLS material). The message names the option.
 * Thrown synchronously; a `TypeError`, as a wrong argument is.
 */
export class UnsupportedOptionError extends TypeError {
  /** Always `'ERR_SPDYLAY_UNSUPPORTED_OPTION'`. */
  readonly code = 'ERR_SPDYLAY_UNSUPPORTED_OPTION' as const;
  /** The option, e.g. `'spdy.connection.maxChunk'`. */
  readonly option: string;

  /**
   * @param option - The option's path, e.g. `'spdy.maxChunk'`.
   * @param why - Why it is not supported.
   */
  constructor(option: string, why: string) {
    super(`createServer: option ${option} is not supported: ${why}`);
    this.name = 'UnsupportedOptionError';
    this.option = option;
  }
}

/**
 * `ERR_SPDYLAY_PUSH_UNAVAILABLE`: `res.push()` of a `createServer()`
 * response cannot push: the request came over HTTP/1.x, the client
 * disabled push (h2 SETTINGS_ENABLE_PUSH 0), or the response has ended.
 * Thrown synchronously without a callback, else given to the callback.
 * (nghttp2's own refusals keep their `NGHTTP2Error`.)
 */
export class PushUnavailableError extends Error {
  /** Always `'ERR_SPDYLAY_PUSH_UNAVAILABLE'`. */
  readonly code = 'ERR_SPDYLAY_PUSH_UNAVAILABLE' as const;

  /** @param message - Why no push is possible. */
  constructor(message: string) {
    super(message);
    this.name = 'PushUnavailableError';
  }
}

/**
 * The `code` of a {@link UrlFetchError}: why the fetch of one origin
 * failed.
 * - `ERR_SPDYLAY_INVALID_URL`: a URL that does not parse, or a scheme other
 *   than `http:` and `https:`;
 * - `ERR_SPDYLAY_UNSUPPORTED_VERSION`: `options.version` is not
 *   `PROTO_SPDY2`, `PROTO_SPDY3`, `PROTO_SPDY3_1` or `'h2'`;
 * - `ERR_SPDYLAY_CONNECT`: the TCP connection or the TLS handshake failed
 *   (refused, unreachable, certificate rejected);
 * - `ERR_SPDYLAY_ALPN`: the TLS server selected no protocol the client
 *   speaks;
 * - `ERR_SPDYLAY_TIMEOUT`: no byte was read or written for
 *   `options.timeout` ms, before or after the connection was made;
 * - `ERR_SPDYLAY_CONNECTION_LOST`: the connection closed or failed (a
 *   socket error) with streams open;
 * - `ERR_SPDYLAY_SESSION`: the SPDY or HTTP/2 session failed (the server
 *   broke the protocol); `cause` is the `SpdylayError` or `NGHTTP2Error`;
 * - `ERR_SPDYLAY_GOAWAY`: the session ended with streams open, after a
 *   GOAWAY (for one, the client's own GOAWAY PROTOCOL_ERROR for frames of
 *   the server it could not accept);
 * - `ERR_SPDYLAY_SUBMIT`: a request could not be submitted;
 * - `ERR_SPDYLAY_URLFETCH`: the default of a `UrlFetchError` constructed
 *   without a code (never thrown by the package).
 */
export type UrlFetchErrorCode =
  | 'ERR_SPDYLAY_INVALID_URL'
  | 'ERR_SPDYLAY_UNSUPPORTED_VERSION'
  | 'ERR_SPDYLAY_CONNECT'
  | 'ERR_SPDYLAY_ALPN'
  | 'ERR_SPDYLAY_TIMEOUT'
  | 'ERR_SPDYLAY_CONNECTION_LOST'
  | 'ERR_SPDYLAY_SESSION'
  | 'ERR_SPDYLAY_GOAWAY'
  | 'ERR_SPDYLAY_SUBMIT'
  | 'ERR_SPDYLAY_URLFETCH';

/**
 * Connection-level failure of `urlfetch` and `UrlFetcher.loop()` (python:
 * `UrlFetchError`), which reject with it: an invalid URL or scheme, no
 * connection, a TLS or ALPN failure, a timeout, or the connection lost
 * before every stream closed. `code` (a {@link UrlFetchErrorCode}) tells
 * which; `cause` holds the underlying error when there is one.
 */
export class UrlFetchError extends Error {
  /** Why the fetch failed; see {@link UrlFetchErrorCode}. */
  readonly code: UrlFetchErrorCode;
  /** The origin (`scheme://host:port`) concerned, when known. */
  readonly origin: string | undefined;

  /**
   * @param message - What failed.
   * @param options - `{ cause, origin, code }`; `code` defaults to
   *   `'ERR_SPDYLAY_URLFETCH'`.
   */
  constructor(message: string, options: { cause?: unknown; origin?: string; code?: UrlFetchErrorCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UrlFetchError';
    this.code = options.code ?? 'ERR_SPDYLAY_URLFETCH';
    this.origin = options.origin;
  }
}
