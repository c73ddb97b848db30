/**
 * Options of {@link createServer}: the `spdy` package's option shape
 * (`https.createServer` options plus a `spdy` object) and the limits of
 * lib/limits.ts, checked and resolved once per server.
 *
 * @packageDocumentation
 */
import type * as http from 'node:http';
import type * as https from 'node:https';

import { ArgumentError, UnsupportedOptionError } from '../errors.js';
import { type ServerLimits, resolveLimits } from '../limits.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../spdylay/constants.js';

/** The protocols {@link createServer} serves by default, in ALPN order of preference. */
export const DEFAULT_PROTOCOLS: readonly string[] = Object.freeze(['h2', 'spdy/3.1', 'spdy/3', 'spdy/2', 'http/1.1']);

const KNOWN_PROTOCOLS = new Set(['h2', 'spdy/3.1', 'spdy/3', 'spdy/2', 'http/1.1', 'http/1.0']);

/** The `spdy.connection` options (as in the `spdy` package). */
export interface CompatConnectionOptions {
  /**
   * The receive window the server grants, in bytes: for SPDY/3.1 and h2 the
   * connection window. Only the engines' window, 1048576 (1 MiB, also the
   * `spdy` package's default) is supported: another value throws a
   * TypeError. Stream windows are 65535 (h2) / 65536 (SPDY/3, 3.1): a
   * stream's sender is held back per stream by what the application reads.
   */
  windowSize?: number;
  /**
   * Serve a cleartext SPDY/3 connection that does not show the SPDY/3.1
   * signature as SPDY/3.1 (the `spdy` package: "send 3.1 frames on 3.0
   * plain spdy"). Default false. Has no effect over TLS, where ALPN names
   * the version.
   */
  autoSpdy31?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced on h2 and SPDY connections. Default 100. */
  maxStreams?: number;
}

/** The `spdy` object of {@link CompatServerOptions}. */
export interface CompatSpdyOptions {
  /**
   * Protocols served, in ALPN order of preference: any of `'h2'`,
   * `'spdy/3.1'`, `'spdy/3'`, `'spdy/2'`, `'http/1.1'`, `'http/1.0'`.
   * Default `['h2', 'spdy/3.1', 'spdy/3', 'spdy/2', 'http/1.1']`. Over
   * cleartext a connection whose sniffed protocol is not listed is closed
   * (HTTP/1.x is served when `'http/1.1'` or `'http/1.0'` is listed).
   */
  protocols?: string[];
  /**
   * Serve cleartext (the server is an `http.Server`): each connection's
   * protocol is found from its first bytes (h2c prior knowledge, SPDY,
   * HTTP/1.x). Default: false when TLS material is given, else true.
   */
  plain?: boolean;
  /**
   * Accepted for the `spdy` package's option shape: `false` together with
   * `plain: true` (or no TLS material), `true` with TLS. The other
   * combinations throw a TypeError.
   */
  ssl?: boolean;
  /**
   * As in the `spdy` package: with `true`, the host of the last
   * `X_FORWARDED_FOR` frame (SPDY control frame type 0xf000, h2 extension
   * frame type 0xde; sent by the `spdy` package's agent with its
   * `'x-forwarded-for'` option) becomes the `x-forwarded-for` header of the
   * connection's later requests, unless a request carries its own. Over
   * HTTP/1.1 the request's own header is passed through. Default false:
   * the frame is ignored.
   */
  'x-forwarded-for'?: boolean;
  /** See {@link CompatConnectionOptions}. */
  connection?: CompatConnectionOptions;
}

/**
 * Options of {@link createServer}: everything `https.createServer` takes
 * (`key`, `cert`, `ca`, `pfx`, `SNICallback`, `headersTimeout`,
 * `requestTimeout`, `keepAliveTimeout`, `maxHeaderSize`, ...; the
 * `http.Server` options also apply to a cleartext server), the `spdy`
 * object of the `spdy` package, and the limits of {@link ServerLimits}
 * (`maxHeaderListSize`, `maxSessionMemory`, `maxOutboundAck`,
 * `maxEmptyFrames`, `streamResetBurst`, `streamResetRate`,
 * `maxContinuations`, `headersTimeout`, `idleTimeout`), which apply to
 * every protocol of the port.
 */
export interface CompatServerOptions extends https.ServerOptions, Omit<ServerLimits, 'headersTimeout'> {
  /** See {@link CompatSpdyOptions}. */
  spdy?: CompatSpdyOptions;
  /**
   * Milliseconds a client may take to send a request's header block (and
   * the TLS handshake / cleartext protocol detection); Node's `http`
   * option of the same name on HTTP/1.1. Default 60000; 0 disables it.
   */
  headersTimeout?: number;
}

/** Options resolved once per server. @internal */
export interface ResolvedCompatOptions {
  readonly secure: boolean;
  readonly protocols: readonly string[];
  /** SPDY versions served (PROTO_SPDY*). */
  readonly spdyVersions: readonly number[];
  readonly h2: boolean;
  readonly http1: boolean;
  readonly plainSpdy3Version: number;
  /** `spdy['x-forwarded-for']`: SPDY requests get the connection's X_FORWARDED_FOR host. */
  readonly xForwardedFor: boolean;
  readonly maxConcurrentStreams: number;
  readonly limits: Required<ServerLimits>;
  /** What goes to the `http.Server`/`https.Server` constructor. */
  readonly nodeOptions: https.ServerOptions & http.ServerOptions;
}

const SPDY_KEYS = new Set(['protocols', 'plain', 'ssl', 'x-forwarded-for', 'connection']);
const CONNECTION_KEYS = new Set(['windowSize', 'autoSpdy31', 'maxStreams']);
const SPDY_PACKAGE_UNSUPPORTED: Record<string, string> = {
  protocol: 'a protocol forced for connections without ALPN is not supported (ALPN or cleartext detection chooses it)',
  maxChunk: 'the DATA frame size is chosen by the engines (16 KiB on h2, 4 KiB-64 KiB on SPDY)',
  headerCompression: 'SPDY header compression cannot be turned off',
  acceptPush: 'a server never accepts pushes',
};
const LIMIT_KEYS: readonly (keyof ServerLimits)[] = [
  'maxHeaderListSize', 'maxSessionMemory', 'maxOutboundAck', 'maxEmptyFrames', 'streamResetBurst',
  'streamResetRate', 'maxContinuations', 'idleTimeout',
];
/** The engines' connection receive window (bytes). */
export const ENGINE_WINDOW = 1 << 20;

function unsupported(name: string, why: string): UnsupportedOptionError {
  return new UnsupportedOptionError(name, why);
}

/**
 * Checks `options` and splits them into what Node's server gets and what
 * the engines get.
 *
 * @throws UnsupportedOptionError (a TypeError, ERR_SPDYLAY_UNSUPPORTED_OPTION)
 *   naming the option for an unsupported `spdy` package option or an unknown
 *   key of `spdy`/`spdy.connection`; ArgumentError (ERR_SPDYLAY_INVALID_ARG)
 *   for an invalid value.
 * @internal
 */
export function resolveCompatOptions(options: CompatServerOptions): ResolvedCompatOptions {
  const spdy = options.spdy ?? {};
  if (typeof spdy !== 'object') throw new ArgumentError('createServer: options.spdy must be an object');
  for (const key of Object.keys(spdy)) {
    if (key in SPDY_PACKAGE_UNSUPPORTED) throw unsupported(`spdy.${key}`, SPDY_PACKAGE_UNSUPPORTED[key]!);
    if (!SPDY_KEYS.has(key)) throw unsupported(`spdy.${key}`, 'unknown option');
  }
  const conn = spdy.connection ?? {};
  if (typeof conn !== 'object') throw new ArgumentError('createServer: options.spdy.connection must be an object');
  for (const key of Object.keys(conn)) {
    if (key in SPDY_PACKAGE_UNSUPPORTED) throw unsupported(`spdy.connection.${key}`, SPDY_PACKAGE_UNSUPPORTED[key]!);
    if (!CONNECTION_KEYS.has(key)) throw unsupported(`spdy.connection.${key}`, 'unknown option');
  }
  if (conn.windowSize !== undefined && conn.windowSize !== ENGINE_WINDOW) {
    throw unsupported('spdy.connection.windowSize', `only ${ENGINE_WINDOW} (1 MiB, the engines' connection window) is supported (got ${String(conn.windowSize)})`);
  }
  const tlsMaterial = options.key !== undefined || options.cert !== undefined || options.pfx !== undefined ||
    options.SNICallback !== undefined;
  const secure = spdy.plain === undefined ? tlsMaterial : !spdy.plain;
  if (secure && !tlsMaterial) throw new ArgumentError('createServer: TLS needs key/cert, pfx or SNICallback; pass spdy.plain: true for cleartext');
  if (spdy.ssl === false && secure) throw unsupported('spdy.ssl', 'ssl: false needs spdy.plain: true');
  if (spdy.ssl === true && !secure) throw unsupported('spdy.ssl', 'ssl: true with spdy.plain: true (TLS with cleartext detection) is not supported');
  const protocols = spdy.protocols ?? DEFAULT_PROTOCOLS;
  if (!Array.isArray(protocols) || protocols.length === 0) throw new ArgumentError('createServer: spdy.protocols must be a non-empty array');
  for (const p of protocols) {
    if (!KNOWN_PROTOCOLS.has(p)) throw unsupported('spdy.protocols', `unknown protocol ${JSON.stringify(p)}`);
  }
  const spdyVersions: number[] = [];
  if (protocols.includes('spdy/3.1')) spdyVersions.push(PROTO_SPDY3_1);
  if (protocols.includes('spdy/3')) spdyVersions.push(PROTO_SPDY3);
  if (protocols.includes('spdy/2')) spdyVersions.push(PROTO_SPDY2);
  const maxStreams = conn.maxStreams ?? 100;
  if (!Number.isInteger(maxStreams) || maxStreams < 1 || maxStreams > 0x7fffffff) {
    throw new ArgumentError(`createServer: spdy.connection.maxStreams must be an integer from 1 to 2147483647 (got ${String(maxStreams)})`);
  }
  const limitOptions: ServerLimits = {};
  for (const key of LIMIT_KEYS) if (options[key] !== undefined) (limitOptions as Record<string, unknown>)[key] = options[key];
  if (options.headersTimeout !== undefined) limitOptions.headersTimeout = options.headersTimeout;
  const limits = resolveLimits(limitOptions);
  const nodeOptions: Record<string, unknown> = { ...options };
  delete nodeOptions.spdy;
  for (const key of LIMIT_KEYS) delete nodeOptions[key];
  // the header limit of HTTP/1.1 is Node's maxHeaderSize, unless given
  nodeOptions.maxHeaderSize ??= limits.maxHeaderListSize;
  if (secure) nodeOptions.ALPNProtocols ??= protocols.slice();
  return {
    secure,
    protocols: Object.freeze(protocols.slice()),
    spdyVersions: Object.freeze(spdyVersions),
    h2: protocols.includes('h2'),
    http1: protocols.includes('http/1.1') || protocols.includes('http/1.0'),
    plainSpdy3Version: conn.autoSpdy31 ? PROTO_SPDY3_1 : PROTO_SPDY3,
    xForwardedFor: spdy['x-forwarded-for'] === true,
    maxConcurrentStreams: maxStreams,
    limits,
    nodeOptions: nodeOptions as https.ServerOptions & http.ServerOptions,
  };
}
