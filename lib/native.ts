/**
 * Typed declarations of the native addon (`binding/`) and its loader.
 *
 * The glue returns the C libraries' error codes (negative numbers) rather
 * than throwing; the public classes in this package turn those codes into
 * typed exceptions. Nothing here is part of the public API.
 *
 * @internal
 * @packageDocumentation
 */
import * as path from 'node:path';

/** Versions of the C libraries linked into the addon. */
export interface NativeVersions {
  /** `nghttp2_version(0)->version_str` of the statically linked nghttp2. */
  nghttp2: string;
  /** `zlibVersion()` of the statically linked zlib. */
  zlib: string;
  /** The N-API version the addon was built for. */
  napi: number;
}

/** `binding/hd_deflater.cc`: wraps `nghttp2_hd_deflater`. */
export interface NativeHDDeflater {
  /**
   * Encodes one header block from a single ASCII string holding every name
   * and value back to back; `lens[2i]`/`lens[2i+1]` are the lengths of field
   * i's name and value. Returns the block, a negative nghttp2 error code, or
   * `undefined` when the string is not pure ASCII (use `deflateBytes`).
   */
  deflateString(joined: string, lens: Uint32Array, count: number, sensitive: Uint8Array | null): Buffer | number | undefined;
  /** As `deflateString` with the fields already encoded as bytes. */
  deflateBytes(bytes: Uint8Array, lens: Uint32Array, count: number, sensitive: Uint8Array | null): Buffer | number;
  /** `nghttp2_hd_deflate_change_table_size`: 0 or a negative error code. */
  changeTableSize(size: number): number;
  /** Dynamic table entries, newest first. */
  getHdTable(): [Buffer, Buffer][];
  /** `nghttp2_hd_deflate_get_dynamic_table_size`, in bytes. */
  dynamicTableSize(): number;
  /** `nghttp2_hd_deflate_get_max_dynamic_table_size`, in bytes. */
  maxDynamicTableSize(): number;
}

/** `binding/hd_inflater.cc`: wraps `nghttp2_hd_inflater`. */
export interface NativeHDInflater {
  /**
   * Decodes one complete header block. Returns an ArrayBuffer laid out as
   * `uint32 count`, `count` pairs of `uint32` (name length, value length),
   * then the names and values back to back; or a negative error code.
   */
  inflate(block: Uint8Array): ArrayBuffer | number;
  /** `nghttp2_hd_inflate_change_table_size`: 0 or a negative error code. */
  changeTableSize(size: number): number;
  /** Dynamic table entries, newest first. */
  getHdTable(): [Buffer, Buffer][];
  /** `nghttp2_hd_inflate_get_dynamic_table_size`, in bytes. */
  dynamicTableSize(): number;
  /** False once a decoding error has desynchronised the dynamic table. */
  isUsable(): boolean;
}

/** The native module's exports. */
export interface NativeModule {
  versions(): NativeVersions;
  nghttp2Strerror(code: number): string;
  HDDeflater: new (maxDeflateTableSize: number) => NativeHDDeflater;
  HDInflater: {
    new (maxHeaderListSize: number): NativeHDInflater;
    /** Code returned by `inflate` when the decoded list exceeds the limit. */
    readonly ERR_HEADER_LIST_TOO_LARGE: number;
  };
  Http2Session: new (...args: unknown[]) => unknown;
}

function load(): NativeModule {
  // SPDYLAY_NATIVE_PATH loads a specific build (a sanitizer build, say).
  const override = process.env.SPDYLAY_NATIVE_PATH;
  if (override) return require(path.resolve(override)) as NativeModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gypBuild = require('node-gyp-build') as (dir: string) => NativeModule;
  return gypBuild(path.join(__dirname, '..'));
}

/** The loaded addon (build/Release, build/Debug, or the matching prebuild). */
export const native: NativeModule = load();
