/**
 * The `spdylay` module: SPDY/2, SPDY/3 and SPDY/3.1 sessions over our C
 * library (deps/spdylay), mirroring python-spdylay with camelCase names
 * (`submit_request` -> `submitRequest`, `on_ctrl_recv_cb` -> `onCtrlRecvCb`).
 *
 * ```ts
 * import * as net from 'node:net';
 * import { CLIENT, PROTO_SPDY3_1, SYN_REPLY, Session } from 'spdylay';
 *
 * const socket = net.connect(8080, '127.0.0.1');
 * const session = new Session(CLIENT, PROTO_SPDY3_1, {
 *   sendCb: (_s, data) => { socket.write(data); return data.length; },
 *   onCtrlRecvCb: (_s, frame) => { if (frame.frameType === SYN_REPLY) console.log(frame.nv); },
 *   onDataChunkRecvCb: (_s, _flags, _streamId, data) => process.stdout.write(data),
 *   onStreamCloseCb: () => socket.end(),
 * });
 * socket.on('data', (d) => { session.recv(d); session.send(); });
 * session.submitRequest(3, [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'],
 *   [':host', '127.0.0.1:8080'], [':scheme', 'http']]);
 * session.send();
 * ```
 *
 * @packageDocumentation
 */
export * from './constants.js';
export {
  SpdylayError, EOFError, CallbackFailureError, TemporalCallbackFailureError, InvalidArgumentError,
  ZlibError, UnsupportedVersionError, StreamClosedError, FloodedError, errorForCode,
} from './errors.js';
export {
  CtrlFrame, SynStreamFrame, SynReplyFrame, HeadersFrame, RstStreamFrame, SettingsFrame, PingFrame,
  GoawayFrame, WindowUpdateFrame, type Frame, type NameValue, type SettingsEntry,
} from './frames.js';
export {
  Session, DataProvider, BufferDataProvider, getNpnProtocols, npnGetVersion, strerror, type SessionOptions,
  type ReadCallback, type ReadCtrl,
} from './session.js';
export {
  ArgumentError, BodyTooLargeError, ConnectionClosedError, HeadersSentError, InvalidReturnValueError, OutOfRangeError,
  PushUnavailableError, StreamResetError, UnsupportedOptionError, UrlFetchError, type ErrorCode, type UrlFetchErrorCode,
} from '../errors.js';
export { urlfetch, UrlFetcher, type UrlFetchOptions } from './client/fetcher.js';
export { BaseSPDYStreamHandler, type StreamHandlerClass } from './client/handler.js';
export { ThreadedSPDYServer, type ThreadedSPDYServerEvents } from './server/server.js';
export { reusePortSupported, type ListenOptions } from '../listen.js';
export { BaseSPDYRequestHandler, type SPDYHandlerInit } from './server/handler.js';
export { SPDYConnection } from './server/spdy.js';
export {
  type ThreadedSPDYServerOptions, type SPDYServerAddress, type SPDYBoundAddress, type SPDYAccessLog,
  type SPDYRequestHandlerClass,
} from './server/options.js';
export { formatFrame, type DataFrameInfo, type H2FrameInfo, type TraceFrame } from './trace.js';
export { dateTimeString, RESPONSES } from './server/http-util.js';
export { SPDYDirectoryHandler, directoryHandler } from '../cli/directory-handler.js';
export type { CliIO } from '../cli/io.js';
export { spdycatMain } from '../cli/spdycat.js';
export { spdydMain } from '../cli/spdyd.js';
