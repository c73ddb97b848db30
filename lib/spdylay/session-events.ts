/**
 * The events of a native SPDY session and the python-style callbacks they
 * reach: one named handler per dispatch kind, registered once in a table
 * indexed by the kinds the addon exports (`spdylayLayout`). Each handler
 * reads its integer arguments from the session's record and calls the
 * user's callback with python-spdylay's arguments, in the order the C
 * library reported the events.
 *
 * A handler never throws: a callback's exception is kept (the first one,
 * for `send()`/`recv()` to rethrow) and the C failure code its contract
 * names is returned to the native side.
 *
 * @packageDocumentation
 */
import { spdylayLayout, type NativeSpdylayDispatch } from '../native.js';
import { FastBuffer } from '../pool.js';
import {
  ERR_CALLBACK_FAILURE, ERR_DEFERRED, ERR_EOF, ERR_TEMPORAL_CALLBACK_FAILURE, ERR_WOULDBLOCK, HEADERS, PING,
  READ_EOF, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, GOAWAY,
} from './constants.js';
import { CallbackFailureError, EOFError, TemporalCallbackFailureError } from './errors.js';
import {
  GoawayFrame, HeadersFrame, PingFrame, RstStreamFrame, SettingsFrame, SynReplyFrame,
  SynStreamFrame, WindowUpdateFrame, type Frame, type SettingsEntry,
} from './frames.js';
import type { ReadCtrl } from './data-provider.js';
import { decodeNv } from './nv.js';
import type { StreamTokens } from './stream-tokens.js';

/**
 * The 14 callbacks of python-spdylay (`send_cb` -> `sendCb`, ...), all
 * optional; `S` is the session they are given.
 *
 * Exceptions thrown by a callback never unwind through C: they are caught,
 * the C library gets the failure code its contract names, and the first
 * one is rethrown by the `send()`/`recv()` that ran the callback (the
 * session then is in the state the C contract gives; for the `void`
 * callbacks processing simply continued).
 */
export interface SessionCallbacks<S> {
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
   * `SessionOptions.reuseSendBuffer` is set).
   */
  sendCb?: (session: S, data: Buffer) => number | null | undefined | void;
  /**
   * `recv_callback` (used by `recv()` without data).
   * @param length - The most bytes to return.
   * @returns Bytes (at most `length`); empty/`null`/`undefined` for "would
   *   block". Throw `EOFError` at EOF (`recv()` rethrows it); anything else
   *   thrown fails the session. Without `recvCb`, `recv()` fails with
   *   `CallbackFailureError`.
   */
  recvCb?: (session: S, length: number) => Uint8Array | null | undefined;
  /** A control frame was received and accepted. */
  onCtrlRecvCb?: (session: S, frame: Frame) => void;
  /**
   * A received control frame was rejected; `statusCode` is a stream status
   * code (`PROTOCOL_ERROR`, ...). RST_STREAM or GOAWAY has been queued.
   */
  onInvalidCtrlRecvCb?: (session: S, frame: Frame, statusCode: number) => void;
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
  onDataChunkRecvCb?: (session: S, flags: number, streamId: number, data: Buffer) => void;
  /** A whole DATA frame arrived; `length` is its payload length in bytes (batched as `onDataChunkRecvCb`). */
  onDataRecvCb?: (session: S, flags: number, streamId: number, length: number) => void;
  /** A control frame is about to be sent (a SYN_STREAM has its stream ID here). */
  beforeCtrlSendCb?: (session: S, frame: Frame) => void;
  /** A control frame was sent. */
  onCtrlSendCb?: (session: S, frame: Frame) => void;
  /** A control frame was dropped at send time; `errorCode` is a negative `ERR_*` code. */
  onCtrlNotSendCb?: (session: S, frame: Frame, errorCode: number) => void;
  /** A DATA frame was sent; `length` is its payload length in bytes. */
  onDataSendCb?: (session: S, flags: number, streamId: number, length: number) => void;
  /**
   * A stream closed; `statusCode` is `OK` or the reset reason. Its
   * `getStreamUserData()` still works during the call.
   */
  onStreamCloseCb?: (session: S, streamId: number, statusCode: number) => void;
  /** The peer finished sending a request on `streamId` (a frame with FIN arrived). */
  onRequestRecvCb?: (session: S, streamId: number) => void;
  /**
   * A control frame could not be parsed. `type` is the frame type from the
   * header, `head` the 8 header bytes, `payload` the bytes buffered (for
   * frames with a header block, only the part before it), `errorCode` a
   * negative `ERR_*` code. GOAWAY has been queued.
   */
  onCtrlRecvParseErrorCb?: (session: S, type: number, head: Buffer, payload: Buffer,
    errorCode: number) => void;
  /** A control frame of unknown type arrived (`head`: 8 bytes, `payload`: its payload). */
  onUnknownCtrlRecvCb?: (session: S, head: Buffer, payload: Buffer) => void;
}

/** Names of the callbacks of {@link SessionCallbacks}. */
export type CallbackName = keyof SessionCallbacks<unknown>;

/** What the read event needs of a data provider (a `DataProvider`). */
export interface ReadSource<S> {
  /** Handed back to `readCb`. */
  source: unknown;
  /** See `ReadCallback`. */
  readCb(session: S, streamId: number, length: number, readCtrl: ReadCtrl,
    source: any): Uint8Array | string | number | null | undefined;
}

const K = spdylayLayout.kinds;
const R = spdylayLayout.record;
const BATCH_STRIDE = spdylayLayout.batchStride;
const BATCH_KIND_SHIFT = spdylayLayout.batchKindShift;
const BATCH_FLAGS_MASK = (1 << BATCH_KIND_SHIFT) - 1;
const K_DATA_CHUNK_RECV = K.dataChunkRecv;
const R_TYPE = R.type;
const R_VERSION = R.version;
const R_FLAGS = R.flags;
const R_LENGTH = R.length;
const R_STREAM_ID = R.streamId;
const R_ASSOC = R.assoc;
const R_PRI = R.pri;
const R_SLOT = R.slot;
const R_STATUS = R.status;
const R_UNIQUE_ID = R.uniqueId;
const R_DELTA = R.delta;
const R_NV_COUNT = R.nvCount;
const R_EXTRA = R.extra;
const R_EOF = R.eof;
const R_A = R.a;
const R_B = R.b;
const R_C = R.c;
const R_D = R.d;
const R_BATCH = R.batch;

/**
 * Callback -> dispatch kind, for the callbacks the native session skips
 * when they are not set (`sendCb` and `recvCb` are always dispatched).
 */
const CALLBACK_KINDS: [CallbackName, number][] = [
  ['onCtrlRecvCb', K.ctrlRecv],
  ['onInvalidCtrlRecvCb', K.invalidCtrlRecv],
  ['beforeCtrlSendCb', K.beforeCtrlSend],
  ['onCtrlSendCb', K.ctrlSend],
  ['onCtrlNotSendCb', K.ctrlNotSend],
  ['onDataChunkRecvCb', K.dataChunkRecv],
  ['onDataRecvCb', K.dataRecv],
  ['onDataSendCb', K.dataSend],
  ['onStreamCloseCb', K.streamClose],
  ['onRequestRecvCb', K.requestRecv],
  ['onCtrlRecvParseErrorCb', K.parseError],
  ['onUnknownCtrlRecvCb', K.unknownCtrl],
];

/** Every callback name, in python-spdylay's order. */
export const CALLBACK_NAMES: readonly CallbackName[] = ['sendCb', 'recvCb', ...CALLBACK_KINDS.map(([name]) => name)];

/** The native session's callback mask: the kinds whose callback is set. */
export function callbackMask(cb: SessionCallbacks<any>): number {
  let mask = 0;
  for (const [name, kind] of CALLBACK_KINDS) if (cb[name]) mask |= 1 << kind;
  return mask;
}

/**
 * The JS half of one native session's events: the record they share, the
 * user callbacks, the stream tokens, and the first exception a callback
 * threw during the running `send()`/`recv()`.
 */
export class SessionEvents<S> {
  /** The record shared with the native session (`spdylayLayout.record`). */
  readonly record = new Int32Array(R.size);
  /** The first exception a callback threw since `error` was last cleared. */
  error: unknown = undefined;
  /** The dispatcher to give the native `send()`/`recv()`. */
  readonly dispatch: NativeSpdylayDispatch;

  /**
   * @param session - The session the callbacks are given.
   * @param callbacks - The user callbacks (unset ones `undefined`).
   * @param tokens - The session's stream user data and data providers.
   */
  constructor(readonly session: S, readonly callbacks: SessionCallbacks<S>,
    readonly tokens: StreamTokens<ReadSource<S>>) {
    this.dispatch = (kind, a, b) => HANDLERS[kind](this, a, b);
  }

  /** Keeps the first exception thrown by a callback. */
  store(e: unknown): void {
    if (this.error === undefined) this.error = e === undefined ? new CallbackFailureError() : e;
  }
}

/** A handler of one dispatch kind; its arguments are the kind's values. */
type Handler = (ev: SessionEvents<any>, a: any, b: any) => unknown;

/** The handlers, indexed by dispatch kind; kinds without one are ignored. */
const HANDLERS: Handler[] = [];
const ignore: Handler = () => undefined;
for (const kind of Object.values(K)) HANDLERS[kind] = ignore;

/** Registers the handler of `kind`. */
function on(kind: number, handler: Handler): void {
  HANDLERS[kind] = handler;
}

/** Builds the frame object the record describes (`value`: its nv string or settings). */
function frameOf(r: Int32Array, value: string | ArrayBuffer | undefined): Frame {
  switch (r[R_TYPE]) {
    case SYN_STREAM:
      return new SynStreamFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_ASSOC],
        r[R_PRI], r[R_SLOT], decodeNv(value as string | undefined, r[R_NV_COUNT]));
    case SYN_REPLY:
      return new SynReplyFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
        decodeNv(value as string | undefined, r[R_NV_COUNT]));
    case HEADERS:
      return new HeadersFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
        decodeNv(value as string | undefined, r[R_NV_COUNT]));
    case RST_STREAM:
      return new RstStreamFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_STATUS] >>> 0);
    case SETTINGS: {
      const u = new Uint32Array(value as ArrayBuffer);
      const iv: SettingsEntry[] = [];
      for (let i = 0; i + 2 < u.length; i += 3) iv.push([u[i] | 0, u[i + 1], u[i + 2]]);
      return new SettingsFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], iv);
    }
    case PING:
      return new PingFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_UNIQUE_ID] >>> 0);
    case GOAWAY:
      return new GoawayFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_STATUS] >>> 0);
    default:
      return new WindowUpdateFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_DELTA]);
  }
}

/** `send_callback`: offers `slab` bytes [A, A + B) to `sendCb`; returns the bytes taken or a C code. */
function onSend(ev: SessionEvents<any>, slab: ArrayBuffer): number {
  const r = ev.record;
  const len = r[R_B] >>> 0;
  const f = ev.callbacks.sendCb;
  if (!f) return len;
  try {
    const n = f(ev.session, new FastBuffer(slab, r[R_A] >>> 0, len) as Buffer);
    if (n === undefined || n === null || n === 0) return 0;
    if (typeof n !== 'number' || !(n >= 0) || n > len || !Number.isInteger(n)) {
      ev.store(new CallbackFailureError(`sendCb returned ${String(n)}, not a byte count in 0..${len}`));
      return ERR_CALLBACK_FAILURE;
    }
    return n;
  } catch (err) {
    ev.store(err);
    return ERR_CALLBACK_FAILURE;
  }
}

/** `recv_callback`: at most A bytes from `recvCb`, or a C code. */
function onRecv(ev: SessionEvents<any>): Uint8Array | number {
  const length = ev.record[R_A];
  const f = ev.callbacks.recvCb;
  if (!f) {
    ev.store(new CallbackFailureError('recv() without data needs a recvCb'));
    return ERR_CALLBACK_FAILURE;
  }
  try {
    const out = f(ev.session, length);
    if (out === undefined || out === null) return ERR_WOULDBLOCK;
    if (!(out instanceof Uint8Array)) {
      ev.store(new CallbackFailureError('recvCb must return a Buffer, Uint8Array or null'));
      return ERR_CALLBACK_FAILURE;
    }
    if (out.length > length) {
      ev.store(new CallbackFailureError(`recvCb returned ${out.length} bytes, more than ${length}`));
      return ERR_CALLBACK_FAILURE;
    }
    return out.length === 0 ? ERR_WOULDBLOCK : out;
  } catch (err) {
    ev.store(err);
    return err instanceof EOFError ? ERR_EOF : ERR_CALLBACK_FAILURE;
  }
}

/**
 * A data source's read callback: provider token A, stream B, at most C
 * bytes; the EOF flag goes back in the record. Returns the bytes, nothing,
 * or a C code.
 */
function onRead(ev: SessionEvents<any>): Uint8Array | string | number | null | undefined {
  const r = ev.record;
  const token = r[R_A] >>> 0;
  const streamId = r[R_B];
  const length = r[R_C];
  const entry = ev.tokens.providers.get(token);
  if (!entry) return ERR_TEMPORAL_CALLBACK_FAILURE;
  entry.streamId = streamId;
  const ctrl: ReadCtrl = { flags: 0 };
  try {
    let out = entry.prd.readCb(ev.session, streamId, length, ctrl, entry.prd.source);
    const eof = ctrl.flags & READ_EOF;
    r[R_EOF] = eof;
    if (typeof out === 'number') {
      if (out === ERR_DEFERRED || out === ERR_TEMPORAL_CALLBACK_FAILURE) return out;
      ev.store(new CallbackFailureError(`read callback returned the number ${out}`));
      return ERR_CALLBACK_FAILURE;
    }
    if (out !== undefined && out !== null) {
      if (typeof out === 'string') out = Buffer.from(out);
      if (!(out instanceof Uint8Array)) {
        ev.store(new CallbackFailureError('read callback must return a Buffer, string, null or ERR_DEFERRED'));
        return ERR_CALLBACK_FAILURE;
      }
      if (out.length > length) {
        ev.store(new CallbackFailureError(`read callback returned ${out.length} bytes, more than ${length}`));
        return ERR_CALLBACK_FAILURE;
      }
    }
    // the library never reads a provider again after EOF
    if (eof) ev.tokens.providers.delete(token);
    return out;
  } catch (err) {
    if (err instanceof TemporalCallbackFailureError) return ERR_TEMPORAL_CALLBACK_FAILURE;
    ev.store(err);
    return ERR_CALLBACK_FAILURE;
  }
}

/** `on_ctrl_recv_callback`. */
function onCtrlRecv(ev: SessionEvents<any>, nv: string | ArrayBuffer | undefined): void {
  try { ev.callbacks.onCtrlRecvCb!(ev.session, frameOf(ev.record, nv)); } catch (err) { ev.store(err); }
}

/** `on_invalid_ctrl_recv_callback`: the status code is in the record's `extra`. */
function onInvalidCtrlRecv(ev: SessionEvents<any>, nv: string | ArrayBuffer | undefined): void {
  try {
    ev.callbacks.onInvalidCtrlRecvCb!(ev.session, frameOf(ev.record, nv), ev.record[R_EXTRA] >>> 0);
  } catch (err) { ev.store(err); }
}

/** `before_ctrl_send_callback`. */
function onBeforeCtrlSend(ev: SessionEvents<any>, nv: string | ArrayBuffer | undefined): void {
  try { ev.callbacks.beforeCtrlSendCb!(ev.session, frameOf(ev.record, nv)); } catch (err) { ev.store(err); }
}

/** `on_ctrl_send_callback`. */
function onCtrlSend(ev: SessionEvents<any>, nv: string | ArrayBuffer | undefined): void {
  try { ev.callbacks.onCtrlSendCb!(ev.session, frameOf(ev.record, nv)); } catch (err) { ev.store(err); }
}

/** `on_ctrl_not_send_callback`: the error code is in the record's `extra`. */
function onCtrlNotSend(ev: SessionEvents<any>, nv: string | ArrayBuffer | undefined): void {
  try {
    ev.callbacks.onCtrlNotSendCb!(ev.session, frameOf(ev.record, nv), ev.record[R_EXTRA]);
  } catch (err) { ev.store(err); }
}

/** `on_data_chunk_recv_callback` for a chunk copied to a receive slab: flags A, stream B, bytes [C, C + D). */
function onDataChunkRecv(ev: SessionEvents<any>, slab: ArrayBuffer): void {
  const r = ev.record;
  try {
    ev.callbacks.onDataChunkRecvCb!(ev.session, r[R_A], r[R_B], new FastBuffer(slab, r[R_C] >>> 0, r[R_D] >>> 0) as Buffer);
  } catch (err) { ev.store(err); }
}

/** `on_data_recv_callback`: flags A, stream B, length C. */
function onDataRecv(ev: SessionEvents<any>): void {
  const r = ev.record;
  try { ev.callbacks.onDataRecvCb!(ev.session, r[R_A], r[R_B], r[R_C]); } catch (err) { ev.store(err); }
}

/**
 * `n` DATA events of one recv(data), in the order the library reported
 * them: chunks (views of the recv() input `input`) and DATA frame ends.
 */
function onDataBatch(ev: SessionEvents<any>, input: ArrayBuffer, n: number): void {
  const r = ev.record;
  const cb = ev.callbacks;
  for (let i = 0, o = R_BATCH; i < n; i++, o += BATCH_STRIDE) {
    const head = r[o];
    try {
      if (head >>> BATCH_KIND_SHIFT === K_DATA_CHUNK_RECV) {
        cb.onDataChunkRecvCb!(ev.session, head & BATCH_FLAGS_MASK, r[o + 1],
          new FastBuffer(input, r[o + 2] >>> 0, r[o + 3] >>> 0) as Buffer);
      } else {
        cb.onDataRecvCb!(ev.session, head & BATCH_FLAGS_MASK, r[o + 1], r[o + 2]);
      }
    } catch (err) { ev.store(err); }
  }
}

/** `on_data_send_callback`: flags A, stream B, length C. */
function onDataSend(ev: SessionEvents<any>): void {
  const r = ev.record;
  try { ev.callbacks.onDataSendCb!(ev.session, r[R_A], r[R_B], r[R_C]); } catch (err) { ev.store(err); }
}

/**
 * `on_stream_close_callback`: stream A, status B; then the stream's user
 * data token C and, when D is set, its unfinished providers are released.
 */
function onStreamClose(ev: SessionEvents<any>): void {
  const r = ev.record;
  const streamId = r[R_A];
  const f = ev.callbacks.onStreamCloseCb;
  if (f) {
    try { f(ev.session, streamId, r[R_B] >>> 0); } catch (err) { ev.store(err); }
  }
  ev.tokens.closeStream(streamId, r[R_C] >>> 0, r[R_D] !== 0);
}

/** `on_request_recv_callback`: stream A. */
function onRequestRecv(ev: SessionEvents<any>): void {
  try { ev.callbacks.onRequestRecvCb!(ev.session, ev.record[R_A]); } catch (err) { ev.store(err); }
}

/**
 * A SYN_STREAM with FIN (`on_ctrl_recv_callback`) and the
 * `on_request_recv_callback` the library calls right after it, in one call.
 */
function onCtrlRecvRequestRecv(ev: SessionEvents<any>, nv: string | undefined): void {
  onCtrlRecv(ev, nv);
  onRequestRecv(ev);
}

/** `on_ctrl_recv_parse_error_callback`: frame type A, error code B. */
function onParseError(ev: SessionEvents<any>, head: Buffer, payload: Buffer): void {
  const r = ev.record;
  try { ev.callbacks.onCtrlRecvParseErrorCb!(ev.session, r[R_A], head, payload, r[R_B]); } catch (err) { ev.store(err); }
}

/** `on_unknown_ctrl_recv_callback`. */
function onUnknownCtrl(ev: SessionEvents<any>, head: Buffer, payload: Buffer): void {
  try { ev.callbacks.onUnknownCtrlRecvCb!(ev.session, head, payload); } catch (err) { ev.store(err); }
}

/** A fresh output or receive slab of at least A bytes (allocUnsafeSlow does not zero-fill). */
function onNewSlab(ev: SessionEvents<any>): ArrayBuffer | undefined {
  const buf = Buffer.allocUnsafeSlow(ev.record[R_A] >>> 0);
  return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : undefined;
}

on(K.send, onSend);
on(K.recv, onRecv);
on(K.read, onRead);
on(K.ctrlRecv, onCtrlRecv);
on(K.invalidCtrlRecv, onInvalidCtrlRecv);
on(K.beforeCtrlSend, onBeforeCtrlSend);
on(K.ctrlSend, onCtrlSend);
on(K.ctrlNotSend, onCtrlNotSend);
on(K.dataChunkRecv, onDataChunkRecv);
on(K.dataRecv, onDataRecv);
on(K.dataBatch, onDataBatch);
on(K.dataSend, onDataSend);
on(K.streamClose, onStreamClose);
on(K.requestRecv, onRequestRecv);
on(K.ctrlRecvRequestRecv, onCtrlRecvRequestRecv);
on(K.parseError, onParseError);
on(K.unknownCtrl, onUnknownCtrl);
on(K.newSlab, onNewSlab);
