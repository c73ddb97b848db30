/**
 * Exceptions of the `spdylay` module. The native glue returns spdylay error
 * codes; these classes carry them.
 *
 * @packageDocumentation
 */
import { native } from '../native.js';
import {
  ERR_CALLBACK_FAILURE, ERR_EOF, ERR_FLOODED, ERR_INVALID_ARGUMENT, ERR_STREAM_CLOSED,
  ERR_TEMPORAL_CALLBACK_FAILURE, ERR_UNSUPPORTED_VERSION, ERR_ZLIB, LIMIT_NONE,
} from './constants.js';

/**
 * Base class of every exception of the `spdylay` module.
 *
 * `code` is the spdylay error code (`spdylay_error`, negative) and the
 * message defaults to the C library's own text (`spdylay_strerror`).
 */
export class SpdylayError extends Error {
  /** The spdylay error code (negative; one of the `ERR_*` constants). */
  readonly code: number;

  /**
   * @param code - A spdylay error code (negative).
   * @param message - Defaults to `spdylay_strerror(code)`.
   */
  constructor(code: number, message?: string) {
    super(message ?? native.spdylay.strerror(code));
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * `ERR_EOF`: the peer closed the connection. Throw it from a `recvCb` at
 * EOF; `Session.recv()` then throws it (the same object).
 */
export class EOFError extends SpdylayError {
  /** @param message - Defaults to the C library's text for `ERR_EOF`. */
  constructor(message?: string) { super(ERR_EOF, message); }
}

/**
 * `ERR_CALLBACK_FAILURE` (fatal): a callback failed. Throw it from any
 * callback to fail the session; `send()`/`recv()` throw it. They also throw
 * a fresh one when a callback broke its contract (returned too many bytes,
 * or a value of the wrong type).
 */
export class CallbackFailureError extends SpdylayError {
  /** @param message - Defaults to the C library's text for `ERR_CALLBACK_FAILURE`. */
  constructor(message?: string) { super(ERR_CALLBACK_FAILURE, message); }
}

/**
 * `ERR_TEMPORAL_CALLBACK_FAILURE`: thrown from a `DataProvider` read
 * callback, it resets only that stream (RST_STREAM `INTERNAL_ERROR`); the
 * session goes on and the exception is not rethrown.
 */
export class TemporalCallbackFailureError extends SpdylayError {
  /** @param message - Defaults to the C library's text. */
  constructor(message?: string) { super(ERR_TEMPORAL_CALLBACK_FAILURE, message); }
}

/** `ERR_INVALID_ARGUMENT`: an argument the C library rejects (empty header name, bad priority, ...). */
export class InvalidArgumentError extends SpdylayError {
  /** @param message - Defaults to the C library's text. */
  constructor(message?: string) { super(ERR_INVALID_ARGUMENT, message); }
}

/** `ERR_ZLIB`: zlib failed (creating a session's header compressor). */
export class ZlibError extends SpdylayError {
  /** @param message - Defaults to the C library's text. */
  constructor(message?: string) { super(ERR_ZLIB, message); }
}

/** `ERR_UNSUPPORTED_VERSION`: the `version` given to `Session` is not 2, 3 or 4. */
export class UnsupportedVersionError extends SpdylayError {
  /** @param message - Defaults to the C library's text. */
  constructor(message?: string) { super(ERR_UNSUPPORTED_VERSION, message); }
}

/** `ERR_STREAM_CLOSED`: the stream is closed or does not exist (`submitWindowUpdate`). */
export class StreamClosedError extends SpdylayError {
  /** @param message - Defaults to the C library's text. */
  constructor(message?: string) { super(ERR_STREAM_CLOSED, message); }
}

/**
 * `ERR_FLOODED` (fatal; extension of the C library): the peer exceeded a
 * flood or resource limit (`OPT_MAX_OUTBOUND_ACK`, `OPT_MAX_EMPTY_FRAMES`,
 * `OPT_STREAM_RESET_BURST`/`OPT_STREAM_RESET_RATE`,
 * `OPT_MAX_HEADER_BLOCK_INFLATE`). Thrown by `Session.recv()` (from
 * `spdylay_session_mem_recv`/`spdylay_session_recv`) after the session has
 * queued GOAWAY(PROTOCOL_ERROR): call `send()` to write it, then close the
 * connection. Every later `recv()` throws it again and ignores its input.
 */
export class FloodedError extends SpdylayError {
  /**
   * Which limit: a `LIMIT_*` constant (`spdylay_session_get_limit_exceeded`),
   * `LIMIT_NONE` when unknown.
   */
  readonly limit: number;

  /**
   * @param limit - A `LIMIT_*` constant (default `LIMIT_NONE`).
   * @param message - Defaults to the C library's text for `ERR_FLOODED`.
   */
  constructor(limit: number = LIMIT_NONE, message?: string) {
    super(ERR_FLOODED, message);
    this.limit = limit;
  }
}

/**
 * Builds the exception for a spdylay error code: the typed class when there
 * is one, else a plain {@link SpdylayError}.
 *
 * @param code - A negative spdylay error code.
 * @param message - Defaults to `spdylay_strerror(code)`.
 */
export function errorForCode(code: number, message?: string): SpdylayError {
  switch (code) {
    case ERR_EOF: return new EOFError(message);
    case ERR_CALLBACK_FAILURE: return new CallbackFailureError(message);
    case ERR_TEMPORAL_CALLBACK_FAILURE: return new TemporalCallbackFailureError(message);
    case ERR_INVALID_ARGUMENT: return new InvalidArgumentError(message);
    case ERR_ZLIB: return new ZlibError(message);
    case ERR_UNSUPPORTED_VERSION: return new UnsupportedVersionError(message);
    case ERR_STREAM_CLOSED: return new StreamClosedError(message);
    case ERR_FLOODED: return new FloodedError(LIMIT_NONE, message);
    default: return new SpdylayError(code, message);
  }
}
