/**
 * The python-style callbacks of a `Session` (python-spdylay's 14, in
 * camelCase) and `CallbackHandlers`, the adapter that runs them on the
 * events of the native session (`callbackReader` makes a session's reader
 * with it): each handler of the shared reader
 * (session-events.ts) builds python-spdylay's arguments (frame objects,
 * DATA chunk views) and calls the user's callback, in the order the C
 * library reported the events, and checks what the callback returned
 * against its contract.
 *
 * @packageDocumentation
 */
import { ArgumentError } from '../errors.js';
import { spdylayLayout } from '../native.js';
import { CallbackFailureError } from './errors.js';
import type { Frame } from './frames.js';
import { SpdyEventReader, type FrameValue, type SpdyEventHandlers } from './session-events.js';

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
   * DATA frames with their headers) into one call, except that a frame
   * whose `onCtrlSendCb`/`onDataSendCb` is set is handed over (with the
   * output before it) before that callback runs.
   * @returns The number of bytes taken (0..`data.length`); 0/`null`/`undefined`
   *   for "would block" (the rest stays queued: `wantWrite()` is true and the
   *   next `send()` offers it first). After a partial take the same `send()`
   *   calls `sendCb` again with the rest, as C's `spdylay_session_send` does,
   *   until it takes nothing or the queue is empty. Throw to fail the session.
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
  /**
   * A control frame was sent: it runs after the `sendCb` call that took the
   * frame's last byte has returned, so closing the connection here (say once
   * a GOAWAY was sent) loses nothing. If `sendCb` did not take all of the
   * frame, it runs in the `send()` in which `sendCb` takes the rest.
   * Setting it costs one `sendCb` call per control frame.
   */
  onCtrlSendCb?: (session: S, frame: Frame) => void;
  /** A control frame was dropped at send time; `errorCode` is a negative `ERR_*` code. */
  onCtrlNotSendCb?: (session: S, frame: Frame, errorCode: number) => void;
  /**
   * A DATA frame was sent; `length` is its payload length in bytes. It runs
   * after the `sendCb` call that took the frame's last byte, as
   * `onCtrlSendCb`; setting it costs one `sendCb` call per DATA frame (at
   * most 4 KiB of payload each) instead of one per 72 KiB.
   */
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

const K = spdylayLayout.kinds;

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

/** The native session's dispatch mask: the kinds whose callback is set. */
function callbackMask(cb: SessionCallbacks<any>): number {
  let mask = 0;
  for (const [name, kind] of CALLBACK_KINDS) if (cb[name]) mask |= 1 << kind;
  return mask;
}

/**
 * The handlers that run a session's python-style callbacks. Only the
 * kinds of the callbacks that are set are dispatched ({@link callbackMask}),
 * so each handler calls a callback that exists, except `send`, `recv` and
 * `streamClose`, which the native session always dispatches.
 */
export class CallbackHandlers<S> implements SpdyEventHandlers {
  /** The reader running these handlers (set once it is made): its record holds the frame of a frame event. */
  ev!: SpdyEventReader<S>;
  /** The frame handlers read `value` only through `ev.frame()`. */
  readonly valueThroughReader = true;

  /**
   * @param cb - The callbacks (unset ones `undefined`).
   * @param session - The session the callbacks are given.
   */
  constructor(readonly cb: SessionCallbacks<S>, readonly session: S) {}

  send(data: Buffer): number {
    const f = this.cb.sendCb;
    if (!f) return data.length;
    const n = f(this.session, data);
    if (n === undefined || n === null || n === 0) return 0;
    if (typeof n !== 'number' || !(n >= 0) || n > data.length || !Number.isInteger(n)) {
      throw new CallbackFailureError(`sendCb returned ${String(n)}, not a byte count in 0..${data.length}`);
    }
    return n;
  }

  recv(length: number): Uint8Array | null {
    const f = this.cb.recvCb;
    if (!f) throw new CallbackFailureError('recv() without data needs a recvCb');
    const out = f(this.session, length);
    if (out === undefined || out === null) return null;
    if (!(out instanceof Uint8Array)) throw new CallbackFailureError('recvCb must return a Buffer, Uint8Array or null');
    if (out.length > length) throw new CallbackFailureError(`recvCb returned ${out.length} bytes, more than ${length}`);
    return out;
  }

  ctrlRecv(_type: number, _streamId: number, _flags: number, value: FrameValue): void {
    this.cb.onCtrlRecvCb!(this.session, this.ev.frame(value));
  }

  invalidCtrlRecv(_type: number, _streamId: number, _flags: number, value: FrameValue, statusCode: number): void {
    this.cb.onInvalidCtrlRecvCb!(this.session, this.ev.frame(value), statusCode);
  }

  beforeCtrlSend(_type: number, _streamId: number, _flags: number, value: FrameValue): void {
    this.cb.beforeCtrlSendCb!(this.session, this.ev.frame(value));
  }

  ctrlSend(_type: number, _streamId: number, _flags: number, value: FrameValue): void {
    this.cb.onCtrlSendCb!(this.session, this.ev.frame(value));
  }

  ctrlNotSend(_type: number, _streamId: number, _flags: number, value: FrameValue, errorCode: number): void {
    this.cb.onCtrlNotSendCb!(this.session, this.ev.frame(value), errorCode);
  }

  dataChunkRecv(flags: number, streamId: number, data: Buffer): void {
    this.cb.onDataChunkRecvCb!(this.session, flags, streamId, data);
  }

  dataRecv(flags: number, streamId: number, length: number): void {
    this.cb.onDataRecvCb!(this.session, flags, streamId, length);
  }

  dataSend(flags: number, streamId: number, length: number): void {
    this.cb.onDataSendCb!(this.session, flags, streamId, length);
  }

  streamClose(streamId: number, statusCode: number): void {
    const f = this.cb.onStreamCloseCb;
    if (f) f(this.session, streamId, statusCode);
  }

  requestRecv(streamId: number): void {
    this.cb.onRequestRecvCb!(this.session, streamId);
  }

  parseError(type: number, head: Buffer, payload: Buffer, errorCode: number): void {
    this.cb.onCtrlRecvParseErrorCb!(this.session, type, head, payload, errorCode);
  }

  unknownCtrl(head: Buffer, payload: Buffer): void {
    this.cb.onUnknownCtrlRecvCb!(this.session, head, payload);
  }
}

/**
 * The event reader that runs the python-style callbacks of `options` for
 * `session`; the kinds of the callbacks not set are not dispatched.
 *
 * @param options - The callbacks; other keys are ignored, `undefined` and
 *   `null` mean "not set".
 * @param session - The session the callbacks are given.
 * @throws TypeError when a callback option is not a function.
 */
export function callbackReader<S>(options: SessionCallbacks<S>, session: S): SpdyEventReader<S> {
  // A literal with every key: one fixed hidden class for fast property loads.
  const cb: SessionCallbacks<S> = {
    sendCb: undefined, recvCb: undefined, onCtrlRecvCb: undefined,
    onInvalidCtrlRecvCb: undefined, onDataChunkRecvCb: undefined, onDataRecvCb: undefined,
    beforeCtrlSendCb: undefined, onCtrlSendCb: undefined, onCtrlNotSendCb: undefined,
    onDataSendCb: undefined, onStreamCloseCb: undefined, onRequestRecvCb: undefined,
    onCtrlRecvParseErrorCb: undefined, onUnknownCtrlRecvCb: undefined,
  };
  for (const name of CALLBACK_NAMES) {
    const f = options[name];
    if (f === undefined || f === null) continue;
    if (typeof f !== 'function') throw new ArgumentError(`${name} must be a function`);
    (cb as Record<string, unknown>)[name] = f;
  }
  const handlers = new CallbackHandlers<S>(cb, session);
  const ev = new SpdyEventReader<S>(handlers, callbackMask(cb));
  handlers.ev = ev;
  return ev;
}
