/**
 * `createServer`: a drop-in for the `spdy` package's server (and for
 * `https.createServer` / `http.createServer`) serving h2, SPDY and
 * HTTP/1.1 on one port with Node's own request and response objects.
 *
 * @packageDocumentation
 */
export {
  createServer, CompatServer, type CompatServerMembers, type CompatRequestListener, type CompatIncomingMessage,
  type CompatServerResponse,
} from './server.js';
export {
  DEFAULT_PROTOCOLS, type CompatServerOptions, type CompatSpdyOptions, type CompatConnectionOptions,
} from './options.js';
export { StreamSocket } from './socket.js';
export type { PushInit } from './response.js';
