/**
 * The HTTP/2 server of `spdylay/nghttp2` (lib/nghttp2/server/): request
 * handlers, connections, the server, and the response body protocol.
 *
 * @packageDocumentation
 */
export {
  DATA_DEFERRED, DATA_EOF, DATA_OK,
  type BodyGenerator, type DataFlag, type HeaderList, type HeaderPair, type ResponseBody,
} from './server/body.js';
export { BaseRequestHandler, type PushOptions, type SendResponseOptions } from './server/handler.js';
export { HTTP2Connection } from './server/connection.js';
export {
  HTTP2Server,
  type AccessLogFunction, type BoundAddress, type HTTP2ServerOptions, type LimitExceededInfo, type LimitName,
  type RequestHandlerClass, type ServerAddress, type ServerLimits, type ServerTlsOptions,
} from './server/server.js';
