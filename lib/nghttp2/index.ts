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
  type HDHeaderList,
  type HDInflaterOptions,
  type HeaderBytes,
  type HeaderField,
} from './hpack.js';
export {
  HeaderCompressionError,
  HeaderListTooLargeError,
  InvalidArgumentError,
  NGHTTP2Error,
  NGHTTP2InvalidArgumentError,
  NoMemoryError,
} from './errors.js';
export {
  ArgumentError, ConnectionClosedError, HeadersSentError, InvalidReturnValueError, OutOfRangeError,
  type ErrorCode,
} from '../errors.js';
export {
  DATA_DEFERRED, DATA_EOF, DATA_OK,
  type BodyGenerator, type DataFlag, type HeaderList, type HeaderPair, type ResponseBody,
} from './server/body.js';
export { BaseRequestHandler, type PushOptions, type SendResponseOptions } from './server/handler.js';
export { HTTP2Connection } from './server/connection.js';
export {
  HTTP2Server,
  type HTTP2ServerEvents,
  type AccessLogFunction, type BoundAddress, type HTTP2ServerOptions, type LimitExceededInfo, type LimitName,
  type RequestHandlerClass, type ServerAddress, type ServerLimits, type ServerTlsOptions,
} from './server/server.js';
export { DEFAULT_LIMITS } from '../limits.js';
export { reusePortSupported, type ListenOptions } from '../listen.js';
