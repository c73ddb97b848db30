/**
 * {@link CompatStream}: one h2 or SPDY request stream of a compat server.
 * It is the engines' request handler (a `BaseSPDYRequestHandler`, so the
 * SPDY connection and the h2 bridge of `ThreadedSPDYServer` run it
 * unchanged over their `StreamIO`), and it ties the stream to the
 * `http.IncomingMessage` / `http.ServerResponse` pair handed to the
 * application: `req` is the StreamIO's request body reader (`rfile`), so
 * the engines' flow control follows what the application reads, and the
 * response methods write to the StreamIO's queue.
 *
 * @packageDocumentation
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { Writable } from 'node:stream';

import { BaseSPDYRequestHandler } from '../spdylay/server/handler.js';
import { BODY_HIGH_WATER, H2StreamIO, type SpdyStreamIO, type StreamIO } from '../spdylay/server/stream-io.js';
import type { NameValue } from '../spdylay/frames.js';
import type { SPDYConnection } from '../spdylay/server/spdy.js';
import { pushH2, pushSpdy } from './push.js';
import { makeRequest, setTrailers } from './request.js';
import { type PushInit, type ResponseStream, makeResponse, markFinished, markHeadersSent, noop, setNeedDrain } from './response.js';
import { type SocketStream, StreamSocket } from './socket.js';

const SPDY_VERSION: Record<string, number> = { h2: 4, 'spdy/3.1': 3.1, 'spdy/3': 3, 'spdy/2': 2 };

/** One h2/SPDY request stream of a compat server (see the module comment). @internal */
export class CompatStream extends BaseSPDYRequestHandler implements ResponseStream, SocketStream {
  headSent = false;
  ended = false;
  finished = false;
  needDrain = false;
  headerSet = false;
  head = false;
  req!: http.IncomingMessage;
  res!: http.ServerResponse;
  socket!: StreamSocket;
  #drainCb: (() => void) | null = null;

  override get _serverHeaders(): boolean {
    return false;
  }

  /** The connection's socket. */
  get transport(): net.Socket {
    const io = this._io;
    return io instanceof H2StreamIO ? io.bridge.http2.socket : ((io as SpdyStreamIO).conn as unknown as { socket: net.Socket }).socket;
  }

  get queuedBytes(): number {
    return this._io.queue.bytes;
  }

  /** Builds `req`/`res` and makes `req` the stream's body reader. */
  start(): void {
    const io = this._io;
    const protocol = io.protocol;
    const spdyVersion = SPDY_VERSION[protocol] ?? 0;
    const socket = new StreamSocket(this);
    this.socket = socket;
    const method = this.command ?? '';
    // body chunks that arrived before the request was emitted (h2: the rest of the first batch)
    const pending = io.pendingBody;
    let bodyLength = -1;
    if (io.bodyEnded) {
      bodyLength = 0;
      if (pending) for (const c of pending) bodyLength += c.length;
    }
    let headers = this.headers;
    if ((this.server as unknown as { readonly opts: { readonly xForwardedFor: boolean } }).opts.xForwardedFor) {
      const xff = io instanceof H2StreamIO ? io.bridge.http2.xForwardedFor
        : ((io as SpdyStreamIO).conn as unknown as SPDYConnection).xForwardedFor;
      if (xff !== null && !headers.some((p) => p[0] === 'x-forwarded-for')) headers = [['x-forwarded-for', xff], ...headers];
    }
    const req = makeRequest({
      socket, method, url: this.path ?? '', httpVersion: protocol === 'h2' ? '2.0' : '1.1',
      authority: this.host, headers, isSpdy: true, spdyVersion, streamID: this.streamId, bodyLength,
    });
    this.req = req;
    this.head = method === 'HEAD';
    this.res = makeResponse(req, socket, this, { isSpdy: true, spdyVersion });
    // commitHead gives lower-case names without connection-specific fields, and no server/date
    if (io instanceof H2StreamIO) io.cleanHeaders = true;
    io.rfile = req;
    io.pendingBody = null;
    if (pending) for (const c of pending) req.push(c);
    if (io.bodyEnded) {
      req.complete = true;
      // the end goes in when the body is first read (IncomingMessage's read asks the socket to
      // resume: readMore) or when the stream closes: a request nobody reads costs no stream end
      this.#eofPending = true;
    }
  }

  /** The request body is complete but its end has not been pushed into `req` yet. */
  #eofPending = false;

  #pushEof(): void {
    if (!this.#eofPending) return;
    this.#eofPending = false;
    if (!this.req.destroyed) this.req.push(null);
  }

  override _bodyEnded(): void {
    if (this.req) this.req.complete = true;
  }

  // ---- ResponseStream

  sendHead(code: number, line: string, headers: NameValue[]): void {
    const io = this._io;
    if (!(io instanceof H2StreamIO)) {
      for (let i = 0; i < headers.length; i++) {
        if (headers[i]![0] === 'trailer') (io as SpdyStreamIO).trailersDeclared = true;
      }
    }
    this._status = code;
    this._statusLine = line;
    this._responseHeaders = headers;
    this.headSent = true;
    markHeadersSent(this.res);
    if (code === 204 || code === 304 || (code >= 100 && code < 200)) this.head = true;
    this._io.schedule();
  }

  writeBody(chunk: Buffer): boolean {
    const io = this._io;
    if (io.closed || io.gone || io.ended || io.queue.bytes + chunk.length < BODY_HIGH_WATER) {
      io.write(chunk, noop);
      return true;
    }
    this.needDrain = true;
    setNeedDrain(this.res, true);
    io.write(chunk, this.#drainCb ??= () => this.#drained());
    return false;
  }

  #drained(): void {
    if (!this.needDrain) return;
    this.needDrain = false;
    setNeedDrain(this.res, false);
    this.res.emit('drain');
  }

  setTrailers(fields: NameValue[]): void {
    this._io.setTrailers(fields);
  }

  sendInfo(code: number, headers: NameValue[]): boolean {
    const io = this._io;
    if (!(io instanceof H2StreamIO) || io.committed || io.closed || this.headSent) return false;
    try {
      io.bridge.sendInfo(code, headers);
      return true;
    } catch {
      return false;
    }
  }

  override _trailers(fields: NameValue[]): void {
    const req = this.req;
    if (!req) return;
    const raw: string[] = [];
    for (const [n, v] of fields) raw.push(n, v);
    setTrailers(req, raw);
    // the `spdy` package's server emits them as well
    req.emit('trailers', req.trailers);
  }

  endBody(): void {
    const io = this._io;
    io.end();
    // a request body nobody reads is drained (as Node's http server dumps it), so that the stream can end
    const req = this.req;
    if (req.readableFlowing === null && !io.bodyEnded) req.resume();
  }

  push(path: string, options: PushInit, cb: ((err: Error | null, stream?: Writable) => void) | undefined): Writable {
    const io = this._io;
    if (io instanceof H2StreamIO) return pushH2(this, io, path, options, cb);
    return pushSpdy(this, io as SpdyStreamIO, this.socket.encrypted, path, options, cb);
  }

  // ---- SocketStream

  readMore(): void {
    if (this.#eofPending) this.#pushEof();
    const io = this._io;
    io.settleHeld();
    io.setReading(true);
  }

  resetStream(): void {
    this._io.reset();
  }

  timedOut(): boolean {
    const a = this.req.emit('timeout', this.socket);
    const b = this.res.emit('timeout', this.socket);
    return a || b;
  }

  // ---- engine side

  /** The stream closed: `status` 0 is a normal close, else the reset code. */
  override onClose(status: number): void {
    const res = this.res;
    if (!res) return;
    this.#pushEof();
    const socket = this.socket;
    const closing = socket._ended();
    if (status === 0 && this.ended) {
      this.finished = true;
      markFinished(res);
      res.emit('finish');
    }
    res.emit('close');
    // the engine reports the close from its own event dispatch: the socket's 'close' follows the
    // response's at once (no tick per stream), heard by every listener added up to here
    if (closing) socket.emit('close', false);
  }

  /** The listener threw (or a 'data' listener): 500 when nothing was sent, else a reset. */
  fail(): void {
    const io: StreamIO = this._io;
    if (io.closed) return;
    if (!io.committed && !this.ended) {
      io.queue.clear();
      this._status = 500;
      this._statusLine = '500 Internal Server Error';
      this._responseHeaders = [['content-length', '0']];
      this.headSent = true;
      this.head = true;
      this.ended = true;
      if (this.res) {
        this.res.finished = true;
        markHeadersSent(this.res);
      }
      io.end();
      io.schedule();
      return;
    }
    if (!io.committed) return; // ended: it goes out as it is
    io.reset();
  }
}
