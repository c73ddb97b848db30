/**
 * Response bodies and header fields of the HTTP/2 server: the body generator
 * protocol ({@link DATA_OK}, {@link DATA_EOF}, {@link DATA_DEFERRED}),
 * Readable streams read as body generators, and header lists packed for the
 * native session.
 *
 * @packageDocumentation
 */
import type { Readable } from 'node:stream';

import { ArgumentError, OutOfRangeError } from '../../errors.js';

/** Body generator flag: a non-empty chunk is returned and more will follow. */
export const DATA_OK = 0;
/** Body generator flag: this is the last chunk (which may be `null`). */
export const DATA_EOF = 1;
/** Body generator flag: no data now; call {@link BaseRequestHandler.resume} when there is. */
export const DATA_DEFERRED = 2;

/** A body generator flag: {@link DATA_OK}, {@link DATA_EOF} or {@link DATA_DEFERRED}. */
export type DataFlag = typeof DATA_OK | typeof DATA_EOF | typeof DATA_DEFERRED;

/**
 * Body generator: called with the largest chunk size nghttp2 can send now (in
 * bytes, at most 16384 by default); returns `[chunk, flag]` where `chunk` is a
 * Buffer/Uint8Array/string (UTF-8) or `null`. A chunk longer than `size` is
 * sent over several DATA frames. Throwing resets the stream (RST_STREAM
 * INTERNAL_ERROR) and reports the error.
 */
export type BodyGenerator = (size: number) => readonly [Uint8Array | string | null | undefined, DataFlag];

/**
 * A response body: nothing (`undefined`/`null`: HEADERS carry END_STREAM), a
 * string (sent as UTF-8), bytes, a Node Readable stream (read with
 * back-pressure) or a {@link BodyGenerator}.
 */
export type ResponseBody = string | Uint8Array | ArrayBuffer | Readable | BodyGenerator | null | undefined;

/** A header field: `[name, value]`, each a string (UTF-8) or bytes. */
export type HeaderPair = readonly [name: string | Uint8Array, value: string | Uint8Array | number];

/**
 * Header fields: an array of `[name, value]` pairs, or a plain object whose
 * own enumerable properties are the fields. String names are lower-cased
 * (HTTP/2 requires lower-case names).
 */
export type HeaderList = readonly HeaderPair[] | Iterable<HeaderPair> | Record<string, string | number | Uint8Array>;

export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

export function headerEntries(headers: HeaderList): Iterable<HeaderPair> {
  if (typeof (headers as Iterable<HeaderPair>)[Symbol.iterator] === 'function') {
    return headers as Iterable<HeaderPair>;
  }
  return Object.entries(headers as Record<string, string | number | Uint8Array>);
}

/**
 * Packs header fields as `"name\0value\0name\0value"` (a string when every
 * part is a string, else bytes) for the native side.
 */
export function packHeaders(headers: HeaderList | null | undefined): [string | Buffer | null, number] {
  let s = '';
  let count = 0;
  let parts: (string | Uint8Array)[] | null = null;
  if (headers) {
    for (const field of headerEntries(headers)) {
      if (!field || (field as ArrayLike<unknown>).length !== 2) {
        throw new ArgumentError('header fields must be [name, value] pairs');
      }
      let name = field[0];
      let value = field[1];
      if (typeof name === 'string') name = name.toLowerCase();
      else if (!isBytes(name)) throw new ArgumentError('header name must be a string or a Buffer');
      if (typeof value === 'number') value = String(value);
      else if (typeof value !== 'string' && !isBytes(value)) {
        throw new ArgumentError('header value must be a string or a Buffer');
      }
      if (parts === null && typeof name === 'string' && typeof value === 'string') {
        s += (count ? '\0' : '') + name + '\0' + value;
      } else {
        if (parts === null) parts = s.length || count ? [s] : [];
        if (count) parts.push('\0');
        parts.push(name, '\0', value);
      }
      ++count;
    }
  }
  if (count === 0) return [null, 0];
  if (parts === null) return [s, count];
  return [Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))), count];
}

export function normaliseStatus(status: number | string | undefined | null): number {
  const n = typeof status === 'number' ? status : status == null || status === '' ? NaN : Number(status);
  if (!Number.isInteger(n) || n < 100 || n > 999) {
    throw new OutOfRangeError(`status must be an integer from 100 to 999 (got ${String(status)})`);
  }
  return n;
}

export function isReadable(v: unknown): v is Readable {
  return (
    typeof v === 'object' && v !== null &&
    typeof (v as Readable).read === 'function' && typeof (v as Readable).on === 'function'
  );
}

/** Wraps a Readable as a body generator honouring back-pressure. */
export function readableBody(stream: Readable, resume: () => void): { gen: BodyGenerator; abort: () => void } {
  let pending: Buffer | null = null;
  let waiting = false;
  let ended = false;
  let failed: unknown = null;
  const wake = (): void => {
    if (waiting) {
      waiting = false;
      resume();
    }
  };
  const onEnd = (): void => {
    ended = true;
    wake();
  };
  const onError = (err: unknown): void => {
    failed = err ?? new Error('body stream failed');
    wake();
  };
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('readable', wake);
  const gen: BodyGenerator = (size) => {
    if (failed) throw failed;
    let chunk: Buffer | string | null = pending ?? (stream.read() as Buffer | string | null);
    pending = null;
    if (chunk === null) {
      if (ended || stream.readableEnded) return [null, DATA_EOF];
      waiting = true;
      return [null, DATA_DEFERRED];
    }
    if (typeof chunk === 'string') chunk = Buffer.from(chunk);
    else if (!Buffer.isBuffer(chunk)) chunk = Buffer.from(chunk as Uint8Array);
    if (chunk.length > size) {
      pending = chunk.subarray(size);
      chunk = chunk.subarray(0, size);
    }
    return [chunk, DATA_OK];
  };
  const abort = (): void => {
    stream.off('end', onEnd);
    stream.off('readable', wake);
    if (!ended && typeof stream.destroy === 'function') stream.destroy();
    // Keep an 'error' listener so that a late stream error cannot crash the process.
  };
  return { gen, abort };
}

/** A string as UTF-8 bytes, or a copy of the bytes. */
export function toBuffer(x: string | Uint8Array): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x);
}
