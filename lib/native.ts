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

/**
 * Results that produce bytes are written into a caller-owned slab
 * (`slab`, `offset`: see lib/pool.ts) and the call returns their length;
 * when they do not fit it returns `ERR_NO_SPACE`, `pendingLength()` tells
 * how much room is needed and `takePending(slab, offset)` writes them.
 */
interface SlabOutput {
  pendingLength(): number;
  takePending(slab: ArrayBuffer, offset: number): number;
}

/** `binding/hd_deflater.cc`: wraps `nghttp2_hd_deflater`. */
export interface NativeHDDeflater extends SlabOutput {
  /**
   * Encodes one header block from a single ASCII string holding every name
   * and value back to back; `lens[2i]`/`lens[2i+1]` are the lengths of field
   * i's name and value. Returns the block's length, a negative error code,
   * or `undefined` when the string is not pure ASCII (use `deflateBytes`).
   */
  deflateString(joined: string, lens: Uint32Array, count: number, sensitive: Uint8Array | null,
    slab: ArrayBuffer, offset: number): number | undefined;
  /** As `deflateString` with the fields already encoded as bytes. */
  deflateBytes(bytes: Uint8Array, lens: Uint32Array, count: number, sensitive: Uint8Array | null,
    slab: ArrayBuffer, offset: number): number;
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
export interface NativeHDInflater extends SlabOutput {
  /**
   * Decodes one complete header block into the slab at `offset` (4-aligned)
   * as `uint32 count`, `count` pairs of `uint32` (name length, value length),
   * then the names and values back to back; returns the bytes written or a
   * negative error code.
   */
  inflate(block: Uint8Array, slab: ArrayBuffer, offset: number): number;
  /** `nghttp2_hd_inflate_change_table_size`: 0 or a negative error code. */
  changeTableSize(size: number): number;
  /** Dynamic table entries, newest first. */
  getHdTable(): [Buffer, Buffer][];
  /** `nghttp2_hd_inflate_get_dynamic_table_size`, in bytes. */
  dynamicTableSize(): number;
  /** False once a decoding error has desynchronised the dynamic table. */
  isUsable(): boolean;
}

/**
 * `binding/h2_session.cc`: a server-side `nghttp2_session` driven with
 * `nghttp2_session_mem_recv`/`nghttp2_session_mem_send` (event batch layout
 * in binding/h2_session.h).
 */
export interface NativeHttp2Session {
  /** Runs `nghttp2_session_mem_recv` over a chunk: its events, undefined, or a negative error code. */
  recv(chunk: Uint8Array): ArrayBuffer | undefined | number;
  /** Events produced while sending (stream closes), or undefined. */
  takeEvents(): ArrayBuffer | undefined;
  /** Pulls frames until nothing is pending or `maxBytes` were produced. */
  send(maxBytes: number): Buffer | undefined | number;
  /** `nghttp2_submit_response`; bodyKind 0 none, 1 bytes served natively, 2 JS read callback. */
  submitResponse(streamId: number, status: number, headers: string | Uint8Array | null, count: number,
    bodyKind: number, body: string | Uint8Array | null): number;
  /** `nghttp2_submit_push_promise`: the promised stream ID or a negative error code. */
  submitPushPromise(streamId: number, headers: string | Uint8Array, count: number): number;
  /** `nghttp2_session_resume_data`: 0 or a negative error code. */
  resumeData(streamId: number): number;
  /** `nghttp2_submit_rst_stream`. */
  submitRstStream(streamId: number, errorCode: number): number;
  /** `nghttp2_submit_goaway` with the last processed stream ID. */
  submitGoaway(errorCode: number): number;
  /** `nghttp2_session_terminate_session`. */
  terminate(errorCode: number): number;
  /** Frees the session. Idempotent. */
  destroy(): void;
}

/** The native module's exports. */
export interface NativeModule {
  versions(): NativeVersions;
  nghttp2Strerror(code: number): string;
  HDDeflater: {
    new (maxDeflateTableSize: number): NativeHDDeflater;
    readonly ERR_NO_SPACE: number;
  };
  HDInflater: {
    new (maxHeaderListSize: number): NativeHDInflater;
    readonly ERR_NO_SPACE: number;
    /** Code returned by `inflate` when the decoded list exceeds the limit. */
    readonly ERR_HEADER_LIST_TOO_LARGE: number;
  };
  Http2Session: new (
    readFn: (streamId: number, maxLength: number) => Uint8Array | undefined | null,
    state: Int32Array,
    maxConcurrentStreams: number,
  ) => NativeHttp2Session;
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
