/**
 * HPACK (RFC 7541) header compression: `HDDeflater`, `HDInflater`,
 * `printHdTable`, over nghttp2's `nghttp2_hd_*` codec.
 *
 * Each `deflate()` or `inflate()` call crosses into C once per header block,
 * never once per field.
 *
 * @packageDocumentation
 */
import { ArgumentError, OutOfRangeError } from '../errors.js';
import { native, type NativeHDDeflater, type NativeHDInflater } from '../native.js';
import { FastBuffer, pool } from '../pool.js';
import { HeaderListTooLargeError, nghttp2Error } from './errors.js';

/** The default dynamic table size of HTTP/2, 4096 bytes (RFC 7540 §6.5.2). */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/** The default upper limit of the deflater's dynamic table, 4096 bytes. */
export const DEFLATE_MAX_HEADER_TABLE_SIZE = 4096;

/** Bytes a dynamic table entry takes on top of its name and value (RFC 7541 §4.1). */
export const HD_ENTRY_OVERHEAD = 32;

/** A header name or value: a string (encoded as UTF-8) or raw bytes. */
export type HeaderBytes = string | Uint8Array;

/**
 * One header field for `HDDeflater.deflate`: `[name, value]`, or
 * `[name, value, sensitive]`. When `sensitive` is true the field is encoded
 * as a never-indexed literal (RFC 7541 §6.2.3): it never enters a dynamic
 * table, and intermediaries must keep it that way (use it for cookies,
 * authorization tokens and the like).
 */
export type HeaderField = readonly [name: HeaderBytes, value: HeaderBytes, sensitive?: boolean];

/** An entry of a dynamic table, as returned by `getHdTable()`. */
export class HDTableEntry {
  /** Header name. */
  readonly name: Buffer;
  /** Length of `name`, in bytes. */
  readonly namelen: number;
  /** Header value. */
  readonly value: Buffer;
  /** Length of `value`, in bytes. */
  readonly valuelen: number;

  constructor(name: Buffer, value: Buffer) {
    this.name = name;
    this.namelen = name.length;
    this.value = value;
    this.valuelen = value.length;
  }

  /** Bytes this entry occupies in the dynamic table: `namelen + valuelen + 32`. */
  space(): number {
    return this.namelen + this.valuelen + HD_ENTRY_OVERHEAD;
  }
}

const ERR_NO_SPACE = native.HDDeflater.ERR_NO_SPACE;

/**
 * Header lists of up to this many fields go to C as the arguments of one
 * call (2 per field); longer ones are joined into one string (the stack of
 * a call bounds its arguments).
 */
const ARGS_FIELDS_MAX = 1024;

/** `Reflect.apply` as loaded: a later change to the global does not reach `deflate()`. */
const apply = Reflect.apply;

function partError(i: number, what: 'name' | 'value'): ArgumentError {
  return new ArgumentError(`header ${i} ${what} must be a string or a Buffer`);
}

function toEntries(pairs: [Buffer, Buffer][]): HDTableEntry[] {
  return pairs.map(([name, value]) => new HDTableEntry(name, value));
}

function checkTableSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
    throw new OutOfRangeError(`table size must be an integer in [0, 2^32-1] bytes, got ${size}`);
  }
}

/**
 * HPACK encoder: turns lists of header fields into header blocks, keeping a
 * dynamic table shared with the peer's decoder.
 *
 * Wraps `nghttp2_hd_deflater` (`nghttp2_hd_deflate_new`,
 * `nghttp2_hd_deflate_hd`, `nghttp2_hd_deflate_change_table_size`).
 *
 * @example
 * ```ts
 * const deflater = new HDDeflater();
 * const block = deflater.deflate([[':method', 'GET'], ['cookie', 'id=1', true]]);
 * ```
 */
export class HDDeflater {
  readonly #native: NativeHDDeflater;
  // Made on first use (most lists are short and have no sensitive field).
  #lens: Uint32Array | null = null;
  #sensitive: Uint8Array | null = null;

  /**
   * @param hdTableBufsizeMax - Upper limit, in bytes, of the dynamic table
   *   this encoder will use, whatever size the decoder allows (default
   *   {@link DEFLATE_MAX_HEADER_TABLE_SIZE}).
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) if
   *   `hdTableBufsizeMax` is not an integer in [0, 2^32-1].
   */
  constructor(hdTableBufsizeMax: number = DEFLATE_MAX_HEADER_TABLE_SIZE) {
    checkTableSize(hdTableBufsizeMax);
    this.#native = new native.HDDeflater(hdTableBufsizeMax);
  }

  /**
   * Encodes a header list into one header block.
   *
   * Wraps `nghttp2_hd_deflate_hd`.
   *
   * @param headers - `[name, value]` or `[name, value, sensitive]` fields,
   *   strings (encoded as UTF-8) or bytes, in order. Names are sent as given:
   *   HTTP/2 wants them lower-case.
   * @returns The header block (a view of a shared 32 KiB pool slab, as
   *   small Buffers from `Buffer.allocUnsafe` are).
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) if
   *   `headers` is not an array of such fields.
   * @throws {@link NGHTTP2Error} (with nghttp2's code and message) if nghttp2
   *   fails, e.g. `HeaderCompressionError` for a field too large to encode.
   */
  deflate(headers: readonly HeaderField[]): Buffer {
    if (!Array.isArray(headers)) throw new ArgumentError('headers must be an array of [name, value] pairs');
    const count = headers.length;
    if (count > ARGS_FIELDS_MAX) return this.#deflateLarge(headers);
    let sensitive: Uint8Array | null = null;
    // Every name and value is an argument of one native call (slab, offset
    // and the sensitive flags first), which reads each string itself.
    const args: unknown[] = new Array(3 + 2 * count);
    for (let i = 0; i < count; i++) {
      const field = headers[i];
      if (!Array.isArray(field)) throw new ArgumentError(`header ${i} must be a [name, value] pair`);
      const name = field[0] as unknown;
      const value = field[1] as unknown;
      if (typeof name !== 'string' && !(name instanceof Uint8Array)) throw partError(i, 'name');
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw partError(i, 'value');
      args[3 + 2 * i] = name;
      args[4 + 2 * i] = value;
      if (field[2] === true) {
        sensitive ??= this.#sensitiveFlags(count);
        sensitive[i] = 1;
      }
    }
    const offset = pool.offset;
    args[0] = pool.ab;
    args[1] = offset;
    args[2] = sensitive;
    return this.#block(apply(this.#native.deflateFields, undefined, args) as number, offset);
  }

  /** Sensitive flags for `count` fields, all clear. */
  #sensitiveFlags(count: number): Uint8Array {
    if (this.#sensitive === null || this.#sensitive.length < count) {
      this.#sensitive = new Uint8Array(Math.max(64, 2 * count));
    }
    const flags = this.#sensitive;
    flags.fill(0, 0, count);
    return flags;
  }

  /** The block of a deflate call's result `n` written at `offset` of the pool's slab. */
  #block(n: number, offset: number): Buffer {
    if (n === ERR_NO_SPACE) {
      pool.fresh(this.#native.pendingLength());
      offset = 0;
      n = this.#native.takePending(pool.ab, 0);
    } else if (n < 0) {
      throw nghttp2Error(n);
    }
    const block = new FastBuffer(pool.ab, offset, n) as Buffer;
    pool.advance(n);
    return block;
  }

  // Lists of more than ARGS_FIELDS_MAX fields: strings only are joined into
  // one string that C writes as UTF-8 in one call (with lens the UTF-16
  // lengths); C returns undefined only when a surrogate pair spans two
  // strings, and then, as with Buffer fields, each string is encoded on its
  // own.
  #deflateLarge(headers: readonly HeaderField[]): Buffer {
    const count = headers.length;
    if (this.#lens === null || this.#lens.length < 2 * count) this.#lens = new Uint32Array(4 * count);
    const lens = this.#lens;
    const sensitive = this.#sensitiveFlags(count);
    let anySensitive = false;
    let joined = '';
    let i = 0;
    for (; i < count; i++) {
      const field = headers[i];
      if (!Array.isArray(field)) throw new ArgumentError(`header ${i} must be a [name, value] pair`);
      const name = field[0];
      const value = field[1];
      if (typeof name !== 'string' || typeof value !== 'string') break;
      joined += name;
      joined += value;
      lens[2 * i] = name.length;
      lens[2 * i + 1] = value.length;
      const s = field[2] === true;
      sensitive[i] = s ? 1 : 0;
      anySensitive ||= s;
    }
    const offset = pool.offset;
    let n: number | undefined;
    if (i === count) {
      n = this.#native.deflateString(joined, lens, count, anySensitive ? sensitive : null, pool.ab, offset);
    }
    if (n === undefined) n = this.#deflateBytes(headers, offset);
    return this.#block(n, offset);
  }

  #deflateBytes(headers: readonly HeaderField[], offset: number): number {
    const count = headers.length;
    const lens = this.#lens!;
    const sensitive = this.#sensitiveFlags(count);
    const parts: Uint8Array[] = new Array(2 * count);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const field = headers[i];
      if (!Array.isArray(field)) throw new ArgumentError(`header ${i} must be a [name, value] pair`);
      for (let j = 0; j < 2; j++) {
        const x = field[j] as unknown;
        let bytes: Uint8Array;
        if (typeof x === 'string') bytes = Buffer.from(x, 'utf8');
        else if (x instanceof Uint8Array) bytes = x;
        else throw partError(i, j === 0 ? 'name' : 'value');
        parts[2 * i + j] = bytes;
        lens[2 * i + j] = bytes.length;
        total += bytes.length;
      }
      sensitive[i] = field[2] === true ? 1 : 0;
    }
    return this.#native.deflateBytes(Buffer.concat(parts, total), lens, count, sensitive, pool.ab, offset);
  }

  /**
   * Kept for API parity with nghttp2's Python binding, where it switched off
   * the HPACK draft's "reference set". RFC 7541 has no reference set, so
   * this does nothing.
   *
   * @param noRefset - Ignored.
   */
  setNoRefset(noRefset: boolean): void {
    void noRefset;
  }

  /**
   * Changes the dynamic table size, e.g. after the peer's
   * SETTINGS_HEADER_TABLE_SIZE. The next block starts with a dynamic table
   * size update. A size above the constructor's `hdTableBufsizeMax` is
   * capped to it.
   *
   * Wraps `nghttp2_hd_deflate_change_table_size`.
   *
   * @param hdTableBufsizeMax - New size, in bytes.
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) if
   *   the size is not an integer in [0, 2^32-1].
   * @throws {@link NGHTTP2Error} if nghttp2 rejects it.
   */
  changeTableSize(hdTableBufsizeMax: number): void {
    checkTableSize(hdTableBufsizeMax);
    const rv = this.#native.changeTableSize(hdTableBufsizeMax);
    if (rv < 0) throw nghttp2Error(rv, true);
  }

  /**
   * A copy of the dynamic table, newest entry first.
   *
   * Wraps `nghttp2_hd_deflate_get_table_entry`.
   */
  getHdTable(): HDTableEntry[] {
    return toEntries(this.#native.getHdTable());
  }

  /** Current size of the dynamic table, in bytes (`nghttp2_hd_deflate_get_dynamic_table_size`). */
  get dynamicTableSize(): number {
    return this.#native.dynamicTableSize();
  }

  /** Current maximum of the dynamic table, in bytes (`nghttp2_hd_deflate_get_max_dynamic_table_size`). */
  get maxDynamicTableSize(): number {
    return this.#native.maxDynamicTableSize();
  }
}

/** Options of {@link HDInflater}. */
export interface HDInflaterOptions<S extends boolean = boolean> {
  /**
   * Limit on the decoded size of one header block, in bytes, counted as in
   * SETTINGS_MAX_HEADER_LIST_SIZE: name + value + 32 per field. A block
   * past it throws {@link HeaderListTooLargeError} (protection against
   * decompression bombs). Default 0: no limit.
   */
  maxHeaderListSize?: number;
  /**
   * When true, `inflate()` returns `[name, value]` strings instead of Buffer
   * pairs (default false). Each byte becomes the character of the same code
   * (latin1, as Node's `http2` and `http` modules give header values): ASCII
   * comes out as sent, and a byte 0x80-0xFF becomes U+0080-U+00FF, never a
   * UTF-8 sequence decoded (`Buffer.from(value, 'latin1')` gives the bytes
   * back; decode those as UTF-8 if the peer sent UTF-8).
   *
   * Names and values of the static table, and of the dynamic table entries a
   * field refers to by index, are strings the inflater keeps (one string per
   * table entry, shared by every field that refers to it); only literal names
   * and values make new strings. A literal's string may be a slice of one
   * string holding every literal of its block, which it then keeps alive
   * while it is kept.
   *
   * Fixed for the inflater's life: its copy of the dynamic table follows
   * every block it decodes.
   */
  strings?: S;
}

/** What `inflate()` returns: Buffer pairs, or strings with `{ strings: true }`. */
export type HDHeaderList<S extends boolean> = S extends true ? [string, string][] : [Buffer, Buffer][];

/** Bytes at the start of the string mode's scratch: 4 uint32 words. */
const SCRATCH_HEAD_WORDS = 4;
/** uint32 words per field in the string mode's scratch. */
const RECORD_WORDS = 4;
/** Record kinds of `inflateStrings` (the low 2 bits of a record's first word). */
const REC_INDEXED = 0;
const REC_INSERTED = 2;
/**
 * A literal of at least 13 characters is a slice of its block's literal
 * string (V8 copies shorter substrings). An entry of the dynamic table copy is
 * made a string of its own instead when that block string is longer than
 * this, so that the table copy never keeps much more than the table alive.
 */
const RETAIN_LIMIT = 1024;

/** Size of the string mode's output area, in bytes (records in its first half, literal bytes in the second). */
const SCRATCH_SIZE = 16384;

/**
 * The string mode's output area, shared by every inflater of the thread (each
 * call reads it at once). A block whose output does not fit gets a larger
 * area for that call only (`grow`, then `reset`): the size a peer's block
 * needed is not kept.
 */
const scratch = {
  ab: new ArrayBuffer(SCRATCH_SIZE),
  u32: null as unknown as Uint32Array,
  buf: null as unknown as Buffer,
  grow(min: number): void {
    this.use(new ArrayBuffer(Math.max(2 * this.ab.byteLength, (min + 7) & ~7)));
  },
  reset(): void {
    if (this.ab.byteLength !== SCRATCH_SIZE) this.use(new ArrayBuffer(SCRATCH_SIZE));
  },
  use(ab: ArrayBuffer): void {
    this.ab = ab;
    this.u32 = new Uint32Array(ab);
    this.buf = Buffer.from(ab);
  },
};
scratch.use(scratch.ab);

let staticNames: string[] | null = null;
let staticValues: string[] = [];

/** HPACK's static table as strings, index 1 first (index 0 unused). */
function loadStaticTable(): void {
  const table = native.HDInflater.staticTable();
  staticNames = [''];
  staticValues = [''];
  for (const [name, value] of table) {
    staticNames.push(name.toString('latin1'));
    staticValues.push(value.toString('latin1'));
  }
}

/**
 * HPACK decoder: turns header blocks back into header lists, keeping the
 * dynamic table in step with the peer's encoder.
 *
 * Wraps `nghttp2_hd_inflater` (`nghttp2_hd_inflate_new`,
 * `nghttp2_hd_inflate_hd2`, `nghttp2_hd_inflate_change_table_size`).
 *
 * @typeParam S - Whether `inflate()` returns strings (`{ strings: true }`).
 *
 * @example
 * ```ts
 * const inflater = new HDInflater({ strings: true });
 * for (const [name, value] of inflater.inflate(block)) console.log(`${name}: ${value}`);
 * ```
 */
export class HDInflater<S extends boolean = false> {
  readonly #native: NativeHDInflater;
  readonly #maxHeaderListSize: number;
  readonly #strings: boolean;
  // String mode: the dynamic table's names and values as strings, in a ring
  // indexed by insertion number & #mask (the newest entry is #inserted - 1).
  #names: string[] = [];
  #values: string[] = [];
  #mask = 0;
  #inserted = 0;

  /**
   * @param options - See {@link HDInflaterOptions}.
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) if
   *   `maxHeaderListSize` is not a non-negative integer.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) if
   *   `strings` is given and not a boolean.
   */
  constructor(options: HDInflaterOptions<S> = {}) {
    const limit = options.maxHeaderListSize ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new OutOfRangeError(`maxHeaderListSize must be a non-negative integer (bytes), got ${limit}`);
    }
    const strings = options.strings ?? false;
    if (typeof strings !== 'boolean') throw new ArgumentError(`strings must be a boolean, got ${typeof strings}`);
    this.#maxHeaderListSize = limit;
    this.#strings = strings;
    if (strings) {
      if (staticNames === null) loadStaticTable();
      this.#names = new Array(64).fill('');
      this.#values = new Array(64).fill('');
      this.#mask = 63;
    }
    this.#native = new native.HDInflater(limit);
  }

  /**
   * Decodes one complete header block.
   *
   * Wraps `nghttp2_hd_inflate_hd2` (with `in_final` set) and
   * `nghttp2_hd_inflate_end_headers`.
   *
   * @param data - The whole header block.
   * @returns The header list as `[name, value]` pairs, in order: Buffers by
   *   default, views of a shared 32 KiB pool slab, as small Buffers from
   *   `Buffer.allocUnsafe` are (copy one before keeping it for long); strings
   *   (latin1) with `{ strings: true }`, see {@link HDInflaterOptions.strings}.
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) if
   *   `data` is not a Buffer or Uint8Array.
   * @throws {@link HeaderCompressionError} if the block is not valid HPACK
   *   (garbage, truncated, an index past the table, a table size update
   *   above the limit), or holds a name or value whose encoded string is longer than
   *   64 KiB (nghttp2's per-field limit). The dynamic table is then out of step with the
   *   encoder: the error's `usable` is false and so is {@link HDInflater.usable};
   *   every later call throws the same error.
   * @throws {@link HeaderListTooLargeError} if the block decodes past
   *   `maxHeaderListSize`; the inflater stays usable.
   */
  inflate(data: Uint8Array): HDHeaderList<S> {
    if (!(data instanceof Uint8Array)) throw new ArgumentError('data must be a Buffer or Uint8Array');
    if (this.#strings) return this.#inflateStrings(data) as HDHeaderList<S>;
    let start = pool.offset;
    let n = this.#native.inflate(data, pool.ab, start);
    if (n < 0) {
      if (n === ERR_NO_SPACE) {
        pool.fresh(this.#native.pendingLength());
        start = 0;
        n = this.#native.takePending(pool.ab, 0);
      } else if (n === native.HDInflater.ERR_HEADER_LIST_TOO_LARGE) {
        throw new HeaderListTooLargeError(this.#maxHeaderListSize);
      } else {
        throw nghttp2Error(n, this.#native.isUsable());
      }
    }
    const { ab, u32 } = pool;
    pool.advance(n);
    const w = start >>> 2;
    const count = u32[w];
    const nbytes = u32[w + 1];
    let l = w + 2 + ((nbytes + 3) >>> 2);
    const out: [Buffer, Buffer][] = new Array(count);
    let off = start + 8;
    for (let i = 0; i < count; i++) {
      const nlen = u32[l++];
      const vlen = u32[l++];
      const name = new FastBuffer(ab, off, nlen) as Buffer;
      off += nlen;
      const value = new FastBuffer(ab, off, vlen) as Buffer;
      off += vlen;
      out[i] = [name, value];
    }
    return out as HDHeaderList<S>;
  }

  #inflateStrings(data: Uint8Array): [string, string][] {
    const lit = this.#native.inflateStrings(data, scratch.ab);
    if (typeof lit === 'string') return this.#readStrings(lit);
    if (lit !== ERR_NO_SPACE) throw nghttp2Error(lit, this.#native.isUsable());
    scratch.grow(this.#native.pendingLength());
    try {
      return this.#readStrings(this.#native.takePendingStrings(scratch.ab));
    } finally {
      scratch.reset();
    }
  }

  /** Builds the header list from the records in the scratch area and the block's literal string. */
  #readStrings(lit: string): [string, string][] {
    const u32 = scratch.u32;
    const count = u32[0];
    if (u32[2] !== 0) {
      this.#follow(count);
      throw new HeaderListTooLargeError(this.#maxHeaderListSize);
    }
    const sn = staticNames!;
    const sv = staticValues;
    let names = this.#names;
    let values = this.#values;
    let mask = this.#mask;
    let inserted = this.#inserted;
    const out: [string, string][] = new Array(count);
    let pos = 0;
    let w = SCRATCH_HEAD_WORDS;
    for (let i = 0; i < count; i++, w += RECORD_WORDS) {
      const kind = u32[w];
      const index = u32[w + 1];
      if (kind === REC_INDEXED) {
        if (index <= 61) {
          out[i] = [sn[index], sv[index]];
        } else {
          const slot = (inserted + 61 - index) & mask;
          out[i] = [names[slot], values[slot]];
        }
        continue;
      }
      let name: string;
      if (index === 0) {
        const end = pos + u32[w + 2];
        name = lit.substring(pos, end);
        pos = end;
      } else if (index <= 61) {
        name = sn[index];
      } else {
        name = names[(inserted + 61 - index) & mask];
      }
      const end = pos + u32[w + 3];
      let value = lit.substring(pos, end);
      if ((kind & 3) === REC_INSERTED) {
        if (lit.length > RETAIN_LIMIT) {
          const at = u32[3];
          if (index === 0 && name.length >= 13) name = scratch.buf.toString('latin1', at + pos - name.length, at + pos);
          if (value.length >= 13) value = scratch.buf.toString('latin1', at + pos, at + end);
        }
        const live = kind >>> 2;
        if (live > mask + 1) {
          this.#inserted = inserted;
          this.#grow(live);
          names = this.#names;
          values = this.#values;
          mask = this.#mask;
        }
        const slot = inserted & mask;
        names[slot] = name;
        values[slot] = value;
        inserted++;
      }
      pos = end;
      out[i] = [name, value];
    }
    this.#inserted = inserted;
    return out;
  }

  /** Follows the dynamic table through the records of a block past the limit. */
  #follow(count: number): void {
    const u32 = scratch.u32;
    const sn = staticNames!;
    let pos = 0;
    for (let i = 0, w = SCRATCH_HEAD_WORDS; i < count; i++, w += RECORD_WORDS) {
      const kind = u32[w];
      const index = u32[w + 1];
      if (kind === REC_INDEXED) continue;
      const nameStart = pos;
      pos += u32[w + 2];
      const valueStart = pos;
      pos += u32[w + 3];
      if ((kind & 3) !== REC_INSERTED) continue;
      const at = u32[3];
      const name = index === 0 ? scratch.buf.toString('latin1', at + nameStart, at + valueStart)
        : index <= 61 ? sn[index] : this.#names[(this.#inserted + 61 - index) & this.#mask];
      const value = scratch.buf.toString('latin1', at + valueStart, at + pos);
      if (kind >>> 2 > this.#mask + 1) this.#grow(kind >>> 2);
      const slot = this.#inserted & this.#mask;
      this.#names[slot] = name;
      this.#values[slot] = value;
      this.#inserted++;
    }
  }

  /** Grows the ring of the dynamic table copy to hold `live` entries, keeping the newest `live - 1`. */
  #grow(live: number): void {
    let size = this.#mask + 1;
    while (size < live) size *= 2;
    const names: string[] = new Array(size).fill('');
    const values: string[] = new Array(size).fill('');
    for (let seq = Math.max(0, this.#inserted - (live - 1)); seq < this.#inserted; seq++) {
      names[seq & (size - 1)] = this.#names[seq & this.#mask];
      values[seq & (size - 1)] = this.#values[seq & this.#mask];
    }
    this.#names = names;
    this.#values = values;
    this.#mask = size - 1;
  }

  /**
   * Changes the dynamic table size limit this decoder accepts, as after
   * sending SETTINGS_HEADER_TABLE_SIZE and receiving its ACK. A dynamic
   * table size update in a later block above this limit is an error.
   *
   * Wraps `nghttp2_hd_inflate_change_table_size`.
   *
   * @param hdTableBufsizeMax - New size, in bytes.
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) if
   *   the size is not an integer in [0, 2^32-1].
   * @throws {@link NGHTTP2Error} if nghttp2 rejects it.
   */
  changeTableSize(hdTableBufsizeMax: number): void {
    checkTableSize(hdTableBufsizeMax);
    const rv = this.#native.changeTableSize(hdTableBufsizeMax);
    if (rv < 0) throw nghttp2Error(rv, this.#native.isUsable());
  }

  /**
   * A copy of the dynamic table, newest entry first.
   *
   * Wraps `nghttp2_hd_inflate_get_table_entry`.
   */
  getHdTable(): HDTableEntry[] {
    return toEntries(this.#native.getHdTable());
  }

  /** Current size of the dynamic table, in bytes (`nghttp2_hd_inflate_get_dynamic_table_size`). */
  get dynamicTableSize(): number {
    return this.#native.dynamicTableSize();
  }

  /** False once a decoding error has put the dynamic table out of step; then every `inflate` throws. */
  get usable(): boolean {
    return this.#native.isUsable();
  }
}

/**
 * Prints a dynamic table as nghttp2's Python binding does, one line per
 * entry, newest first: `[idx] (s=N) name: value`, where N is the entry's
 * {@link HDTableEntry.space} in bytes and idx counts from 1. Names and values
 * are decoded as UTF-8.
 *
 * @param hdtable - A table from `HDDeflater.getHdTable()` or `HDInflater.getHdTable()`.
 * @param out - Where to write (default `process.stdout`).
 */
export function printHdTable(
  hdtable: readonly HDTableEntry[],
  out: { write(s: string): unknown } = process.stdout,
): void {
  let text = '';
  hdtable.forEach((entry, i) => {
    text += `[${i + 1}] (s=${entry.space()}) ${entry.name.toString('utf8')}: ${entry.value.toString('utf8')}\n`;
  });
  if (text) out.write(text);
}
