/**
 * The response side of a request stream, independent of the protocol
 * (`StreamIO`: the body written to `wfile`, the request body fed to
 * `rfile`, with back-pressure both ways), and its three protocol variants:
 * SPDY (a `DataProvider` of the connection's `Session`), HTTP/2 (the inner
 * `HTTP2Server`'s request handler) and HTTP/1.1 (`node:http`).
 *
 * @packageDocumentation
 */
import type { EventEmitter } from 'node:events';
import type * as http from 'node:http';
import { Readable, Writable } from 'node:stream';

import { BaseRequestHandler, DATA_DEFERRED, DATA_EOF, DATA_OK } from '../../nghttp2/index.js';
import { CTRL_FLAG_FIN, CTRL_FLAG_NONE, DATA_FLAG_NONE, ERR_DEFERRED, INTERNAL_ERROR, READ_EOF } from '../constants.js';
import type { NameValue } from '../frames.js';
import { BufferDataProvider, DataProvider, type ReadCtrl, type Session } from '../session.js';
import type { BaseSPDYRequestHandler } from './handler.js';
import { ByteQueue, RESPONSES, dateTimeString } from './http-util.js';

/** Outgoing body bytes buffered per stream before `wfile.write()` reports back-pressure. @internal */
export const BODY_HIGH_WATER = 65536;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Marker error thrown from an HTTP/2 body generator to reset its stream. @internal */
export class StreamResetMarker extends Error {}

/** What a stream I/O sees of the server that runs its handler. @internal */
export interface StreamOwner {
  /** The handler of `io` threw or rejected: 500 if nothing was sent, else reset. */
  _failed(io: StreamIO, err: unknown): void;
  /** Reports a handler error (`'handlerError'`, else stderr). */
  _handlerError(err: unknown, handler: BaseSPDYRequestHandler | null): void;
  /** Runs `io`'s commit on the next tick (h2, HTTP/1.1). */
  _commitSoon(io: StreamIO): void;
}

/** What a SPDY stream I/O sees of its connection. @internal */
export interface SpdyStreamConnection {
  readonly session: Session;
  /** `'spdy/3.1'`, `'spdy/3'` or `'spdy/2'`. */
  readonly protocol: string;
  readonly server: StreamOwner;
  /** Commits `io` at the connection's next flush. */
  commitLater(io: SpdyStreamIO): void;
  /** Schedules a flush. */
  schedule(): void;
  /** `n` request body bytes of `streamId` were taken or dropped. */
  consume(streamId: number, n: number): void;
  /** Pauses or resumes reading for `io` (SPDY/2). */
  setReading(io: SpdyStreamIO, on: boolean): void;
}

/**
 * The response side of one request stream, independent of the protocol:
 * buffers the body written to `wfile` and hands it to the protocol.
 * @internal
 */
export abstract class StreamIO {
  readonly queue = new ByteQueue();
  /** The response headers (or the whole response) were handed to the protocol. */
  committed = false;
  /** No more body bytes will be written. */
  ended = false;
  /** The stream is gone (closed or reset): writes are dropped. */
  closed = false;
  /** The protocol closed the stream; `onClosed()` (handler code) follows after the C call. */
  gone = false;
  /** The handler failed (threw); the rest of the request body is dropped. */
  failed = false;
  /** The handler's `handle()` has settled. */
  handlerDone = false;
  /** Bytes of response body handed to the protocol. */
  bytesSent = 0;
  /** Response trailer fields (lower-case names), sent after the body; null: none. */
  trailers: NameValue[] | null = null;
  /** Write callbacks held while the queue is over the high-water mark. */
  private waiting: ((err?: Error | null) => void)[] | null = null;
  /** Request body chunks received before `rfile` was created. */
  pendingBody: Buffer[] | null = [];
  /** Request body bytes received but not yet taken by the handler (in `pendingBody` or over `rfile`'s high-water mark). */
  heldBytes = 0;
  bodyEnded = false;
  rfile: Readable | null = null;
  handler!: BaseSPDYRequestHandler;

  abstract readonly protocol: string;
  /** The server that runs the handler. */
  abstract readonly owner: StreamOwner;
  /** Hands the status line, headers and (when `ended`) the whole body to the protocol. */
  protected abstract commit(): void;
  /** More body (or the end) is queued: let the protocol pull it. */
  protected abstract wake(): void;
  /** Resets the stream (RST_STREAM INTERNAL_ERROR). */
  abstract reset(): void;
  /** Asks the protocol to process commits (schedules a flush). */
  abstract schedule(): void;
  /** Pauses or resumes reading from the transport (request body back-pressure). */
  abstract setReading(on: boolean): void;

  /**
   * `n` request body bytes have been taken by the handler or dropped: a
   * protocol with flow control grants the peer that much window again.
   */
  protected settle(n: number): void {
    void n;
  }

  /** Settles the bytes held so far. */
  settleHeld(): void {
    const n = this.heldBytes;
    if (n === 0) return;
    this.heldBytes = 0;
    this.settle(n);
  }

  /**
   * Whether the body is complete: `end()` was seen, or the handler ended
   * `wfile` and every chunk reached the queue (its `_final` may still be
   * pending on the next tick).
   */
  get bodyDone(): boolean {
    if (this.ended) return true;
    const w = this.handler?._wfile;
    if (w && w.writableEnded && w.writableLength === 0) {
      this.ended = true;
      return true;
    }
    return false;
  }

  write(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.closed || this.gone || this.ended) {
      cb();
      return;
    }
    this.queue.push(chunk);
    if (this.committed) this.wake();
    else this.schedule();
    if (this.queue.bytes < BODY_HIGH_WATER) cb();
    else (this.waiting ??= []).push(cb);
  }

  /**
   * Sets the response's trailer fields (before {@link end}): h2 sends them
   * as trailing HEADERS; SPDY as a HEADERS frame with FIN after the last
   * DATA when they are known when the head is committed (see
   * `SpdyStreamIO`).
   */
  setTrailers(fields: NameValue[]): void {
    if (this.closed || this.ended || fields.length === 0) return;
    this.trailers = fields;
    this.trailersSet();
  }

  /** The trailers were set (h2: handed to nghttp2 when the body is under way). */
  protected trailersSet(): void {}

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.closed) return;
    if (this.committed) this.wake();
    else this.schedule();
  }

  /** Called by the protocol after taking bytes: releases writers below the high-water mark. */
  taken(n: number): void {
    this.bytesSent += n;
    if (this.waiting !== null && this.queue.bytes < BODY_HIGH_WATER) {
      const w = this.waiting;
      this.waiting = null;
      for (const cb of w) cb();
    }
  }

  /** Runs the commit if pending (called from the protocol's flush). */
  runCommit(): void {
    if (this.committed || this.closed || this.gone) return;
    this.committed = true;
    this.commit();
  }

  /** Status code and header list for the response (protocol-independent parts). */
  responseHead(): { code: number; line: string; headers: NameValue[] } {
    const h = this.handler;
    let code = h._status;
    let line = h._statusLine;
    if (code === null) {
      code = 200;
      line = '200 OK';
    }
    return { code, line, headers: h._responseHeaders };
  }

  // ---- request body

  pushBody(chunk: Buffer): void {
    if (this.bodyEnded || this.failed) {
      this.settle(chunk.length);
      return;
    }
    if (this.rfile) {
      if (this.rfile.push(chunk)) {
        this.settle(chunk.length);
      } else {
        this.heldBytes += chunk.length;
        this.setReading(false);
      }
    } else if (this.pendingBody) {
      if (this.handlerDone && this.ended) {
        this.pendingBody = null; // nobody will read it
        this.settle(chunk.length);
        this.settleHeld();
        this.setReading(true);
      } else {
        this.pendingBody.push(chunk);
        this.heldBytes += chunk.length;
        // no flow control (SPDY/2): bounded as rfile's buffer is, by pausing the connection
        if (this.heldBytes >= BODY_HIGH_WATER) this.setReading(false);
      }
    } else {
      this.settle(chunk.length);
    }
  }

  endBody(): void {
    if (this.bodyEnded) return;
    this.bodyEnded = true;
    this.handler?._bodyEnded();
    if (this.rfile) this.rfile.push(null);
  }

  makeRfile(): Readable {
    if (this.rfile) return this.rfile;
    const r = new GuardedReadable({
      highWaterMark: BODY_HIGH_WATER,
      read: () => {
        this.settleHeld();
        this.setReading(true);
      },
    });
    r.io = this;
    this.rfile = r;
    const pending = this.pendingBody;
    this.pendingBody = null;
    if (pending) for (const c of pending) r.push(c);
    if (this.bodyEnded) r.push(null);
    else if (this.closed) r.destroy();
    return r;
  }

  /** The stream closed (normally or not). */
  onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.waiting = null;
    this.pendingBody = null;
    this.settleHeld();
    if (this.rfile && !this.bodyEnded) this.rfile.destroy();
    this.setReading(true);
    const w = this.handler?._wfile;
    if (w && !w.writableFinished) w.destroy();
  }

  /** The handler's `handle()` settled: end the response if it did not. */
  finish(): void {
    this.handlerDone = true;
    if (this.closed) return;
    const w = this.handler._wfile;
    if (!w) this.end();
    else if (!w.writableEnded) {
      if (w.writableLength === 0) this.end();
      w.end();
    }
    if (this.bodyEnded === false && this.ended && this.rfile === null) {
      this.pendingBody = null;
      this.settleHeld();
      this.setReading(true);
    }
  }
}

/**
 * Reports an exception thrown by a listener of a handler's `rfile`/`wfile`
 * (streams emit from process ticks, where a throw would crash the process):
 * it counts as a handler error of that stream (500 or reset).
 */
function listenerFailed(io: StreamIO, err: unknown): void {
  if (io.handler) io.owner._failed(io, err);
}

/**
 * A stream class whose `emit` turns an exception of a listener into a
 * handler error of the stream I/O it is bound to (`rfile` and `wfile`).
 */
function guarded<B extends new (...args: any[]) => EventEmitter>(Base: B) {
  return class Guarded extends Base {
    /** The request stream whose handler answers for the listeners. */
    io!: StreamIO;

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      try {
        return super.emit(event, ...args);
      } catch (err) {
        listenerFailed(this.io, err);
        return true;
      }
    }
  };
}

const GuardedReadable = guarded(Readable);
const GuardedWritable = guarded(Writable);

/** `wfile`: a Writable whose listeners' exceptions become handler errors of `io`. @internal */
export function guardedWritable(io: StreamIO, opts: ConstructorParameters<typeof Writable>[0]): Writable {
  const w = new GuardedWritable(opts);
  w.io = io;
  return w;
}

/** SPDY stream I/O: the body goes through a `DataProvider` of the connection's `Session`. */
export class SpdyStreamIO extends StreamIO {
  deferred = false;
  /** The response declared a `trailer` header: its body ends with a HEADERS frame with FIN. */
  trailersDeclared = false;
  /** The body goes without FIN and a HEADERS frame with FIN ends the stream. */
  withTrailers = false;
  /** The body reached EOF: the final HEADERS frame is due. */
  trailersDue = false;
  /** Pushes associated with this stream whose SYN_STREAM has not gone out: the stream's FIN waits. */
  pushesPending = 0;

  /** Every pushed stream's SYN_STREAM went out: a body waiting at its end goes on. */
  pushesSent(): void {
    if (this.committed) this.wake();
  }

  /** Sends the final HEADERS (FIN, the trailers) once the body reached EOF. */
  override runCommit(): void {
    if (this.trailersDue) {
      this.trailersDue = false;
      if (this.closed || this.gone) return;
      try {
        this.conn.session.submitHeaders(CTRL_FLAG_FIN, this.streamId, this.trailers ?? []);
      } catch (err) {
        this.owner._handlerError(err, this.handler);
        this.reset();
      }
      return;
    }
    super.runCommit();
  }
  constructor(readonly conn: SpdyStreamConnection, readonly streamId: number) {
    super();
  }

  get protocol(): string {
    return this.conn.protocol;
  }

  get owner(): StreamOwner {
    return this.conn.server;
  }

  protected commit(): void {
    const { line, headers } = this.responseHead();
    const h = this.handler;
    const nv: NameValue[] = [[':status', line], [':version', 'HTTP/1.1'], ...headers];
    if (h._serverHeaders) nv.push(['server', h.versionString()], ['date', dateTimeString()]);
    let prd: DataProvider<any> | null = null;
    if (this.trailers !== null || this.trailersDeclared) {
      // SYN_REPLY, DATA without FIN, then HEADERS with FIN and the trailers (trailersDue)
      this.withTrailers = true;
      try {
        this.conn.session.submitSynReply(CTRL_FLAG_NONE, this.streamId, nv);
        this.conn.session.submitData(this.streamId, DATA_FLAG_NONE, new DataProvider<SpdyStreamIO>(this, spdyRead));
      } catch (err) {
        this.owner._handlerError(err, h);
        this.reset();
      }
      return;
    }
    if (this.bodyDone && this.pushesPending === 0) {
      if (this.queue.bytes) {
        const body = this.queue.drain();
        this.taken(body.length);
        prd = new BufferDataProvider(body);
      }
    } else {
      prd = new DataProvider<SpdyStreamIO>(this, spdyRead);
    }
    try {
      this.conn.session.submitResponse(this.streamId, nv, prd);
    } catch (err) {
      this.owner._handlerError(err, h);
      this.reset();
    }
  }

  protected wake(): void {
    if (this.deferred && !this.closed && !this.gone) {
      this.deferred = false;
      this.conn.session.resumeData(this.streamId);
    }
    this.conn.schedule();
  }

  reset(): void {
    if (this.closed || this.gone) return;
    try {
      this.conn.session.submitRstStream(this.streamId, INTERNAL_ERROR);
    } catch { /* stream already gone */ }
    this.queue.clear();
    this.conn.schedule();
  }

  schedule(): void {
    this.conn.commitLater(this);
  }

  setReading(on: boolean): void {
    this.conn.setReading(this, on);
  }

  protected override settle(n: number): void {
    this.conn.consume(this.streamId, n);
  }
}

/** The body of `io` ends: EOF, and the final HEADERS (FIN) when the body goes without FIN. */
function spdyEof(io: SpdyStreamIO, ctrl: ReadCtrl): void {
  ctrl.flags = READ_EOF;
  if (io.withTrailers && !io.closed) {
    io.withTrailers = false;
    io.trailersDue = true;
    io.conn.commitLater(io);
  }
}

/** The read callback of a streamed SPDY response body. */
function spdyRead(_s: Session, _sid: number, length: number, ctrl: ReadCtrl, io: SpdyStreamIO): Buffer | number | null {
  const b = io.queue.take(length);
  if (b) {
    io.taken(b.length);
    if (io.queue.bytes === 0 && io.bodyDone && io.pushesPending === 0) spdyEof(io, ctrl);
    return b;
  }
  if (io.closed || (io.bodyDone && io.pushesPending === 0)) {
    spdyEof(io, ctrl);
    return null;
  }
  io.deferred = true;
  return ERR_DEFERRED;
}

/** HTTP/2 stream I/O over the nghttp2 server's request handler. */
export class H2StreamIO extends StreamIO {
  readonly protocol = 'h2';
  deferred = false;
  /**
   * The handler's response header names are lower-case and hold no
   * pseudo-header nor connection-specific field, and it adds no `server`/
   * `date`: the list goes to nghttp2 as it is.
   */
  cleanHeaders = false;
  constructor(readonly bridge: BaseRequestHandler, readonly owner: StreamOwner) {
    super();
  }

  protected commit(): void {
    const h = this.handler;
    const code = h._status ?? 200;
    let out: NameValue[];
    if (this.cleanHeaders) {
      out = h._responseHeaders;
    } else {
      out = [];
      for (const [n, v] of h._responseHeaders) {
        const name = n.toLowerCase();
        if (name.charCodeAt(0) === 58 || HOP_BY_HOP.has(name)) continue;
        out.push([name, v]);
      }
      if (h._serverHeaders) out.push(['server', h.versionString()], ['date', dateTimeString()]);
    }
    let body: Buffer | ((size: number) => readonly [Buffer | null, 0 | 1 | 2]) | null = null;
    if (this.bodyDone) {
      if (this.queue.bytes) {
        body = this.queue.drain();
        this.taken(body.length);
      } else if (this.trailers !== null) {
        // trailers need a body (the last DATA frame goes without END_STREAM)
        body = () => [null, DATA_EOF] as const;
      }
    } else {
      body = (size: number) => {
        if (this.failed) throw new StreamResetMarker('handler failed');
        const b = this.queue.take(size);
        if (b) {
          this.taken(b.length);
          return [b, this.queue.bytes === 0 && this.bodyDone ? DATA_EOF : DATA_OK] as const;
        }
        if (this.bodyDone || this.closed) return [null, DATA_EOF] as const;
        this.deferred = true;
        return [null, DATA_DEFERRED] as const;
      };
    }
    try {
      this.bridge.sendResponse(code, out, body);
      if (this.trailers !== null && body !== null) this.bridge.sendTrailers(this.trailers);
    } catch (err) {
      this.owner._handlerError(err, h);
      this.reset();
    }
  }

  protected override trailersSet(): void {
    if (!this.committed || this.closed) return;
    try {
      this.bridge.sendTrailers(this.trailers!);
    } catch (err) {
      this.owner._handlerError(err, this.handler);
    }
  }

  protected wake(): void {
    if (this.deferred && !this.closed) {
      this.deferred = false;
      this.bridge.resume();
    }
  }

  reset(): void {
    if (this.closed) return;
    this.failed = true;
    if (!this.committed) {
      this.committed = true;
      try {
        this.bridge.sendResponse({ status: 500, body: () => { throw new StreamResetMarker('handler failed'); } });
      } catch { /* gone */ }
      return;
    }
    this.deferred = true;
    this.wake();
  }

  schedule(): void {
    // one commit per stream: later calls before it runs have nothing to add
    if (this.committed || this.#commitQueued) return;
    this.#commitQueued = true;
    this.owner._commitSoon(this);
  }

  #commitQueued = false;

  setReading(on: boolean): void {
    // HTTP/2 flow control holds the client back per stream: the bridge's
    // onData returns a promise (hold()) while body bytes are held.
    void on;
  }

  #waiters: (() => void)[] | null = null;

  /** A promise that settles once the held body bytes have been taken (or dropped). */
  hold(): Promise<void> {
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  protected override settle(n: number): void {
    void n;
    if (this.heldBytes !== 0 || this.#waiters === null) return;
    const w = this.#waiters;
    this.#waiters = null;
    for (const resolve of w) resolve();
  }
}

/** HTTP/1.1 stream I/O over `node:http`. */
export class H1StreamIO extends StreamIO {
  readonly protocol = 'http/1.1';
  blocked = false;
  constructor(readonly req: http.IncomingMessage, readonly res: http.ServerResponse, readonly owner: StreamOwner) {
    super();
    this.pendingBody = null;
    this.rfile = req;
  }

  protected commit(): void {
    const { code, line, headers } = this.responseHead();
    const h = this.handler;
    const sp = line.indexOf(' ');
    const reason = sp > 0 ? line.slice(sp + 1) : (RESPONSES[code]?.[0] ?? '???');
    const flat: string[] = [];
    for (const [n, v] of headers) {
      if (n.charCodeAt(0) === 58) continue;
      flat.push(n, v);
    }
    flat.push('server', h.versionString(), 'date', dateTimeString());
    try {
      this.res.writeHead(code, reason, flat);
    } catch (err) {
      this.owner._handlerError(err, h);
      this.reset();
      return;
    }
    this.wake();
  }

  protected wake(): void {
    if (this.blocked || this.closed) return;
    let b: Buffer | null;
    while ((b = this.queue.take(65536)) !== null) {
      this.taken(b.length);
      if (!this.res.write(b)) {
        this.blocked = true;
        this.res.once('drain', () => {
          this.blocked = false;
          this.wake();
        });
        return;
      }
    }
    if (this.ended) this.res.end();
  }

  reset(): void {
    if (this.closed) return;
    if (!this.committed) {
      this.committed = true;
      this.res.writeHead(500, { 'content-length': '0' });
      this.res.end();
      return;
    }
    this.res.destroy();
  }

  schedule(): void {
    this.owner._commitSoon(this);
  }

  setReading(): void { /* req is rfile itself: it handles its own back-pressure */ }

  override onClosed(): void {
    // a request received to its end leaves the connection to Node's keep-alive (Node discards an
    // unread body); only a request still arriving is destroyed, which closes the connection
    if (this.req.complete) this.bodyEnded = true;
    super.onClosed();
  }
}
