/**
 * `urlfetch` and `BaseSPDYStreamHandler`: python-spdylay's simple SPDY
 * client, as a Promise-returning Node function.
 *
 * Each origin's URLs are fetched over one connection: `https://` URLs over
 * TLS, the protocol chosen by ALPN among the SPDY versions of
 * `getNpnProtocols()` and `h2` (served by nghttp2's client session, see
 * h2-client.ts); `http://` URLs speak SPDY in the clear (version from
 * `options.version`). Every URL gets its own instance of the application's
 * `BaseSPDYStreamHandler` subclass, which receives the response headers,
 * body chunks and the stream's close.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

import {
  CANCEL, CLIENT, DATA_FLAG_FIN, FLAG_SETTINGS_NONE, GOAWAY_OK, HEADERS, ID_FLAG_SETTINGS_NONE,
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, REFUSED_STREAM, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_REPLY, SYN_STREAM,
} from './constants.js';
import type { Frame, NameValue } from './frames.js';
import { BufferDataProvider, Session, getNpnProtocols, npnGetVersion } from './session.js';
import type { DataFrameInfo, H2FrameInfo } from './trace.js';
import { H2ClientConnection } from './h2-client.js';

/**
 * Connection-level failure of {@link urlfetch}: no connection, TLS or ALPN
 * failure, an unsupported scheme, or the connection lost before every
 * stream closed (python: `UrlFetchError`). `cause` holds the underlying
 * error when there is one.
 */
export class UrlFetchError extends Error {
  /** The origin (`scheme://host:port`) concerned, when known. */
  readonly origin: string | undefined;

  /**
   * @param message - What failed.
   * @param options - `{ cause, origin }`.
   */
  constructor(message: string, options: { cause?: unknown; origin?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UrlFetchError';
    this.origin = options.origin;
  }
}

/** A frame reported to {@link UrlFetchOptions.onFrame}: a SPDY control frame, a DATA frame summary, or (h2) an {@link H2FrameInfo}. */
export type TraceFrame = Frame | DataFrameInfo | H2FrameInfo;

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

/**
 * Handles one URL retrieval, i.e. one stream (python-spdylay's
 * `BaseSPDYStreamHandler`). Subclass it and override {@link onHeader},
 * {@link onData} and {@link onClose}; `urlfetch` creates one instance per
 * URL. Exceptions thrown by these methods reset the stream (RST_STREAM
 * CANCEL) and make `urlfetch` reject with the first such exception once
 * every stream is done.
 */
export class BaseSPDYStreamHandler {
  /** The URL this stream fetches. */
  readonly url: string;
  /** The driver calling this handler (python: `fetcher`). */
  readonly fetcher: UrlFetcher;
  /** The stream ID, or null until the request is sent (python: `stream_id`). */
  streamId: number | null = null;

  /**
   * Called by the fetcher; subclasses must pass both arguments on.
   *
   * @param url - The URL.
   * @param fetcher - The fetcher.
   */
  constructor(url: string, fetcher: UrlFetcher) {
    this.url = url;
    this.fetcher = fetcher;
  }

  /**
   * Called when response headers arrive (SYN_REPLY or HEADERS; over h2 the
   * HEADERS). SPDY gives `:status` as `'200 OK'`, `:version`, then the
   * headers; h2 gives `:status` as `'200'`.
   *
   * @param nv - `[name, value]` pairs.
   */
  onHeader(nv: NameValue[]): void {
    void nv;
  }

  /**
   * Called for each chunk of response body.
   *
   * @param data - The bytes (yours to keep).
   */
  onData(data: Buffer): void {
    void data;
  }

  /**
   * Called when the stream closes.
   *
   * @param statusCode - SPDY stream status: `OK` (0), or the RST_STREAM
   *   status (`REFUSED_STREAM`, `CANCEL`, ...); over h2 the HTTP/2 error
   *   code (0 = NO_ERROR). `CANCEL` (5) when the connection was lost.
   */
  onClose(statusCode: number): void {
    void statusCode;
  }
}

/** Constructor of the stream handler class given to {@link urlfetch}. */
export type StreamHandlerClass<H extends BaseSPDYStreamHandler = BaseSPDYStreamHandler> =
  new (url: string, fetcher: UrlFetcher) => H;

const SOCKET_HIGH_WATER = 65536;
const DEFAULT_UA = 'node-spdylay/0.1';

interface Origin {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  key: string;
}

function parseOrigin(u: URL): Origin {
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== 'https' && scheme !== 'http') throw new UrlFetchError(`Unsupported scheme ${scheme}`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host, port, key: `${scheme}://${u.host}:${port}` };
}

/** The common part of a protocol connection used by {@link UrlFetcher}. @internal */
export interface ClientConnection {
  /** Submits the requests of every handler and runs until all close or the connection fails. */
  run(): Promise<void>;
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
   * @throws UrlFetchError for an unsupported scheme.
   * @throws TypeError when `urls` is empty or holds an invalid URL.
   */
  constructor(urls: (string | URL)[], HandlerClass: StreamHandlerClass<H>, options: UrlFetchOptions = {}) {
    this.urls = urls.map((u) => (u instanceof URL ? u : new URL(u)));
    if (this.urls.length === 0) throw new TypeError('no URL given');
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
   *   ALPN fails, or the connection is lost before every stream closed.
   * @throws (rejects) the first exception thrown by a handler method.
   */
  async loop(): Promise<void> {
    const o = this.#origin;
    const opts = this.options;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      let s: net.Socket;
      const fail = (err: Error): void => {
        s.destroy();
        reject(new UrlFetchError(`Could not connect to ${o.host}:${o.port}: ${err.message}`, { cause: err, origin: o.key }));
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
        s.setTimeout(opts.timeout, () => fail(new Error(`timed out after ${opts.timeout} ms`)));
      }
    });
    this.socket = socket;
    let conn: ClientConnection;
    try {
      if (o.scheme === 'https') {
        const alpn = (socket as tls.TLSSocket).alpnProtocol || null;
        const version = npnGetVersion(alpn);
        if (version) conn = new SpdyClientConnection(this, socket, version);
        else if (alpn === 'h2') conn = new H2ClientConnection(this, socket);
        else throw new UrlFetchError(`ALPN failed: the server selected ${alpn ?? 'no protocol'}`, { origin: o.key });
      } else if (opts.version === 'h2') {
        conn = new H2ClientConnection(this, socket);
        this.protocol = 'h2c';
      } else {
        const version = opts.version ?? PROTO_SPDY3_1;
        if (version !== PROTO_SPDY2 && version !== PROTO_SPDY3 && version !== PROTO_SPDY3_1) {
          throw new UrlFetchError(`Unsupported SPDY version ${String(version)}`, { origin: o.key });
        }
        conn = new SpdyClientConnection(this, socket, version);
      }
    } catch (err) {
      socket.destroy();
      throw err;
    }
    opts.onProtocol?.(this.protocol!, this);
    await conn.run();
  }
}

/** A client `Session` over a socket, driving the requests of a {@link UrlFetcher}. */
class SpdyClientConnection implements ClientConnection {
  readonly session: Session;
  readonly #fetcher: UrlFetcher;
  readonly #socket: net.Socket;
  readonly #byId = new Map<number, BaseSPDYStreamHandler>();
  #open = 0;
  #error: unknown = undefined;
  #done = false;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  #inRecv = false;
  #chunkBuffer: ArrayBufferLike | null = null;
  /** Each handler's request, for resubmission after REFUSED_STREAM. */
  readonly #requests = new Map<BaseSPDYStreamHandler, { nv: NameValue[]; retries: number; answered: boolean }>();
  #pri = 3;
  #prd: BufferDataProvider | null = null;

  constructor(fetcher: UrlFetcher, socket: net.Socket, version: number) {
    this.#fetcher = fetcher;
    this.#socket = socket;
    fetcher.protocol = version === PROTO_SPDY2 ? 'spdy/2' : version === PROTO_SPDY3 ? 'spdy/3' : 'spdy/3.1';
    const trace = fetcher.options.onFrame;
    const t = trace ? (dir: 'send' | 'recv', f: TraceFrame) => {
      try { trace(dir, f, fetcher); } catch { /* tracing must not break the fetch */ }
    } : null;
    const byId = this.#byId;
    const spdy2 = version === PROTO_SPDY2;
    this.session = new Session(CLIENT, version, {
      sendCb: (_s, data) => {
        if (socket.destroyed) return data.length;
        if (socket.writableLength >= SOCKET_HIGH_WATER) return 0;
        socket.write(data);
        return data.length;
      },
      beforeCtrlSendCb: (s, f) => {
        if (f.frameType === SYN_STREAM) {
          const h = s.getStreamUserData(f.streamId) as BaseSPDYStreamHandler | null;
          if (h) {
            h.streamId = f.streamId;
            byId.set(f.streamId, h);
          }
        }
      },
      onCtrlSendCb: t ? (_s, f) => t('send', f) : undefined,
      onDataSendCb: t ? (_s, flags, sid, length) => t('send', { frameType: 0, streamId: sid, flags, length }) : undefined,
      onCtrlRecvCb: (s, f) => {
        t?.('recv', f);
        if (f.frameType === SYN_REPLY || f.frameType === HEADERS) {
          const h = byId.get(f.streamId);
          if (h) {
            const r = this.#requests.get(h);
            if (r) r.answered = true;
            this.#call(s, h, () => h.onHeader(f.nv));
          }
        }
      },
      onDataChunkRecvCb: (s, _flags, sid, data) => {
        const h = byId.get(sid);
        if (h) {
          const d = data.buffer === this.#chunkBuffer ? data : Buffer.from(data);
          this.#call(s, h, () => h.onData(d));
        }
      },
      onDataRecvCb: (s, flags, sid, length) => {
        t?.('recv', { frameType: 0, streamId: sid, flags, length });
        // SPDY/2 has no flow control, but some peers (the spdy npm package) apply it
        if (spdy2 && !(flags & DATA_FLAG_FIN) && length > 0 && byId.has(sid)) {
          try { s.submitWindowUpdate(sid, length); } catch { /* closed */ }
        }
      },
      onStreamCloseCb: (s, sid, status) => {
        const h = byId.get(sid);
        if (!h) return;
        byId.delete(sid);
        // a stream the server refused (e.g. over its concurrency limit
        // before its SETTINGS arrived) was not processed: send it again
        const r = this.#requests.get(h);
        if (status === REFUSED_STREAM && r && !r.answered && r.retries < 5) {
          r.retries++;
          h.streamId = null;
          try {
            s.submitRequest(this.#pri, r.nv, this.#prd, h);
            return;
          } catch { /* fall through: report the close */ }
        }
        this.#open--;
        this.#call(s, h, () => h.onClose(status));
      },
    });
  }

  /** Runs a handler method; an exception resets its stream and is kept for the end. */
  #call(s: Session, h: BaseSPDYStreamHandler, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#error ??= err;
      if (h.streamId !== null && this.#byId.has(h.streamId)) {
        try { s.submitRstStream(h.streamId, CANCEL); } catch { /* gone */ }
      }
    }
  }

  run(): Promise<void> {
    const f = this.#fetcher;
    const s = this.session;
    const socket = this.#socket;
    const p = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    s.submitSettings(FLAG_SETTINGS_NONE, [[SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_NONE, 100]]);
    // SPDY/3.1: open the connection window wider (this also tells cleartext
    // servers that sniff for it that we speak 3.1)
    if (f.protocol === 'spdy/3.1') s.submitWindowUpdate(0, 1 << 20);
    const body = f.body();
    const prd = body ? new BufferDataProvider(body) : null;
    const pri = f.options.priority ?? (f.protocol === 'spdy/2' ? 1 : 3);
    this.#pri = pri;
    this.#prd = prd;
    const extra = f.extraHeaders();
    const method = f.options.method ?? (body ? 'POST' : 'GET');
    for (let i = 0; i < f.handlers.length; i++) {
      const u = f.urls[i]!;
      const nv: NameValue[] = [[':method', method], [':scheme', f.scheme], [':path', f.pathOf(u)],
        [':version', 'HTTP/1.1'], [':host', f.authority], ['accept', '*/*'],
        ['user-agent', f.options.userAgent ?? DEFAULT_UA], ...extra];
      if (body) nv.push(['content-length', String(body.length)]);
      s.submitRequest(pri, nv, prd, f.handlers[i]);
      this.#requests.set(f.handlers[i]!, { nv, retries: 0, answered: false });
      this.#open++;
    }
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('drain', () => this.#flush());
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(null));
    this.#flush();
    return p;
  }

  #onData(d: Buffer): void {
    if (this.#done) return;
    this.#inRecv = true;
    this.#chunkBuffer = d.buffer;
    try {
      this.session.recv(d);
    } catch (err) {
      this.#inRecv = false;
      this.#fail(err as Error);
      return;
    }
    this.#inRecv = false;
    this.#chunkBuffer = null;
    this.#flush();
  }

  #flush(): void {
    if (this.#done || this.#inRecv) return;
    const s = this.session;
    try {
      if (this.#socket.writableLength < SOCKET_HIGH_WATER) s.send();
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    if (this.#open === 0) {
      this.#finish();
    } else if (!s.wantRead() && !s.wantWrite()) {
      this.#fail(new Error('the session ended (GOAWAY) with streams open'));
    }
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.session.submitGoaway(GOAWAY_OK);
      this.session.send();
    } catch { /* best effort */ }
    this.#socket.end();
    this.#socket.destroySoon?.();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
    if (this.#error !== undefined) this.#reject(this.#error);
    else this.#resolve();
  }

  #fail(err: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    const left = [...this.#byId.values()];
    const unsent = this.#fetcher.handlers.filter((h) => h.streamId === null);
    this.#byId.clear();
    for (const h of [...left, ...unsent]) {
      try { h.onClose(CANCEL); } catch (e) { this.#error ??= e; }
    }
    this.#socket.destroy();
    const f = this.#fetcher;
    const origin = `${f.scheme}://${f.serverAddress[0]}:${f.serverAddress[1]}`;
    this.#reject(new UrlFetchError(
      `connection to ${f.serverAddress[0]}:${f.serverAddress[1]} ${err ? `failed: ${err.message}` : 'closed'} ` +
      `with ${left.length + unsent.length} stream(s) open`, { cause: err ?? this.#error, origin }));
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
 * @throws UrlFetchError (rejects) on an unsupported scheme, a connection,
 *   TLS or ALPN failure, or a connection lost before every stream closed.
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
      throw new UrlFetchError(`Invalid URL ${String(u)}`, { cause: err });
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
