/**
 * The options of {@link ThreadedSPDYServer}, their resolution into the
 * values the server and its protocol adapters use, and the timing constants
 * they share.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';

import {
  type LimitExceededInfo, type LimitName, type ServedProtocol, type ServerLimits, resolveLimits,
} from '../../limits.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../constants.js';
import type { BaseSPDYRequestHandler, SPDYHandlerInit } from './handler.js';

/** `[host, port]` to listen on; a null/undefined host means all interfaces, port 0 picks a free port. */
export type SPDYServerAddress = readonly [host: string | null | undefined, port: number];

/** The bound address, as resolved by {@link ThreadedSPDYServer.start}. */
export interface SPDYBoundAddress {
  address: string;
  port: number;
  family: string;
}

/** Access log hook: one line per finished stream (no trailing newline). */
export type SPDYAccessLog = (line: string, handler: BaseSPDYRequestHandler) => void;

/**
 * Options of {@link ThreadedSPDYServer} (third constructor argument): its
 * own options plus the resource limits of {@link ServerLimits} (defaults in
 * `DEFAULT_LIMITS`), which keep what one client can make a connection hold
 * bounded. Every connection the server ends for a limit, and every stream
 * it resets for `maxHeaderListSize`, is reported through the server's
 * `'limitExceeded'` event. On the h2 path every limit is passed to the
 * inner `HTTP2Server` (see `HTTP2ServerOptions` for the HTTP/2 frames and
 * codes). On SPDY and HTTP/1.1 they work as follows.
 *
 * - `maxHeaderListSize` (bytes, default 65536). SPDY: the decompressed
 *   header block of a SYN_STREAM or HEADERS
 *   (`SPDYLAY_OPT_MAX_HEADER_LIST_SIZE`). Past it the client receives
 *   RST_STREAM with status FRAME_TOO_LARGE (11) for that stream, nothing of
 *   the block is kept, and the connection goes on (`'limitExceeded'` with
 *   scope `'stream'`). A block that inflates past max(1 MiB, 4 x this
 *   limit) (`SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE`: a compression bomb)
 *   ends the connection: GOAWAY PROTOCOL_ERROR, then close. Control frames
 *   are buffered up to this limit + 8192 bytes
 *   (`SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER`, clamped to 8192..16777215).
 *   HTTP/1.1: Node's `maxHeaderSize` (the whole request head): the client
 *   receives `431 Request Header Fields Too Large` and the connection
 *   closes.
 * - `maxSessionMemory` (bytes, default 10 MiB). SPDY: bytes written to the
 *   socket and not yet sent (`socket.writableLength`), request body bytes
 *   received and not yet read by the handlers, response body bytes queued
 *   for the session (up to 64 KiB per stream: larger Buffers written by the
 *   application are referenced, not copied), plus an estimate of the C
 *   session (its zlib streams, 320 KiB, 256 bytes per open stream and per
 *   queued frame; its header buffers are bounded by `maxHeaderListSize`
 *   instead). A value under about 400 KiB ends every SPDY connection. Past
 *   it the client receives GOAWAY PROTOCOL_ERROR and the connection closes.
 *   Not used for HTTP/1.1 (Node's `http` bounds its own buffers).
 * - `maxOutboundAck` (frames, default 1000). SPDY:
 *   `SPDYLAY_OPT_MAX_OUTBOUND_ACK` (PING replies and RST_STREAMs waiting
 *   unsent because the client does not read); past it the client receives
 *   GOAWAY PROTOCOL_ERROR (written even past the socket's high-water mark)
 *   and the connection closes.
 * - `maxEmptyFrames` (frames, default 1000). SPDY:
 *   `SPDYLAY_OPT_MAX_EMPTY_FRAMES` (DATA without payload or FIN, SETTINGS
 *   after the first, header blocks refused as too large, in a row; a new
 *   request or body bytes reset the count); past it GOAWAY PROTOCOL_ERROR
 *   and close.
 * - `streamResetBurst` / `streamResetRate` (default 1000 tokens, 33 per
 *   second). SPDY: `SPDYLAY_OPT_STREAM_RESET_BURST` /
 *   `SPDYLAY_OPT_STREAM_RESET_RATE`; when the bucket runs dry GOAWAY
 *   PROTOCOL_ERROR and close.
 * - `maxContinuations`: h2 only (SPDY has no CONTINUATION frame).
 * - `headersTimeout` (ms, default 60000; 0 disables it). SPDY: part of a
 *   frame head or of a control frame (e.g. half a SYN_STREAM) received and
 *   its end not: the client receives GOAWAY OK (SPDY/2: GOAWAY) and the
 *   connection closes. Cleartext protocol detection (the first bytes; 10 s
 *   at most) and the TLS handshake (`handshakeTimeout`, Node's default
 *   120 s, unless set in {@link tls}) take the smaller of theirs and this:
 *   the socket is closed. HTTP/1.1: Node's `headersTimeout` (the client
 *   receives `408 Request Timeout`, then close; Node checks it
 *   periodically, so it fires up to a quarter of it late); Node's
 *   `requestTimeout` is not used (0): a slow body is bounded by
 *   `idleTimeout`.
 * - `idleTimeout` (ms, default 120000; 0 keeps idle connections open).
 *   SPDY: GOAWAY OK, open streams finish. HTTP/1.1: the socket closes;
 *   between two requests Node's `keepAliveTimeout` applies instead (5 s, or
 *   this when shorter, plus Node's 1 s allowance).
 */
export interface ThreadedSPDYServerOptions extends ServerLimits {
  /** Path of the PEM certificate (chain) file (python: `cert_file`). */
  certFile?: string;
  /** Path of the PEM private key file (python: `key_file`). */
  keyFile?: string;
  /** PEM certificate (chain), instead of `certFile`. */
  cert?: string | Buffer;
  /** PEM private key, instead of `keyFile`. */
  key?: string | Buffer;
  /** More options for `tls.createServer` (`ca`, `passphrase`, `SNICallback`, ...). `ALPNProtocols` is set by the server. */
  tls?: tls.TlsOptions;
  /**
   * Cleartext: no TLS. The protocol of each connection is sniffed from its
   * first bytes: a SPDY control frame (version 2 or 3), the HTTP/2 client
   * preface (when `h2` is on), else HTTP/1.1 (when `http1` is on).
   */
  plain?: boolean;
  /** Also serve HTTP/2 (ALPN `h2`, or the h2c preface in cleartext) on the same port. Default true. */
  h2?: boolean;
  /** Also serve HTTP/1.1 (ALPN `http/1.1`, a TLS client without ALPN, or cleartext HTTP/1.x). Default true. */
  http1?: boolean;
  /** SPDY versions accepted, in order of preference. Default `[PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2]`. */
  versions?: number[];
  /**
   * In cleartext, the version of a connection whose first frames say 3 and
   * that sends no connection-level WINDOW_UPDATE (the SPDY/3.1 signature)
   * before its first SYN_STREAM. Default `PROTO_SPDY3`.
   */
  plainSpdy3Version?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients. Default 100 (as the reference). */
  maxConcurrentStreams?: number;
  /**
   * SPDY/2 has no flow control, but some peers (the `spdy` npm package)
   * apply SPDY/3's: when true (default), the server sends WINDOW_UPDATE for
   * received SPDY/2 DATA so that such peers do not stall.
   */
  spdy2WindowUpdate?: boolean;
  /**
   * Access log (`host - - [date] "METHOD path PROTOCOL" status bytes`):
   * `true` writes to stderr, a function receives each line. Default false.
   */
  log?: boolean | SPDYAccessLog;
}

/** Constructor of the request handler class (see {@link BaseSPDYRequestHandler}). */
export type SPDYRequestHandlerClass<H extends BaseSPDYRequestHandler = BaseSPDYRequestHandler> =
  new (init: SPDYHandlerInit) => H;

/** After a connection is done and ended, how long to wait for the peer to close (ms). @internal */
export const LINGER_MS = 3000;

/** The options of a server with their defaults applied. @internal */
export interface ResolvedServerOptions {
  readonly maxConcurrentStreams: number;
  readonly spdy2WindowUpdate: boolean;
  readonly plainSpdy3Version: number;
  readonly h2: boolean;
  readonly http1: boolean;
  /** SPDY versions accepted, in order of preference. */
  readonly versions: number[];
  readonly limits: Required<ServerLimits>;
  /** The access log function, or null when off. */
  readonly log: SPDYAccessLog | null;
}

/**
 * Applies the defaults to `options`.
 *
 * @throws ArgumentError (a TypeError) for a bad limit option (see `resolveLimits`).
 * @internal
 */
export function resolveServerOptions(options: ThreadedSPDYServerOptions): ResolvedServerOptions {
  const versions = (options.versions ?? [PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2]).slice();
  const limits = resolveLimits(options);
  const log = options.log ?? false;
  return {
    maxConcurrentStreams: options.maxConcurrentStreams ?? 100,
    spdy2WindowUpdate: options.spdy2WindowUpdate ?? true,
    plainSpdy3Version: options.plainSpdy3Version ?? PROTO_SPDY3,
    h2: options.h2 ?? true,
    http1: options.http1 ?? true,
    versions,
    limits,
    log: typeof log === 'function' ? log : log ? (line) => process.stderr.write(line + '\n') : null,
  };
}

/**
 * The `'limitExceeded'` info of a connection-scope limit hit outside a SPDY
 * or h2 session (protocol detection, TLS handshake, HTTP/1.1).
 * @internal
 */
export function socketLimitInfo(limit: LimitName, socket: net.Socket | null | undefined, protocol: ServedProtocol | null,
  action: LimitExceededInfo['action']): LimitExceededInfo {
  return {
    limit, scope: 'connection', protocol, streamId: null,
    clientAddress: Object.freeze([socket?.remoteAddress ?? '', socket?.remotePort ?? 0] as [string, number]),
    action, code: action === '431' ? 431 : action === '408' ? 408 : null,
  };
}
