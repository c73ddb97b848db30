/**
 * The HTTP/2 side of {@link urlfetch}: when a server selects `h2` over ALPN,
 * the fetcher's stream handlers are served by a client `nghttp2_session`
 * (binding/h2_client.cc, statically linked libnghttp2) with the same
 * handler API as SPDY.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { native, type NativeHttp2ClientSession } from '../native.js';
import type { NameValue } from './frames.js';
import { H2_FRAME_NAMES, type H2FrameInfo } from './trace.js';
import type { BaseSPDYStreamHandler, ClientConnection, UrlFetcher } from './urlfetch.js';
import { UrlFetchError } from './urlfetch.js';

const EV_HEADERS = 1;
const EV_DATA = 2;
const EV_CLOSE = 4;
const EV_FRAME = 6;
const EV_GOAWAY = 7;
const ST_WANT = 0;
const ST_EVENTS = 1;
const SOCKET_HIGH_WATER = 65536;
const NO_ERROR = 0;
const REFUSED_STREAM = 7;
const CANCEL = 8;
const DEFAULT_UA = 'node-spdylay/0.1';

/** The requests of a {@link UrlFetcher} over one HTTP/2 connection. @internal */
export class H2ClientConnection implements ClientConnection {
  readonly #fetcher: UrlFetcher;
  readonly #socket: net.Socket;
  readonly #state = new Int32Array(2);
  readonly #session: NativeHttp2ClientSession;
  readonly #byId = new Map<number, BaseSPDYStreamHandler>();
  readonly #requests = new Map<BaseSPDYStreamHandler, { hs: string; count: number; nv: NameValue[]; retries: number; answered: boolean }>();
  readonly #sentNv = new Map<number, NameValue[]>();
  #body: Buffer | null = null;
  #open = 0;
  #error: unknown = undefined;
  #done = false;
  #flushing = false;
  #pendingTrace: H2FrameInfo | null = null;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;

  constructor(fetcher: UrlFetcher, socket: net.Socket) {
    this.#fetcher = fetcher;
    this.#socket = socket;
    fetcher.protocol = 'h2';
    this.#session = new native.Http2ClientSession(this.#state, !!fetcher.options.onFrame, 1 << 20);
  }

  run(): Promise<void> {
    const f = this.#fetcher;
    const p = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const body = f.body();
    this.#body = body;
    const method = f.options.method ?? (body ? 'POST' : 'GET');
    const extra = f.extraHeaders().filter(([n]) => n !== 'host' && n !== 'connection');
    for (let i = 0; i < f.handlers.length; i++) {
      const h = f.handlers[i]!;
      const nv: NameValue[] = [[':method', method], [':scheme', f.scheme], [':authority', f.authority],
        [':path', f.pathOf(f.urls[i]!)], ['accept', '*/*'], ['user-agent', f.options.userAgent ?? DEFAULT_UA], ...extra];
      if (body) nv.push(['content-length', String(body.length)]);
      let hs = '';
      for (const [n, v] of nv) hs += n.toLowerCase() + '\0' + v + '\0';
      this.#requests.set(h, { hs, count: nv.length, nv, retries: 0, answered: false });
      if (!this.#submit(h)) {
        this.#session.destroy();
        this.#socket.destroy();
        return Promise.reject(new UrlFetchError(`could not submit the request for ${h.url}`));
      }
      this.#open++;
    }
    const socket = this.#socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('drain', () => this.#flush());
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(null));
    this.#flush();
    return p;
  }

  #submit(h: BaseSPDYStreamHandler): boolean {
    const r = this.#requests.get(h)!;
    const sid = this.#session.submitRequest(r.hs, r.count, this.#body);
    if (sid <= 0) return false;
    h.streamId = sid;
    this.#byId.set(sid, h);
    if (this.#fetcher.options.onFrame) this.#sentNv.set(sid, r.nv);
    return true;
  }

  #trace(dir: 'send' | 'recv', frame: H2FrameInfo): void {
    const t = this.#fetcher.options.onFrame;
    if (!t) return;
    try {
      t(dir, frame, this.#fetcher);
    } catch { /* tracing must not break the fetch */ }
  }

  #call(h: BaseSPDYStreamHandler, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#error ??= err;
      if (h.streamId !== null && this.#byId.has(h.streamId)) this.#session.submitRstStream(h.streamId, CANCEL);
    }
  }

  #dispatch(ab: ArrayBuffer): void {
    const u32 = new Uint32Array(ab);
    const buf = Buffer.from(ab);
    let i = 0;
    while (i < u32.length) {
      const type = u32[i]!;
      if (this.#pendingTrace && type !== EV_HEADERS) {
        this.#trace('recv', this.#pendingTrace);
        this.#pendingTrace = null;
      }
      switch (type) {
        case EV_HEADERS: {
          const sid = u32[i + 1]!;
          const nf = u32[i + 3]!;
          const nbytes = u32[i + 4]!;
          const lensAt = i + 5;
          let p = (lensAt + 2 * nf) * 4;
          const nv: NameValue[] = [];
          for (let k = 0; k < nf; k++) {
            const nl = u32[lensAt + 2 * k]!;
            const vl = u32[lensAt + 2 * k + 1]!;
            nv.push([buf.toString('latin1', p, p + nl), buf.toString('utf8', p + nl, p + nl + vl)]);
            p += nl + vl;
          }
          i = lensAt + 2 * nf + ((nbytes + 3) >>> 2);
          if (this.#pendingTrace) {
            this.#pendingTrace.nv = nv;
            this.#trace('recv', this.#pendingTrace);
            this.#pendingTrace = null;
          }
          const h = this.#byId.get(sid);
          if (h) {
            const r = this.#requests.get(h);
            if (r) r.answered = true;
            this.#call(h, () => h.onHeader(nv));
          }
          break;
        }
        case EV_DATA: {
          const sid = u32[i + 1]!;
          const len = u32[i + 2]!;
          const at = (i + 3) * 4;
          const h = this.#byId.get(sid);
          if (h) {
            const d = Buffer.from(buf.subarray(at, at + len));
            this.#call(h, () => h.onData(d));
          }
          i += 3 + ((len + 3) >>> 2);
          break;
        }
        case EV_CLOSE: {
          const sid = u32[i + 1]!;
          const code = u32[i + 2]!;
          i += 3;
          this.#sentNv.delete(sid);
          const h = this.#byId.get(sid);
          if (!h) break;
          this.#byId.delete(sid);
          const r = this.#requests.get(h);
          if (code === REFUSED_STREAM && r && !r.answered && r.retries < 5) {
            r.retries++;
            h.streamId = null;
            if (this.#submit(h)) break;
          }
          this.#open--;
          this.#call(h, () => h.onClose(code));
          break;
        }
        case EV_FRAME: {
          const dir = u32[i + 1]!;
          const ftype = u32[i + 2]!;
          const sid = u32[i + 4]!;
          const a = u32[i + 6]!;
          const b = u32[i + 7]!;
          const frame: H2FrameInfo = {
            frameType: 'h2', version: 'h2', type: ftype, name: H2_FRAME_NAMES[ftype] ?? `type ${ftype}`,
            flags: u32[i + 3]!, streamId: sid, length: u32[i + 5]!,
            ...(ftype === 7 ? { lastStreamId: a, errorCode: b } : {}),
            ...(ftype === 3 ? { errorCode: a } : {}),
            ...(ftype === 8 ? { increment: a } : {}),
            ...(ftype === 4 ? { niv: a } : {}),
          };
          i += 8;
          if (dir === 0) {
            if (ftype === 1) frame.nv = this.#sentNv.get(sid);
            this.#trace('send', frame);
          } else if (ftype === 1) {
            this.#pendingTrace = frame;
          } else {
            this.#trace('recv', frame);
          }
          break;
        }
        case EV_GOAWAY:
          i += 3;
          break;
        default:
          throw new Error(`internal error: unknown h2 client event ${type}`);
      }
    }
    if (this.#pendingTrace) {
      this.#trace('recv', this.#pendingTrace);
      this.#pendingTrace = null;
    }
  }

  #onData(d: Buffer): void {
    if (this.#done) return;
    const ev = this.#session.recv(d);
    if (typeof ev === 'number') {
      this.#fail(new Error(`HTTP/2 session error: ${native.nghttp2Strerror(ev)}`));
      return;
    }
    if (ev) this.#dispatch(ev);
    this.#flush();
  }

  #flush(): void {
    if (this.#done || this.#flushing) return;
    this.#flushing = true;
    const s = this.#session;
    const st = this.#state;
    try {
      for (;;) {
        if (this.#socket.writableLength > SOCKET_HIGH_WATER || this.#done) break;
        const out = s.send(65536);
        if (st[ST_EVENTS]! > 0) {
          const ev = s.takeEvents();
          if (ev) this.#dispatch(ev);
        }
        if (typeof out === 'number') {
          this.#flushing = false;
          this.#fail(new Error(`HTTP/2 session error: ${native.nghttp2Strerror(out)}`));
          return;
        }
        if (out === undefined) break;
        this.#socket.write(out);
        if ((st[ST_WANT]! & 2) === 0) break;
      }
    } finally {
      this.#flushing = false;
    }
    if (this.#done) return;
    if (this.#open === 0) this.#finish();
    else if ((st[ST_WANT]! & 3) === 0) this.#fail(new Error('the session ended (GOAWAY) with streams open'));
  }

  #finish(): void {
    if (this.#done) return;
    const s = this.#session;
    s.submitGoaway(NO_ERROR);
    const out = s.send(65536);
    const ev = s.takeEvents();
    this.#done = true;
    if (ev) this.#dispatch(ev);
    if (out instanceof Buffer) this.#socket.write(out);
    s.destroy();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
    if (this.#error !== undefined) this.#reject(this.#error);
    else this.#resolve();
  }

  #fail(err: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    const left = [...this.#byId.values()];
    this.#byId.clear();
    for (const h of left) {
      try { h.onClose(CANCEL); } catch (e) { this.#error ??= e; }
    }
    this.#session.destroy();
    this.#socket.destroy();
    const f = this.#fetcher;
    this.#reject(new UrlFetchError(
      `connection to ${f.serverAddress[0]}:${f.serverAddress[1]} ${err ? `failed: ${err.message}` : 'closed'} ` +
      `with ${left.length} stream(s) open`, { cause: err ?? this.#error, origin: `${f.scheme}://${f.serverAddress[0]}:${f.serverAddress[1]}` }));
  }
}
