/**
 * `spdylay/nghttp2`: nghttp2's HPACK codec and HTTP/2 server engine, as
 * nghttp2's Python binding offered them.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFLATE_MAX_HEADER_TABLE_SIZE,
  HD_ENTRY_OVERHEAD,
  HDDeflater,
  HDInflater,
  HDTableEntry,
  printHdTable,
  type HDInflaterOptions,
  type HeaderBytes,
  type HeaderField,
} from './hpack.js';
export {
  HeaderCompressionError,
  HeaderListTooLargeError,
  InvalidArgumentError,
  NGHTTP2Error,
  NoMemoryError,
} from './errors.js';
export * from './server.js';
export { DEFAULT_LIMITS } from '../limits.js';
