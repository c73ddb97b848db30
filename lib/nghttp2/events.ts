/**
 * The event batch of a native HTTP/2 server session (binding/nghttp2/server_session.h):
 * its record kinds, state slots and limit numbers as the addon exports them,
 * and the decoding of a HEADERS record's fields.
 *
 * @packageDocumentation
 */
import type { LimitName } from '../limits.js';
import { http2Layout } from '../native.js';
import { FastBuffer } from '../pool.js';

const { events, state, record, limits } = http2Layout;

/** Event record kinds (the first word of each record). */
export const EV_HEADERS = events.headers;
export const EV_DATA = events.data;
export const EV_END_STREAM = events.endStream;
export const EV_CLOSE = events.close;
export const EV_SETTINGS_ACK = events.settingsAck;
export const EV_LIMIT_RESET = events.limitReset;
export const EV_TRAILERS = events.trailers;
export const EV_X_FORWARDED_FOR = events.xForwardedFor;

/** Slots of the shared state array, and its length. */
export const ST_READ_FLAG = state.readFlag;
export const ST_WANT = state.want;
export const ST_EVENTS = state.events;
export const ST_MEMORY = state.memory;
export const ST_LIMIT = state.limit;
export const ST_MID_HEADERS = state.midHeaders;
export const STATE_SLOTS = state.count;

/** Word offsets inside a record. */
export const REC_STREAM_ID = record.streamId;
export const REC_VALUE = record.value;
export const REC_DATA_BYTES = record.dataBytes;
export const REC_HEADERS_FLAGS = record.headersFlags;
export const REC_FIELD_COUNT = record.fieldCount;
export const REC_BYTE_COUNT = record.byteCount;
export const REC_FIELD_LENGTHS = record.fieldLengths;
/** Words of a record that ends at its stream ID (END_STREAM, SETTINGS_ACK). */
export const REC_BARE_SIZE = record.value;
/** Words of a record that ends at its value (CLOSE, LIMIT_RESET). */
export const REC_VALUE_SIZE = record.value + 1;

/** The read callback's error flag. */
export const READ_ERROR = http2Layout.readFlags.error;
/** `submitResponse` body kinds. */
export const BODY_NONE = http2Layout.bodyKinds.none;
export const BODY_BYTES = http2Layout.bodyKinds.bytes;
export const BODY_JS = http2Layout.bodyKinds.js;

/** The limit names by native limit number (null: none). */
export const NATIVE_LIMITS: readonly (LimitName | null)[] = (() => {
  const byNumber: (LimitName | null)[] = [null];
  for (const [name, n] of Object.entries(limits)) byNumber[n] = name as LimitName;
  return Array.from(byNumber, (name) => name ?? null);
})();

const ABSENT = http2Layout.absent;
const COOKIE = Buffer.from('cookie');
const COOKIE_SEP = Buffer.from('; ');

/** Splits `value` on NUL bytes. */
function splitNul(value: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = value.indexOf(0); i !== -1; i = value.indexOf(0, start)) {
    out.push(value.subarray(start, i));
    start = i + 1;
  }
  out.push(value.subarray(start));
  return out;
}

/** Word offsets (inside a HEADERS record) of the (offset, length) pairs of `:method`, `:scheme`, `:path`, `:authority` and `host`. */
export const REC_METHOD = record.method;
export const REC_SCHEME = record.scheme;
export const REC_PATH = record.path;
export const REC_AUTHORITY = record.authority;
export const REC_HOST = record.host;

/**
 * The value of the pseudo-header (or `host`) whose (offset, length) pair is
 * at word `slot` of the HEADERS record at word `rec`, as a zero-copy view of
 * the event batch; null when the field is absent.
 */
export function pseudoHeader(u32: Uint32Array, buf: Buffer, rec: number, slot: number): Buffer | null {
  const len = u32[rec + slot + 1]!;
  if (len === ABSENT) return null;
  const base = (rec + REC_FIELD_LENGTHS + 2 * u32[rec + REC_FIELD_COUNT]!) * 4;
  return new FastBuffer(buf.buffer as ArrayBuffer, buf.byteOffset + base + u32[rec + slot]!, len) as Buffer;
}

/**
 * {@link decodeHeaders} as strings (names latin1, values UTF-8), without a
 * Buffer per field: the `cookie` fields joined with `"; "` into one pair
 * at the end, a value holding NUL split into several pairs.
 */
export function decodeHeaderStrings(u32: Uint32Array, buf: Buffer, rec: number): [string, string][] {
  const nf = u32[rec + REC_FIELD_COUNT]!;
  const lensAt = rec + REC_FIELD_LENGTHS;
  let p = (lensAt + 2 * nf) * 4;
  const out: [string, string][] = [];
  let cookie: string | null = null;
  for (let i = 0; i < nf; ++i) {
    const nl = u32[lensAt + 2 * i]!;
    const vl = u32[lensAt + 2 * i + 1]!;
    const name = buf.toString('latin1', p, p + nl);
    const value = buf.toString('utf8', p + nl, p + nl + vl);
    p += nl + vl;
    const values = value.indexOf('\0') === -1 ? null : value.split('\0');
    if (name === 'cookie') {
      const v = values ? values.join('; ') : value;
      cookie = cookie === null ? v : `${cookie}; ${v}`;
      continue;
    }
    if (values) for (const v of values) out.push([name, v]);
    else out.push([name, value]);
  }
  if (cookie !== null) out.push(['cookie', cookie]);
  return out;
}

/**
 * The header fields of the HEADERS record at word `rec` as `[name, value]`
 * pairs: a value holding NUL is split into several pairs, and the `cookie`
 * fields are joined with `"; "` into one pair at the end.
 */
export function decodeHeaders(u32: Uint32Array, buf: Buffer, rec: number): [Buffer, Buffer][] {
  const nf = u32[rec + REC_FIELD_COUNT]!;
  const lensAt = rec + REC_FIELD_LENGTHS;
  let p = (lensAt + 2 * nf) * 4;
  const out: [Buffer, Buffer][] = [];
  let cookies: Buffer[] | null = null;
  for (let i = 0; i < nf; ++i) {
    const nl = u32[lensAt + 2 * i]!;
    const vl = u32[lensAt + 2 * i + 1]!;
    const name = buf.subarray(p, p + nl);
    const value = buf.subarray(p + nl, p + nl + vl);
    p += nl + vl;
    const values = value.indexOf(0) === -1 ? null : splitNul(value);
    if (nl === 6 && name.equals(COOKIE)) {
      cookies ??= [];
      if (values) cookies.push(...values);
      else cookies.push(value);
      continue;
    }
    if (values) for (const v of values) out.push([name, v]);
    else out.push([name, value]);
  }
  if (cookies) {
    const parts: Buffer[] = [];
    for (const c of cookies) {
      if (parts.length) parts.push(COOKIE_SEP);
      parts.push(c);
    }
    out.push([COOKIE, Buffer.concat(parts)]);
  }
  return out;
}
