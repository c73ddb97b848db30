/**
 * Typed exceptions for errors reported by nghttp2 (HPACK codec and HTTP/2
 * session engine).
 *
 * @packageDocumentation
 */
import { native } from '../native.js';

/**
 * Base class of every error the `spdylay/nghttp2` module throws for a
 * failure reported by nghttp2 itself.
 *
 * `code` is nghttp2's numeric error code (one of `nghttp2_error`, always
 * negative) and `message` is nghttp2's own text for it (`nghttp2_strerror`).
 */
export class NGHTTP2Error extends Error {
  /** nghttp2's error code (`nghttp2_error`, negative). */
  readonly code: number;

  /**
   * @param code - nghttp2 error code (negative).
   * @param message - Defaults to `nghttp2_strerror(code)`.
   */
  constructor(code: number, message?: string) {
    super(message ?? native.nghttp2Strerror(code));
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * `NGHTTP2_ERR_HEADER_COMP` (-523): a header block could not be decoded
 * (garbage, truncated input, an index past the table, a dynamic table size
 * update above the limit). After it, the inflater's dynamic table no longer
 * matches the encoder's: `usable` tells whether the codec can go on (it is
 * always `false` for this error from `HDInflater.inflate`).
 */
export class HeaderCompressionError extends NGHTTP2Error {
  /** Whether the codec that threw can still be used. */
  readonly usable: boolean;

  /**
   * @param code - nghttp2 error code (`NGHTTP2_ERR_HEADER_COMP`, -523).
   * @param usable - Whether the codec that failed can still be used.
   */
  constructor(code: number, usable: boolean) {
    super(code);
    this.usable = usable;
  }
}

/**
 * `NGHTTP2_ERR_INVALID_ARGUMENT` (-501): a value outside what nghttp2
 * accepts. Named apart from the `spdylay` module's `InvalidArgumentError`
 * (a `SpdylayError`, spdylay's `SPDYLAY_ERR_INVALID_ARGUMENT`).
 */
export class NGHTTP2InvalidArgumentError extends NGHTTP2Error {}

/**
 * Alias of {@link NGHTTP2InvalidArgumentError}, kept for code that imports
 * this name from `spdylay/nghttp2`: the same class, so `instanceof` works
 * with either name.
 *
 * @deprecated Use {@link NGHTTP2InvalidArgumentError}, which cannot be
 * confused with the `spdylay` module's `InvalidArgumentError`.
 */
export const InvalidArgumentError = NGHTTP2InvalidArgumentError;
/** @deprecated Use {@link NGHTTP2InvalidArgumentError}. */
export type InvalidArgumentError = NGHTTP2InvalidArgumentError;

/** `NGHTTP2_ERR_NOMEM` (-901): nghttp2 could not allocate memory. */
export class NoMemoryError extends NGHTTP2Error {}

/**
 * The decoded header list exceeded the `maxHeaderListSize` given to
 * `HDInflater` (RFC 7540 accounting: name + value + 32 bytes per field).
 * The block was still decoded to its end, so the inflater stays usable.
 */
export class HeaderListTooLargeError extends NGHTTP2Error {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  /** @param limit - The `maxHeaderListSize` that was exceeded, in bytes. */
  constructor(limit: number) {
    super(native.HDInflater.ERR_HEADER_LIST_TOO_LARGE,
      `decoded header list exceeds maxHeaderListSize (${limit} bytes)`);
    this.limit = limit;
  }
}

/** nghttp2 error codes the typed classes above stand for. */
const NGHTTP2_ERR_INVALID_ARGUMENT = -501;
const NGHTTP2_ERR_HEADER_COMP = -523;
const NGHTTP2_ERR_NOMEM = -901;

/**
 * Builds the typed exception for an nghttp2 error code.
 *
 * @param code - A negative `nghttp2_error` code.
 * @param usable - For `HeaderCompressionError`: whether the codec can still be used.
 */
export function nghttp2Error(code: number, usable = false): NGHTTP2Error {
  switch (code) {
    case NGHTTP2_ERR_HEADER_COMP:
      return new HeaderCompressionError(code, usable);
    case NGHTTP2_ERR_INVALID_ARGUMENT:
      return new NGHTTP2InvalidArgumentError(code);
    case NGHTTP2_ERR_NOMEM:
      return new NoMemoryError(code);
    default:
      return new NGHTTP2Error(code);
  }
}
