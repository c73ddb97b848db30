/**
 * {@link StreamSocket}: what `req.socket` / `res.socket` are for an h2 or
 * SPDY request: one light object per stream with the connection's
 * addresses, whose `destroy()` resets the stream and which emits `'close'`
 * when the stream ends.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import type * as net from 'node:net';
import type * as tls from 'node:tls';

/** What a {@link StreamSocket} sees of its stream. @internal */
export interface SocketStream {
  /** The connection's transport. */
  readonly transport: net.Socket;
  /** Response body bytes queued and not yet taken by the protocol. */
  readonly queuedBytes: number;
  /** The request body's reader wants more: grant the held bytes' window. */
  readMore(): void;
  /** Resets the stream (RST_STREAM; a 500 when nothing was sent yet is not attempted). */
  resetStream(): void;
  /** The {@link StreamSocket.setTimeout} timer fired: returns whether anyone listened for `'timeout'`. */
  timedOut(): boolean;
}

/**
 * The socket of one h2 or SPDY request stream (`req.socket`,
 * `res.socket`, `req.connection`): an EventEmitter with the connection's
 * `remoteAddress`, `remotePort`, `remoteFamily`, `localAddress`,
 * `localPort`, `encrypted` (TLS), `alpnProtocol` (TLS) and `servername`.
 * `destroy()` resets the stream only (the connection and its other
 * streams go on); `'close'` is emitted once the stream has ended (normally
 * or not). `setTimeout(ms, cb)` arms a timer for this stream that emits
 * `'timeout'` (the stream is not reset unless the callback does it).
 * `write`/`end` are no-ops (the response goes through `res`).
 */
export class StreamSocket extends EventEmitter {
  /** Whether the stream has ended or was reset. */
  destroyed = false;
  /** Always false: socket-level reads are paused per stream through flow control. */
  readonly connecting = false;
  /** @internal */
  readonly stream: SocketStream;
  /** ms of the stream timeout set with {@link setTimeout}, 0: none. */
  timeout = 0;
  #timer: NodeJS.Timeout | null = null;

  /** @internal */
  constructor(stream: SocketStream) {
    super();
    this.stream = stream;
  }

  /** Whether the connection is TLS (the client's certificate is on {@link getPeerCertificate}). */
  get encrypted(): boolean {
    return (this.stream.transport as tls.TLSSocket).encrypted === true;
  }

  /** The connection's transport (a `tls.TLSSocket` over TLS): shared by every stream of the connection. */
  get transport(): net.Socket {
    return this.stream.transport;
  }

  /** The client's address (the connection's). */
  get remoteAddress(): string | undefined { return this.stream.transport.remoteAddress; }
  /** The client's port. */
  get remotePort(): number | undefined { return this.stream.transport.remotePort; }
  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined { return this.stream.transport.remoteFamily; }
  /** The server's address of the connection. */
  get localAddress(): string | undefined { return this.stream.transport.localAddress; }
  /** The server's port of the connection. */
  get localPort(): number | undefined { return this.stream.transport.localPort; }
  /** TLS: the negotiated ALPN protocol (`'h2'`, `'spdy/3.1'`, ...); cleartext: false. */
  get alpnProtocol(): string | false {
    return (this.stream.transport as tls.TLSSocket).alpnProtocol ?? false;
  }
  /** TLS: the SNI server name the client sent, else undefined. */
  get servername(): string | false | undefined {
    return (this.stream.transport as tls.TLSSocket & { servername?: string | false }).servername;
  }
  /**
   * True until the stream ends (as a keep-alive socket stays readable after
   * a request: `on-finished` reads a request whose socket is not readable as
   * finished).
   */
  get readable(): boolean {
    return !this.destroyed;
  }
  /** Whether the response may still be written. */
  get writable(): boolean {
    return !this.destroyed;
  }
  /** The request body's high-water mark (`req`'s), 64 KiB. */
  get readableHighWaterMark(): number { return 65536; }
  /** Response body bytes queued for the stream, not yet taken by the protocol (`res.writableLength`). */
  get writableLength(): number { return this.stream.queuedBytes; }
  /** The response's high-water mark (`res.writableHighWaterMark`), 64 KiB. */
  get writableHighWaterMark(): number { return 65536; }
  /** Always 0 (`res.writableCorked`). */
  get writableCorked(): number { return 0; }
  /** Bytes the connection has read (every stream of it). */
  get bytesRead(): number { return this.stream.transport.bytesRead; }
  /** Bytes the connection has written (every stream of it). */
  get bytesWritten(): number { return this.stream.transport.bytesWritten; }

  /** The connection's local address (`net.Socket.address()`). */
  address(): net.AddressInfo | object {
    return this.stream.transport.address();
  }

  /** TLS: the client's certificate (`tls.TLSSocket.getPeerCertificate`), else null. */
  getPeerCertificate(detailed?: boolean): object | null {
    const t = this.stream.transport as tls.TLSSocket;
    return typeof t.getPeerCertificate === 'function' ? t.getPeerCertificate(detailed as true) : null;
  }

  /** Called by the request body reader: grants the held bytes' flow-control window. */
  resume(): this {
    this.stream.readMore();
    return this;
  }

  /** No-op: a stream's reads are held back by flow control, not by pausing the connection. */
  pause(): this {
    return this;
  }

  /**
   * Resets this stream (h2 RST_STREAM INTERNAL_ERROR, SPDY RST_STREAM
   * INTERNAL_ERROR); the connection and its other streams go on. `'close'`
   * follows on the next tick.
   */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.stream.resetStream();
    this._closed();
    if (err && this.listenerCount('error') > 0) process.nextTick(() => this.emit('error', err));
    return this;
  }

  /** Same as {@link destroy}. */
  destroySoon(): void {
    this.destroy();
  }

  /** No-op (the response is written through `res`). */
  write(_chunk?: unknown, _enc?: unknown, cb?: () => void): boolean {
    if (typeof _enc === 'function') cb = _enc as () => void;
    if (cb) process.nextTick(cb);
    return true;
  }

  /** No-op (the response is ended through `res`). */
  end(): this {
    return this;
  }

  /**
   * Arms a timer for this stream (as `net.Socket.setTimeout` does for a
   * connection, but counting from the call, not from the last activity):
   * after `ms` ms `'timeout'` is emitted on this socket, `req` and `res`;
   * when none of them has a listener the stream is reset, as Node's HTTP
   * server destroys a socket that times out unhandled. 0 cancels.
   *
   * @param ms - Milliseconds.
   * @param cb - Added as a `'timeout'` listener (once).
   */
  setTimeout(ms: number, cb?: () => void): this {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.timeout = ms;
    if (cb) this.once('timeout', cb);
    if (ms > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        const heard = this.emit('timeout');
        if (!this.stream.timedOut() && !heard) this.destroy();
      }, ms);
      this.#timer.unref();
    }
    return this;
  }

  /** No-op (the connection has no delay). */
  setNoDelay(): this { return this; }
  /** No-op (the connection's keep-alive is the server's). */
  setKeepAlive(): this { return this; }
  /** No-op. */
  cork(): void {}
  /** No-op. */
  uncork(): void {}
  /** No-op. */
  ref(): this { return this; }
  /** No-op. */
  unref(): this { return this; }

  /** The stream was destroyed through this socket: `'close'` on the next tick. @internal */
  _closed(): void {
    if (!this._ended()) return;
    process.nextTick(emitClose, this);
  }

  /**
   * The stream ended: no more timeouts; returns whether `'close'` is still
   * to be emitted (by the caller). @internal
   */
  _ended(): boolean {
    if (this.destroyed && this.#closing) return false;
    this.destroyed = true;
    this.#closing = true;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    return true;
  }
  #closing = false;
}

function emitClose(s: StreamSocket): void {
  s.emit('close', false);
}
