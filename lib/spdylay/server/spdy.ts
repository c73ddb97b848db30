/**
 * `SPDYConnection`: one SPDY connection of a `ThreadedSPDYServer`, a server
 * `Session` over a socket. It feeds the socket's bytes to the session, runs
 * a handler for each request stream, delivers request bodies after each
 * `recv()`, sends within the socket's bounds and enforces the limits.
 *
 * The session's events come straight from the native event reader
 * (session-events.ts) to the connection's named handlers, without frame
 * objects or python-style callbacks: a SYN_STREAM's header string is read
 * once into the request head (FIN included, so a SYN_STREAM+FIN is one
 * event), and each DATA batch is walked in one loop that queues the body
 * chunks (views of the socket's chunk) and ends for delivery after
 * `recv()` returns, in order with the stream closes.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import type { LimitExceededInfo, LimitName, ServedProtocol, ServerLimits } from '../../limits.js';
import { FLUSH_TURN_MAX, RecvStep, SOCKET_HIGH_WATER, attachSocket, writeBounded } from '../../transport.js';
import {
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, ERR_DEFERRED, READ_EOF, FLAG_SETTINGS_NONE, FRAME_TOO_LARGE, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, HEADERS,
  ID_FLAG_SETTINGS_NONE, INTERNAL_ERROR, LIMIT_EMPTY_FRAMES, LIMIT_HEADER_BLOCK_INFLATE, LIMIT_NONE, LIMIT_OUTBOUND_ACK,
  LIMIT_STREAM_RESETS, OPT_MAX_EMPTY_FRAMES, OPT_MAX_HEADER_BLOCK_INFLATE, OPT_MAX_HEADER_LIST_SIZE,
  OPT_MAX_OUTBOUND_ACK, OPT_MAX_RECV_CTRL_FRAME_BUFFER, OPT_NO_AUTO_WINDOW_UPDATE2, OPT_STREAM_RESET_BURST,
  OPT_STREAM_RESET_RATE, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_STREAM,
} from '../constants.js';
import { ConnectionClosedError } from '../../errors.js';
import { FloodedError } from '../errors.js';
import type { NameValue } from '../frames.js';
import { DataProvider, type ReadCtrl, type Session, sessionWithHandlers } from '../session.js';
import {
  type BaseSPDYRequestHandler, CANCEL_ON_LOSS, type HandlerHost, type RequestHead, closeStream, parseNvString,
} from './handler.js';
import { LINGER_MS, type ResolvedServerOptions } from './options.js';
import { BODY_HIGH_WATER, SpdyStreamIO } from './stream-io.js';

/** Control frame type of the `spdy` package's X_FORWARDED_FOR extension. */
const X_FORWARDED_FOR = 0xf000;
/** SPDY/3.1 connection-level receive window of the server, in bytes. */
const CONNECTION_WINDOW = 1 << 20;
/**
 * When a connection is ended for a limit: output written past the socket's
 * high-water mark so that the GOAWAY (queued behind the frames already
 * queued, e.g. up to `maxOutboundAck` PING replies) goes out.
 */
const LIMIT_FLUSH_BUDGET = 128 * 1024;
/** Estimate of a SPDY C session's fixed memory: its two zlib streams (deflate level 9, inflate) and frame buffers. */
const SESSION_BASE_BYTES = 320 * 1024;
/** Estimate per queued outbound frame of the C session (item, frame, header block). */
const QUEUED_FRAME_BYTES = 256;
/** Estimate per open stream of the C session. */
const STREAM_BYTES = 256;
/** Range of `SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER`. */
const CTRL_BUF_MIN = 8192;
const CTRL_BUF_MAX = 16777215;
/** Least bytes one header block may inflate to (kept + discarded) before the session ends (zlib bomb). */
const MIN_HEADER_BLOCK_INFLATE = 1 << 20;

/** The option named by a `FloodedError`'s `LIMIT_*`. */
function floodLimitName(limit: number): LimitName {
  switch (limit) {
    case LIMIT_OUTBOUND_ACK: return 'maxOutboundAck';
    case LIMIT_EMPTY_FRAMES: return 'maxEmptyFrames';
    case LIMIT_STREAM_RESETS: return 'streamResetRate';
    case LIMIT_HEADER_BLOCK_INFLATE: return 'maxHeaderListSize';
    default: return 'maxSessionMemory';
  }
}

/**
 * The body of a pushed stream ({@link SPDYConnection.push}): `read` is
 * called for each DATA frame, `wake` (set by the connection) restarts a
 * deferred read, `closed` tells the stream closed (0: completely sent).
 * @internal
 */
export interface PushSource {
  /** At most `length` bytes, or null with `eof` set, or null to defer. */
  read(length: number): { chunk: Buffer | null; eof: boolean };
  /** Set by the connection: more bytes (or the end) are there. */
  wake: () => void;
  /** The pushed stream closed with `status` (0: OK). */
  closed(status: number): void;
}

/** The read callback of a pushed stream's DATA. */
function pushRead(_s: Session, _sid: number, length: number, ctrl: ReadCtrl, source: PushSource): Buffer | number | null {
  const { chunk, eof } = source.read(length);
  if (eof) ctrl.flags = READ_EOF;
  if (chunk) return chunk;
  return eof ? null : ERR_DEFERRED;
}

/** What a SPDY connection sees of the server that owns it. @internal */
export interface SpdyConnectionOwner extends HandlerHost {
  /** Emits `'limitExceeded'`. */
  _limitExceeded(info: LimitExceededInfo, conn: unknown): void;
  /** Reports a socket error (`'clientError'`). */
  _clientError(err: unknown, socket: net.Socket | null): void;
  /** Reports a fatal session error (`'sessionError'`). */
  _sessionError(err: unknown, conn: SPDYConnection): void;
  /** The connection's transport closed. */
  _connectionClosed(conn: SPDYConnection): void;
}

/**
 * One SPDY connection of a {@link ThreadedSPDYServer}: a server `Session`
 * over a socket. Created by the server; exposed in its `'connection'` event.
 */
export class SPDYConnection {
  /** The SPDY session. */
  readonly session: Session;
  /** The transport. */
  readonly socket: net.Socket;
  /** `'spdy/3.1'`, `'spdy/3'` or `'spdy/2'`. */
  readonly protocol: string;
  /** `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`. */
  readonly version: number;
  /** The client's `[host, port]`. */
  readonly clientAddress: readonly [string, number];
  /**
   * The host of the last X_FORWARDED_FOR control frame the client sent
   * (type 0xf000, the `spdy` package's extension: a 32-bit length and the
   * host), or null when none came.
   */
  xForwardedFor: string | null = null;
  /** @internal */ readonly server: SpdyConnectionOwner;
  readonly #streams = new Map<number, SpdyStreamIO>();
  /** Streams this server opened (pushes), by stream ID. */
  readonly #pushes = new Map<number, PushSource>();
  /** Pushed streams whose SYN_STREAM is queued, and the request stream they belong to. */
  readonly #pushParents = new Map<number, SpdyStreamIO>();
  /** Pushed streams whose SYN_STREAM went out (their DATA is submitted after the send() call). */
  #pushesOpened: number[] = [];
  /** The stream ID of the next SYN_STREAM (spdylay_submit_syn_stream assigns 2, 4, ... in order). */
  #nextPushId = 2;
  #starts: SpdyStreamIO[] = [];
  /**
   * Stream events of the running recv()/send(), as (io, event) pairs: a
   * body chunk, null (end of the request body), or a number (the stream
   * closed with that status).
   */
  #bodies: (SpdyStreamIO | Buffer | null | number)[] = [];
  #commits: SpdyStreamIO[] = [];
  readonly #recv = new RecvStep();
  #flushing = false;
  /** Bytes written by the running flush, and whether it stopped at FLUSH_TURN_MAX. */
  #turnWritten = 0;
  #turnYielded = false;
  /** The continuation of a flush that yielded. */
  #flushImmediate: NodeJS.Immediate | null = null;
  #scheduled = false;
  #ending = false;
  #closed = false;
  #paused = new Set<SpdyStreamIO>();
  /**
   * SPDY/3 and 3.1: request bodies are flow-controlled per stream. WINDOW_UPDATE
   * follows what the handlers took (OPT_NO_AUTO_WINDOW_UPDATE2 + consume()),
   * so a handler that does not read holds back only its own stream's sender.
   * SPDY/2 has no flow control: there the socket is paused instead.
   */
  readonly #flow: boolean;
  /** Request body bytes taken per stream since the last flush (SPDY/3, 3.1). */
  readonly #consumed = new Map<number, number>();
  #linger: NodeJS.Timeout | null = null;
  readonly #limits: Required<ServerLimits>;
  /** Ended for a limit: input is dropped, no more output is produced. */
  #aborting = false;
  /** Bytes written past the high-water mark while ending the connection for a limit (-1: not doing so). */
  #forced = -1;
  /** Streams whose header block was refused as too large during the running recv(). */
  #refused: number[] = [];
  #headersTimer: NodeJS.Timeout | null = null;
  #idleReported = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** @internal */
  constructor(server: SpdyConnectionOwner, socket: net.Socket, version: number,
    opts: Pick<ResolvedServerOptions, 'maxConcurrentStreams' | 'spdy2WindowUpdate' | 'limits'>) {
    this.server = server;
    this.#limits = opts.limits;
    this.socket = socket;
    this.version = version;
    this.protocol = version === PROTO_SPDY2 ? 'spdy/2' : version === PROTO_SPDY3 ? 'spdy/3' : 'spdy/3.1';
    this.clientAddress = Object.freeze([socket.remoteAddress ?? '', socket.remotePort ?? 0] as [string, number]);
    const streams = this.#streams;
    const spdy2 = version === PROTO_SPDY2 && opts.spdy2WindowUpdate;
    const flow = version !== PROTO_SPDY2;
    const { session, events } = sessionWithHandlers(SERVER, version, {
      send: (data) => {
        if (this.#forced < 0) {
          if (this.#aborting && !socket.destroyed) return 0;
          // one flush yields to the event loop after FLUSH_TURN_MAX bytes
          if (this.#flushing && this.#turnWritten >= FLUSH_TURN_MAX && !socket.destroyed) {
            this.#turnYielded = true;
            return 0;
          }
          const n = writeBounded(socket, data);
          this.#turnWritten += n;
          return n;
        }
        if (socket.destroyed) return data.length;
        // ending the connection for a limit: the GOAWAY goes out past the high-water mark
        if (this.#forced >= LIMIT_FLUSH_BUDGET) return 0;
        this.#forced += data.length;
        socket.write(data);
        return data.length;
      },
      invalidCtrlRecv: (type, sid, _flags, _value, status) => {
        // a header block past maxHeaderListSize: the library reset the stream (RST_STREAM FRAME_TOO_LARGE)
        if (status === FRAME_TOO_LARGE && (type === SYN_STREAM || type === HEADERS)) this.#refused.push(sid);
      },
      ctrlRecv: (type, sid, flags, value) => {
        if (type === SYN_STREAM) {
          this.#open(sid, parseNvString(value as string | undefined, events.nvCount), (flags & CTRL_FLAG_FIN) !== 0);
        } else if (type === HEADERS) {
          const io = streams.get(sid);
          if (!io) return;
          const nv = parseNvString(value as string | undefined, events.nvCount).headers;
          // the request's trailer fields, delivered in order with its body
          if (nv.length) this.#bodies.push(io, nv as never);
          if (flags & CTRL_FLAG_FIN) this.#bodies.push(io, null);
        }
      },
      // request body events are delivered after recv() returns, so that
      // user 'data' listeners never run inside the C library's callbacks
      dataChunkRecv: (_flags, sid, data, inInput) => {
        const io = streams.get(sid);
        if (io) this.#bodies.push(io, inInput ? data : Buffer.from(data));
        else if (flow) {
          try { session.consume(sid, data.length); } catch { /* not flow-controlled */ }
        }
      },
      dataRecv: (flags, sid, length) => {
        if (flags & DATA_FLAG_FIN) {
          // the end of the request (the library's on_request_recv follows)
          const io = streams.get(sid);
          if (io) this.#bodies.push(io, null);
        } else if (spdy2 && length > 0 && streams.has(sid)) {
          try { session.submitWindowUpdate(sid, length); } catch { /* closed */ }
        }
      },
      // a pushed stream's SYN_STREAM went out, or was dropped (its request stream had closed)
      ctrlSend: (type, sid) => {
        if (type === SYN_STREAM && this.#pushes.has(sid)) this.#pushesOpened.push(sid);
      },
      ctrlNotSend: (type, sid, _flags, _value, code) => {
        if (type !== SYN_STREAM || !this.#pushes.has(sid)) return;
        const source = this.#pushes.get(sid);
        this.#pushes.delete(sid);
        this.#pushSettled(sid);
        source?.closed(code);
      },
      unknownCtrl: (head, payload) => {
        if (head.length >= 4 && head.readUInt16BE(2) === X_FORWARDED_FOR && payload.length >= 4) {
          const n = payload.readUInt32BE(0);
          if (n <= payload.length - 4) this.xForwardedFor = payload.toString('utf8', 4, 4 + n);
        }
      },
      streamClose: (sid, status) => {
        const pushed = this.#pushes.get(sid);
        if (pushed) {
          this.#pushes.delete(sid);
          pushed.closed(status);
          return;
        }
        const io = streams.get(sid);
        if (!io) return;
        streams.delete(sid);
        this.#paused.delete(io);
        io.gone = true;
        // in order with the body events; handler code runs after the C call
        this.#bodies.push(io, status);
      },
    });
    this.session = session;
    this.#flow = flow;
    this.#applyLimits();
    if (this.#flow) {
      this.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE2, true);
      // SPDY/3.1: a 1 MiB connection window, so that streams whose handlers
      // are not reading (each holds at most its 64 KiB stream window) do
      // not stop the others at the connection level.
      if (version === PROTO_SPDY3_1) this.session.submitWindowUpdate(0, CONNECTION_WINDOW - 65536);
    }
    this.session.submitSettings(FLAG_SETTINGS_NONE,
      [[SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_NONE, opts.maxConcurrentStreams]]);
    attachSocket(socket, {
      data: (chunk) => this.#onData(chunk),
      drain: () => this.flush(),
      error: (err) => server._clientError(err, socket),
      close: () => this.#onTransportClose(),
    });
    socket.resume();
  }

  /** Hands the limits to the C session. */
  #applyLimits(): void {
    const L = this.#limits;
    const s = this.session;
    s.setOption(OPT_MAX_HEADER_LIST_SIZE, L.maxHeaderListSize);
    // a block may inflate to 4 x the limit (discarded past it) before it counts as a bomb
    s.setOption(OPT_MAX_HEADER_BLOCK_INFLATE,
      Math.min(0xffffffff, Math.max(MIN_HEADER_BLOCK_INFLATE, 4 * L.maxHeaderListSize)));
    // the compressed block is not much larger than the decompressed one
    s.setOption(OPT_MAX_RECV_CTRL_FRAME_BUFFER,
      Math.min(CTRL_BUF_MAX, Math.max(CTRL_BUF_MIN, L.maxHeaderListSize + 8192)));
    s.setOption(OPT_MAX_OUTBOUND_ACK, L.maxOutboundAck);
    s.setOption(OPT_MAX_EMPTY_FRAMES, L.maxEmptyFrames);
    s.setOption(OPT_STREAM_RESET_BURST, L.streamResetBurst);
    s.setOption(OPT_STREAM_RESET_RATE, L.streamResetRate);
  }

  /**
   * Bytes this connection holds, as counted for `maxSessionMemory`: socket
   * output not yet sent, request body bytes not yet read by the handlers,
   * response body bytes queued for the session (up to 64 KiB per stream),
   * and an estimate of the C session.
   */
  get memoryUsage(): number {
    // the C session's header buffers are not counted: maxHeaderListSize bounds them
    let n = this.socket.writableLength + SESSION_BASE_BYTES;
    if (!this.#closed) {
      try {
        n += this.session.getOutboundQueueSize() * QUEUED_FRAME_BYTES;
      } catch { /* session gone */ }
    }
    n += this.#streams.size * STREAM_BYTES;
    for (const io of this.#streams.values()) {
      n += Math.max(io.heldBytes, io.rfile ? io.rfile.readableLength : 0);
      n += Math.min(io.queue.bytes, BODY_HIGH_WATER);
    }
    const b = this.#bodies;
    for (let i = 1; i < b.length; i += 2) {
      const ev = b[i];
      if (ev instanceof Uint8Array) n += ev.length;
    }
    return n;
  }
  /** Number of open streams. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Whether the transport has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal Feeds bytes read before the connection was set up. */
  _start(initial: Buffer | null): void {
    if (initial && initial.length) this.#onData(initial);
    else this.flush();
  }

  /** @internal The socket was idle for `idleTimeout`: GOAWAY(OK), open streams finish. */
  _idle(): void {
    if (this.#closed || this.#aborting) return;
    if (!this.#idleReported) {
      this.#idleReported = true;
      this.#report('idleTimeout', 'connection', null, GOAWAY_OK);
    }
    this.shutdown();
  }

  /** Sends GOAWAY(OK): open streams finish, then the connection closes. */
  shutdown(): void {
    if (this.#closed || this.#ending) return;
    try {
      this.session.submitGoaway(GOAWAY_OK);
    } catch { /* already sent */ }
    this.flush();
  }

  /** Closes the socket now (open streams are closed with `CANCEL`). */
  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Pushes a resource associated with the request stream `assocStreamId`:
   * a SYN_STREAM with FLAG_UNIDIRECTIONAL and `nv` (the caller gives the
   * request and response fields: `:method`, `:path`, `:scheme`, `:host`,
   * `:status`, `:version` on SPDY/3; `method`, `url`, `scheme`, `host`,
   * `status`, `version` on SPDY/2), then DATA read from `source` with FIN
   * on the last frame.
   *
   * @returns The pushed stream's ID.
   * @throws SpdylayError when the session refuses the frame (e.g. no
   *   stream ID left) or the connection is closed.
   * @internal
   */
  push(assocStreamId: number, nv: NameValue[], source: PushSource): number {
    if (this.#closed || this.#ending || this.#aborting) throw new ConnectionClosedError('the connection is closed');
    const parent = this.#streams.get(assocStreamId);
    if (!parent || parent.closed || parent.gone) throw new ConnectionClosedError('the request stream has closed');
    const session = this.session;
    session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, assocStreamId, 0, nv);
    const sid = this.#nextPushId;
    this.#nextPushId += 2;
    this.#pushes.set(sid, source);
    // the request's last frame (FIN) waits for the SYN_STREAM: a push must go out while its stream is open
    this.#pushParents.set(sid, parent);
    parent.pushesPending++;
    source.wake = () => {
      if (!this.#pushes.has(sid)) return;
      try { session.resumeData(sid); } catch { /* gone */ }
      this.schedule();
    };
    this.schedule();
    return sid;
  }

  /** The SYN_STREAM of pushed stream `sid` went out or was dropped: its request stream may end. */
  #pushSettled(sid: number): void {
    const parent = this.#pushParents.get(sid);
    if (!parent) return;
    this.#pushParents.delete(sid);
    if (--parent.pushesPending === 0) parent.pushesSent();
  }

  /** Submits the DATA of the pushed streams whose SYN_STREAM went out; true when there were any. */
  #openPushes(): boolean {
    if (this.#pushesOpened.length === 0) return false;
    const opened = this.#pushesOpened;
    this.#pushesOpened = [];
    for (const sid of opened) {
      const source = this.#pushes.get(sid);
      if (source) this.session.submitData(sid, DATA_FLAG_FIN, new DataProvider<PushSource>(source, pushRead));
      this.#pushSettled(sid);
    }
    return true;
  }

  /** A SYN_STREAM opened stream `sid` (`fin`: it carries the whole request). */
  #open(sid: number, head: RequestHead, fin: boolean): void {
    const io = new SpdyStreamIO(this, sid);
    let h: BaseSPDYRequestHandler;
    try {
      h = this.server._newHandler(io, this.clientAddress, sid, head);
    } catch (err) {
      this.server._handlerError(err, null);
      try { this.session.submitRstStream(sid, INTERNAL_ERROR); } catch { /* gone */ }
      return;
    }
    io.handler = h;
    if (fin) io.bodyEnded = true;
    this.#streams.set(sid, io);
    this.#starts.push(io);
  }

  /** @internal */
  commitLater(io: SpdyStreamIO): void {
    this.#commits.push(io);
    this.schedule();
  }

  /** @internal */
  schedule(): void {
    if (this.#recv.active || this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushTick);
  }

  /** @internal `n` request body bytes of `streamId` were taken or dropped: grant the window again. */
  consume(streamId: number, n: number): void {
    if (!this.#flow || n <= 0 || this.#closed) return;
    // summed per stream and handed to the session once per flush
    this.#consumed.set(streamId, (this.#consumed.get(streamId) ?? 0) + n);
    this.schedule();
  }

  /** @internal */
  setReading(io: SpdyStreamIO, on: boolean): void {
    if (this.#flow) return; // flow control holds the sender back per stream
    if (on) {
      if (this.#paused.delete(io) && this.#paused.size === 0) this.socket.resume();
    } else if (!io.closed) {
      this.#paused.add(io);
      this.socket.pause();
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#aborting) return;
    try {
      this.#recv.run(this.session, chunk);
    } catch (err) {
      this.#reportRefused();
      // a flood limit: the session queued GOAWAY(PROTOCOL_ERROR) ahead of everything else
      let limit = err instanceof FloodedError ? err.limit : LIMIT_NONE;
      if (limit === LIMIT_NONE) {
        try {
          limit = this.session.getLimitExceeded();
        } catch { /* session gone */ }
      }
      if (err instanceof FloodedError || limit !== LIMIT_NONE) {
        this.#abort(floodLimitName(limit), GOAWAY_PROTOCOL_ERROR, true);
        return;
      }
      this.#fatal(err);
      return;
    }
    this.#reportRefused();
    this.#runStarts();
    this.#deliverBodies();
    this.flush();
    this.#checkMemory();
    this.#checkHeadersTimer();
  }

  /**
   * headersTimeout: one timer per connection, armed while the session is
   * inside a frame head or a control frame (e.g. half a SYN_STREAM), kept
   * running (not restarted) while more of the same frame trickles in.
   */
  #checkHeadersTimer(): void {
    const ms = this.#limits.headersTimeout;
    if (ms <= 0 || this.#closed || this.#aborting) return;
    if (this.session.inCtrlFrame()) {
      if (this.#headersTimer === null) {
        this.#headersTimer = setTimeout(this.#onHeadersTimeout, ms);
        this.#headersTimer.unref();
      }
    } else this.#clearHeadersTimer();
  }

  readonly #onHeadersTimeout = (): void => {
    this.#headersTimer = null;
    if (this.#closed || this.#aborting || !this.session.inCtrlFrame()) return;
    if (this.#paused.size > 0) {
      // SPDY/2: we stopped reading (a handler's body is full), not the client
      this.#checkHeadersTimer();
      return;
    }
    this.#abort('headersTimeout', GOAWAY_OK, false);
  };

  /** Reports the header blocks refused during the last recv() ('limitExceeded', scope 'stream'). */
  #reportRefused(): void {
    if (this.#refused.length === 0) return;
    const r = this.#refused;
    this.#refused = [];
    for (const sid of r) this.#report('maxHeaderListSize', 'stream', sid, FRAME_TOO_LARGE);
  }

  #report(limit: LimitName, scope: 'stream' | 'connection', streamId: number | null, code: number | null): void {
    this.server._limitExceeded({
      limit, scope, protocol: this.protocol as ServedProtocol, streamId, clientAddress: this.clientAddress,
      action: scope === 'stream' ? 'RST_STREAM' : 'GOAWAY',
      // SPDY/2's GOAWAY carries no status
      code: scope === 'connection' && this.version === PROTO_SPDY2 ? null : code,
    }, this);
  }

  /** Ends the connection past `maxSessionMemory`. */
  #checkMemory(): void {
    if (this.#closed || this.#aborting) return;
    if (this.memoryUsage > this.#limits.maxSessionMemory) this.#abort('maxSessionMemory', GOAWAY_PROTOCOL_ERROR, false);
  }

  /**
   * Ends the connection for a limit: GOAWAY(`status`) (already queued by
   * the session when `queued`), written best-effort even past the socket's
   * high-water mark, then the socket is ended and destroyed after
   * `LINGER_MS` if the client does not close it. Input is dropped from now.
   */
  #abort(limit: LimitName, status: number, queued: boolean): void {
    if (this.#closed || this.#aborting) return;
    this.#aborting = true;
    this.#clearHeadersTimer();
    if (!queued) {
      try {
        this.session.failSession(status);
      } catch { /* GOAWAY already sent */ }
    }
    if (!this.#recv.active && !this.#flushing) {
      this.#forced = 0;
      try {
        this.session.send();
      } catch { /* best effort */ }
      this.#forced = -1;
    }
    this.#endTransport();
    this.#report(limit, 'connection', null, status);
  }

  #clearHeadersTimer(): void {
    if (this.#headersTimer) clearTimeout(this.#headersTimer);
    this.#headersTimer = null;
  }

  #deliverBodies(): void {
    if (this.#bodies.length === 0) return;
    const b = this.#bodies;
    this.#bodies = [];
    for (let i = 0; i < b.length; i += 2) {
      const io = b[i] as SpdyStreamIO;
      const ev = b[i + 1] as Buffer | null | number;
      if (typeof ev === 'number') {
        closeStream(this.server, io, ev);
        continue;
      }
      if (io.closed) {
        if (ev !== null && !Array.isArray(ev)) this.consume(io.streamId, ev.length); // the connection window (SPDY/3.1)
        continue;
      }
      try {
        if (ev === null) io.endBody();
        else if (Array.isArray(ev)) io.handler._trailers(ev as NameValue[]);
        else io.pushBody(ev);
      } catch (err) {
        // a 'data' listener of the handler threw
        this.server._failed(io, err);
      }
    }
  }

  #runStarts(): void {
    if (this.#starts.length === 0) return;
    const starts = this.#starts;
    this.#starts = [];
    for (const io of starts) {
      if (io.closed || io.gone) continue;
      this.server._run(io);
    }
  }

  /** @internal Commits pending responses and sends what the session has, within socket limits. */
  flush(): void {
    if (this.#flushing || this.#closed || this.#recv.active || this.#aborting) return;
    this.#flushing = true;
    const session = this.session;
    try {
      if (this.#commits.length) {
        const commits = this.#commits;
        this.#commits = [];
        for (const io of commits) io.runCommit();
      }
      if (this.#consumed.size) {
        for (const [sid, n] of this.#consumed) session.consume(sid, n);
        this.#consumed.clear();
      }
      if (this.socket.writableLength < SOCKET_HIGH_WATER) {
        this.#turnWritten = 0;
        this.#turnYielded = false;
        session.send();
        if (this.#openPushes()) session.send();
        // SYN_STREAMs the session holds back (the client's MAX_CONCURRENT_STREAMS is reached): their
        // request streams end without waiting (a push that goes out after its stream closed is dropped)
        if (this.#pushParents.size && !session.wantWrite()) {
          for (const sid of [...this.#pushParents.keys()]) this.#pushSettled(sid);
        }
        if (this.#turnYielded && !this.#flushImmediate) {
          this.#flushImmediate = setImmediate(() => {
            this.#flushImmediate = null;
            this.flush();
          });
        }
      }
    } catch (err) {
      this.#flushing = false;
      this.#fatal(err);
      return;
    }
    this.#flushing = false;
    this.#deliverBodies();
    if (this.#commits.length) this.schedule();
    if (!session.wantRead() && !session.wantWrite()) this.#endTransport();
    else this.#checkMemory();
  }

  #fatal(err: unknown): void {
    this.server._sessionError(err, this);
    this.socket.destroy();
  }

  #endTransport(): void {
    if (this.#ending) return;
    this.#ending = true;
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    this.#linger = setTimeout(() => socket.destroy(), LINGER_MS);
    this.#linger.unref();
  }

  #onTransportClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearHeadersTimer();
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = null;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    this.#starts = [];
    this.#commits = [];
    const pending = this.#bodies;
    this.#bodies = [];
    for (let i = 0; i < pending.length; i += 2) {
      if (typeof pending[i + 1] === 'number') closeStream(this.server, pending[i] as SpdyStreamIO, pending[i + 1] as number);
    }
    for (const io of streams) closeStream(this.server, io, CANCEL_ON_LOSS);
    const pushes = [...this.#pushes.values()];
    this.#pushes.clear();
    this.#pushParents.clear();
    this.#pushesOpened = [];
    for (const p of pushes) p.closed(CANCEL_ON_LOSS);
    this.server._connectionClosed(this);
  }
}
