/**
 * What the protocol connections of {@link urlfetch} (SPDY in spdy.ts, h2 in
 * h2.ts) share: the interface through which they see the fetcher that owns
 * them, and the base class that keeps their streams' handlers, resubmits
 * refused requests and ends the fetch.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { attachSocket } from '../../transport.js';
import type { NameValue } from '../frames.js';
import type { TraceFrame } from '../trace.js';
import type { BaseSPDYStreamHandler } from './handler.js';

/** The parts of every request of a connection, from the fetch options. @internal */
export interface ClientRequests {
  /** Request method (`options.method`, else POST with a body and GET without). */
  readonly method: string;
  /** `user-agent` header. */
  readonly userAgent: string;
  /** `options.priority`, when given. */
  readonly priority: number | undefined;
  /** Extra request headers, names lower-cased. */
  readonly headers: NameValue[];
  /** Request body, or null. */
  readonly body: Buffer | null;
}

/** What a protocol connection sees of the fetcher that owns it. @internal */
export interface ConnectionOwner {
  /** The handlers, in URL order (one stream each). */
  readonly handlers: readonly BaseSPDYStreamHandler[];
  /** `'https'` or `'http'`. */
  readonly scheme: 'http' | 'https';
  /** `host[:port]` for `:host` / `:authority` (the port only when not the scheme's default). */
  readonly authority: string;
  /** Reports a frame to the trace hook (exceptions of the hook are dropped), or null when there is none. */
  readonly trace: ((direction: 'send' | 'recv', frame: TraceFrame) => void) | null;
  /** Records the negotiated protocol (`'spdy/3.1'`, ..., `'h2'`). */
  setProtocol(protocol: string): void;
  /** The request path (`/` when empty, plus `?query`) of the handler at `index`. */
  pathAt(index: number): string;
  /** The method, headers and body of the requests. */
  requests(): ClientRequests;
  /** The error a fetch rejects with when its connection fails (`err`) or closes (null) with `open` streams open. */
  lostError(err: Error | null, open: number, cause: unknown): Error;
  /** The error a fetch rejects with when the request of the handler for `url` could not be submitted. */
  submitError(url: string): Error;
}

/** Bookkeeping of one handler's request, for resubmission after REFUSED_STREAM. @internal */
export interface PendingRequest {
  /** Times the request was sent again. */
  retries: number;
  /** Whether response headers arrived (a refused stream is sent again only before). */
  answered: boolean;
}

/** Times a request refused before any answer is sent again. */
const MAX_RETRIES = 5;

/**
 * A client session over a socket, serving the handlers of a
 * {@link ConnectionOwner}: subclasses submit the requests, feed the
 * session, and report headers, data and closes through {@link headers},
 * {@link data} and {@link closed}.
 * @internal
 */
export abstract class ClientConnection<R extends PendingRequest = PendingRequest> {
  /** The fetcher's side. */
  protected readonly owner: ConnectionOwner;
  /** The connected socket. */
  protected readonly socket: net.Socket;
  /** The handlers of the open streams, by stream ID. */
  protected readonly byId = new Map<number, BaseSPDYStreamHandler>();
  /** Each handler's request. */
  protected readonly requests = new Map<BaseSPDYStreamHandler, R>();
  /** Streams not closed yet. */
  protected open = 0;
  /** The first exception thrown by a handler. */
  protected error: unknown = undefined;
  /** Set once the fetch is settled: the connection does nothing more. */
  protected done = false;
  /** The close status given to the handlers of streams the lost connection leaves open. */
  readonly #lostCode: number;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;

  /**
   * @param owner - The fetcher's side.
   * @param socket - The connected socket.
   * @param lostCode - Close status for streams left open by a lost connection.
   */
  constructor(owner: ConnectionOwner, socket: net.Socket, lostCode: number) {
    this.owner = owner;
    this.socket = socket;
    this.#lostCode = lostCode;
  }

  /** Submits the requests of every handler and runs until all close or the connection fails. */
  abstract run(): Promise<void>;

  /** Feeds received bytes to the session. */
  protected abstract onData(d: Buffer): void;

  /** Sends what the session has, within socket limits, and ends the fetch when every stream is closed. */
  protected abstract flush(): void;

  /** Sends the request of `h` again; false when it could not be submitted. */
  protected abstract resubmit(h: BaseSPDYStreamHandler, r: R): boolean;

  /** Resets the stream of a handler whose method threw. */
  protected abstract resetStream(streamId: number): void;

  /** The promise {@link run} returns, settled by {@link settle} or {@link fail}. */
  protected result(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Routes the socket's events to this connection. */
  protected listen(): void {
    attachSocket(this.socket, {
      data: (d: Buffer) => this.onData(d),
      drain: () => this.flush(),
      error: (err) => this.fail(err),
      close: () => this.fail(null),
    });
  }

  /** Runs a handler method; an exception resets its stream and is kept for the end. */
  protected call(h: BaseSPDYStreamHandler, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.handlerFailed(h, err);
    }
  }

  /** A chunk of the response body for `h`. */
  protected data(h: BaseSPDYStreamHandler, chunk: Buffer): void {
    try {
      h.onData(chunk);
    } catch (err) {
      this.handlerFailed(h, err);
    }
  }

  /** A method of `h` threw `err`: its stream is reset and the first exception kept for the end. */
  protected handlerFailed(h: BaseSPDYStreamHandler, err: unknown): void {
    this.error ??= err;
    if (h.streamId !== null && this.byId.has(h.streamId)) this.resetStream(h.streamId);
  }

  /** Response headers for `h`. */
  protected headers(h: BaseSPDYStreamHandler, nv: NameValue[]): void {
    const r = this.requests.get(h);
    if (r) r.answered = true;
    this.call(h, () => h.onHeader(nv));
  }

  /**
   * Stream `streamId` closed with `code`. A stream the server refused
   * (`refusedCode`, e.g. over its concurrency limit before its SETTINGS
   * arrived) was not processed: its request is sent again.
   */
  protected closed(streamId: number, code: number, refusedCode: number): void {
    const h = this.byId.get(streamId);
    if (!h) return;
    this.byId.delete(streamId);
    const r = this.requests.get(h);
    if (code === refusedCode && r && !r.answered && r.retries < MAX_RETRIES) {
      r.retries++;
      h.streamId = null;
      if (this.resubmit(h, r)) return;
    }
    this.open--;
    this.call(h, () => h.onClose(code));
  }

  /** Settles the fetch: rejects with the first handler exception, else resolves. */
  protected settle(): void {
    if (this.error !== undefined) this.#reject(this.error);
    else this.#resolve();
  }

  /** Handlers whose request was never sent, closed too when the connection is lost. */
  protected unsent(): BaseSPDYStreamHandler[] {
    return [];
  }

  /** Releases the session and the socket of a lost connection. */
  protected destroy(): void {
    this.socket.destroy();
  }

  /** The connection failed (`err`) or closed (null): closes the open streams' handlers and rejects. */
  protected fail(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    const left = [...this.byId.values()];
    const unsent = this.unsent();
    this.byId.clear();
    for (const h of [...left, ...unsent]) {
      try { h.onClose(this.#lostCode); } catch (e) { this.error ??= e; }
    }
    this.destroy();
    this.#reject(this.owner.lostError(err, left.length + unsent.length, err ?? this.error));
  }
}
