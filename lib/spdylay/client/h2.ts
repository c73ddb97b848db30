/**
 * The HTTP/2 side of {@link urlfetch}: when a server selects `h2` over ALPN
 * (or for h2c with prior knowledge), the fetcher's stream handlers are
 * served by a client `nghttp2_session` (binding/nghttp2/client_session.cc, statically
 * linked libnghttp2) with the same handler API as SPDY.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { UrlFetchError } from '../../errors.js';
import { native, type NativeHttp2ClientSession } from '../../native.js';
import { NGHTTP2Error } from '../../nghttp2/errors.js';
import { SOCKET_HIGH_WATER } from '../../transport.js';
import type { NameValue } from '../frames.js';
import { H2_FRAME_NAMES, type H2FrameInfo } from '../trace.js';
import { ClientConnection, type ConnectionOwner, type PendingRequest } from './connection.js';
import type { BaseSPDYStreamHandler } from './handler.js';

const { events: EVENTS, state: STATE } = native.Http2ClientSession.layout;
const EV_HEADERS = EVENTS.headers;
const EV_DATA = EVENTS.data;
const EV_CLOSE = EVENTS.close;
const EV_FRAME = EVENTS.frame;
const EV_GOAWAY = EVENTS.goaway;
const ST_WANT = STATE.want;
const ST_EVENTS = STATE.events;
const NO_ERROR = 0;
const REFUSED_STREAM = 7;
const CANCEL = 8;

/** A request as submitted: its header list in the form the addon takes, for resubmission after REFUSED_STREAM. */
interface H2Request extends PendingRequest {
  /** `name\0value\0` for each field. */
  hs: string;
  count: number;
  nv: NameValue[];
}

/** The requests of one fetcher over one HTTP/2 connection. @internal */
export class H2ClientConnection extends ClientConnection<H2Request> {
  readonly #state = new Int32Array(STATE.count);
  readonly #session: NativeHttp2ClientSession;
  /** The request header lists by stream ID, to show them in the trace of sent HEADERS. */
  readonly #sentNv = new Map<number, NameValue[]>();
  #body: Buffer | null = null;
  #flushing = false;
  #pendingTrace: H2FrameInfo | null = null;

  /**
   * @param owner - The fetcher's side.
   * @param socket - The connected socket.
   * @param protocol - The protocol reported: `'h2'` (ALPN) or `'h2c'` (cleartext, prior knowledge).
   */
  constructor(owner: ConnectionOwner, socket: net.Socket, protocol: 'h2' | 'h2c') {
    super(owner, socket, CANCEL);
    owner.setProtocol(protocol);
    this.#session = new native.Http2ClientSession(this.#state, owner.trace !== null, 1 << 20);
  }

  run(): Promise<void> {
    const o = this.owner;
    const p = this.result();
    const req = o.requests();
    const body = req.body;
    this.#body = body;
    const extra = req.headers.filter(([n]) => n !== 'host' && n !== 'connection');
    for (let i = 0; i < o.handlers.length; i++) {
      const h = o.handlers[i]!;
      const nv: NameValue[] = [[':method', req.method], [':scheme', o.scheme], [':authority', o.authority],
        [':path', o.pathAt(i)], ['accept', '*/*'], ['user-agent', req.userAgent], ...extra];
      if (body) nv.push(['content-length', String(body.length)]);
      let hs = '';
      for (const [n, v] of nv) hs += n.toLowerCase() + '\0' + v + '\0';
      const r: H2Request = { hs, count: nv.length, nv, retries: 0, answered: false };
      this.requests.set(h, r);
      if (!this.resubmit(h, r)) {
        this.#session.destroy();
        this.socket.destroy();
        return Promise.reject(o.submitError(h.url));
      }
      this.open++;
    }
    this.listen();
    this.flush();
    return p;
  }

  /** Submits the request of `h` (the first time too). */
  protected override resubmit(h: BaseSPDYStreamHandler, r: H2Request): boolean {
    const sid = this.#session.submitRequest(r.hs, r.count, this.#body);
    if (sid <= 0) return false;
    h.streamId = sid;
    this.byId.set(sid, h);
    if (this.owner.trace) this.#sentNv.set(sid, r.nv);
    return true;
  }

  protected override resetStream(streamId: number): void {
    this.#session.submitRstStream(streamId, CANCEL);
  }

  #trace(dir: 'send' | 'recv', frame: H2FrameInfo): void {
    this.owner.trace?.(dir, frame);
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
          const h = this.byId.get(sid);
          if (h) this.headers(h, nv);
          break;
        }
        case EV_DATA: {
          const sid = u32[i + 1]!;
          const len = u32[i + 2]!;
          const at = (i + 3) * 4;
          const h = this.byId.get(sid);
          if (h) this.data(h, Buffer.from(buf.subarray(at, at + len)));
          i += 3 + ((len + 3) >>> 2);
          break;
        }
        case EV_CLOSE: {
          const sid = u32[i + 1]!;
          const code = u32[i + 2]!;
          i += 3;
          this.#sentNv.delete(sid);
          this.closed(sid, code, REFUSED_STREAM);
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

  protected override onData(d: Buffer): void {
    if (this.done) return;
    const ev = this.#session.recv(d);
    if (typeof ev === 'number') {
      this.fail(new NGHTTP2Error(ev, `HTTP/2 session error: ${native.nghttp2Strerror(ev)}`));
      return;
    }
    if (ev) this.#dispatch(ev);
    this.flush();
  }

  protected override flush(): void {
    if (this.done || this.#flushing) return;
    this.#flushing = true;
    const s = this.#session;
    const st = this.#state;
    try {
      for (;;) {
        if (this.socket.writableLength > SOCKET_HIGH_WATER || this.done) break;
        const out = s.send(65536);
        if (st[ST_EVENTS]! > 0) {
          const ev = s.takeEvents();
          if (ev) this.#dispatch(ev);
        }
        if (typeof out === 'number') {
          this.#flushing = false;
          this.fail(new NGHTTP2Error(out, `HTTP/2 session error: ${native.nghttp2Strerror(out)}`));
          return;
        }
        if (out === undefined) break;
        this.socket.write(out);
        if ((st[ST_WANT]! & 2) === 0) break;
      }
    } finally {
      this.#flushing = false;
    }
    if (this.done) return;
    if (this.open === 0) this.#finish();
    else if ((st[ST_WANT]! & 3) === 0) this.fail(new UrlFetchError('the session ended (GOAWAY) with streams open', { code: 'ERR_SPDYLAY_GOAWAY' }));
  }

  #finish(): void {
    if (this.done) return;
    const s = this.#session;
    s.submitGoaway(NO_ERROR);
    const out = s.send(65536);
    const ev = s.takeEvents();
    this.done = true;
    if (ev) this.#dispatch(ev);
    if (out instanceof Buffer) this.socket.write(out);
    s.destroy();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.settle();
  }

  protected override destroy(): void {
    this.#session.destroy();
    super.destroy();
  }
}
