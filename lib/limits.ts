/**
 * Resource limits shared by the package's servers ({@link HTTP2Server} in
 * `spdylay/nghttp2`, `ThreadedSPDYServer` in `spdylay`): their option
 * shape, their defaults, and the `'limitExceeded'` event both servers emit
 * when a client runs into one.
 *
 * Every buffer, queue and table a client can grow has a limit here, so that
 * the memory one connection holds stays bounded whatever the client does.
 * A limit ends either one stream (RST_STREAM) or the connection (GOAWAY,
 * then close); other connections are never touched.
 *
 * @packageDocumentation
 */

import { ArgumentError } from './errors.js';

/**
 * Names of the limits, as reported in {@link LimitExceededInfo.limit}. Each
 * is the name of the option that sets it.
 */
export type LimitName =
  | 'maxHeaderListSize'
  | 'maxSessionMemory'
  | 'maxOutboundAck'
  | 'maxEmptyFrames'
  | 'streamResetRate'
  | 'maxContinuations'
  | 'headersTimeout'
  | 'idleTimeout';

/**
 * Limits of a server connection. Every field is optional; the defaults are
 * in {@link DEFAULT_LIMITS}. `0` disables the two timeouts; every other
 * limit must be a positive integer.
 */
export interface ServerLimits {
  /**
   * Largest request header list accepted, in bytes. HTTP/2 counts each field
   * as name + value + 32 bytes (RFC 9113's SETTINGS_MAX_HEADER_LIST_SIZE,
   * which the server also announces); SPDY counts the decompressed header
   * block; HTTP/1.1 passes it to Node as `maxHeaderSize`. Enforced while
   * decoding: past it the stream is reset (HTTP/2: RST_STREAM
   * ENHANCE_YOUR_CALM; SPDY: RST_STREAM FRAME_TOO_LARGE; HTTP/1.1: 431) and
   * nothing of the header list is kept. A SPDY header block that inflates
   * far past it (a compression bomb) ends the connection (GOAWAY).
   * Default 65536 (Node's `http2` uses 65535).
   */
  maxHeaderListSize?: number;
  /**
   * Memory one connection may hold, in bytes: the protocol engine's own
   * allocations (HTTP/2: every nghttp2 allocation; SPDY: its queues and
   * header buffers), header storage, queued output and request bodies
   * buffered for handlers. Past it: GOAWAY (HTTP/2 ENHANCE_YOUR_CALM, SPDY
   * PROTOCOL_ERROR) and that connection closes. Response bodies the
   * application passes as a Buffer are referenced, not copied, and are not
   * counted. Default 10 MiB (10485760), as Node's `maxSessionMemory`.
   */
  maxSessionMemory?: number;
  /**
   * Frames the server queues on its own in reply to the client (PING
   * replies, SETTINGS ACKs, RST_STREAMs) that may wait unsent, for a client
   * that sends but never reads. Past it: GOAWAY and close. Default 1000
   * (nghttp2's default).
   */
  maxOutboundAck?: number;
  /**
   * Frames that cost work but carry nothing (DATA without payload or
   * END_STREAM/FIN, SETTINGS after the first, SPDY header blocks refused as
   * too large) the client may send in a row, without a request or body
   * bytes in between. Past it: GOAWAY (HTTP/2 ENHANCE_YOUR_CALM, SPDY
   * PROTOCOL_ERROR) and close. Default 1000.
   */
  maxEmptyFrames?: number;
  /**
   * Streams the client opens and then resets itself (rapid reset): a token
   * bucket of `streamResetBurst` tokens refilled at `streamResetRate` per
   * second. When it runs dry: GOAWAY and close. Defaults 1000 and 33, as
   * nghttp2 1.58's `nghttp2_option_set_stream_reset_rate_limit`.
   */
  streamResetBurst?: number;
  /** See {@link streamResetBurst}: tokens per second. Default 33. */
  streamResetRate?: number;
  /**
   * HTTP/2: CONTINUATION frames allowed after one HEADERS frame. Past it:
   * GOAWAY ENHANCE_YOUR_CALM and close. Default 8 (nghttp2 1.61's default).
   */
  maxContinuations?: number;
  /**
   * Milliseconds a connection may spend inside an incomplete request header
   * block: a partly received HEADERS/CONTINUATION (HTTP/2) or control frame
   * (SPDY), an HTTP/1.1 request head, the TLS handshake and protocol
   * detection. Past it: GOAWAY (HTTP/2 NO_ERROR, SPDY OK: the client broke no
   * rule, it was too slow), then close; HTTP/1.1: 408, then close; during the
   * handshake or detection the socket is closed. Default 60000 (Node's
   * `http` `headersTimeout`). 0 disables it.
   */
  headersTimeout?: number;
  /**
   * Milliseconds a connection may go without reading or writing a byte
   * before it is ended gracefully (HTTP/2 and SPDY: GOAWAY with NO_ERROR /
   * OK, open streams finish; HTTP/1.1: the socket closes). Default 120000
   * (2 minutes). 0 disables it.
   */
  idleTimeout?: number;
}

/** The default of every {@link ServerLimits} field. */
export const DEFAULT_LIMITS: Readonly<Required<ServerLimits>> = Object.freeze({
  maxHeaderListSize: 65536,
  maxSessionMemory: 10 * 1024 * 1024,
  maxOutboundAck: 1000,
  maxEmptyFrames: 1000,
  streamResetBurst: 1000,
  streamResetRate: 33,
  maxContinuations: 8,
  headersTimeout: 60_000,
  idleTimeout: 120_000,
});

/** The protocol a connection speaks, as reported in {@link LimitExceededInfo.protocol}. */
export type ServedProtocol = 'h2' | 'spdy/3.1' | 'spdy/3' | 'spdy/2' | 'http/1.1';

/**
 * Payload of the servers' `'limitExceeded'` event: a client ran into a
 * limit, and the server reset one of its streams or ended its connection.
 */
export interface LimitExceededInfo {
  /** Which limit (the name of the option that sets it). */
  limit: LimitName;
  /** `'stream'`: one stream was reset; `'connection'`: the connection is being ended. */
  scope: 'stream' | 'connection';
  /**
   * The protocol of the connection, or null when it was not known yet (a
   * TLS handshake or cleartext protocol detection that timed out).
   */
  protocol: ServedProtocol | null;
  /** The stream reset (scope `'stream'`), else null. */
  streamId: number | null;
  /** The client's `[host, port]`. */
  clientAddress: readonly [string, number];
  /**
   * What the client was sent: `'RST_STREAM'`, `'GOAWAY'`, an HTTP/1.1
   * status line such as `'431'`, or `'close'` when the socket was closed
   * without a frame.
   */
  action: 'RST_STREAM' | 'GOAWAY' | '408' | '431' | 'close';
  /** The protocol error/status code sent (HTTP/2 error code, SPDY status), or null. */
  code: number | null;
}

const INTEGER_LIMITS: readonly (keyof ServerLimits)[] = [
  'maxHeaderListSize', 'maxSessionMemory', 'maxOutboundAck', 'maxEmptyFrames',
  'streamResetBurst', 'streamResetRate', 'maxContinuations',
];
const TIMEOUTS: readonly (keyof ServerLimits)[] = ['headersTimeout', 'idleTimeout'];

/**
 * Fills in the defaults of `options`' limit fields and checks them.
 *
 * @param options - An object holding some {@link ServerLimits} fields (other fields are ignored).
 * @returns Every limit, defaults applied.
 * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) naming the option when a limit is not a positive integer
 *   (a timeout: not a number of milliseconds >= 0).
 * @internal
 */
export function resolveLimits(options: ServerLimits | null | undefined): Required<ServerLimits> {
  const out = { ...DEFAULT_LIMITS } as Required<ServerLimits>;
  if (!options) return out;
  for (const key of INTEGER_LIMITS) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffffffff) {
      throw new ArgumentError(`${key} must be an integer from 1 to 4294967295 (got ${String(v)})`);
    }
    out[key] = v;
  }
  for (const key of TIMEOUTS) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new ArgumentError(`${key} must be a number of milliseconds >= 0 (got ${String(v)})`);
    }
    out[key] = v;
  }
  return out;
}
