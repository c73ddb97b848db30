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
  /** `dpkg-query -W -f='${Version}' libnghttp2-dev` at configure time, or `""`. */
  nghttp2Package: string;
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

/** `binding/nghttp2/hd_deflater.cc`: wraps `nghttp2_hd_deflater`. */
export interface NativeHDDeflater extends SlabOutput {
  /**
   * Encodes one header block whose names and values are the arguments after
   * the first three, in order (strings, written as UTF-8, or Uint8Arrays);
   * `sensitive[i]` set marks field i never-indexed. An own function of each
   * deflater. Returns the block's length, a negative error code, or
   * `ERR_NO_SPACE` (the block waits for `takePending`).
   */
  deflateFields(slab: ArrayBuffer, offset: number, sensitive: Uint8Array | null, ...parts: (string | Uint8Array)[]): number;
  /**
   * Encodes one header block from a single string holding every name and
   * value back to back, written as UTF-8; `lens[2i]`/`lens[2i+1]` are the
   * UTF-16 lengths of field i's name and value. Returns the block's length,
   * a negative error code, or `undefined` when a surrogate pair spans two
   * fields (use `deflateBytes`).
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

/** `binding/nghttp2/hd_inflater.cc`: wraps `nghttp2_hd_inflater`. */
export interface NativeHDInflater extends SlabOutput {
  /**
   * Decodes one complete header block into the slab at `offset` (4-aligned)
   * as `uint32 count`, `uint32 nbytes`, the names and values back to back
   * (`nbytes`, padded to 4), then `count` pairs of `uint32` (name length,
   * value length); returns the bytes written or a negative error code.
   */
  inflate(block: Uint8Array, slab: ArrayBuffer, offset: number): number;
  /**
   * The string mode: decodes one complete header block into `scratch` as
   * uint32 words `[count, literal bytes, too large (0/1), byte offset of the
   * literal bytes]`, then 4 words per field (`kind | liveEntries << 2` with
   * kind 0 indexed, 1 literal, 2 literal that entered the dynamic table; the
   * HPACK table index of the field, or of a literal's name, 0 for a literal
   * name; literal name length; literal value length), then the literal
   * bytes; returns those literal bytes as one latin1 string, or a negative
   * error code (`ERR_NO_SPACE`: call `takePendingStrings` with a scratch of
   * `pendingLength()` bytes).
   */
  inflateStrings(block: Uint8Array, scratch: ArrayBuffer): string | number;
  /** After `ERR_NO_SPACE` from `inflateStrings`: writes the output into `scratch`, returns the string. */
  takePendingStrings(scratch: ArrayBuffer): string;
  /** `nghttp2_hd_inflate_change_table_size`: 0 or a negative error code. */
  changeTableSize(size: number): number;
  /** Dynamic table entries, newest first. */
  getHdTable(): [Buffer, Buffer][];
  /** `nghttp2_hd_inflate_get_dynamic_table_size`, in bytes. */
  dynamicTableSize(): number;
  /** False once a decoding error has desynchronised the dynamic table. */
  /** Capacity, in bytes, of the output kept between calls (for tests of its bound). */
  keptBytes(): number;
  isUsable(): boolean;
}

/** Event kinds of a `NativeHttp2Session` batch (binding/nghttp2/server_session.h EventType). */
export type Http2EventKind = 'headers' | 'data' | 'endStream' | 'close' | 'settingsAck' | 'limitReset' | 'trailers'
  | 'xForwardedFor';

/**
 * `Http2Session.layout`: the event batch, shared state and limit numbers of a
 * native HTTP/2 server session, as declared in binding/nghttp2/server_session.h.
 */
export interface NativeHttp2Layout {
  /** The first word of each event record. */
  readonly events: Readonly<Record<Http2EventKind, number>>;
  /** The limit numbers of `state[state.limit]` and LIMIT_RESET records. */
  readonly limits: Readonly<Record<'maxHeaderListSize' | 'maxOutboundAck' | 'maxEmptyFrames'
    | 'streamResetRate' | 'maxContinuations', number>>;
  /** The slots of the shared state, and `count`: its length. */
  readonly state: Readonly<Record<'readFlag' | 'want' | 'events' | 'memory' | 'limit' | 'midHeaders' | 'count', number>>;
  /** What the read callback stores in `state[state.readFlag]`. */
  readonly readFlags: Readonly<Record<'ok' | 'eof' | 'deferred' | 'error', number>>;
  /** The `bodyKind` argument of `submitResponse`. */
  readonly bodyKinds: Readonly<Record<'none' | 'bytes' | 'js', number>>;
  /**
   * Word offsets inside a record: `value` is DATA's length, CLOSE's error
   * code, LIMIT_RESET's limit; `dataBytes` DATA's payload; the HEADERS
   * record has `headersFlags`, `fieldCount`, `byteCount`, (offset, length)
   * pairs at `method`, `scheme`, `path`, `authority`, `host`, then the field
   * lengths from `fieldLengths`.
   */
  readonly record: Readonly<Record<'streamId' | 'value' | 'dataBytes' | 'headersFlags' | 'fieldCount'
    | 'byteCount' | 'method' | 'scheme' | 'path' | 'authority' | 'host' | 'fieldLengths', number>>;
  /** The length of an absent pseudo-header. */
  readonly absent: number;
  /** recv() result when a frame broke a flood limit. */
  readonly errLimit: number;
}

/**
 * `binding/nghttp2/server_session.cc`: a server-side `nghttp2_session` driven with
 * `nghttp2_session_mem_recv`/`nghttp2_session_mem_send` (event batch layout
 * in binding/nghttp2/server_session.h).
 */
export interface NativeHttp2Session {
  /**
   * Scans the chunk's frame heads (flood limits, header-block tracking), then runs
   * `nghttp2_session_mem_recv` over it: its events, undefined, or a negative code
   * (an nghttp2 error, or -30010 for a flood limit; state[4] names the limit).
   */
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
  /**
   * Trailer fields for the stream's body (`nghttp2_submit_trailer` once it
   * reaches EOF): 0, or NGHTTP2_ERR_INVALID_ARGUMENT when no body is being served.
   */
  submitTrailers(streamId: number, headers: string | Uint8Array, count: number): number;
  /** A 1xx HEADERS frame (`nghttp2_submit_headers`, no END_STREAM): 0 or a negative error code. */
  submitInfo(streamId: number, status: number, headers: string | Uint8Array | null, count: number): number;
  /** `nghttp2_session_resume_data`: 0 or a negative error code. */
  resumeData(streamId: number): number;
  /** `nghttp2_session_consume` for `count` (streamId, bytes) pairs of `list`; 0 or a fatal error code. */
  consume(list: Int32Array, count: number): number;
  /** `nghttp2_submit_rst_stream`. */
  submitRstStream(streamId: number, errorCode: number): number;
  /** `nghttp2_submit_goaway` with the last processed stream ID. */
  submitGoaway(errorCode: number): number;
  /** `nghttp2_session_terminate_session`. */
  terminate(errorCode: number): number;
  /** Frees the session. Idempotent. */
  destroy(): void;
}

// ---- spdylay: binding/spdylay/, used by lib/spdylay/ ----

/** The dispatch kinds of a `NativeSpdylaySession` (binding/spdylay/event_record.h). */
export type SpdylayEventKind = 'send' | 'recv' | 'read' | 'ctrlRecv' | 'invalidCtrlRecv' | 'beforeCtrlSend'
  | 'ctrlSend' | 'ctrlNotSend' | 'dataChunkRecv' | 'dataRecv' | 'dataSend' | 'streamClose' | 'requestRecv'
  | 'parseError' | 'unknownCtrl' | 'newSlab' | 'ctrlRecvRequestRecv' | 'dataBatch' | 'queue'
  | 'dataBatchStreamClose';

/** The slots of a `NativeSpdylaySession`'s record (binding/spdylay/event_record.h). */
export type SpdylayRecordSlot = 'type' | 'version' | 'flags' | 'length' | 'streamId' | 'assoc' | 'pri' | 'slot'
  | 'status' | 'uniqueId' | 'delta' | 'nvCount' | 'extra' | 'eof' | 'nvWords' | 'a' | 'b' | 'c' | 'd' | 'batch' | 'queue' | 'frameNv';

/**
 * `SpdylaySession.layout`: how a native SPDY session talks to its JS
 * dispatcher, as declared in binding/spdylay/event_record.h.
 */
export interface NativeSpdylayLayout {
  /** The value of each dispatch kind (the dispatcher's first argument). */
  readonly kinds: Readonly<Record<SpdylayEventKind, number>>;
  /** The index of each record slot, and `size`: the record's length in int32s. */
  readonly record: Readonly<Record<SpdylayRecordSlot | 'size', number>>;
  /** Int32s per batched DATA event (from `record.batch` on). */
  readonly batchStride: number;
  /** A batched event's first int32 is `kind << batchKindShift | flags`. */
  readonly batchKindShift: number;
  /** The slots of a session's interned names and values (FLAG_INTERN_NV). */
  readonly internSlots: number;
}

/**
 * The JS dispatcher a `NativeSpdylaySession` calls for every C callback
 * while `send()`/`recv()` run: `kind` is one of `layout.kinds`; integer
 * arguments are in the record, at most two values are passed.
 * Returns a number (bytes or a spdylay error code) or bytes for the
 * send/recv/read kinds; ignored for the others. Must not throw.
 */
export type NativeSpdylayDispatch = (kind: number, a?: unknown, b?: unknown, c?: unknown) => unknown;

/** `binding/spdylay/session.cc`: wraps a `spdylay_session` of deps/spdylay. */
export interface NativeSpdylaySession {
  /** `spdylay_session_send` (+ flushing coalesced output): 0 or a negative error code. */
  send(dispatch: NativeSpdylayDispatch): number;
  /** `spdylay_session_mem_recv(data)` (bytes consumed) or `spdylay_session_recv` (0); or a negative code. */
  recv(dispatch: NativeSpdylayDispatch, data?: Uint8Array | null): number;
  resumeData(streamId: number): number;
  wantRead(): boolean;
  wantWrite(): boolean;
  /** The stream's user-data token (0: none). */
  getStreamUserData(streamId: number): number;
  getOutboundQueueSize(): number;
  getPriLowest(): number;
  /** `spdylay_session_get_stream_recv_data_length`: -1 when the stream does not exist. */
  getStreamRecvDataLength(streamId: number): number;
  failSession(statusCode: number): number;
  /** `spdylay_session_set_option`: uint32 for OPT 2 and 4..9, int (0/1) otherwise; 0 or a negative code. */
  setOption(optname: number, value: number): number;
  consume(streamId: number, size: number): number;
  /**
   * `nv` is every name and value followed by NUL; `nvLen` its length; `count`
   * pairs; `nvId` a positive number naming that string (never another one),
   * whose split list the session keeps for the next submits with that id, or
   * 0/omitted.
   */
  submitRequest(pri: number, nv: string, nvLen: number, count: number, providerToken: number,
    userToken: number, body?: Uint8Array, nvId?: number): number;
  submitSynStream(flags: number, assocStreamId: number, pri: number, nv: string, nvLen: number,
    count: number, userToken: number, nvId?: number): number;
  submitResponse(streamId: number, nv: string, nvLen: number, count: number, providerToken: number,
    body?: Uint8Array, nvId?: number): number;
  submitSynReply(flags: number, streamId: number, nv: string, nvLen: number, count: number, nvId?: number): number;
  submitHeaders(flags: number, streamId: number, nv: string, nvLen: number, count: number, nvId?: number): number;
  /** `body`: served natively (BufferDataProvider) instead of the JS provider `providerToken`. */
  submitData(streamId: number, flags: number, providerToken: number, body?: Uint8Array): number;
  submitRstStream(streamId: number, statusCode: number): number;
  submitPing(): number;
  submitGoaway(statusCode: number): number;
  /** `iv` holds (settings ID, flags, value) triples. */
  submitSettings(flags: number, iv: Uint32Array): number;
  submitWindowUpdate(streamId: number, delta: number): number;
  /** Coalesced output bytes not yet taken by the JS send callback. */
  pendingSendLength(): number;
  /** Whether a send()/recv() is running on this session. */
  inCall(): boolean;
  /** `spdylay_session_get_limit_exceeded`: a `SPDYLAY_LIMIT_*` value (0: none). */
  getLimitExceeded(): number;
  /** `spdylay_session_in_ctrl_frame() != 0`. */
  inCtrlFrame(): boolean;
}

/** Module-level spdylay helpers. */
export interface NativeSpdylayHelpers {
  /** `spdylay_strerror`. */
  strerror(code: number): string;
  /** Tokens of `spdylay_npn_get_proto_list`, in library order. */
  npnProtocols(): string[];
  /** `spdylay_npn_get_version` over the UTF-8 bytes of `proto`. */
  npnGetVersion(proto: string): number;
  /** `SPDYLAY_VERSION` of deps/spdylay. */
  version: string;
}
// ---- end spdylay ----

// ---- h2 client: binding/nghttp2/client_session.{h,cc}, used by lib/spdylay/client/h2.ts ----

/**
 * `binding/nghttp2/client_session.cc`: a client-side `nghttp2_session` driven with
 * `nghttp2_session_mem_recv`/`nghttp2_session_mem_send` (event batch layout
 * in binding/nghttp2/client_session.h). Returns nghttp2 error codes, never throws them.
 */
export interface NativeHttp2ClientSession {
  /** `nghttp2_session_mem_recv` over a chunk: its events, undefined, or a negative error code. */
  recv(chunk: Uint8Array): ArrayBuffer | undefined | number;
  /** Events produced while sending (stream closes, trace), or undefined. */
  takeEvents(): ArrayBuffer | undefined;
  /** Pulls frames until nothing is pending or `maxBytes` were produced. */
  send(maxBytes: number): Buffer | undefined | number;
  /** `nghttp2_submit_request`; `headers` is "name\0value\0..." (every field NUL-terminated); the stream ID or a negative code. */
  submitRequest(headers: string, count: number, body: Uint8Array | null): number;
  /** `nghttp2_submit_rst_stream`. */
  submitRstStream(streamId: number, errorCode: number): number;
  /** `nghttp2_submit_goaway` with the last processed stream ID. */
  submitGoaway(errorCode: number): number;
  /** Frees the session. Idempotent. */
  destroy(): void;
}
/** `Http2ClientSession.layout`: its event kinds and state slots, as declared in binding/nghttp2/client_session.h. */
export interface NativeHttp2ClientLayout {
  readonly events: Readonly<Record<'headers' | 'data' | 'close' | 'frame' | 'goaway', number>>;
  readonly state: Readonly<Record<'want' | 'events' | 'count', number>>;
}
// ---- end h2 client ----

/** The native module's exports. */
export interface NativeModule {
  versions(): NativeVersions;
  nghttp2Strerror(code: number): string;
  /** Bytes of idle blocks in this environment's HPACK allocator free lists (tests of their bound). */
  hpackPoolCachedBytes(): number;
  /**
   * V8's count of external memory, in bytes (`napi_adjust_external_memory`
   * by 0): it includes what each live SPDY session reports of its native
   * memory, 40 KiB (tests of that accounting).
   */
  externalMemoryReported(): number;
  HDDeflater: {
    new (maxDeflateTableSize: number): NativeHDDeflater;
    readonly ERR_NO_SPACE: number;
  };
  HDInflater: {
    new (maxHeaderListSize: number): NativeHDInflater;
    readonly ERR_NO_SPACE: number;
    /** Code returned by `inflate` when the decoded list exceeds the limit. */
    readonly ERR_HEADER_LIST_TOO_LARGE: number;
    /** The 61 entries of HPACK's static table, index 1 first, as nghttp2 has them. */
    staticTable(): [Buffer, Buffer][];
  };
  Http2Session: {
    new (
      readFn: (streamId: number, maxLength: number) => Uint8Array | undefined | null,
      /**
       * Shared state, `layout.state.count` slots named by `layout.state`: the
       * read flag, want read/write bits, event bytes pending, native bytes held
       * (nghttp2's counted allocations + binding buffers), the limit that
       * stopped the session (0 none), inside an incomplete header block.
       */
      state: Int32Array,
      maxConcurrentStreams: number,
      /** Limits enforced natively (missing fields: lib/limits.ts defaults). */
      limits?: {
        maxHeaderListSize?: number; maxOutboundAck?: number; maxEmptyFrames?: number;
        streamResetBurst?: number; streamResetRate?: number; maxContinuations?: number;
      },
    ): NativeHttp2Session;
    /** The event batch, state and limit numbers. */
    readonly layout: NativeHttp2Layout;
  };
  /**
   * `new SpdylaySession(side, version, callbackMask, record, flags?)`: `record`
   * is an Int32Array of `layout.record.size`; `callbackMask` has bit `kind` set
   * for each callback kind to dispatch; `flags` may hold FLAG_REUSE_SEND_BUFFER
   * (the output slab is reused after each sendCb that took all its data) and
   * FLAG_SENT_AFTER_SEND_CB (ctrlSend/dataSend events, when dispatched, come
   * after the send event that carried their frame),
   * FLAG_BATCH_RECV (the receive events of recv(data) reach JS in one call)
   * and FLAG_INTERN_NV (the names and values of frame events are interned).
   */
  SpdylaySession: {
    new (side: number, version: number, callbackMask: number, record: Int32Array, flags?: number): NativeSpdylaySession;
    /** send()/recv() was called from inside one of the session's callbacks. */
    readonly ERR_REENTRANT: number;
    /** A name or value held a NUL. */
    readonly ERR_NV_NUL: number;
    /**
     * submitResponse/submitData result: accepted, but the stream is closed
     * for good, so its body was released at once (the library drops its frames unread).
     */
    readonly BODY_NOT_READ: number;
    /** Constructor flag: sendCb data is valid only during the call (`reuseSendBuffer`). */
    readonly FLAG_REUSE_SEND_BUFFER: number;
    /** Constructor flag: a dispatched ctrlSend/dataSend follows the send event that took its frame's last byte. */
    readonly FLAG_SENT_AFTER_SEND_CB: number;
    /** Constructor flag: the receive events of `recv(data)` reach JS in one call (`batchRecvCallbacks`). */
    readonly FLAG_BATCH_RECV: number;
    /**
     * Constructor flag: the names and values of frame events are interned
     * (the reader reads a frame's list only through `frame()`/`nv()`).
     */
    readonly FLAG_INTERN_NV: number;
    /** The record layout and dispatch kinds. */
    readonly layout: NativeSpdylayLayout;
  };
  /** Module-level spdylay functions. */
  spdylay: NativeSpdylayHelpers;
  /** The urlfetch h2 client: `new Http2ClientSession(state: Int32Array(layout.state.count), trace, windowSize)`. */
  Http2ClientSession: {
    new (state: Int32Array, trace: boolean, windowSize: number): NativeHttp2ClientSession;
    /** Event kinds and state slots (binding/nghttp2/client_session.h). */
    readonly layout: NativeHttp2ClientLayout;
  };
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

/** The native SPDY session's record layout and dispatch kinds. */
export const spdylayLayout: NativeSpdylayLayout = native.SpdylaySession.layout;

/** The native HTTP/2 server session's event batch and state layout. */
export const http2Layout: NativeHttp2Layout = native.Http2Session.layout;
