/**
 * The bodies of requests and responses: `DataProvider` (python-spdylay's,
 * read through a JS callback) and `BufferDataProvider` (one Buffer, served
 * by the native session without calling into JS).
 *
 * @packageDocumentation
 */
import { ArgumentError } from '../errors.js';
import { READ_EOF } from './constants.js';
import type { Session } from './session.js';

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
  // Fields are `declare`d and assigned by the constructor (no class-field
  // initialisers): one provider per response body is built with plain stores.
  /** The value passed to `readCb` as its last argument. */
  declare source: S;
  /** The read callback (see {@link ReadCallback}). */
  declare readCb: ReadCallback<S>;

  /**
   * @param source - Any value (a Buffer, a file handle, `null`, ...).
   * @param readCb - Called whenever the session needs bytes for a DATA frame.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when `readCb` is not a function.
   */
  constructor(source: S, readCb: ReadCallback<S>) {
    if (typeof readCb !== 'function') throw new ArgumentError('readCb must be a function');
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
 * send a body held in memory. The Buffer is referenced, not copied (a body
 * of at most 1 KiB is copied at submit time): do not modify it until the
 * stream is closed. Each submit serves the whole
 * Buffer from its start (one instance may be used for several streams).
 * Its `readCb` works too (when called by hand it serves the data once).
 */
export class BufferDataProvider extends DataProvider<{ data: Uint8Array; pos: number }> {
  /** The body. */
  declare readonly data: Uint8Array;

  /**
   * @param data - The body: bytes, or a string sent as UTF-8.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when `data` is neither.
   */
  constructor(data: Uint8Array | string) {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!(bytes instanceof Uint8Array)) throw new ArgumentError('data must be a Buffer, Uint8Array or string');
    super({ data: bytes, pos: 0 }, bufferRead);
    this.data = bytes;
  }
}

/** The bytes of a provider the session can serve natively, else undefined. */
export function nativeBody<S>(prd: DataProvider<S> | null | undefined): Uint8Array | undefined {
  return prd instanceof BufferDataProvider && prd.readCb === bufferRead ? prd.data : undefined;
}

