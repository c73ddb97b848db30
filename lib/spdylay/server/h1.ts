/**
 * The HTTP/1.1 side of a `ThreadedSPDYServer`: an inner `node:http` server
 * (never listening: sockets are handed to it) whose requests run the
 * server's handler class over an `H1StreamIO`, with the limits mapped to
 * Node's options and its client errors answered `431`/`408`/`400`.
 *
 * @packageDocumentation
 */
import * as http from 'node:http';
import type * as net from 'node:net';

import type { LimitExceededInfo, ServerLimits } from '../../limits.js';
import { OK } from '../constants.js';
import type { NameValue } from '../frames.js';
import { CANCEL_ON_LOSS, type HandlerHost, closeStream, parseNv } from './handler.js';
import { LINGER_MS, socketLimitInfo } from './options.js';
import { H1StreamIO } from './stream-io.js';

/** What the HTTP/1.1 side sees of the server that owns it. @internal */
export interface H1Owner extends HandlerHost {
  /** Whether the server uses TLS (the `:scheme` of requests). */
  readonly secure: boolean;
  /** Emits `'limitExceeded'`. */
  _limitExceeded(info: LimitExceededInfo, conn: unknown): void;
  /** Reports a socket error (`'clientError'`). */
  _clientError(err: unknown, socket: net.Socket | null): void;
}

/** A request arrived: runs a handler for it, or answers 500 when its constructor throws. */
function startH1(owner: H1Owner, req: http.IncomingMessage, res: http.ServerResponse): void {
  const io = new H1StreamIO(req, res, owner);
  const nv: NameValue[] = [];
  const raw = req.rawHeaders;
  let host: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'host') host = raw[i + 1]!;
    nv.push([name, raw[i + 1]!]);
  }
  const parsed = parseNv(nv);
  parsed.method = req.method ?? null;
  parsed.path = req.url ?? null;
  parsed.version = `HTTP/${req.httpVersion}`;
  parsed.scheme = owner.secure ? 'https' : 'http';
  parsed.host = host;
  const sock = req.socket;
  try {
    io.handler = owner._newHandler(io, Object.freeze([sock.remoteAddress ?? '', sock.remotePort ?? 0] as [string, number]),
      0, parsed);
  } catch (err) {
    owner._handlerError(err, null);
    res.writeHead(500).end();
    return;
  }
  let done = false;
  const close = (status: number): void => {
    if (done) return;
    done = true;
    closeStream(owner, io, status);
  };
  res.on('finish', () => close(OK));
  res.on('close', () => close(res.writableFinished ? OK : CANCEL_ON_LOSS));
  owner._run(io);
}

/**
 * The inner HTTP/1.1 server: `maxHeaderListSize` is Node's `maxHeaderSize`,
 * `headersTimeout` Node's, `idleTimeout` the sockets' timeout (and bounds
 * `keepAliveTimeout`).
 * @internal
 */
export function createH1Server(owner: H1Owner, limits: Required<ServerLimits>): http.Server {
  const idle = limits.idleTimeout;
  const headersTimeout = limits.headersTimeout;
  const h1 = http.createServer({
    maxHeaderSize: limits.maxHeaderListSize,
    headersTimeout: Math.ceil(headersTimeout),
    // a slow body is bounded by idleTimeout; Node's 300 s for the whole request would cut long uploads
    requestTimeout: 0,
    // Node's 5 s between requests, or less when the idle timeout is shorter
    keepAliveTimeout: idle > 0 ? Math.min(5000, Math.ceil(idle)) : 5000,
    // Node checks headersTimeout on this period: keep the overshoot within a quarter of it
    connectionsCheckingInterval: headersTimeout > 0 ? Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 4))) : 30_000,
  }, (req, res) => startH1(owner, req, res));
  // sockets reach this server through emit('connection'): it never listens, and Node starts the
  // periodic headersTimeout check on 'listening'
  h1.emit('listening');
  if (idle > 0) {
    h1.setTimeout(idle);
    // with a 'timeout' listener Node leaves the socket to us. The same event ends
    // keep-alive waits (keepAliveTimeout): only a socket at the idle timeout is reported.
    h1.on('timeout', (socket: net.Socket) => {
      if (socket.timeout === idle) owner._limitExceeded(socketLimitInfo('idleTimeout', socket, 'http/1.1', 'close'), socket);
      socket.destroy();
    });
  }
  h1.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const code = err.code;
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 0;
    if (status === 0) {
      owner._clientError(err, socket as net.Socket);
      if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    // as Node's own handler: no status line once a response has started on this socket
    const msg = (socket as net.Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    const canWrite = socket.writable && (!msg || !msg.headersSent);
    owner._limitExceeded(socketLimitInfo(status === 431 ? 'maxHeaderListSize' : 'headersTimeout', socket as net.Socket,
      'http/1.1', canWrite ? (status === 431 ? '431' : '408') : 'close'), socket);
    if (canWrite) {
      socket.end(status === 431
        ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'
        : 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    } else socket.destroy();
  });
  return h1;
}
