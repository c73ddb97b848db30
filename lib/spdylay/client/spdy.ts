/**
 * The SPDY side of {@link urlfetch}: a client `Session` (deps/spdylay) over
 * a socket, serving the stream handlers of one fetcher.
 *
 * The session's events come straight from the native event reader
 * (session-events.ts) to the connection's named handlers: response header
 * strings are read once into the handler's pair list, each DATA batch is
 * walked in one loop that hands the chunks (views of the socket's chunk) to
 * the stream handlers, and frame objects are made only for the trace hook.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { UrlFetchError } from '../../errors.js';
import { RecvStep, SOCKET_HIGH_WATER, writeBounded } from '../../transport.js';
import {
  CANCEL, CLIENT, DATA_FLAG_FIN, FLAG_SETTINGS_NONE, GOAWAY_OK, HEADERS, ID_FLAG_SETTINGS_NONE,
  PROTO_SPDY2, PROTO_SPDY3, REFUSED_STREAM, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_REPLY, SYN_STREAM,
} from '../constants.js';
import type { NameValue, SynReplyFrame } from '../frames.js';
import { BufferDataProvider, type Session, sessionWithHandlers } from '../session.js';
import { ClientConnection, type ConnectionOwner, type PendingRequest } from './connection.js';
import type { BaseSPDYStreamHandler } from './handler.js';

/** A request as submitted, for resubmission after REFUSED_STREAM. */
interface SpdyRequest extends PendingRequest {
  nv: NameValue[];
}

/** A client `Session` over a socket, driving the requests of one fetcher. @internal */
export class SpdyClientConnection extends ClientConnection<SpdyRequest> {
  /** The client session. */
  readonly session: Session;
  readonly #version: number;
  readonly #recv = new RecvStep();
  #pri = 3;
  #prd: BufferDataProvider | null = null;

  /**
   * @param owner - The fetcher's side.
   * @param socket - The connected socket.
   * @param version - `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`.
   */
  constructor(owner: ConnectionOwner, socket: net.Socket, version: number) {
    super(owner, socket, CANCEL);
    this.#version = version;
    owner.setProtocol(version === PROTO_SPDY2 ? 'spdy/2' : version === PROTO_SPDY3 ? 'spdy/3' : 'spdy/3.1');
    const t = owner.trace;
    const byId = this.byId;
    const spdy2 = version === PROTO_SPDY2;
    const { session, events } = sessionWithHandlers(CLIENT, version, {
      send: (data) => writeBounded(socket, data),
      beforeCtrlSend: (type, sid) => {
        if (type === SYN_STREAM) {
          const h = session.getStreamUserData(sid) as BaseSPDYStreamHandler | null;
          if (h) {
            h.streamId = sid;
            byId.set(sid, h);
          }
        }
      },
      ctrlSend: t ? (_type, _sid, _flags, value) => t('send', events.frame(value)) : undefined,
      dataSend: t ? (flags, sid, length) => t('send', { frameType: 0, streamId: sid, flags, length }) : undefined,
      ctrlRecv: (type, sid, _flags, value) => {
        const f = t ? events.frame(value) : null;
        if (f) t!('recv', f);
        if (type === SYN_REPLY || type === HEADERS) {
          const h = byId.get(sid);
          if (h) this.headers(h, f ? (f as SynReplyFrame).nv : events.nv(value));
        }
      },
      dataChunkRecv: (_flags, sid, data, inInput) => {
        const h = byId.get(sid);
        if (h) this.data(h, inInput ? data : Buffer.from(data));
      },
      dataRecv: t || spdy2 ? (flags, sid, length) => {
        t?.('recv', { frameType: 0, streamId: sid, flags, length });
        // SPDY/2 has no flow control, but some peers (the spdy npm package) apply it
        if (spdy2 && !(flags & DATA_FLAG_FIN) && length > 0 && byId.has(sid)) {
          try { session.submitWindowUpdate(sid, length); } catch { /* closed */ }
        }
      } : undefined,
      streamClose: (sid, status) => this.closed(sid, status, REFUSED_STREAM),
    });
    this.session = session;
  }

  run(): Promise<void> {
    const o = this.owner;
    const s = this.session;
    const p = this.result();
    s.submitSettings(FLAG_SETTINGS_NONE, [[SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_NONE, 100]]);
    const version = this.#version;
    // SPDY/3.1: open the connection window wider (this also tells cleartext
    // servers that sniff for it that we speak 3.1)
    if (version !== PROTO_SPDY2 && version !== PROTO_SPDY3) s.submitWindowUpdate(0, 1 << 20);
    const req = o.requests();
    const body = req.body;
    const prd = body ? new BufferDataProvider(body) : null;
    // `priority` is documented as 0..7: SPDY/2's range ends at 3
    const pri = Math.min(req.priority ?? (version === PROTO_SPDY2 ? 1 : 3), s.getPriLowest());
    this.#pri = pri;
    this.#prd = prd;
    for (let i = 0; i < o.handlers.length; i++) {
      const nv: NameValue[] = [[':method', req.method], [':scheme', o.scheme], [':path', o.pathAt(i)],
        [':version', 'HTTP/1.1'], [':host', o.authority], ['accept', '*/*'],
        ['user-agent', req.userAgent], ...req.headers];
      if (body) nv.push(['content-length', String(body.length)]);
      s.submitRequest(pri, nv, prd, o.handlers[i]);
      this.requests.set(o.handlers[i]!, { nv, retries: 0, answered: false });
      this.open++;
    }
    this.listen();
    this.flush();
    return p;
  }

  protected override resubmit(h: BaseSPDYStreamHandler, r: SpdyRequest): boolean {
    try {
      this.session.submitRequest(this.#pri, r.nv, this.#prd, h);
      return true;
    } catch {
      return false;
    }
  }

  protected override resetStream(streamId: number): void {
    try { this.session.submitRstStream(streamId, CANCEL); } catch { /* gone */ }
  }

  protected override unsent(): BaseSPDYStreamHandler[] {
    return this.owner.handlers.filter((h) => h.streamId === null);
  }

  protected override onData(d: Buffer): void {
    if (this.done) return;
    try {
      this.#recv.run(this.session, d);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.flush();
  }

  protected override flush(): void {
    if (this.done || this.#recv.active) return;
    const s = this.session;
    try {
      if (this.socket.writableLength < SOCKET_HIGH_WATER) s.send();
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (this.open === 0) {
      this.#finish();
    } else if (!s.wantRead() && !s.wantWrite()) {
      this.fail(new UrlFetchError('the session ended (GOAWAY) with streams open', { code: 'ERR_SPDYLAY_GOAWAY' }));
    }
  }

  #finish(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.session.submitGoaway(GOAWAY_OK);
      this.session.send();
    } catch { /* best effort */ }
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.settle();
  }
}
