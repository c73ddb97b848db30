/**
 * The reader of a native SPDY session's events (binding/spdylay/session.cc),
 * shared by every consumer: `SpdyEventReader` is the dispatcher given to the
 * native `send()`/`recv()`. It turns each event into a call of one named
 * handler of a {@link SpdyEventHandlers} object, reading the integer
 * arguments from the shared record (`spdylayLayout.record`), and walks a
 * batch of DATA events in one loop. The consumers are:
 * - the python-style callbacks of `Session` (session-callbacks.ts);
 * - the SPDY connection of `ThreadedSPDYServer` (server/spdy.ts) and the
 *   SPDY client of `urlfetch` (client/spdy.ts), which handle the events
 *   themselves without frame objects or per-chunk callbacks.
 *
 * The reader also does the work every consumer shares: the data providers'
 * read calls, the stream tokens of closed streams, and fresh slabs.
 *
 * A handler may throw: the reader keeps the first exception (for
 * `send()`/`recv()` to rethrow), returns the C failure code the event's
 * contract names to the native side, and goes on with the next event.
 *
 * @packageDocumentation
 */
import { spdylayLayout, type NativeSpdylayDispatch, type SpdylayEventKind } from '../native.js';
import { FastBuffer } from '../pool.js';
import {
  ERR_CALLBACK_FAILURE, ERR_DEFERRED, ERR_EOF, ERR_TEMPORAL_CALLBACK_FAILURE, ERR_WOULDBLOCK, GOAWAY, HEADERS, PING,
  READ_EOF, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM,
} from './constants.js';
import { CallbackFailureError, EOFError, TemporalCallbackFailureError } from './errors.js';
import {
  GoawayFrame, HeadersFrame, PingFrame, RstStreamFrame, SettingsFrame, SynReplyFrame,
  SynStreamFrame, WindowUpdateFrame, type Frame, type NameValue, type SettingsEntry,
} from './frames.js';
import type { ReadCtrl } from './data-provider.js';
import { decodeNv, decodeNvAt } from './nv.js';
import { StreamTokens } from './stream-tokens.js';

/**
 * What a control frame event carries besides the record: the frame's
 * name/value list as one NUL-joined string (SYN_STREAM, SYN_REPLY,
 * HEADERS; `undefined` for a NULL list), its entries as an ArrayBuffer of
 * (id, flags, value) uint32 triples (SETTINGS), or `undefined`.
 */
export type FrameValue = string | ArrayBuffer | undefined;

/**
 * The named handlers of a native SPDY session's events, all optional. The
 * names are the event kinds the addon exports (`spdylayLayout.kinds`); the
 * native session dispatches the kinds of the handlers present (see
 * {@link handlerMask}), and always `send`, `recv` and `streamClose` (for its
 * own bookkeeping). A handler may throw (see the module comment).
 *
 * For the control frame handlers, `type` is the frame type (`SYN_STREAM`,
 * ...), `streamId` the frame's stream (GOAWAY: the last good stream; not
 * meaningful for SETTINGS and PING), `flags` its flags, `value` its
 * {@link FrameValue}; the whole frame is {@link SpdyEventReader.frame}.
 */
export interface SpdyEventHandlers {
  /**
   * Output: `data` is a view of a slab holding one or more frames.
   * @returns The bytes taken (0..`data.length`; 0: would block).
   */
  send?(data: Buffer): number;
  /**
   * Input for `recv()` without data.
   * @returns At most `length` bytes, or `null` for "would block"; throw
   *   `EOFError` at EOF.
   */
  recv?(length: number): Uint8Array | null;
  /** A control frame was received and accepted. */
  ctrlRecv?(type: number, streamId: number, flags: number, value: FrameValue): void;
  /** A received control frame was rejected with a stream status code (RST_STREAM or GOAWAY queued). */
  invalidCtrlRecv?(type: number, streamId: number, flags: number, value: FrameValue, statusCode: number): void;
  /** A control frame is about to be sent (a SYN_STREAM has its stream ID now). */
  beforeCtrlSend?(type: number, streamId: number, flags: number, value: FrameValue): void;
  /** A control frame was sent. */
  ctrlSend?(type: number, streamId: number, flags: number, value: FrameValue): void;
  /** A control frame was dropped at send time; `errorCode` is a negative `ERR_*` code. */
  ctrlNotSend?(type: number, streamId: number, flags: number, value: FrameValue, errorCode: number): void;
  /**
   * A chunk of a DATA frame's payload (`flags`: the frame's). `inInput`:
   * `data` is a view of the Buffer given to `recv(data)` (it may be kept as
   * it is); otherwise of a session slab that is reused (copy it to keep it).
   */
  dataChunkRecv?(flags: number, streamId: number, data: Buffer, inInput: boolean): void;
  /** A whole DATA frame arrived; `length`: its payload in bytes. */
  dataRecv?(flags: number, streamId: number, length: number): void;
  /** A DATA frame was sent; `length`: its payload in bytes. */
  dataSend?(flags: number, streamId: number, length: number): void;
  /** A stream closed with `statusCode` (`OK` or the reset reason). */
  streamClose?(streamId: number, statusCode: number): void;
  /** The peer finished sending on a stream it opened (a frame with FIN arrived). */
  requestRecv?(streamId: number): void;
  /** A control frame could not be parsed (`head`: its 8 header bytes; GOAWAY queued). */
  parseError?(type: number, head: Buffer, payload: Buffer, errorCode: number): void;
  /** A control frame of unknown type arrived. */
  unknownCtrl?(head: Buffer, payload: Buffer): void;
  /**
   * Set when the control frame handlers read `value` only through
   * {@link SpdyEventReader.frame} and {@link SpdyEventReader.nv}: the events
   * of a `batchRecvCallbacks` queue then hand them the queue's whole
   * name/value string, from which those read the frame's list at
   * {@link SpdyEventReader.nvStart}, instead of a substring per frame.
   */
  readonly valueThroughReader?: boolean;
}

/** Handlers that read data providers need: the provider a token stands for. */
export interface ReadSource<S> {
  /** Handed back to `readCb`. */
  source: unknown;
  /** See `ReadCallback` (a method, so a provider of any source type fits). */
  readCb(session: S, streamId: number, length: number, readCtrl: ReadCtrl,
    source: unknown): Uint8Array | string | number | null | undefined;
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
const R_QUEUE = R.queue;
/** The frame slots (`type` .. `extra`) a queued frame event carries. */
const FRAME_WORDS = R.extra + 1;
const K_CTRL_RECV = K.ctrlRecv;
const K_INVALID_CTRL_RECV = K.invalidCtrlRecv;
const K_DATA_RECV = K.dataRecv;
const K_STREAM_CLOSE = K.streamClose;
const K_REQUEST_RECV = K.requestRecv;
const INTERN_SLOTS = spdylayLayout.internSlots;
const R_NV_WORDS = R.nvWords;
const R_FRAME_NV = R.frameNv;

/** The event kinds a handler object can receive: those named by a {@link SpdyEventHandlers} key. */
const HANDLER_KINDS = (Object.keys(K) as SpdylayEventKind[]).filter((k) =>
  k !== 'read' && k !== 'newSlab' && k !== 'ctrlRecvRequestRecv' && k !== 'dataBatch' && k !== 'queue'
  && k !== 'dataBatchStreamClose');

/**
 * The native session's dispatch mask for `handlers`: bit `kind` set for
 * each event kind whose handler is present.
 */
export function handlerMask(handlers: SpdyEventHandlers): number {
  let mask = 0;
  for (const kind of HANDLER_KINDS) {
    if (typeof (handlers as Record<string, unknown>)[kind] === 'function') mask |= 1 << K[kind];
  }
  return mask;
}

/** The dispatch mask bit of an event kind. */
export function kindBit(kind: Exclude<keyof SpdyEventHandlers, 'valueThroughReader'>): number {
  return 1 << K[kind];
}

/**
 * The JS half of one native SPDY session's events: the record shared with
 * it, the handlers, the stream tokens (user data, data providers), and the
 * first exception a handler threw during the running `send()`/`recv()`.
 * `S` is the session handed to data providers' read callbacks.
 */
export class SpdyEventReader<S = unknown> {
  /** The record shared with the native session (`spdylayLayout.record`). */
  readonly record: Int32Array = new Int32Array(R.size);
  /** The first exception a handler threw since `error` was last cleared. */
  error: unknown = undefined;
  /** The dispatcher to give the native `send()`/`recv()`. */
  readonly dispatch: NativeSpdylayDispatch;
  /** The session's stream user data and data providers, by token. */
  readonly tokens = new StreamTokens<ReadSource<S>>();
  /** The session given to read callbacks; set by the session that runs these events. */
  session!: S;
  /**
   * During a queued `streamClose` handler (see `readQueue`): the closing
   * stream and its user data token, which the native session has already
   * dropped (0: none).
   */
  closingStream = 0;
  /** See {@link SpdyEventReader.closingStream}. */
  closingToken = 0;
  /**
   * Where the name/value list of the control frame being handled starts in
   * its `value` string (see {@link SpdyEventHandlers.valueThroughReader}; 0
   * otherwise).
   */
  nvStart = 0;
  /**
   * With {@link SpdyEventReader.nvStart}: where the record holds the words
   * that place the list's names and values (see
   * binding/spdylay/event_record.h; 0: not given).
   */
  nvEnds = 0;
  /** Whether the list at {@link SpdyEventReader.nvEnds} has been read. */
  nvRead = false;
  /**
   * The JS strings of the native session's interned names and values
   * (`FLAG_INTERN_NV`), by slot.
   */
  readonly strs: string[] = new Array<string>(INTERN_SLOTS).fill('');

  /**
   * @param h - The handlers.
   * @param mask - The kinds to dispatch (default: those of the handlers present, {@link handlerMask}).
   */
  constructor(readonly h: SpdyEventHandlers, readonly mask: number = handlerMask(h)) {
    this.dispatch = (kind, a, b, c) => EVENTS[kind](this, a, b, c);
  }

  /** Keeps the first exception thrown by a handler. */
  store(e: unknown): void {
    if (this.error === undefined) this.error = e === undefined ? new CallbackFailureError() : e;
  }

  /** The control frame of the event being handled, as a frame object (`value`: its {@link FrameValue}). */
  frame(value: FrameValue): Frame {
    return frameOf(this, value);
  }

  /** The name/value list of the control frame being handled (`value`: its name/value string). */
  nv(value: FrameValue): NameValue[] {
    return nvOf(this, value);
  }

  /** The number of name/value pairs of the control frame being handled (-1 for a NULL list). */
  get nvCount(): number {
    return this.record[R_NV_COUNT];
  }
}

/**
 * The name/value list of the frame the record of `ev` describes: in `value`
 * from index `ev.nvStart`, placed by the record's words from `ev.nvEnds`
 * (0: none).
 */
function nvOf(ev: SpdyEventReader<any>, value: FrameValue): NameValue[] {
  const r = ev.record;
  const count = r[R_NV_COUNT];
  const ends = ev.nvEnds;
  if (ends === 0 || count <= 0 || value === undefined) return decodeNv(value as string | undefined, count, ev.nvStart);
  ev.nvRead = true;
  return decodeNvAt(value as string, count, ev.nvStart, r, ends, ev.strs);
}

/**
 * Builds the frame object the record of `ev` describes (`value`: its nv
 * string, read by {@link nvOf}, or settings).
 */
function frameOf(ev: SpdyEventReader<any>, value: FrameValue): Frame {
  const r = ev.record;
  switch (r[R_TYPE]) {
    case SYN_STREAM:
      return new SynStreamFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID], r[R_ASSOC],
        r[R_PRI], r[R_SLOT], nvOf(ev, value));
    case SYN_REPLY:
      return new SynReplyFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
        nvOf(ev, value));
    case HEADERS:
      return new HeadersFrame(r[R_VERSION], r[R_FLAGS], r[R_LENGTH], r[R_STREAM_ID],
        nvOf(ev, value));
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

/** The reader of one dispatch kind; its arguments are the kind's values. */
type EventReader = (ev: SpdyEventReader<any>, a: any, b: any, c: any) => unknown;

/** The readers, indexed by dispatch kind; kinds without one are ignored. */
const EVENTS: EventReader[] = [];
const ignore: EventReader = () => undefined;
for (const kind of Object.values(K)) EVENTS[kind] = ignore;

/** Registers the reader of `kind`. */
function on(kind: number, reader: EventReader): void {
  EVENTS[kind] = reader;
}

/** Output: `slab` bytes [A, A + B); returns the bytes taken or a C code. */
function readSend(ev: SpdyEventReader<any>, slab: ArrayBuffer): number {
  const r = ev.record;
  const len = r[R_B] >>> 0;
  const h = ev.h;
  if (h.send === undefined) return len;
  try {
    return h.send(new FastBuffer(slab, r[R_A] >>> 0, len) as Buffer);
  } catch (err) {
    ev.store(err);
    return ERR_CALLBACK_FAILURE;
  }
}

/** Input for `recv()` without data: at most A bytes, or a C code. */
function readRecv(ev: SpdyEventReader<any>): Uint8Array | number {
  const h = ev.h;
  if (h.recv === undefined) {
    ev.store(new CallbackFailureError('recv() without data needs a recvCb'));
    return ERR_CALLBACK_FAILURE;
  }
  try {
    const out = h.recv(ev.record[R_A]);
    return out === null || out.length === 0 ? ERR_WOULDBLOCK : out;
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
function readProvider(ev: SpdyEventReader<any>): Uint8Array | string | number | null | undefined {
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

/**
 * Before a control frame event dispatched on its own: when the native
 * session interned its list (`FLAG_INTERN_NV`), the record's `nvWords`
 * words from its `frameNv` slot place its names and values.
 */
function nvBegin(ev: SpdyEventReader<any>): void {
  ev.nvStart = 0;
  ev.nvEnds = ev.record[R_NV_WORDS] !== 0 ? R_FRAME_NV : 0;
  ev.nvRead = false;
}

/** After it: a list the handler did not read still defines interned strings. */
function nvEnd(ev: SpdyEventReader<any>, value: FrameValue): void {
  if (ev.nvEnds === 0) return;
  if (!ev.nvRead) nvOf(ev, value);
  ev.nvEnds = 0;
}

/** A received control frame (frame in the record). */
function callCtrlRecv(ev: SpdyEventReader<any>, value: FrameValue): void {
  const r = ev.record;
  try { ev.h.ctrlRecv!(r[R_TYPE], r[R_STREAM_ID], r[R_FLAGS], value); } catch (err) { ev.store(err); }
}

/** A rejected control frame: the status code is in the record's `extra`. */
function callInvalidCtrlRecv(ev: SpdyEventReader<any>, value: FrameValue): void {
  const r = ev.record;
  try {
    ev.h.invalidCtrlRecv!(r[R_TYPE], r[R_STREAM_ID], r[R_FLAGS], value, r[R_EXTRA] >>> 0);
  } catch (err) { ev.store(err); }
}

/** {@link callCtrlRecv} for a dispatched event. */
function readCtrlRecv(ev: SpdyEventReader<any>, value: FrameValue): void {
  nvBegin(ev);
  callCtrlRecv(ev, value);
  nvEnd(ev, value);
}

/** {@link callInvalidCtrlRecv} for a dispatched event. */
function readInvalidCtrlRecv(ev: SpdyEventReader<any>, value: FrameValue): void {
  nvBegin(ev);
  callInvalidCtrlRecv(ev, value);
  nvEnd(ev, value);
}

/** A control frame about to be sent. */
function readBeforeCtrlSend(ev: SpdyEventReader<any>, value: FrameValue): void {
  const r = ev.record;
  nvBegin(ev);
  try { ev.h.beforeCtrlSend!(r[R_TYPE], r[R_STREAM_ID], r[R_FLAGS], value); } catch (err) { ev.store(err); }
  nvEnd(ev, value);
}

/** A control frame sent. */
function readCtrlSend(ev: SpdyEventReader<any>, value: FrameValue): void {
  const r = ev.record;
  nvBegin(ev);
  try { ev.h.ctrlSend!(r[R_TYPE], r[R_STREAM_ID], r[R_FLAGS], value); } catch (err) { ev.store(err); }
  nvEnd(ev, value);
}

/** A control frame dropped: the error code is in the record's `extra`. */
function readCtrlNotSend(ev: SpdyEventReader<any>, value: FrameValue): void {
  const r = ev.record;
  nvBegin(ev);
  try {
    ev.h.ctrlNotSend!(r[R_TYPE], r[R_STREAM_ID], r[R_FLAGS], value, r[R_EXTRA]);
  } catch (err) { ev.store(err); }
  nvEnd(ev, value);
}

/** A DATA chunk copied to a receive slab: flags A, stream B, bytes [C, C + D). */
function readDataChunkRecv(ev: SpdyEventReader<any>, slab: ArrayBuffer): void {
  const r = ev.record;
  try {
    ev.h.dataChunkRecv!(r[R_A], r[R_B], new FastBuffer(slab, r[R_C] >>> 0, r[R_D] >>> 0) as Buffer, false);
  } catch (err) { ev.store(err); }
}

/** The end of a DATA frame: flags A, stream B, length C. */
function readDataRecv(ev: SpdyEventReader<any>): void {
  const r = ev.record;
  try { ev.h.dataRecv!(r[R_A], r[R_B], r[R_C]); } catch (err) { ev.store(err); }
}

/**
 * `n` DATA events of one recv(data), in the order the library reported
 * them: chunks (views of the recv() input `input`) and DATA frame ends.
 */
function readDataBatch(ev: SpdyEventReader<any>, input: ArrayBuffer, n: number): void {
  const r = ev.record;
  const h = ev.h;
  for (let i = 0, o = R_BATCH; i < n; i++, o += BATCH_STRIDE) {
    const head = r[o];
    try {
      if (head >>> BATCH_KIND_SHIFT === K_DATA_CHUNK_RECV) {
        h.dataChunkRecv!(head & BATCH_FLAGS_MASK, r[o + 1], new FastBuffer(input, r[o + 2] >>> 0, r[o + 3] >>> 0) as Buffer, true);
      } else {
        h.dataRecv!(head & BATCH_FLAGS_MASK, r[o + 1], r[o + 2]);
      }
    } catch (err) { ev.store(err); }
  }
}

/**
 * The receive events of one recv(data), queued by a session with
 * `batchRecvCallbacks` (`words` int32s from the record's `queue` slot, laid
 * out as binding/spdylay/event_record.h says), in the order the library
 * reported them: `nvs` holds the name/value strings of their frames, `input`
 * is the ArrayBuffer of the recv() input (the DATA chunks are views of it).
 * A frame event's slots are copied to the record's frame slots first, where
 * the handlers (and `frame()`) read them. Returns true once the whole queue
 * was walked (the native session then knows the reader holds the strings
 * the queue interned).
 */
function readQueue(ev: SpdyEventReader<any>, nvs: string, input: ArrayBuffer, words: number): boolean {
  const r = ev.record;
  const h = ev.h;
  const end = R_QUEUE + words;
  const whole = h.valueThroughReader === true;
  for (let o = R_QUEUE; o < end;) {
    const kind = r[o];
    if (kind === K_CTRL_RECV || kind === K_INVALID_CTRL_RECV) {
      for (let i = 0; i < FRAME_WORDS; i++) r[i] = r[o + 1 + i];
      const start = r[o + 1 + FRAME_WORDS];
      const nEnds = r[o + 3 + FRAME_WORDS];
      let value: string | undefined;
      if (start < 0) value = undefined;
      else if (whole) { value = nvs; ev.nvStart = start; if (nEnds > 0) ev.nvEnds = o + 4 + FRAME_WORDS; }
      else value = nvs.substring(start, r[o + 2 + FRAME_WORDS]);
      ev.nvRead = false;
      if (kind === K_CTRL_RECV) callCtrlRecv(ev, value);
      else callInvalidCtrlRecv(ev, value);
      // A list the handler did not read still defines interned strings.
      if (ev.nvEnds !== 0 && !ev.nvRead) nvOf(ev, value);
      ev.nvStart = 0;
      ev.nvEnds = 0;
      o += FRAME_WORDS + 4 + nEnds;
    } else if (kind === K_DATA_CHUNK_RECV) {
      try {
        h.dataChunkRecv!(r[o + 1], r[o + 2], new FastBuffer(input, r[o + 3] >>> 0, r[o + 4] >>> 0) as Buffer, true);
      } catch (err) { ev.store(err); }
      o += 5;
    } else if (kind === K_DATA_RECV) {
      try { h.dataRecv!(r[o + 1], r[o + 2], r[o + 3]); } catch (err) { ev.store(err); }
      o += 4;
    } else if (kind === K_STREAM_CLOSE) {
      const streamId = r[o + 1];
      const token = r[o + 3] >>> 0;
      if (h.streamClose !== undefined) {
        ev.closingStream = streamId;
        ev.closingToken = token;
        try { h.streamClose(streamId, r[o + 2] >>> 0); } catch (err) { ev.store(err); }
        ev.closingStream = 0;
        ev.closingToken = 0;
      }
      ev.tokens.closeStream(streamId, token, r[o + 4] !== 0);
      o += 5;
    } else if (kind === K_REQUEST_RECV) {
      try { h.requestRecv!(r[o + 1]); } catch (err) { ev.store(err); }
      o += 2;
    } else {
      ev.store(new CallbackFailureError(`unknown queued event kind ${kind}`));
      return false;
    }
  }
  return true;
}

/** A DATA frame sent: flags A, stream B, length C. */
function readDataSend(ev: SpdyEventReader<any>): void {
  const r = ev.record;
  try { ev.h.dataSend!(r[R_A], r[R_B], r[R_C]); } catch (err) { ev.store(err); }
}

/**
 * A stream closed: stream A, status B; then the stream's user data token C
 * and, when D is set, its unfinished providers are released.
 */
function readStreamClose(ev: SpdyEventReader<any>): void {
  const r = ev.record;
  const streamId = r[R_A];
  const h = ev.h;
  if (h.streamClose !== undefined) {
    try { h.streamClose(streamId, r[R_B] >>> 0); } catch (err) { ev.store(err); }
  }
  ev.tokens.closeStream(streamId, r[R_C] >>> 0, r[R_D] !== 0);
}

/** The peer finished sending on stream A. */
function readRequestRecv(ev: SpdyEventReader<any>): void {
  try { ev.h.requestRecv!(ev.record[R_A]); } catch (err) { ev.store(err); }
}

/**
 * A SYN_STREAM with FIN and the end of request the library reports right
 * after it (one crossing when both handlers are present).
 */
function readCtrlRecvRequestRecv(ev: SpdyEventReader<any>, nv: string | undefined): void {
  readCtrlRecv(ev, nv);
  readRequestRecv(ev);
}

/** `n` batched DATA events (see {@link readDataBatch}), then a stream close (see {@link readStreamClose}). */
function readDataBatchStreamClose(ev: SpdyEventReader<any>, input: ArrayBuffer, n: number): void {
  readDataBatch(ev, input, n);
  readStreamClose(ev);
}

/** A control frame that could not be parsed: frame type A, error code B. */
function readParseError(ev: SpdyEventReader<any>, head: Buffer, payload: Buffer): void {
  const r = ev.record;
  try { ev.h.parseError!(r[R_A], head, payload, r[R_B]); } catch (err) { ev.store(err); }
}

/** A control frame of unknown type. */
function readUnknownCtrl(ev: SpdyEventReader<any>, head: Buffer, payload: Buffer): void {
  try { ev.h.unknownCtrl!(head, payload); } catch (err) { ev.store(err); }
}

/** A fresh output or receive slab of at least A bytes (allocUnsafeSlow does not zero-fill). */
function readNewSlab(ev: SpdyEventReader<any>): ArrayBuffer | undefined {
  const buf = Buffer.allocUnsafeSlow(ev.record[R_A] >>> 0);
  return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : undefined;
}

on(K.send, readSend);
on(K.recv, readRecv);
on(K.read, readProvider);
on(K.ctrlRecv, readCtrlRecv);
on(K.invalidCtrlRecv, readInvalidCtrlRecv);
on(K.beforeCtrlSend, readBeforeCtrlSend);
on(K.ctrlSend, readCtrlSend);
on(K.ctrlNotSend, readCtrlNotSend);
on(K.dataChunkRecv, readDataChunkRecv);
on(K.dataRecv, readDataRecv);
on(K.dataBatch, readDataBatch);
on(K.queue, readQueue);
on(K.dataSend, readDataSend);
on(K.streamClose, readStreamClose);
on(K.requestRecv, readRequestRecv);
on(K.ctrlRecvRequestRecv, readCtrlRecvRequestRecv);
on(K.dataBatchStreamClose, readDataBatchStreamClose);
on(K.parseError, readParseError);
on(K.unknownCtrl, readUnknownCtrl);
on(K.newSlab, readNewSlab);
