/**
 * `urlfetch` and `UrlFetcher`: python-spdylay's simple SPDY client, as a
 * Promise-returning Node function.
 *
 * Each origin's URLs are fetched over one connection: `https://` URLs over
 * TLS, the protocol chosen by ALPN among the SPDY versions of
 * `getNpnProtocols()` (served by spdy.ts) and `h2` (nghttp2's client
 * session, h2.ts); `http://` URLs speak SPDY in the clear (version from
 * `options.version`), or h2c. Every URL gets its own instance of the
 * application's `BaseSPDYStreamHandler` subclass, which receives the
 * response headers, body chunks and the stream's close.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

import { ArgumentError, UrlFetchError, type UrlFetchErrorCode } from '../../errors.js';
import { NGHTTP2Error } from '../../nghttp2/errors.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../constants.js';
import { SpdylayError } from '../errors.js';
import type { NameValue } from '../frames.js';
import { getNpnProtocols, npnGetVersion } from '../session.js';
import type { TraceFrame } from '../trace.js';
import type { ClientConnection, ClientRequests, ConnectionOwner } from './connection.js';
import { H2ClientConnection } from './h2.js';
import { BaseSPDYStreamHandler, type StreamHandlerClass } from './handler.js';
import { SpdyClientConnection } from './spdy.js';

export { UrlFetchError, type UrlFetchErrorCode } from '../../errors.js';

/** Options of {@link urlfetch}. */
export interface UrlFetchOptions {
  /**
   * Protocol for `http://` URLs (cleartext has no ALPN): `PROTO_SPDY2`,
   * `PROTO_SPDY3` or `PROTO_SPDY3_1` (default), or `'h2'` for HTTP/2 with
   * prior knowledge (h2c, through nghttp2's client session; the protocol is
   * then reported as `'h2c'`).
   */
  version?: number | 'h2';
  /** Trusted CA certificates (PEM), as in `tls.connect`. Default: Node's bundled roots. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Verify the server certificate (default true), as in `tls.connect`. */
  rejectUnauthorized?: boolean;
  /** Offer `h2` in ALPN besides the SPDY versions (default true). */
  h2?: boolean;
  /** ALPN protocols to offer instead of the default `[...getNpnProtocols(), 'h2']`. */
  protocols?: string[];
  /** Request method for every URL (default `'GET'`). */
  method?: string;
  /** Extra request headers for every URL (names are lower-cased by the protocol). */
  headers?: NameValue[] | Record<string, string>;
  /** Request body for every URL (sent with a `content-length`); a string is sent as UTF-8. */
  body?: Uint8Array | string | null;
  /** `user-agent` header (default `'node-spdylay/0.1'`). */
  userAgent?: string;
  /** Priority of the requests, 0 (highest) to 7 (3 for SPDY/2); default 3 (SPDY/2: 1). */
  priority?: number;
  /** Milliseconds without any socket activity before the fetch fails (default 0: none). */
  timeout?: number;
  /**
   * Called for every frame sent and received (SPDY control frames as frame
   * objects, DATA as `{ frameType: 0, streamId, flags, length }`; over h2
   * the frames nghttp2 reports, translated the same way with
   * `version: 'h2'`). Format them with `formatFrame()`.
   */
  onFrame?: (direction: 'send' | 'recv', frame: TraceFrame, fetcher: UrlFetcher) => void;
  /** Called when a connection's protocol is known (`'spdy/3.1'`, ..., `'h2'`). */
  onProtocol?: (protocol: string, fetcher: UrlFetcher) => void;
}

const DEFAULT_UA = 'node-spdylay/0.1';

interface Origin {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  key: string;
}

function parseOrigin(u: URL): Origin {
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== 'https' && scheme !== 'http') throw new UrlFetchError(`Unsupported scheme ${scheme}`, { code: 'ERR_SPDYLAY_INVALID_URL' });
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host, port, key: `${scheme}://${u.hostname}:${port}` };
}

/**
 * The code of the error a fetch rejects with when its connection fails
 * with `err` (null: the socket closed).
 */
function lostCode(err: Error | null): UrlFetchErrorCode {
  if (err instanceof UrlFetchError) return err.code;
  if (err instanceof SpdylayError || err instanceof NGHTTP2Error) return 'ERR_SPDYLAY_SESSION';
  return 'ERR_SPDYLAY_CONNECTION_LOST';
}

/**
 * Fetches the URLs of one origin over one connection (python-spdylay's
 * `UrlFetcher`). Created by {@link urlfetch}; exposed to handlers as
 * `handler.fetcher`.
 */
export class UrlFetcher<H extends BaseSPDYStreamHandler = BaseSPDYStreamHandler> {
  /** `[host, port]` of the server. */
  readonly serverAddress: readonly [string, number];
  /** `'https'` or `'http'`. */
  readonly scheme: 'http' | 'https';
  /** The handlers, in URL order. */
  readonly handlers: H[];
  /** The negotiated protocol (`'spdy/3.1'`, `'spdy/3'`, `'spdy/2'`, `'h2'`, `'h2c'`), or null before it is known. */
  protocol: string | null = null;
  /** The socket, once connected. */
  socket: net.Socket | null = null;
  /** @internal */ readonly options: UrlFetchOptions;
  /** @internal */ readonly urls: URL[];
  /** @internal */ readonly authority: string;
  readonly #origin: Origin;

  /**
   * @param urls - The URLs, all of the same origin (scheme, host, port);
   *   the first one's origin is used.
   * @param HandlerClass - The stream handler class (one instance per URL).
   * @param options - See {@link UrlFetchOptions}.
   * @throws UrlFetchError (`ERR_SPDYLAY_INVALID_URL`) for an unsupported scheme.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when `urls` is empty.
   * @throws TypeError (Node's `ERR_INVALID_URL`, from `new URL`) when `urls` holds an invalid URL.
   */
  constructor(urls: (string | URL)[], HandlerClass: StreamHandlerClass<H>, options: UrlFetchOptions = {}) {
    this.urls = urls.map((u) => (u instanceof URL ? u : new URL(u)));
    if (this.urls.length === 0) throw new ArgumentError('no URL given');
    this.#origin = parseOrigin(this.urls[0]!);
    this.scheme = this.#origin.scheme;
    this.serverAddress = Object.freeze([this.#origin.host, this.#origin.port] as [string, number]);
    const u0 = this.urls[0]!;
    const defPort = this.scheme === 'https' ? 443 : 80;
    this.authority = this.#origin.port === defPort ? u0.hostname : `${u0.hostname}:${this.#origin.port}`;
    this.options = options;
    this.handlers = this.urls.map((u, i) => new HandlerClass(typeof urls[i] === 'string' ? (urls[i] as string) : u.href, this));
  }

  /** @internal the request path of a URL (`/` when empty, plus `?query`). */
  pathOf(u: URL): string {
    return (u.pathname || '/') + u.search;
  }

  /** @internal */
  extraHeaders(): NameValue[] {
    const h = this.options.headers;
    if (!h) return [];
    if (Array.isArray(h)) return h.map(([n, v]) => [String(n).toLowerCase(), String(v)]);
    return Object.entries(h).map(([n, v]) => [n.toLowerCase(), String(v)]);
  }

  /** @internal */
  body(): Buffer | null {
    const b = this.options.body;
    if (b === undefined || b === null) return null;
    return typeof b === 'string' ? Buffer.from(b) : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  /**
   * Connects, negotiates the protocol, fetches every URL and resolves when
   * every stream has closed (python: `loop()`).
   *
   * @throws UrlFetchError (rejects) when the connection, TLS handshake or
   *   ALPN fails, the socket times out, or the connection is lost before
   *   every stream closed; its `code` tells which ({@link UrlFetchErrorCode}).
   * @throws (rejects) the first exception thrown by a handler method.
   */
  async loop(): Promise<void> {
    const o = this.#origin;
    const opts = this.options;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      let s: net.Socket;
      const fail = (err: Error): void => {
        s.destroy();
        const code = err instanceof UrlFetchError ? err.code : 'ERR_SPDYLAY_CONNECT';
        reject(new UrlFetchError(`Could not connect to ${o.host}:${o.port}: ${err.message}`, { cause: err, origin: o.key, code }));
      };
      if (o.scheme === 'https') {
        const protocols = opts.protocols ?? [...getNpnProtocols(), ...(opts.h2 === false ? [] : ['h2'])];
        s = tls.connect({
          host: o.host, port: o.port, ALPNProtocols: protocols,
          servername: net.isIP(o.host) ? undefined : o.host,
          ca: opts.ca, rejectUnauthorized: opts.rejectUnauthorized ?? true,
        });
        s.once('secureConnect', () => {
          s.off('error', fail);
          resolve(s);
        });
      } else {
        s = net.connect({ host: o.host, port: o.port });
        s.once('connect', () => {
          s.off('error', fail);
          resolve(s);
        });
      }
      s.once('error', fail);
      if (opts.timeout) {
        s.setTimeout(opts.timeout, () => s.destroy(
          new UrlFetchError(`timed out after ${opts.timeout} ms`, { origin: o.key, code: 'ERR_SPDYLAY_TIMEOUT' })));
      }
    });
    this.socket = socket;
    const owner = this.#owner();
    let conn: ClientConnection;
    try {
      if (o.scheme === 'https') {
        const alpn = (socket as tls.TLSSocket).alpnProtocol || null;
        const version = npnGetVersion(alpn);
        if (version) conn = new SpdyClientConnection(owner, socket, version);
        else if (alpn === 'h2') conn = new H2ClientConnection(owner, socket, 'h2');
        else {
          throw new UrlFetchError(`ALPN failed: the server selected ${alpn ?? 'no protocol'}`,
            { origin: o.key, code: 'ERR_SPDYLAY_ALPN' });
        }
      } else if (opts.version === 'h2') {
        conn = new H2ClientConnection(owner, socket, 'h2c');
      } else {
        const version = opts.version ?? PROTO_SPDY3_1;
        if (version !== PROTO_SPDY2 && version !== PROTO_SPDY3 && version !== PROTO_SPDY3_1) {
          throw new UrlFetchError(`Unsupported SPDY version ${String(version)}`,
            { origin: o.key, code: 'ERR_SPDYLAY_UNSUPPORTED_VERSION' });
        }
        conn = new SpdyClientConnection(owner, socket, version);
      }
    } catch (err) {
      socket.destroy();
      throw err;
    }
    opts.onProtocol?.(this.protocol!, this);
    await conn.run();
  }

  /** This fetcher as its protocol connection sees it. */
  #owner(): ConnectionOwner {
    const onFrame = this.options.onFrame;
    const [host, port] = this.serverAddress;
    return {
      handlers: this.handlers,
      scheme: this.scheme,
      authority: this.authority,
      trace: onFrame
        ? (direction: 'send' | 'recv', frame: TraceFrame) => {
          try { onFrame(direction, frame, this); } catch { /* tracing must not break the fetch */ }
        }
        : null,
      setProtocol: (protocol: string) => {
        this.protocol = protocol;
      },
      pathAt: (index: number) => this.pathOf(this.urls[index]!),
      requests: (): ClientRequests => {
        const body = this.body();
        return {
          method: this.options.method ?? (body ? 'POST' : 'GET'),
          userAgent: this.options.userAgent ?? DEFAULT_UA,
          priority: this.options.priority,
          headers: this.extraHeaders(),
          body,
        };
      },
      lostError: (err: Error | null, open: number, cause: unknown) => new UrlFetchError(
        `connection to ${host}:${port} ${err ? `failed: ${err.message}` : 'closed'} with ${open} stream(s) open`,
        { cause, origin: `${this.scheme}://${host}:${port}`, code: lostCode(err) }),
      submitError: (url: string) => new UrlFetchError(`could not submit the request for ${url}`,
        { origin: `${this.scheme}://${host}:${port}`, code: 'ERR_SPDYLAY_SUBMIT' }),
    };
  }
}

/**
 * Fetches one URL or a list of URLs (python-spdylay's `urlfetch`). For each
 * URL an instance of `StreamHandlerClass` receives the response; successive
 * URLs with the same origin (scheme, host, port) share one connection and
 * are requested concurrently; groups are fetched one after the other, in
 * order.
 *
 * `https://` URLs negotiate SPDY/3.1, SPDY/3, SPDY/2 or (beyond the
 * reference) HTTP/2 with ALPN, verifying the certificate unless
 * `rejectUnauthorized: false`; `http://` URLs speak SPDY in the clear with
 * `options.version`.
 *
 * @param urlOrUrls - A URL (string or `URL`) or an array of them.
 * @param StreamHandlerClass - A subclass of {@link BaseSPDYStreamHandler}
 *   (default: the base class, which ignores everything).
 * @param options - See {@link UrlFetchOptions}.
 * @returns (resolves to) the handlers, in URL order, once every stream has closed.
 * @throws UrlFetchError (rejects) on an invalid URL or unsupported scheme,
 *   a connection, TLS or ALPN failure, a timeout, or a connection lost
 *   before every stream closed; its `code` tells which ({@link UrlFetchErrorCode}).
 * @throws (rejects) the first exception thrown by a handler method.
 */
export async function urlfetch<H extends BaseSPDYStreamHandler = BaseSPDYStreamHandler>(
  urlOrUrls: string | URL | readonly (string | URL)[],
  StreamHandlerClass?: StreamHandlerClass<H>,
  options: UrlFetchOptions = {},
): Promise<H[]> {
  const list = Array.isArray(urlOrUrls) ? [...urlOrUrls] : [urlOrUrls as string | URL];
  const Cls = (StreamHandlerClass ?? BaseSPDYStreamHandler) as StreamHandlerClass<H>;
  const groups: (string | URL)[][] = [];
  let lastKey: string | null = null;
  for (const u of list) {
    let url: URL;
    try {
      url = u instanceof URL ? u : new URL(u);
    } catch (err) {
      throw new UrlFetchError(`Invalid URL ${String(u)}`, { cause: err, code: 'ERR_SPDYLAY_INVALID_URL' });
    }
    const key = parseOrigin(url).key;
    if (key === lastKey) groups[groups.length - 1]!.push(u);
    else groups.push([u]);
    lastKey = key;
  }
  const out: H[] = [];
  for (const g of groups) {
    const fetcher = new UrlFetcher(g, Cls, options);
    out.push(...fetcher.handlers);
    await fetcher.loop();
  }
  return out;
}
