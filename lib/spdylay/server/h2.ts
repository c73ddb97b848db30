/**
 * The HTTP/2 side of a `ThreadedSPDYServer`: an inner `HTTP2Server` whose
 * request handler (the bridge) runs the server's handler class over an
 * `H2StreamIO`.
 *
 * @packageDocumentation
 */
import type { LimitExceededInfo, ServerLimits } from '../../limits.js';
import { BaseRequestHandler, HTTP2Server } from '../../nghttp2/index.js';
import { handlerState } from '../../nghttp2/server/handler.js';
import type { NameValue } from '../frames.js';
import { type HandlerHost, closeStream, parseNv } from './handler.js';
import { H2StreamIO, StreamResetMarker } from './stream-io.js';

/** What the HTTP/2 side sees of the server that owns it. @internal */
export interface H2Owner extends HandlerHost {
  /** Emits `'limitExceeded'`. */
  _limitExceeded(info: LimitExceededInfo, conn: unknown): void;
  /** Reports a socket error (`'clientError'`). */
  _clientError(err: unknown, socket: null): void;
  /** Emits `'sessionError'`. */
  emit(event: 'sessionError', err: unknown, conn: unknown): boolean;
}

/** A request stream arrived: runs a handler for it, or answers 500 when its constructor throws. */
function startH2(owner: H2Owner, bridge: BaseRequestHandler): H2StreamIO | null {
  const io = new H2StreamIO(bridge, owner);
  const nv: NameValue[] = handlerState.headerStrings(bridge);
  const parsed = parseNv(nv);
  parsed.version = 'HTTP/2';
  try {
    io.handler = owner._newHandler(io, bridge.clientAddress, bridge.streamId, parsed);
  } catch (err) {
    owner._handlerError(err, null);
    io.failed = true;
    bridge.sendResponse({ status: 500 });
    return null;
  }
  // the request body arrives after onHeaders returns: run the handler first
  owner._run(io);
  return io;
}

/**
 * The inner `HTTP2Server` (never listening: sockets are handed to it), with
 * every limit passed on; it reports limits through its own
 * `'limitExceeded'`, forwarded to `owner`.
 * @internal
 */
export function createH2Server(owner: H2Owner, maxConcurrentStreams: number, limits: Required<ServerLimits>): HTTP2Server {
  class Bridge extends BaseRequestHandler {
    io: H2StreamIO | null = null;
    override onHeaders(): void { this.io = startH2(owner, this); }
    override onData(data: Buffer): Promise<void> | void {
      const io = this.io;
      if (!io) return undefined;
      io.pushBody(Buffer.from(data));
      // held (rfile full or not opened yet): the chunk's window comes back when taken
      return io.heldBytes > 0 ? io.hold() : undefined;
    }
    override onTrailers(trailers: [Buffer, Buffer][]): void {
      this.io?.handler._trailers(trailers.map(([n, v]) => [n.toString('latin1'), v.toString('utf8')]));
    }
    override onRequestDone(): void { this.io?.endBody(); }
    override onClose(errorCode: number): void { if (this.io) closeStream(owner, this.io, errorCode); }
  }
  const h2 = new HTTP2Server([null, 0], Bridge, null, { log: false, maxConcurrentStreams, ...limits });
  h2.on('limitExceeded', (info: LimitExceededInfo, conn: unknown) => owner._limitExceeded(info, conn));
  h2.on('handlerError', (err: unknown) => {
    if (!(err instanceof StreamResetMarker)) owner._handlerError(err, null);
  });
  h2.on('sessionError', (err: unknown, conn: unknown) => owner.emit('sessionError', err, conn));
  h2.on('clientError', (err: unknown) => owner._clientError(err, null));
  return h2;
}
