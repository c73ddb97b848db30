/**
 * `Session` and `DataProvider`: a SPDY/2, SPDY/3 or SPDY/3.1 session over
 * deps/spdylay (`spdylay_session`), with python-spdylay's API in camelCase.
 *
 * @packageDocumentation
 */
import { native, type NativeSpdylaySession } from '../native.js';
import { FastBuffer } from '../pool.js';
import {
  CLIENT, ERR_CALLBACK_FAILURE, ERR_DEFERRED, ERR_EOF, ERR_FLOODED, ERR_INVALID_ARGUMENT, ERR_INVALID_STATE,
  ERR_TEMPORAL_CALLBACK_FAILURE, ERR_WOULDBLOCK, GOAWAY_OK, OPT_MAX_HEADER_BLOCK_INFLATE, OPT_MAX_HEADER_LIST_SIZE,
  OPT_MAX_RECV_CTRL_FRAME_BUFFER, READ_EOF, SERVER,
} from './constants.js';
import {
  CallbackFailureError, EOFError, FloodedError, InvalidArgumentError, SpdylayError, TemporalCallbackFailureError,
  errorForCode,
} from './errors.js';
import {
  GoawayFrame, HeadersFrame, PingFrame, RstStreamFrame, SettingsFrame, SynReplyFrame,
  SynStreamFrame, WindowUpdateFrame, type Frame, type NameValue, type SettingsEntry,
} from './frames.js';

/** The `readCtrl` argument of a read callback: set `flags = READ_EOF` after the last bytes. */
export interface ReadCtrl {
  /** 0 on entry; set to `READ_EOF` when this call returns the last bytes. */
  flags: number;
}

/**
 * A data provider's read callback (`spdylay_data_source_read_callback`).
 *
 * @param session - The session asking for data.
 * @param streamId - The stream the DATA is for.
 * @param length - The most bytes to return (1..4096, bounded by flow control).
 * @param readCtrl - Set `readCtrl.flags = READ_EOF` with the last bytes.
 * @param source - The `source` given to the `DataProvider`.
 * @returns The bytes (a Buffer/Uint8Array, or a string sent as UTF-8) of at
 *   most `length` bytes; `null`/`undefined`/empty for none (an empty DATA
 *   frame unless EOF is set); or `ERR_DEFERRED` to park the DATA until
 *   `Session.resumeData(streamId)`. Throw `TemporalCallbackFailureError` to
 *   reset just this stream (RST_STREAM `INTERNAL_ERROR`); throw anything
 *   else (e.g. `CallbackFailureError`) to fail the session: `send()` then
 *   throws it. Returning more than `length` bytes fails the session with a
 *   `CallbackFailureError`.
 */
export type ReadCallback<S = unknown> = (session: Session, streamId: number, length: number,
  readCtrl: ReadCtrl, source: S) => Uint8Array | string | number | null | undefined;

/**
 * The data source of a request or response body (`spdylay_data_provider`):
 * `source` is any value handed back to `readCb`.
 *
 * The session keeps the provider alive until its stream closes (unlike the
 * python binding, the caller need not hold it).
 */
export class DataProvider<S = unknown> {
  /** The value passed to `readCb` as its last argument. */
  source: S;
  /** The read callback (see {@link ReadCallback}). */
  readCb: ReadCallback<S>;

  /**
   * @param source - Any value (a Buffer, a file handle, `null`, ...).
   * @param readCb - Called whenever the session needs bytes for a DATA frame.
   * @throws TypeError when `readCb` is not a function.
   */
  constructor(source: S, readCb: ReadCallback<S>) {
    if (typeof readCb !== 'function') throw new TypeError('readCb must be a function');
    this.source = source;
    this.readCb = readCb;
  }
}

/** The read callback of {@link BufferDataProvider} (also used to recognise it). */
function bufferRead(this: void, _s: Session, _sid: number, length: number, ctrl: ReadCtrl,
  src: { data: Uint8Array; pos: number }): Uint8Array {
  const n = Math.min(length, src.data.length - src.pos);
  const out = src.data.subarray(src.pos, src.pos + n);
  src.pos += n;
  if (src.pos >= src.data.length) ctrl.flags = READ_EOF;
  return out;
}

/**
 * A `DataProvider` serving the bytes of one Buffer (an extension of the
 * python API). A session serves it natively: the bytes go from the Buffer
 * into DATA frames without calling into JS, so it is the fastest way to
 * send a body held in memory. The Buffer is referenced, not copied: do not
 * modify it until the stream is closed. Each submit serves the whole
 * Buffer from its start (one instance may be used for several streams).
 * Its `readCb` works too (when called by hand it serves the data once).
 */
export class BufferDataProvider extends DataProvider<{ data: Uint8Array; pos: number }> {
  /** The body. */
  readonly data: Uint8Array;

  /**
   * @param data - The body: bytes, or a string sent as UTF-8.
   * @throws TypeError when `data` is neither.
   */
  constructor(data: Uint8Array | string) {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('data must be a Buffer, Uint8Array or string');
    super({ data: bytes, pos: 0 }, bufferRead);
    this.data = bytes;
  }
}

/**
 * The options of `new Session()`: `userData` and the 14 callbacks of
 * python-spdylay (`send_cb` -> `sendCb`, ...), all optional.
 *
 * Exceptions thrown by a callback never unwind through C: they are caught,
 * the C library gets the failure code its contract names, and the first
 * one is rethrown by the `send()`/`recv()` that ran the callback (the
 * session then is in the state the C contract gives; for the `void`
 * callbacks processing simply continued).
 */
export interface SessionOptions<U = unknown> {
  /** Any value, available as `session.userData`. */
  userData?: U;
  /**
   * `send_callback`: called with outgoing bytes. Our glue coalesces the
   * frames of one `send()` (up to 72 KiB: a 64 KiB flow-control window of
   * DATA frames with their headers) into one call.
   * @returns The number of bytes taken (0..`data.length`); 0/`null`/`undefined`
   *   for "would block" (the rest stays queued: `wantWrite()` is true and the
   *   next `send()` offers it first). Throw to fail the session.
   *   Without `sendCb`, all data counts as sent.
   * `data` is a view of a pool slab: copy it to keep it past the call if
   * you modify it (it is never overwritten by the session, unless
   * {@link SessionOptions.reuseSendBuffer} is set).
   */
  sendCb?: (session: Session, data: Buffer) => number | null | undefined | void;
  /**
   * Not in python-spdylay: when true, the `data` given to `sendCb` is valid
   * only during that call, as in C (`send_callback`): once `sendCb` has
   * taken all of it, the session writes its next output over the same
   * memory, which stays in the CPU cache (bulk DATA throughput about 1.5x,
   * the "no reuse" line of bench/spdy-session). Use it when `sendCb` consumes the bytes before it
   * returns: copies them, writes them with a synchronous call, or feeds
   * another session's `recv()`. Do not use it with `socket.write(data)` or
   * anything else that keeps `data`. Bytes `sendCb` did not take are left
   * alone and offered again. Default `false`.
   */
  reuseSendBuffer?: boolean;
  /**
   * `recv_callback` (used by `recv()` without data).
   * @param length - The most bytes to return.
   * @returns Bytes (at most `length`); empty/`null`/`undefined` for "would
   *   block". Throw `EOFError` at EOF (`recv()` rethrows it); anything else
   *   thrown fails the session. Without `recvCb`, `recv()` fails with
   *   `CallbackFailureError`.
   */
  recvCb?: (session: Session, length: number) => Uint8Array | null | undefined;
  /** A control frame was received and accepted. */
  onCtrlRecvCb?: (session: Session, frame: Frame) => void;
  /**
   * A received control frame was rejected; `statusCode` is a stream status
   * code (`PROTOCOL_ERROR`, ...). RST_STREAM or GOAWAY has been queued.
   */
  onInvalidCtrlRecvCb?: (session: Session, frame: Frame, statusCode: number) => void;
  /**
   * A chunk of a DATA frame arrived. `flags` are the frame's (`DATA_FLAG_FIN`
   * does not mean this is the last chunk). `data` is a view: of the Buffer
   * given to `recv(data)` when the chunk lies in it (zero copy), else of a
   * pool slab. Copy it if you will modify the buffer you gave to `recv()`.
   *
   * The DATA callbacks of one `recv(data)` (this one and `onDataRecvCb`)
   * reach JS in one batch after the library has parsed that run of DATA
   * frames: in order, and before any other callback, but a query made here
   * (`getOutboundQueueSize()`, `wantWrite()`) may already see frames the
   * library queued for later DATA frames of the same input (automatic
   * WINDOW_UPDATEs).
   */
  onDataChunkRecvCb?: (session: Session, flags: number, streamId: number, data: Buffer) => void;
  /** A whole DATA frame arrived; `length` is its payload length in bytes (batched as `onDataChunkRecvCb`). */
  onDataRecvCb?: (session: Session, flags: number, streamId: number, length: number) => void;
  /** A control frame is about to be sent (a SYN_STREAM has its stream ID here). */
  beforeCtrlSendCb?: (session: Session, frame: Frame) => void;
  /** A control frame was sent. */
  onCtrlSendCb?: (session: Session, frame: Frame) => void;
  /** A control frame was dropped at send time; `errorCode` is a negative `ERR_*` code. */
  onCtrlNotSendCb?: (session: Session, frame: Frame, errorCode: number) => void;
  /** A DATA frame was sent; `length` is its payload length in bytes. */
  onDataSendCb?: (session: Session, flags: number, streamId: number, length: number) => void;
  /**
   * A stream closed; `statusCode` is `OK` or the reset reason. Its
   * `getStreamUserData()` still works during the call.
   */
  onStreamCloseCb?: (session: Session, streamId: number, statusCode: number) => void;
  /** The peer finished sending a request on `streamId` (a frame with FIN arrived). */
  onRequestRecvCb?: (session: Session, streamId: number) => void;
  /**
   * A control frame could not be parsed. `type` is the frame type from the
   * header, `head` the 8 header bytes, `payload` the bytes buffered (for
   * frames with a header block, only the part before it), `errorCode` a
   * negative `ERR_*` code. GOAWAY has been queued.
   */
  onCtrlRecvParseErrorCb?: (session: Session, type: number, head: Buffer, payload: Buffer,
    errorCode: number) => void;
  /** A control frame of unknown type arrived (`head`: 8 bytes, `payload`: its payload). */
  onUnknownCtrlRecvCb?: (session: Session, head: Buffer, payload: Buffer) => void;
}

// Dispatch kinds: binding/spdylay_session.h SpdylaySession::Kind.
const K_SEND = 0;
const K_RECV = 1;
const K_READ = 2;
const K_CTRL_RECV = 3;
const K_INVALID_CTRL_RECV = 4;
const K_BEFORE_CTRL_SEND = 5;
const K_CTRL_SEND = 6;
const K_CTRL_NOT_SEND = 7;
const K_DATA_CHUNK_RECV = 8;
const K_DATA_RECV = 9;
const K_DATA_SEND = 10;
const K_STREAM_CLOSE = 11;
const K_REQUEST_RECV = 12;
const K_PARSE_ERROR = 13;
const K_UNKNOWN_CTRL = 14;
const K_NEW_SLAB = 15;
const K_CTRL_RECV_REQUEST_RECV = 16;
const K_DATA_BATCH = 17;

/** Option name -> dispatch kind, for the callbacks the glue skips when unset. */
const CALLBACK_KINDS: [keyof SessionOptions, number][] = [
  ['onCtrlRecvCb', K_CTRL_RECV],
  ['onInvalidCtrlRecvCb', K_INVALID_CTRL_RECV],
  ['beforeCtrlSendCb', K_BEFORE_CTRL_SEND],
  ['onCtrlSendCb', K_CTRL_SEND],
  ['onCtrlNotSendCb', K_CTRL_NOT_SEND],
  ['onDataChunkRecvCb', K_DATA_CHUNK_RECV],
  ['onDataRecvCb', K_DATA_RECV],
  ['onDataSendCb', K_DATA_SEND],
  ['onStreamCloseCb', K_STREAM_CLOSE],
  ['onRequestRecvCb', K_REQUEST_RECV],
  ['onCtrlRecvParseErrorCb', K_PARSE_ERROR],
  ['onUnknownCtrlRecvCb', K_UNKNOWN_CTRL],
];
const CALLBACK_NAMES: (keyof SessionOptions)[] = ['sendCb', 'recvCb',
  ...CALLBACK_KINDS.map(([name]) => name)];

// Record layout: binding/spdylay_session.h SpdylaySession::Rec.
const R_TYPE = 0;
const R_VERSION = 1;
const R_FLAGS = 2;
const R_LENGTH = 3;
const R_STREAM_ID = 4;
const R_ASSOC = 5;
const R_PRI = 6;
const R_SLOT = 7;
const R_STATUS = 8;
const R_UNIQUE_ID = 9;
const R_DELTA = 10;
const R_NV_COUNT = 11;
const R_EXTRA = 12;
const R_EOF = 13;
const R_A = 16;
const R_B = 17;
const R_C = 18;
const R_D = 19;
/** First of the batched DATA events, 4 ints each (binding kRecBatch). */
const R_BATCH = 24;
const R_SIZE = R_BATCH + 4 * 64;

const ERR_REENTRANT = native.SpdylaySession.ERR_REENTRANT;
const ERR_NV_NUL = native.SpdylaySession.ERR_NV_NUL;

/**
 * Splits a NUL-joined name/value string of `count` pairs (indexOf/slice is
 * about twice as fast as String.prototype.split on a fresh string).
 */
function decodeNv(s: string | undefined, count: number): NameValue[] {
  if (count <= 0 || s === undefined) return [];
  const out: NameValue[] = new Array(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const a = s.indexOf('\0', pos);
    const b = s.indexOf('\0', a + 1);
    out[i] = [s.slice(pos, a), s.slice(a + 1, b)];
    pos = b + 1;
  }
  return out;
}

/** A provider registered with the session, and its stream once known. */
interface ProviderEntry {
  prd: DataProvider<unknown>;
  streamId: number;
}

/** Checks an integer argument; throws TypeError. */
function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer`);
  return v;
}

/** Checks a priority (a C uint8_t; the library clamps 0..255 to its lowest priority). */
function priority(v: unknown): number {
  const p = int(v, 'pri');
  if (p < 0 || p > 255) throw new InvalidArgumentError(`pri must be in 0..255, got ${p}`);
  return p;
}

/**
 * A SPDY session (`spdylay_session`): feeds received bytes to the C state
 * machine and serialises submitted frames, calling the callbacks given in
 * `options` along the way.
 *
 * Callbacks may call the `submit*` methods, `resumeData`, the queries and
 * `failSession` of the same session. They must not call `send()` or
 * `recv()` of the same session (the C library is not re-entrant): those
 * throw a `SpdylayError` with code `ERR_INVALID_STATE` when called from a
 * callback of that session. Driving *another* session from a callback
 * (e.g. a `sendCb` that feeds a peer's `recv()`) is fine.
 */
export class Session<U = unknown> {
  private readonly _n: NativeSpdylaySession;
  private readonly _rec = new Int32Array(R_SIZE);
  private readonly _cb: SessionOptions<U>;
  private readonly _userData: U | undefined;
  /** First exception thrown by a callback during the running send()/recv(). */
  private _error: unknown = undefined;
  private _busy = false;
  private _nextToken = 1;
  /** Stream user-data tokens -> values. */
  private readonly _userTokens = new Map<number, unknown>();
  /** Provider tokens -> JS providers not finished yet. */
  private readonly _providers = new Map<number, ProviderEntry>();

  /**
   * Creates a session (`spdylay_session_client_new` / `_server_new`).
   *
   * @param side - `CLIENT` or `SERVER`.
   * @param version - `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`.
   * @param options - `userData` and callbacks ({@link SessionOptions}).
   * @throws InvalidArgumentError when `side` is neither `CLIENT` nor `SERVER`.
   * @throws UnsupportedVersionError when `version` is not supported.
   * @throws ZlibError when zlib could not be initialised.
   * @throws TypeError when a callback option is not a function.
   */
  constructor(side: number, version: number, options: SessionOptions<U> = {}) {
    if (side !== CLIENT && side !== SERVER) {
      throw new InvalidArgumentError('side must be either CLIENT or SERVER');
    }
    if (typeof version !== 'number') throw new TypeError('version must be a number');
    // A literal with every key: one fixed hidden class for fast property loads.
    const cb: SessionOptions<U> = {
      userData: undefined, sendCb: undefined, recvCb: undefined, onCtrlRecvCb: undefined,
      onInvalidCtrlRecvCb: undefined, onDataChunkRecvCb: undefined, onDataRecvCb: undefined,
      beforeCtrlSendCb: undefined, onCtrlSendCb: undefined, onCtrlNotSendCb: undefined,
      onDataSendCb: undefined, onStreamCloseCb: undefined, onRequestRecvCb: undefined,
      onCtrlRecvParseErrorCb: undefined, onUnknownCtrlRecvCb: undefined,
    };
    for (const name of CALLBACK_NAMES) {
      const f = options[name];
      if (f === undefined || f === null) continue;
      if (typeof f !== 'function') throw new TypeError(`${name} must be a function`);
      (cb as Record<string, unknown>)[name] = f;
    }
    let mask = 0;
    for (const [name, kind] of CALLBACK_KINDS) if (cb[name]) mask |= 1 << kind;
    this._cb = cb;
    this._userData = options.userData;
    try {
      this._n = new native.SpdylaySession(side, version, mask, this._rec, options.reuseSendBuffer === true ? 1 : 0);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number') throw errorForCode(code);
      throw e;
    }
  }

  /** The `userData` given to the constructor (read-only). */
  get userData(): U | undefined {
    return this._userData;
  }

  // ---- driving the session ----

  /**
   * Sends pending frames (`spdylay_session_send`) as long as the queue is
   * not empty and `sendCb` takes bytes; calls `beforeCtrlSendCb`,
   * `onCtrlSendCb`, `onCtrlNotSendCb`, `onDataSendCb`, `onStreamCloseCb`
   * and data providers' read callbacks. Frames are coalesced: `sendCb`
   * gets one Buffer per up to 72 KiB of output, after the frame callbacks
   * of the frames it holds.
   *
   * @throws The first exception a callback threw (`CallbackFailureError` or
   *   any other; `TemporalCallbackFailureError` from a read callback only
   *   resets its stream and is not rethrown).
   * @throws CallbackFailureError when a callback broke its contract.
   * @throws SpdylayError (`ERR_INVALID_STATE`) when called from one of this
   *   session's callbacks; another fatal `SpdylayError` on a fatal C error.
   */
  send(): void {
    if (this._busy) throw reentrant('send');
    this._busy = true;
    let rv: number;
    try {
      this._error = undefined;
      rv = this._n.send(this._dispatch);
    } finally {
      this._busy = false;
    }
    if (this._error !== undefined || rv < 0) this._finish(rv);
  }

  /**
   * Receives frames. With `data`, processes exactly those bytes
   * (`spdylay_session_mem_recv`) and never calls `recvCb`; without it,
   * reads through `recvCb` until it reports "would block"
   * (`spdylay_session_recv`). Calls the receive callbacks.
   *
   * @param data - Received bytes (Buffer or Uint8Array), or omitted/`null`.
   * @throws FloodedError (`ERR_FLOODED`, `.limit` = the `LIMIT_*` that was
   *   passed) when the peer exceeded a flood or resource limit
   *   (`OPT_MAX_OUTBOUND_ACK`, `OPT_MAX_EMPTY_FRAMES`,
   *   `OPT_STREAM_RESET_BURST`/`_RATE`, `OPT_MAX_HEADER_BLOCK_INFLATE`), now
   *   or before: the session has already queued GOAWAY(PROTOCOL_ERROR), so a
   *   following `send()` writes it; the input is ignored. If a callback threw
   *   during the same call, that exception is thrown instead and the next
   *   `recv()` throws the FloodedError.
   * @throws EOFError when `recvCb` threw it (the same object).
   * @throws The first exception a callback threw; CallbackFailureError when
   *   `recvCb` is missing or broke its contract.
   * @throws TypeError when `data` is not a Uint8Array.
   * @throws SpdylayError (`ERR_INVALID_STATE`) when called from one of this
   *   session's callbacks.
   */
  recv(data?: Uint8Array | null): void {
    if (this._busy) throw reentrant('recv');
    if (data !== undefined && data !== null && !(data instanceof Uint8Array)) {
      throw new TypeError('data must be a Buffer or Uint8Array');
    }
    this._busy = true;
    let rv: number;
    try {
      this._error = undefined;
      rv = this._n.recv(this._dispatch, data);
    } finally {
      this._busy = false;
    }
    if (this._error !== undefined || rv < 0) this._finish(rv);
  }

  private _finish(rv: number): void {
    const e = this._error;
    if (e !== undefined) {
      this._error = undefined;
      throw e;
    }
    if (rv === ERR_REENTRANT) throw reentrant('send/recv');
    if (rv === ERR_EOF) throw new EOFError();
    if (rv === ERR_FLOODED) throw new FloodedError(this._n.getLimitExceeded());
    throw errorForCode(rv);
  }

  /**
   * Puts a deferred DATA back in the outbound queue
   * (`spdylay_session_resume_data`).
   *
   * @param streamId - The stream whose read callback returned `ERR_DEFERRED`.
   * @returns `true` on success; `false` when the stream does not exist or has
   *   no deferred DATA (as python-spdylay).
   * @throws SpdylayError on another (fatal) error.
   */
  resumeData(streamId: number): boolean {
    const rv = this._n.resumeData(int(streamId, 'streamId'));
    if (rv === 0) return true;
    if (rv === ERR_INVALID_ARGUMENT) return false;
    throw errorForCode(rv);
  }

  /** Whether the session wants to receive (`spdylay_session_want_read`). */
  wantRead(): boolean {
    return this._n.wantRead();
  }

  /**
   * Whether the session wants to send (`spdylay_session_want_write`), or
   * still holds output that `sendCb` did not take. If both `wantRead()` and
   * `wantWrite()` are false, drop the connection.
   */
  wantWrite(): boolean {
    return this._n.wantWrite();
  }

  /**
   * The `streamUserData` given to `submitRequest`/`submitSynStream` for a
   * stream (`spdylay_session_get_stream_user_data`).
   *
   * @returns The value, or `null` when the stream does not exist, was opened
   *   by the peer, or was given none.
   */
  getStreamUserData(streamId: number): unknown {
    const token = this._n.getStreamUserData(int(streamId, 'streamId'));
    if (token === 0) return null;
    const v = this._userTokens.get(token);
    return v === undefined ? null : v;
  }

  /**
   * Which flood or resource limit made the session fail
   * (`spdylay_session_get_limit_exceeded`; extension of the C library).
   *
   * @returns A `LIMIT_*` constant: `LIMIT_NONE` (0) while no limit was
   *   exceeded, else the one a `FloodedError` reported.
   */
  getLimitExceeded(): number {
    return this._n.getLimitExceeded();
  }

  /**
   * Whether part of a frame header, or part of a control frame (a
   * SYN_STREAM say), has been received and its end has not
   * (`spdylay_session_in_ctrl_frame`; extension of the C library). A DATA
   * payload in progress does not count. Servers use it for a header
   * timeout. False once the session failed for a limit.
   */
  inCtrlFrame(): boolean {
    return this._n.inCtrlFrame();
  }

  /** Frames in the outbound queue, deferred DATA excluded (`spdylay_session_get_outbound_queue_size`). */
  getOutboundQueueSize(): number {
    return this._n.getOutboundQueueSize();
  }

  /** The lowest priority value: 3 for SPDY/2, 7 for SPDY/3 and 3.1 (`spdylay_session_get_pri_lowest`). */
  getPriLowest(): number {
    return this._n.getPriLowest();
  }

  /**
   * Submits GOAWAY and makes the session stop after sending it
   * (`spdylay_session_fail_session`).
   *
   * @param statusCode - A `GOAWAY_*` code (ignored for SPDY/2).
   * @throws SpdylayError on a fatal error (out of memory).
   */
  failSession(statusCode: number = GOAWAY_OK): void {
    this._check(this._n.failSession(int(statusCode, 'statusCode') >>> 0));
  }

  /**
   * Sets a session option (`spdylay_session_set_option`; not in
   * python-spdylay). Any time is fine.
   *
   * @param optname - `OPT_NO_AUTO_WINDOW_UPDATE2` (boolean: WINDOW_UPDATE
   *   frames are sent for bytes given to {@link Session.consume}, not for
   *   bytes received), `OPT_NO_AUTO_WINDOW_UPDATE` (boolean, deprecated),
   *   `OPT_MAX_RECV_CTRL_FRAME_BUFFER` (bytes, 8192..16777215), or one of
   *   the limits (extension, on by default; see their constants for what
   *   passing them does):
   *   `OPT_MAX_HEADER_LIST_SIZE` (bytes kept of one decompressed header
   *   block, 1..4294967295, default 65536), `OPT_MAX_OUTBOUND_ACK` (frames,
   *   1..4294967295, default 1000), `OPT_MAX_EMPTY_FRAMES` (frames,
   *   1..4294967295, default 1000), `OPT_STREAM_RESET_BURST` (RST_STREAMs,
   *   1..4294967295, default 1000), `OPT_STREAM_RESET_RATE` (RST_STREAMs per
   *   second, 0..4294967295, default 33), `OPT_MAX_HEADER_BLOCK_INFLATE`
   *   (bytes, 1..4294967295, default 1048576).
   * @param value - The option's value: a boolean or number for the window
   *   options, an integer for the others.
   * @throws InvalidArgumentError for an unknown option or a value out of
   *   range (also a non-integer for the byte/count options).
   * @throws TypeError when `value` is neither a number nor a boolean.
   */
  setOption(optname: number, value: number | boolean): void {
    int(optname, 'optname');
    if (typeof value === 'boolean') value = value ? 1 : 0;
    else if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('value must be a number or a boolean');
    const u32 = optname === OPT_MAX_RECV_CTRL_FRAME_BUFFER ||
      (optname >= OPT_MAX_HEADER_LIST_SIZE && optname <= OPT_MAX_HEADER_BLOCK_INFLATE);
    if (u32 && !Number.isInteger(value)) {
      throw new InvalidArgumentError(`option ${optname} must be an integer, got ${value}`);
    }
    this._check(this._n.setOption(optname, value));
  }

  /**
   * Says that `size` bytes of DATA received on `streamId` have been
   * processed (`spdylay_session_consume`; needs `OPT_NO_AUTO_WINDOW_UPDATE2`).
   * WINDOW_UPDATE frames for the stream (and, in SPDY/3.1, the connection)
   * are queued once half a window has been consumed; `send()` sends them.
   *
   * @param streamId - The stream the bytes came on.
   * @param size - Bytes processed (DATA payload bytes).
   * @throws InvalidArgumentError when `streamId` is 0 or `size` is negative.
   * @throws SpdylayError (`ERR_INVALID_STATE`) when `OPT_NO_AUTO_WINDOW_UPDATE2` is not set.
   */
  consume(streamId: number, size: number): void {
    this._check(this._n.consume(int(streamId, 'streamId'), int(size, 'size')));
  }

  // ---- submitting frames ----

  /**
   * Submits a request: SYN_STREAM and, with `dataPrd`, DATA frames
   * (`spdylay_submit_request`). The stream ID is known in
   * `beforeCtrlSendCb`.
   *
   * @param pri - Priority, 0 (highest) to `getPriLowest()` (larger values up
   *   to 255 are clamped to the lowest priority by the library).
   * @param nv - `[name, value]` string pairs; must hold `:method`, `:scheme`,
   *   `:path`, `:version`, `:host` (SPDY/2: translated by the library).
   *   Names are lower-cased; a NUL in a name or value cuts it there.
   * @param dataPrd - The request body, or omitted/`null` (SYN_STREAM gets FIN).
   * @param streamUserData - Any value for `getStreamUserData()`.
   * @throws InvalidArgumentError for `pri` outside 0..255, an empty or
   *   non-printable name, or a name/value that is not a string.
   * @throws TypeError when `pri` is not an integer or `nv` not an array of pairs.
   * @throws SpdylayError for another C error.
   */
  submitRequest(pri: number, nv: NameValue[], dataPrd?: DataProvider<any> | null,
    streamUserData?: unknown): void {
    priority(pri);
    const body = nativeBody(dataPrd);
    const ptoken = dataPrd && !body ? this._addProvider(dataPrd, 0) : 0;
    const utoken = streamUserData === undefined || streamUserData === null ? 0
      : this._addUserData(streamUserData);
    const s = encodeNv(nv);
    const count = nv.length;
    let rv = this._n.submitRequest(pri, s, s.length, count, ptoken, utoken, body);
    if (rv === ERR_NV_NUL) {
      const s2 = encodeNv(nv, true);
      rv = this._n.submitRequest(pri, s2, s2.length, count, ptoken, utoken, body);
    }
    if (rv < 0) {
      this._dropTokens(ptoken, utoken);
      throw errorForCode(rv);
    }
  }

  /**
   * Submits a SYN_STREAM (`spdylay_submit_syn_stream`).
   *
   * Two argument orders are accepted: python-spdylay's
   * `(flags, pri, nv, assocStreamId = 0, streamUserData?)` and the
   * documented C-like `(flags, assocStreamId, pri, nv, streamUserData?)`;
   * they are told apart by where the `nv` array is.
   *
   * @param flags - `CTRL_FLAG_FIN` and/or `CTRL_FLAG_UNIDIRECTIONAL`.
   * @param assocStreamId - The pushed stream's associated stream (server), 0 otherwise.
   * @param pri - Priority, 0 to `getPriLowest()`.
   * @param nv - `[name, value]` string pairs.
   * @param streamUserData - Any value for `getStreamUserData()`.
   * @throws InvalidArgumentError for a bad `pri`, `assocStreamId` or `nv`.
   */
  submitSynStream(flags: number, pri: number, nv: NameValue[], assocStreamId?: number,
    streamUserData?: unknown): void;
  submitSynStream(flags: number, assocStreamId: number, pri: number, nv: NameValue[],
    streamUserData?: unknown): void;
  submitSynStream(flags: number, a: number, b: number | NameValue[], c?: number | NameValue[],
    d?: unknown): void {
    let assoc: number;
    let pri: number;
    let nv: NameValue[];
    if (Array.isArray(b)) {
      pri = a;
      nv = b;
      assoc = c === undefined || c === null ? 0 : (c as number);
    } else {
      assoc = a;
      pri = b;
      nv = c as NameValue[];
    }
    int(flags, 'flags');
    priority(pri);
    int(assoc, 'assocStreamId');
    const utoken = d === undefined || d === null ? 0 : this._addUserData(d);
    const s = encodeNv(nv);
    const count = nv.length;
    let rv = this._n.submitSynStream(flags, assoc, pri, s, s.length, count, utoken);
    if (rv === ERR_NV_NUL) {
      const s2 = encodeNv(nv, true);
      rv = this._n.submitSynStream(flags, assoc, pri, s2, s2.length, count, utoken);
    }
    if (rv < 0) {
      this._dropTokens(0, utoken);
      throw errorForCode(rv);
    }
  }

  /**
   * Submits a response: SYN_REPLY and, with `dataPrd`, DATA frames
   * (`spdylay_submit_response`).
   *
   * @param streamId - The request's stream.
   * @param nv - `[name, value]` string pairs; must hold `:status` and `:version`.
   * @param dataPrd - The response body, or omitted/`null` (SYN_REPLY gets FIN).
   * @throws InvalidArgumentError for a bad `nv`.
   */
  submitResponse(streamId: number, nv: NameValue[], dataPrd?: DataProvider<any> | null): void {
    int(streamId, 'streamId');
    const body = nativeBody(dataPrd);
    const ptoken = dataPrd && !body ? this._addProvider(dataPrd, streamId) : 0;
    const s = encodeNv(nv);
    const count = nv.length;
    let rv = this._n.submitResponse(streamId, s, s.length, count, ptoken, body);
    if (rv === ERR_NV_NUL) {
      const s2 = encodeNv(nv, true);
      rv = this._n.submitResponse(streamId, s2, s2.length, count, ptoken, body);
    }
    if (rv < 0) {
      this._dropTokens(ptoken, 0);
      throw errorForCode(rv);
    }
  }

  /**
   * Submits a SYN_REPLY (`spdylay_submit_syn_reply`).
   *
   * @param flags - `CTRL_FLAG_FIN` or `CTRL_FLAG_NONE`.
   * @param streamId - The stream.
   * @param nv - `[name, value]` string pairs.
   * @throws InvalidArgumentError for a bad `nv`.
   */
  submitSynReply(flags: number, streamId: number, nv: NameValue[]): void {
    int(flags, 'flags');
    int(streamId, 'streamId');
    const s = encodeNv(nv);
    const count = nv.length;
    let rv = this._n.submitSynReply(flags, streamId, s, s.length, count);
    if (rv === ERR_NV_NUL) {
      const s2 = encodeNv(nv, true);
      rv = this._n.submitSynReply(flags, streamId, s2, s2.length, count);
    }
    this._check(rv);
  }

  /**
   * Submits a HEADERS frame (`spdylay_submit_headers`).
   *
   * @param flags - `CTRL_FLAG_FIN` or `CTRL_FLAG_NONE`.
   * @param streamId - The stream.
   * @param nv - `[name, value]` string pairs.
   * @throws InvalidArgumentError for a bad `nv`.
   */
  submitHeaders(flags: number, streamId: number, nv: NameValue[]): void {
    int(flags, 'flags');
    int(streamId, 'streamId');
    const s = encodeNv(nv);
    const count = nv.length;
    let rv = this._n.submitHeaders(flags, streamId, s, s.length, count);
    if (rv === ERR_NV_NUL) {
      const s2 = encodeNv(nv, true);
      rv = this._n.submitHeaders(flags, streamId, s2, s2.length, count);
    }
    this._check(rv);
  }

  /**
   * Submits DATA frames read from `dataPrd` (`spdylay_submit_data`).
   *
   * @param streamId - The stream.
   * @param flags - `DATA_FLAG_FIN` to set FIN on the last DATA frame.
   * @param dataPrd - The data source.
   * @throws TypeError when `dataPrd` is not a DataProvider.
   * @throws SpdylayError on a C error (e.g. out of memory).
   */
  submitData(streamId: number, flags: number, dataPrd: DataProvider<any>): void {
    int(streamId, 'streamId');
    int(flags, 'flags');
    if (!(dataPrd instanceof DataProvider)) throw new TypeError('dataPrd must be a DataProvider');
    const body = nativeBody(dataPrd);
    const ptoken = body ? 0 : this._addProvider(dataPrd, streamId);
    const rv = this._n.submitData(streamId, flags, ptoken, body);
    if (rv < 0) {
      this._dropTokens(ptoken, 0);
      throw errorForCode(rv);
    }
  }

  /**
   * Submits RST_STREAM (`spdylay_submit_rst_stream`).
   *
   * @param streamId - The stream to reset.
   * @param statusCode - A stream status code (`CANCEL`, ...; not `OK`).
   */
  submitRstStream(streamId: number, statusCode: number): void {
    this._check(this._n.submitRstStream(int(streamId, 'streamId'), int(statusCode, 'statusCode') >>> 0));
  }

  /** Submits a PING with the next unique ID (`spdylay_submit_ping`). */
  submitPing(): void {
    this._check(this._n.submitPing());
  }

  /**
   * Submits GOAWAY (`spdylay_submit_goaway`); the remaining streams go on.
   *
   * @param statusCode - A `GOAWAY_*` code (ignored for SPDY/2).
   */
  submitGoaway(statusCode: number = GOAWAY_OK): void {
    this._check(this._n.submitGoaway(int(statusCode, 'statusCode') >>> 0));
  }

  /**
   * Stores local settings and submits SETTINGS (`spdylay_submit_settings`).
   *
   * @param flags - `FLAG_SETTINGS_NONE` or `FLAG_SETTINGS_CLEAR_SETTINGS`.
   * @param iv - `[settingsId, flags, value]` entries.
   * @throws InvalidArgumentError for a duplicate or unknown settings ID or
   *   an invalid value.
   * @throws TypeError when `iv` is not an array of triples of integers.
   */
  submitSettings(flags: number, iv: SettingsEntry[]): void {
    int(flags, 'flags');
    if (!Array.isArray(iv)) throw new TypeError('iv must be an array');
    const u = new Uint32Array(iv.length * 3);
    for (let i = 0; i < iv.length; i++) {
      const e = iv[i];
      if (!Array.isArray(e) || e.length < 3) throw new TypeError('iv entries must be [settingsId, flags, value]');
      u[3 * i] = int(e[0], 'settings ID');
      u[3 * i + 1] = int(e[1], 'settings flags');
      u[3 * i + 2] = int(e[2], 'settings value');
    }
    this._check(this._n.submitSettings(flags, u));
  }

  /**
   * Submits WINDOW_UPDATE (`spdylay_submit_window_update`).
   *
   * @param streamId - The stream, or 0 for the connection (sent in SPDY/3.1 only).
   * @param deltaWindowSize - Bytes, 1 to 2^31-1.
   * @throws InvalidArgumentError when `deltaWindowSize` is 0 or negative.
   * @throws StreamClosedError when the stream is closed or does not exist.
   */
  submitWindowUpdate(streamId: number, deltaWindowSize: number): void {
    this._check(this._n.submitWindowUpdate(int(streamId, 'streamId'),
      int(deltaWindowSize, 'deltaWindowSize') | 0));
  }

  // ---- internals ----

  private _check(rv: number): void {
    if (rv < 0) throw errorForCode(rv);
  }

  private _token(): number {
    let t = this._nextToken;
    while (this._userTokens.has(t) || this._providers.has(t)) t = t >= 0xfffffffe ? 1 : t + 1;
    this._nextToken = t >= 0xfffffffe ? 1 : t + 1;
    return t;
  }

  private _addUserData(v: unknown): number {
    const t = this._token();
    this._userTokens.set(t, v);
    return t;
  }

  private _addProvider(prd: DataProvider<any>, streamId: number): number {
    if (!(prd instanceof DataProvider)) throw new TypeError('dataPrd must be a DataProvider');
    const t = this._token();
    this._providers.set(t, { prd, streamId });
    return t;
  }

  private _dropTokens(ptoken: number, utoken: number): void {
    if (ptoken) this._providers.delete(ptoken);
    if (utoken) this._userTokens.delete(utoken);
  }

  /** Keeps the first exception thrown by a callback. */
  private _store(e: unknown): void {
    if (this._error === undefined) this._error = e === undefined ? new CallbackFailureError() : e;
  }

  /** Builds the frame object described by the record (and nv / iv). */
  private _frame(extra: unknown): Frame {
    const r = this._rec;
    switch (r[R_TYPE]) {
      case 1:
        return new SynStreamFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_ASSOC],
          r[R_PRI], r[R_SLOT], decodeNv(extra as string | undefined, r[R_NV_COUNT]));
      case 2:
        return new SynReplyFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
          decodeNv(extra as string | undefined, r[R_NV_COUNT]));
      case 8:
        return new HeadersFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
          decodeNv(extra as string | undefined, r[R_NV_COUNT]));
      case 3:
        return new RstStreamFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_STATUS] >>> 0);
      case 4: {
        const u = new Uint32Array(extra as ArrayBuffer);
        const iv: SettingsEntry[] = [];
        for (let i = 0; i + 2 < u.length; i += 3) iv.push([u[i] | 0, u[i + 1], u[i + 2]]);
        return new SettingsFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], iv);
      }
      case 6:
        return new PingFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_UNIQUE_ID] >>> 0);
      case 7:
        return new GoawayFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_STATUS] >>> 0);
      default:
        return new WindowUpdateFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_DELTA]);
    }
  }

  /**
   * The dispatcher the native session calls for each C callback (see
   * binding/spdylay_session.h). Never throws: user exceptions are stored
   * and the C failure code the contract names is returned.
   */
  private readonly _dispatch = (kind: number, a?: unknown, b?: unknown): unknown => {
    const cb = this._cb;
    const r = this._rec;
    switch (kind) {
      case K_SEND: {
        const len = r[R_B] >>> 0;
        const f = cb.sendCb;
        if (!f) return len;
        try {
          const n = f(this, new FastBuffer(a as ArrayBuffer, r[R_A] >>> 0, len) as Buffer);
          if (n === undefined || n === null || n === 0) return 0;
          if (typeof n !== 'number' || !(n >= 0) || n > len || !Number.isInteger(n)) {
            this._store(new CallbackFailureError(`sendCb returned ${String(n)}, not a byte count in 0..${len}`));
            return ERR_CALLBACK_FAILURE;
          }
          return n;
        } catch (err) {
          this._store(err);
          return ERR_CALLBACK_FAILURE;
        }
      }
      case K_RECV: {
        const length = r[R_A];
        const f = cb.recvCb;
        if (!f) {
          this._store(new CallbackFailureError('recv() without data needs a recvCb'));
          return ERR_CALLBACK_FAILURE;
        }
        try {
          const out = f(this, length);
          if (out === undefined || out === null) return ERR_WOULDBLOCK;
          if (!(out instanceof Uint8Array)) {
            this._store(new CallbackFailureError('recvCb must return a Buffer, Uint8Array or null'));
            return ERR_CALLBACK_FAILURE;
          }
          if (out.length > length) {
            this._store(new CallbackFailureError(`recvCb returned ${out.length} bytes, more than ${length}`));
            return ERR_CALLBACK_FAILURE;
          }
          return out.length === 0 ? ERR_WOULDBLOCK : out;
        } catch (err) {
          this._store(err);
          return err instanceof EOFError ? ERR_EOF : ERR_CALLBACK_FAILURE;
        }
      }
      case K_READ: {
        const token = r[R_A] >>> 0;
        const streamId = r[R_B];
        const length = r[R_C];
        const entry = this._providers.get(token);
        if (!entry) return ERR_TEMPORAL_CALLBACK_FAILURE;
        entry.streamId = streamId;
        const ctrl: ReadCtrl = { flags: 0 };
        try {
          let out = entry.prd.readCb(this, streamId, length, ctrl, entry.prd.source);
          const eof = ctrl.flags & READ_EOF;
          r[R_EOF] = eof;
          if (typeof out === 'number') {
            if (out === ERR_DEFERRED || out === ERR_TEMPORAL_CALLBACK_FAILURE) return out;
            this._store(new CallbackFailureError(`read callback returned the number ${out}`));
            return ERR_CALLBACK_FAILURE;
          }
          if (out !== undefined && out !== null) {
            if (typeof out === 'string') out = Buffer.from(out);
            if (!(out instanceof Uint8Array)) {
              this._store(new CallbackFailureError('read callback must return a Buffer, string, null or ERR_DEFERRED'));
              return ERR_CALLBACK_FAILURE;
            }
            if (out.length > length) {
              this._store(new CallbackFailureError(`read callback returned ${out.length} bytes, more than ${length}`));
              return ERR_CALLBACK_FAILURE;
            }
          }
          // the library never reads a provider again after EOF
          if (eof) this._providers.delete(token);
          return out;
        } catch (err) {
          if (err instanceof TemporalCallbackFailureError) return ERR_TEMPORAL_CALLBACK_FAILURE;
          this._store(err);
          return ERR_CALLBACK_FAILURE;
        }
      }
      case K_CTRL_RECV:
        try { cb.onCtrlRecvCb!(this, this._frame(a)); } catch (err) { this._store(err); }
        return undefined;
      case K_INVALID_CTRL_RECV:
        try { cb.onInvalidCtrlRecvCb!(this, this._frame(a), r[R_EXTRA] >>> 0); } catch (err) { this._store(err); }
        return undefined;
      case K_BEFORE_CTRL_SEND:
        try { cb.beforeCtrlSendCb!(this, this._frame(a)); } catch (err) { this._store(err); }
        return undefined;
      case K_CTRL_SEND:
        try { cb.onCtrlSendCb!(this, this._frame(a)); } catch (err) { this._store(err); }
        return undefined;
      case K_CTRL_NOT_SEND:
        try { cb.onCtrlNotSendCb!(this, this._frame(a), r[R_EXTRA]); } catch (err) { this._store(err); }
        return undefined;
      case K_DATA_CHUNK_RECV:
        try {
          cb.onDataChunkRecvCb!(this, r[R_A], r[R_B], new FastBuffer(a as ArrayBuffer, r[R_C] >>> 0, r[R_D] >>> 0) as Buffer);
        } catch (err) { this._store(err); }
        return undefined;
      case K_DATA_RECV:
        try { cb.onDataRecvCb!(this, r[R_A], r[R_B], r[R_C]); } catch (err) { this._store(err); }
        return undefined;
      case K_DATA_BATCH: {
        // DATA chunks (views of the recv() input `a`) and DATA frame ends,
        // in the order the library reported them.
        const n = b as number;
        for (let i = 0, o = R_BATCH; i < n; i++, o += 4) {
          const head = r[o];
          try {
            if (head >>> 8 === K_DATA_CHUNK_RECV) {
              cb.onDataChunkRecvCb!(this, head & 0xff, r[o + 1], new FastBuffer(a as ArrayBuffer, r[o + 2] >>> 0, r[o + 3] >>> 0) as Buffer);
            } else {
              cb.onDataRecvCb!(this, head & 0xff, r[o + 1], r[o + 2]);
            }
          } catch (err) { this._store(err); }
        }
        return undefined;
      }
      case K_DATA_SEND:
        try { cb.onDataSendCb!(this, r[R_A], r[R_B], r[R_C]); } catch (err) { this._store(err); }
        return undefined;
      case K_STREAM_CLOSE: {
        const streamId = r[R_A];
        const token = r[R_C] >>> 0;
        const providers = r[R_D];
        const f = cb.onStreamCloseCb;
        if (f) {
          try { f(this, streamId, r[R_B] >>> 0); } catch (err) { this._store(err); }
        }
        if (token) this._userTokens.delete(token);
        if (providers) {
          for (const [t, e] of this._providers) if (e.streamId === streamId) this._providers.delete(t);
        }
        return undefined;
      }
      case K_REQUEST_RECV:
        try { cb.onRequestRecvCb!(this, r[R_A]); } catch (err) { this._store(err); }
        return undefined;
      case K_CTRL_RECV_REQUEST_RECV:
        // on_ctrl_recv (SYN_STREAM with FIN) and the on_request_recv the library
        // calls right after it, in one call from native code
        try { cb.onCtrlRecvCb!(this, this._frame(a)); } catch (err) { this._store(err); }
        try { cb.onRequestRecvCb!(this, r[R_A]); } catch (err) { this._store(err); }
        return undefined;
      case K_PARSE_ERROR:
        try {
          cb.onCtrlRecvParseErrorCb!(this, r[R_A], a as Buffer, b as Buffer, r[R_B]);
        } catch (err) { this._store(err); }
        return undefined;
      case K_UNKNOWN_CTRL:
        try { cb.onUnknownCtrlRecvCb!(this, a as Buffer, b as Buffer); } catch (err) { this._store(err); }
        return undefined;
      case K_NEW_SLAB: {
        // A fresh output/receive slab; allocUnsafeSlow does not zero-fill.
        const buf = Buffer.allocUnsafeSlow(r[R_A] >>> 0);
        return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : undefined;
      }
      default:
        return undefined;
    }
  };
}

/** The bytes of a provider the session can serve natively, else undefined. */
function nativeBody(prd: DataProvider<any> | null | undefined): Uint8Array | undefined {
  return prd instanceof BufferDataProvider && prd.readCb === bufferRead ? prd.data : undefined;
}

function reentrant(what: string): SpdylayError {
  return new SpdylayError(ERR_INVALID_STATE,
    `Session.${what}() called from inside one of the same session's callbacks (not re-entrant)`);
}

/** The last encoding of an nv array: its names and values, and the joined string. */
interface NvCacheEntry {
  parts: string[];
  joined: string;
}
const nvCache = new WeakMap<NameValue[], NvCacheEntry>();

/**
 * Joins `nv` as `name\0value\0...` (a flat string, cheap for the native side
 * to read); with `cut`, each name and value is cut at its first NUL
 * (python-spdylay passes C strings, which end there). The encoding of an
 * array is cached: passing the same array again (a constant header list)
 * only compares its strings with the cached ones.
 */
function encodeNv(nv: NameValue[], cut = false): string {
  if (!Array.isArray(nv)) throw new TypeError('nv must be an array of [name, value] pairs');
  const n = nv.length;
  if (!cut) {
    const hit = nvCache.get(nv);
    if (hit !== undefined && hit.parts.length === 2 * n) {
      const parts = hit.parts;
      let same = true;
      for (let i = 0, j = 0; i < n; i++, j += 2) {
        const p = nv[i];
        if (!Array.isArray(p) || p[0] !== parts[j] || p[1] !== parts[j + 1]) { same = false; break; }
      }
      if (same) return hit.joined;
    }
  }
  const parts: string[] = new Array(2 * n);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const p = nv[i];
    if (!Array.isArray(p) || p.length < 2) throw new TypeError('nv entries must be [name, value] pairs');
    let name = p[0];
    let value = p[1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new InvalidArgumentError('nv names and values must be strings');
    }
    if (cut) {
      const k = name.indexOf('\0');
      if (k >= 0) name = name.slice(0, k);
      const m = value.indexOf('\0');
      if (m >= 0) value = value.slice(0, m);
    }
    parts[j] = name;
    parts[j + 1] = value;
  }
  const joined = n === 0 ? '' : parts.join('\0') + '\0';
  if (!cut) nvCache.set(nv, { parts, joined });
  return joined;
}

/**
 * The NPN protocol tokens the library supports, in its order of preference
 * (`spdylay_npn_get_proto_list`): `['spdy/3.1', 'spdy/3', 'spdy/2']`. Add
 * fallbacks such as `http/1.1` yourself.
 */
export function getNpnProtocols(): string[] {
  return native.spdylay.npnProtocols();
}

/**
 * The SPDY version for an NPN protocol token (`spdylay_npn_get_version`):
 * `PROTO_SPDY2`, `PROTO_SPDY3`, `PROTO_SPDY3_1`, or 0 when unsupported
 * (also for `null`/`undefined`).
 *
 * @param proto - A token such as `'spdy/3'`.
 */
export function npnGetVersion(proto: string | null | undefined): number {
  if (proto === null || proto === undefined) return 0;
  if (typeof proto !== 'string') throw new TypeError('proto must be a string');
  return native.spdylay.npnGetVersion(proto);
}

/** `spdylay_strerror`: the C library's message for an error code. */
export function strerror(code: number): string {
  return native.spdylay.strerror(code);
}
