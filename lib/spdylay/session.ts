/**
 * `Session`: a SPDY/2, SPDY/3 or SPDY/3.1 session over deps/spdylay
 * (`spdylay_session`), with python-spdylay's API in camelCase. Its events
 * are read by session-events.ts and reach the python-style callbacks
 * through session-callbacks.ts; its bodies are in data-provider.ts. The
 * server and client connections make their sessions with
 * {@link sessionWithHandlers}, whose events go to their own named handlers.
 *
 * @packageDocumentation
 */
import { ArgumentError, checkOptionKeys } from '../errors.js';
import { native, type NativeSpdylaySession } from '../native.js';
import {
  CLIENT, ERR_EOF, ERR_FLOODED, ERR_INVALID_ARGUMENT, ERR_INVALID_STATE, FLAG_SETTINGS_CLEAR_SETTINGS, GOAWAY_OK,
  ID_FLAG_SETTINGS_PERSIST_VALUE, ID_FLAG_SETTINGS_PERSISTED, OPT_MAX_HEADER_BLOCK_INFLATE, OPT_MAX_HEADER_LIST_SIZE,
  OPT_MAX_RECV_CTRL_FRAME_BUFFER, PROTO_SPDY2, SERVER, SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX,
} from './constants.js';
import { DataProvider, nativeBody } from './data-provider.js';
import { EOFError, FloodedError, InvalidArgumentError, SpdylayError, errorForCode } from './errors.js';
import type { NameValue, SettingsEntry } from './frames.js';
import { ERR_NV_NUL, encodeNv, encodedNvId, submitNv } from './nv.js';
import { CALLBACK_NAMES, callbackReader, type SessionCallbacks } from './session-callbacks.js';
import { SpdyEventReader, type ReadSource, type SpdyEventHandlers } from './session-events.js';
import type { StreamTokens } from './stream-tokens.js';

export { DataProvider, BufferDataProvider, type ReadCallback, type ReadCtrl } from './data-provider.js';

/**
 * The options of `new Session()`: `userData`, `reuseSendBuffer` and the 14
 * callbacks of python-spdylay ({@link SessionCallbacks}: `send_cb` ->
 * `sendCb`, ...), all optional.
 */
export interface SessionOptions<U = unknown> extends SessionCallbacks<Session> {
  /** Any value, available as `session.userData`. */
  userData?: U;
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
   * Not in python-spdylay: when true, the callbacks of the events one
   * `recv(data)` receives (`onCtrlRecvCb`, `onInvalidCtrlRecvCb`,
   * `onDataChunkRecvCb`, `onDataRecvCb`, `onStreamCloseCb`,
   * `onRequestRecvCb`) are called in one go after the library has processed
   * the input, or as much of it as fits in the event record (2048 int32s:
   * over a hundred frames), instead of each while it processes it: one
   * crossing from C to JS for many events (round trips about 1.2x; see
   * bench/spdy-session). The callbacks, their order and their arguments are
   * the same. What differs is the state a callback sees when it asks the
   * session: it is the state after the whole input (or batch), e.g.
   * `wantWrite()`, `getOutboundQueueSize()` and the streams' state; a stream
   * an event of the batch closed has no `getStreamUserData()` any more,
   * except in that stream's own `onStreamCloseCb`. And frames submitted from
   * these callbacks are queued after the frames the library queued itself
   * for the rest of the input (SPDY/3.1's automatic WINDOW_UPDATEs may then
   * go out before a request submitted from `onStreamCloseCb`). Use it when
   * the callbacks only record what arrived and submit new frames (as a
   * server or client loop does). `recv()` without data (`recvCb`) and
   * callbacks of `send()` are not affected. Default `false`.
   */
  batchRecvCallbacks?: boolean;
}

/** Every key {@link SessionOptions} has. */
const OPTION_KEYS: ReadonlySet<string> = new Set(['userData', 'reuseSendBuffer', 'batchRecvCallbacks', ...CALLBACK_NAMES]);

/**
 * The options given to `new Session()`: `null`/`undefined` (python-spdylay's
 * `config=None`) are no options; a key that is not a {@link SessionOptions}
 * key throws, naming the camelCase key a snake_case one stands for.
 */
function sessionOptions<U>(options: SessionOptions<U> | null | undefined): SessionOptions<U> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new ArgumentError(`Session options must be an object, null or undefined, not a ${typeof options}`);
  }
  checkOptionKeys('new Session()', options, OPTION_KEYS);
  return options;
}

const ERR_REENTRANT = native.SpdylaySession.ERR_REENTRANT;
const FLAG_REUSE_SEND_BUFFER = native.SpdylaySession.FLAG_REUSE_SEND_BUFFER;
const FLAG_SENT_AFTER_SEND_CB = native.SpdylaySession.FLAG_SENT_AFTER_SEND_CB;
const FLAG_BATCH_RECV = native.SpdylaySession.FLAG_BATCH_RECV;
const FLAG_INTERN_NV = native.SpdylaySession.FLAG_INTERN_NV;

/** Checks an integer argument; throws ArgumentError (a TypeError). */
function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ArgumentError(`${what} must be an integer`);
  return v;
}

/** The largest stream ID (31 bits). */
const MAX_STREAM_ID = 0x7fffffff;

/**
 * Checks the entries of a SETTINGS frame against the protocol: IDs 1 to
 * `SETTINGS_MAX` (`SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE` is SPDY/3
 * only), each once; ID flags made of `ID_FLAG_SETTINGS_PERSIST_VALUE` and
 * `ID_FLAG_SETTINGS_PERSISTED`; values 32-bit unsigned, and at most
 * 2^31-1 for `SETTINGS_INITIAL_WINDOW_SIZE` (a window size).
 *
 * @returns The entries as (id, flags, value) uint32 triples.
 * @throws InvalidArgumentError for an entry that breaks one of these rules.
 * @throws ArgumentError (a TypeError) when `iv` is not an array of triples of integers.
 */
function settingsEntries(iv: unknown, version: number): Uint32Array {
  if (!Array.isArray(iv)) throw new ArgumentError('iv must be an array');
  const u = new Uint32Array(iv.length * 3);
  const maxId = version === PROTO_SPDY2 ? SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE - 1 : SETTINGS_MAX;
  const seen = new Set<number>();
  for (let i = 0; i < iv.length; i++) {
    const e: unknown = iv[i];
    if (!Array.isArray(e) || e.length < 3) throw new ArgumentError('iv entries must be [settingsId, flags, value]');
    const id = int(e[0], 'settings ID');
    const flags = int(e[1], 'settings flags');
    const value = int(e[2], 'settings value');
    if (id < 1 || id > maxId) {
      throw new InvalidArgumentError(`settings ID must be in 1..${maxId} for this protocol version, got ${id}`);
    }
    if (seen.has(id)) throw new InvalidArgumentError(`settings ID ${id} appears twice`);
    seen.add(id);
    if (flags < 0 || (flags & ~(ID_FLAG_SETTINGS_PERSIST_VALUE | ID_FLAG_SETTINGS_PERSISTED)) !== 0) {
      throw new InvalidArgumentError(`settings flags of ID ${id} must be ID_FLAG_SETTINGS_* bits, got ${flags}`);
    }
    const max = id === SETTINGS_INITIAL_WINDOW_SIZE ? MAX_STREAM_ID : 0xffffffff;
    if (value < 0 || value > max) {
      throw new InvalidArgumentError(`settings value of ID ${id} must be in 0..${max}, got ${value}`);
    }
    u[3 * i] = id;
    u[3 * i + 1] = flags;
    u[3 * i + 2] = value;
  }
  return u;
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
  private readonly _userData: U | undefined;
  /** Stream user data and data providers, by token. */
  private readonly _tokens: StreamTokens<ReadSource<Session>>;
  /** The record, the event handlers and the dispatcher of the native session. */
  private readonly _ev: SpdyEventReader<Session>;
  private _busy = false;
  /** `CLIENT` or `SERVER`. */
  private readonly _side: number;
  /** The protocol version given to the constructor. */
  private readonly _version: number;
  /** `getPriLowest()`: the largest valid priority. */
  private readonly _priLowest: number;

  /**
   * Creates a session (`spdylay_session_client_new` / `_server_new`).
   *
   * @param side - `CLIENT` or `SERVER`.
   * @param version - `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`.
   * @param options - `userData`, `reuseSendBuffer` and callbacks
   *   ({@link SessionOptions}); `null` or omitted for none (python-spdylay's
   *   `config=None`).
   * @throws InvalidArgumentError when `side` is neither `CLIENT` nor `SERVER`.
   * @throws UnsupportedVersionError when `version` is not supported.
   * @throws ZlibError when zlib could not be initialised.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when a
   *   callback option is not a function, when `options` is not an object, or
   *   when it has a key that is not an option (the message names the key and,
   *   for a snake_case one such as `send_cb`, the camelCase option meant).
   */
  constructor(side: number, version: number, options: SessionOptions<U> | null = {}) {
    if (side !== CLIENT && side !== SERVER) {
      throw new InvalidArgumentError('side must be either CLIENT or SERVER');
    }
    if (typeof version !== 'number') throw new ArgumentError('version must be a number');
    options = sessionOptions(options);
    // a session of sessionWithHandlers, or one running the callbacks of
    // `options`, whose onCtrlSendCb/onDataSendCb follow the sendCb that took their frame
    const flags = injected === null ? FLAG_SENT_AFTER_SEND_CB : 0;
    const ev = injected ?? callbackReader<Session>(options, this);
    injected = null;
    ev.session = this;
    this._ev = ev;
    this._tokens = ev.tokens;
    this._userData = options.userData;
    try {
      this._n = new native.SpdylaySession(side, version, ev.mask, ev.record,
        flags | (options.reuseSendBuffer === true ? FLAG_REUSE_SEND_BUFFER : 0)
        | (options.batchRecvCallbacks === true ? FLAG_BATCH_RECV : 0)
        // the frame handlers read name/value lists only through the reader
        | (ev.h.valueThroughReader === true ? FLAG_INTERN_NV : 0));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number') throw errorForCode(code);
      throw e;
    }
    this._side = side;
    this._version = version;
    this._priLowest = this._n.getPriLowest();
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
   * gets one Buffer per up to 72 KiB of output, after the other callbacks
   * of the frames it holds (`beforeCtrlSendCb`, read callbacks,
   * `onStreamCloseCb`); a frame whose `onCtrlSendCb`/`onDataSendCb` is
   * set ends a Buffer, and that callback runs after the `sendCb` call that
   * took the frame's last byte (in a later `send()` when `sendCb` would
   * block before).
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
      this._ev.error = undefined;
      rv = this._n.send(this._ev.dispatch);
    } finally {
      this._busy = false;
    }
    if (this._ev.error !== undefined || rv < 0) this._finish(rv);
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
      throw new ArgumentError('data must be a Buffer or Uint8Array');
    }
    this._busy = true;
    let rv: number;
    try {
      this._ev.error = undefined;
      rv = this._n.recv(this._ev.dispatch, data);
    } finally {
      this._busy = false;
    }
    if (this._ev.error !== undefined || rv < 0) this._finish(rv);
  }

  private _finish(rv: number): void {
    const e = this._ev.error;
    if (e !== undefined) {
      this._ev.error = undefined;
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
    const id = int(streamId, 'streamId');
    // A stream closed by a queued event (batchRecvCallbacks) keeps its user data during its onStreamCloseCb.
    if (id === this._ev.closingStream && id !== 0) return this._tokens.userDataOf(this._ev.closingToken);
    return this._tokens.userDataOf(this._n.getStreamUserData(id));
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
    else if (typeof value !== 'number' || !Number.isFinite(value)) throw new ArgumentError('value must be a number or a boolean');
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
   * @param pri - Priority, 0 (highest) to `getPriLowest()` (3 for SPDY/2, 7
   *   for SPDY/3 and 3.1).
   * @param nv - `[name, value]` string pairs; must hold `:method`, `:scheme`,
   *   `:path`, `:version`, `:host` (SPDY/2: translated by the library).
   *   Names are lower-cased; a NUL in a name or value cuts it there.
   * @param dataPrd - The request body, or omitted/`null` (SYN_STREAM gets FIN).
   * @param streamUserData - Any value for `getStreamUserData()`.
   * @throws InvalidArgumentError for `pri` outside 0..`getPriLowest()`, an
   *   empty or non-printable name, or a name/value that is not a string;
   *   nothing is queued then.
   * @throws TypeError when `pri` is not an integer or `nv` not an array of pairs.
   * @throws SpdylayError for another C error.
   */
  submitRequest<S>(pri: number, nv: NameValue[], dataPrd?: DataProvider<S> | null,
    streamUserData?: unknown): void {
    this._priority(pri);
    const body = nativeBody(dataPrd);
    const ptoken = dataPrd && !body ? this._addProvider(dataPrd, 0) : 0;
    const utoken = streamUserData === undefined || streamUserData === null ? 0
      : this._tokens.addUserData(streamUserData);
    // submitNv's work, without a closure per request
    let s = encodeNv(nv);
    let rv = this._n.submitRequest(pri, s, s.length, nv.length, ptoken, utoken, body, encodedNvId());
    if (rv === ERR_NV_NUL) {
      s = encodeNv(nv, true);
      rv = this._n.submitRequest(pri, s, s.length, nv.length, ptoken, utoken, body, 0);
    }
    if (rv < 0) {
      this._tokens.drop(ptoken, utoken);
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
   * @param assocStreamId - Server sessions: 0, or for a pushed stream the
   *   stream it is associated with, which must be an existing stream the
   *   client opened (an odd ID). Client sessions: ignored (the library
   *   sends 0).
   * @param pri - Priority, 0 (highest) to `getPriLowest()` (3 for SPDY/2, 7
   *   for SPDY/3 and 3.1).
   * @param nv - `[name, value]` string pairs.
   * @param streamUserData - Any value for `getStreamUserData()`.
   * @throws InvalidArgumentError for `pri` outside 0..`getPriLowest()`, an
   *   invalid `assocStreamId` (server sessions: negative, even, above
   *   2^31-1, or not an existing stream) or a bad `nv`; nothing is queued
   *   and no stream ID is used then.
   * @throws TypeError when `flags`, `pri` or `assocStreamId` is not an integer.
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
    this._priority(pri);
    int(assoc, 'assocStreamId');
    if (this._side === SERVER && assoc !== 0) this._checkAssoc(assoc);
    const utoken = d === undefined || d === null ? 0 : this._tokens.addUserData(d);
    const rv = submitNv(nv, (s, count, id) => this._n.submitSynStream(flags, assoc, pri, s, s.length, count, utoken, id));
    if (rv < 0) {
      this._tokens.drop(0, utoken);
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
   *   For a stream that is already closed (the client reset it, say), the
   *   frames are dropped unread as in spdylay (`onCtrlNotSendCb` for the
   *   SYN_REPLY) and the body is released at once, not held until the
   *   session ends.
   * @throws InvalidArgumentError for a bad `nv`.
   */
  submitResponse<S>(streamId: number, nv: NameValue[], dataPrd?: DataProvider<S> | null): void {
    int(streamId, 'streamId');
    const body = nativeBody(dataPrd);
    const ptoken = dataPrd && !body ? this._addProvider(dataPrd, streamId) : 0;
    // submitNv's work, without a closure per response
    let s = encodeNv(nv);
    let rv = this._n.submitResponse(streamId, s, s.length, nv.length, ptoken, body, encodedNvId());
    if (rv === ERR_NV_NUL) {
      s = encodeNv(nv, true);
      rv = this._n.submitResponse(streamId, s, s.length, nv.length, ptoken, body, 0);
    }
    if (rv !== 0) {
      // BODY_NOT_READ: the stream is closed for good; nothing will read the provider.
      this._tokens.drop(ptoken, 0);
      if (rv < 0) throw errorForCode(rv);
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
    this._check(submitNv(nv, (s, count, id) => this._n.submitSynReply(flags, streamId, s, s.length, count, id)));
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
    this._check(submitNv(nv, (s, count, id) => this._n.submitHeaders(flags, streamId, s, s.length, count, id)));
  }

  /**
   * Submits DATA frames read from `dataPrd` (`spdylay_submit_data`).
   *
   * @param streamId - The stream.
   * @param flags - `DATA_FLAG_FIN` to set FIN on the last DATA frame.
   * @param dataPrd - The data source. For a stream that is already closed,
   *   the DATA is dropped unread as in spdylay and the source is released at
   *   once, not held until the session ends.
   * @throws TypeError when `dataPrd` is not a DataProvider.
   * @throws SpdylayError on a C error (e.g. out of memory).
   */
  submitData<S>(streamId: number, flags: number, dataPrd: DataProvider<S>): void {
    int(streamId, 'streamId');
    int(flags, 'flags');
    if (!(dataPrd instanceof DataProvider)) throw new ArgumentError('dataPrd must be a DataProvider');
    const body = nativeBody(dataPrd);
    const ptoken = body ? 0 : this._addProvider(dataPrd, streamId);
    const rv = this._n.submitData(streamId, flags, ptoken, body);
    if (rv !== 0) {
      // BODY_NOT_READ: the stream is closed for good; nothing will read the provider.
      this._tokens.drop(ptoken, 0);
      if (rv < 0) throw errorForCode(rv);
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
   * @param iv - `[settingsId, flags, value]` entries: IDs `SETTINGS_*`
   *   (1..8; `SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE` is SPDY/3 only), each
   *   at most once; flags `ID_FLAG_SETTINGS_NONE`, `_PERSIST_VALUE` and/or
   *   `_PERSISTED`; values 0..2^32-1 (`SETTINGS_INITIAL_WINDOW_SIZE`, bytes:
   *   0..2^31-1).
   * @throws InvalidArgumentError for other `flags`, a duplicate or unknown
   *   settings ID, invalid entry flags or a value out of range; nothing is
   *   queued and the local settings are unchanged then.
   * @throws TypeError when `iv` is not an array of triples of integers.
   */
  submitSettings(flags: number, iv: SettingsEntry[]): void {
    int(flags, 'flags');
    if (flags !== 0 && flags !== FLAG_SETTINGS_CLEAR_SETTINGS) {
      throw new InvalidArgumentError(`flags must be FLAG_SETTINGS_NONE or FLAG_SETTINGS_CLEAR_SETTINGS, got ${flags}`);
    }
    this._check(this._n.submitSettings(flags, settingsEntries(iv, this._version)));
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

  /** Checks a priority: an integer 0..`getPriLowest()` (the library would clamp larger ones). */
  private _priority(v: unknown): number {
    const p = int(v, 'pri');
    if (p < 0 || p > this._priLowest) {
      throw new InvalidArgumentError(`pri must be in 0..${this._priLowest} (getPriLowest()), got ${p}`);
    }
    return p;
  }

  /**
   * Checks a server session's nonzero `assocStreamId`: a stream the client
   * opened (odd, 1..2^31-1) that exists now (the library would only fail
   * the SYN_STREAM at send time, through `onCtrlNotSendCb`).
   */
  private _checkAssoc(assoc: number): void {
    if (assoc < 1 || assoc > MAX_STREAM_ID || assoc % 2 === 0) {
      throw new InvalidArgumentError(`assocStreamId must be 0 or the odd ID of a stream the client opened, got ${assoc}`);
    }
    if (this._n.getStreamRecvDataLength(assoc) < 0) {
      throw new InvalidArgumentError(`assocStreamId ${assoc} is not an open stream`);
    }
  }

  private _addProvider<S>(prd: DataProvider<S>, streamId: number): number {
    if (!(prd instanceof DataProvider)) throw new ArgumentError('dataPrd must be a DataProvider');
    return this._tokens.addProvider(prd, streamId);
  }
}

/** The reader {@link sessionWithHandlers} hands to the next `Session` constructed. */
let injected: SpdyEventReader<Session> | null = null;

/**
 * A `Session` whose events go to the named `handlers` instead of
 * python-style callbacks (the server and client connections): the public
 * methods behave as for any session; `send()`/`recv()` rethrow the first
 * exception a handler threw.
 *
 * @param side - `CLIENT` or `SERVER`.
 * @param version - `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`.
 * @param handlers - The event handlers; the kinds of those present are
 *   dispatched (`send`, `recv` and `streamClose` always).
 * @returns The session and the reader that runs `handlers` (its `frame()`,
 *   `nv()` and `nvCount` describe the control frame being handled).
 * @throws As the `Session` constructor.
 * @internal
 */
export function sessionWithHandlers(side: number, version: number,
  handlers: SpdyEventHandlers): { session: Session; events: SpdyEventReader<Session> } {
  const events = new SpdyEventReader<Session>(handlers);
  injected = events;
  try {
    return { session: new Session(side, version), events };
  } finally {
    injected = null;
  }
}

function reentrant(what: string): SpdylayError {
  return new SpdylayError(ERR_INVALID_STATE,
    `Session.${what}() called from inside one of the same session's callbacks (not re-entrant)`);
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
  if (typeof proto !== 'string') throw new ArgumentError('proto must be a string');
  return native.spdylay.npnGetVersion(proto);
}

/** `spdylay_strerror`: the C library's message for an error code. */
export function strerror(code: number): string {
  return native.spdylay.strerror(code);
}
