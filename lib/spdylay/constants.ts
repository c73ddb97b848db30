/**
 * Constants of the `spdylay` module: the values of the spdylay 1.4 C API
 * (`deps/spdylay/include/spdylay/spdylay.h`) under the names of the
 * python-spdylay binding.
 *
 * @packageDocumentation
 */

// ---- Session side ----
/** `Session` side: client (odd stream IDs, PING IDs). */
export const CLIENT = 1;
/** `Session` side: server (even stream IDs, PING IDs). */
export const SERVER = 2;

// ---- Protocol versions (spdylay_proto_version) ----
/** SPDY/2 (`SPDYLAY_PROTO_SPDY2`). */
export const PROTO_SPDY2 = 2;
/** SPDY/3 (`SPDYLAY_PROTO_SPDY3`). */
export const PROTO_SPDY3 = 3;
/**
 * SPDY/3.1 (`SPDYLAY_PROTO_SPDY3_1`): a library value only, frames carry
 * version 3 on the wire. (The python binding has no such constant; passing
 * 4 works there too.)
 */
export const PROTO_SPDY3_1 = 4;

// ---- Session options (Session.setOption; not in python-spdylay) ----
/** `SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE`: true stops automatic WINDOW_UPDATE (deprecated: use {@link OPT_NO_AUTO_WINDOW_UPDATE2}). */
export const OPT_NO_AUTO_WINDOW_UPDATE = 1;
/** `SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER`: the largest control frame accepted, 8192..16777215 bytes (default 16 MiB - 1). */
export const OPT_MAX_RECV_CTRL_FRAME_BUFFER = 2;
/**
 * `SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2`: true makes WINDOW_UPDATE follow
 * `Session.consume()` instead of arrival, so a slow consumer of one stream
 * holds back only that stream's sender.
 */
export const OPT_NO_AUTO_WINDOW_UPDATE2 = 3;
/*
 * Options 4..9 are this project's extension of the C library (not in
 * spdylay 1.4): limits that keep one peer from exhausting the process. They
 * are ON by default with the values given (far above what an ordinary peer
 * uses). Each takes an integer number (a C uint32_t); out of range ->
 * `InvalidArgumentError`. When one of them other than the header list size
 * is passed, the session queues GOAWAY(PROTOCOL_ERROR) ahead of everything
 * else, stops reading, and `Session.recv()` throws `FloodedError` (then and
 * on every later call); `Session.send()` still writes the GOAWAY.
 */
/**
 * `SPDYLAY_OPT_MAX_HEADER_LIST_SIZE` (extension): bytes of one decompressed
 * header block (SYN_STREAM, SYN_REPLY, HEADERS) kept, 1..4294967295, default
 * 65536 (the effective limit is the smaller of this and
 * {@link OPT_MAX_RECV_CTRL_FRAME_BUFFER}). Past it the rest of the block is
 * decompressed into a scratch buffer (zlib stays in step) and the stream is
 * refused: RST_STREAM `FRAME_TOO_LARGE` is queued and `onInvalidCtrlRecvCb`
 * gets the frame with an empty `nv` and status `FRAME_TOO_LARGE`; the
 * session goes on. The refusal counts as an empty frame
 * ({@link OPT_MAX_EMPTY_FRAMES}).
 */
export const OPT_MAX_HEADER_LIST_SIZE = 4;
/**
 * `SPDYLAY_OPT_MAX_OUTBOUND_ACK` (extension): frames the library queued on its
 * own in reply to the peer (PING replies, RST_STREAM for the peer's stream
 * errors and refused streams) that may wait unsent, 1..4294967295, default
 * 1000. One more: {@link LIMIT_OUTBOUND_ACK} (a peer that sends PINGs and
 * never reads its socket).
 */
export const OPT_MAX_OUTBOUND_ACK = 5;
/**
 * `SPDYLAY_OPT_MAX_EMPTY_FRAMES` (extension): consecutive received frames that
 * carry nothing (DATA with no payload and no FIN, SETTINGS after the first,
 * header blocks refused as too large), 1..4294967295, default 1000. The count
 * restarts at an accepted SYN_STREAM and at DATA with payload for an open
 * stream. One more: {@link LIMIT_EMPTY_FRAMES}.
 */
export const OPT_MAX_EMPTY_FRAMES = 6;
/**
 * `SPDYLAY_OPT_STREAM_RESET_BURST` (extension): size of the token bucket that
 * every received RST_STREAM for a stream ID of the peer's parity draws from,
 * 1..4294967295, default 1000 (setting it refills the bucket). Empty:
 * {@link LIMIT_STREAM_RESETS}.
 */
export const OPT_STREAM_RESET_BURST = 7;
/**
 * `SPDYLAY_OPT_STREAM_RESET_RATE` (extension): tokens per second added back to
 * the RST_STREAM bucket (monotonic clock), 0..4294967295 (0: never refilled),
 * default 33 (setting it refills the bucket).
 */
export const OPT_STREAM_RESET_RATE = 8;
/**
 * `SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE` (extension): bytes ONE header block
 * may decompress to, kept and discarded together, 1..4294967295, default
 * 1048576 (1 MiB); the effective cap is never below the header list limit.
 * Past it decompression stops at once: {@link LIMIT_HEADER_BLOCK_INFLATE}
 * (a zlib bomb).
 */
export const OPT_MAX_HEADER_BLOCK_INFLATE = 9;

// ---- Limits (spdylay_limit; extension): Session.getLimitExceeded(), FloodedError.limit ----
/** `SPDYLAY_LIMIT_NONE`: no limit exceeded. */
export const LIMIT_NONE = 0;
/** `SPDYLAY_LIMIT_OUTBOUND_ACK`: {@link OPT_MAX_OUTBOUND_ACK} replies were waiting unsent. */
export const LIMIT_OUTBOUND_ACK = 1;
/** `SPDYLAY_LIMIT_EMPTY_FRAMES`: more than {@link OPT_MAX_EMPTY_FRAMES} empty frames in a row. */
export const LIMIT_EMPTY_FRAMES = 2;
/** `SPDYLAY_LIMIT_STREAM_RESETS`: the RST_STREAM bucket ({@link OPT_STREAM_RESET_BURST}, {@link OPT_STREAM_RESET_RATE}) ran dry. */
export const LIMIT_STREAM_RESETS = 3;
/** `SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE`: a header block decompressed past {@link OPT_MAX_HEADER_BLOCK_INFLATE}. */
export const LIMIT_HEADER_BLOCK_INFLATE = 4;

// ---- Read callback flags ----
/** Set `readCtrl.flags = READ_EOF` in a `DataProvider` read callback after the last bytes. */
export const READ_EOF = 1;

// ---- Error codes (spdylay_error) ----
/** Invalid argument passed. */
export const ERR_INVALID_ARGUMENT = -501;
/** Zlib error. */
export const ERR_ZLIB = -502;
/** The version is not supported. */
export const ERR_UNSUPPORTED_VERSION = -503;
/** The operation would block (callback return value). */
export const ERR_WOULDBLOCK = -504;
/** General protocol error. */
export const ERR_PROTO = -505;
/** The frame is malformed. */
export const ERR_INVALID_FRAME = -506;
/** The peer performed a shutdown on the connection. */
export const ERR_EOF = -507;
/** Returned by a `DataProvider` read callback to defer the DATA (see `Session.resumeData`). */
export const ERR_DEFERRED = -508;
/** Stream ID has reached the maximum value. */
export const ERR_STREAM_ID_NOT_AVAILABLE = -509;
/** The stream is already closed or does not exist. */
export const ERR_STREAM_CLOSED = -510;
/** RST_STREAM has been queued for the stream. */
export const ERR_STREAM_CLOSING = -511;
/** The stream is shut for writing. */
export const ERR_STREAM_SHUT_WR = -512;
/** The stream ID is invalid. */
export const ERR_INVALID_STREAM_ID = -513;
/** The state of the stream is not valid for the operation. */
export const ERR_INVALID_STREAM_STATE = -514;
/** Another DATA frame has already been deferred. */
export const ERR_DEFERRED_DATA_EXIST = -515;
/** SYN_STREAM is not allowed (GOAWAY has been sent or received). */
export const ERR_SYN_STREAM_NOT_ALLOWED = -516;
/** GOAWAY has already been sent. */
export const ERR_GOAWAY_ALREADY_SENT = -517;
/** The received header block is invalid. */
export const ERR_INVALID_HEADER_BLOCK = -518;
/** The state is invalid for the operation. */
export const ERR_INVALID_STATE = -519;
/** The gzip helper failed. */
export const ERR_GZIP = -520;
/** A user callback failed temporarily (only the stream is affected). */
export const ERR_TEMPORAL_CALLBACK_FAILURE = -521;
/** The frame is too large (C API only; not in the python binding). */
export const ERR_FRAME_TOO_LARGE = -522;
/** Error codes below this value are fatal. */
export const ERR_FATAL = -900;
/** Out of memory (fatal). */
export const ERR_NOMEM = -901;
/** A user callback failed (fatal). */
export const ERR_CALLBACK_FAILURE = -902;
/**
 * `SPDYLAY_ERR_FLOODED` (extension, fatal): the peer exceeded a flood or
 * resource limit; the session has queued GOAWAY(PROTOCOL_ERROR) and ignores
 * further input (`Session.recv()` throws `FloodedError`; `send()` still
 * writes the GOAWAY).
 */
export const ERR_FLOODED = -903;

// ---- Frame types (spdylay_frame_type) ----
/** SYN_STREAM control frame. */
export const SYN_STREAM = 1;
/** SYN_REPLY control frame. */
export const SYN_REPLY = 2;
/** RST_STREAM control frame. */
export const RST_STREAM = 3;
/** SETTINGS control frame. */
export const SETTINGS = 4;
/** NOOP control frame (SPDY/2; deprecated in SPDY/3). Never delivered to callbacks. */
export const NOOP = 5;
/** PING control frame. */
export const PING = 6;
/** GOAWAY control frame. */
export const GOAWAY = 7;
/** HEADERS control frame. */
export const HEADERS = 8;
/** WINDOW_UPDATE control frame (first appeared in SPDY/3). */
export const WINDOW_UPDATE = 9;
/** CREDENTIAL control frame (SPDY/3). Never delivered to callbacks. */
export const CREDENTIAL = 10;

// ---- Control frame flags ----
/** No flags set. */
export const CTRL_FLAG_NONE = 0;
/** FLAG_FIN: the sender's last frame on the stream. */
export const CTRL_FLAG_FIN = 0x1;
/** FLAG_UNIDIRECTIONAL (SYN_STREAM): the receiver may not reply. */
export const CTRL_FLAG_UNIDIRECTIONAL = 0x2;

// ---- DATA frame flags ----
/** No flags set. */
export const DATA_FLAG_NONE = 0;
/** FLAG_FIN on a DATA frame. */
export const DATA_FLAG_FIN = 0x1;

// ---- Stream status codes (spdylay_status_code) ----
/** Normal close: only as the `statusCode` of `onStreamCloseCb`, never in RST_STREAM. */
export const OK = 0;
export const PROTOCOL_ERROR = 1;
export const INVALID_STREAM = 2;
export const REFUSED_STREAM = 3;
export const UNSUPPORTED_VERSION = 4;
export const CANCEL = 5;
export const INTERNAL_ERROR = 6;
export const FLOW_CONTROL_ERROR = 7;
/** SPDY/3 and later. */
export const STREAM_IN_USE = 8;
/** SPDY/3 and later. */
export const STREAM_ALREADY_CLOSED = 9;
/** SPDY/3 and later. */
export const INVALID_CREDENTIALS = 10;
/** SPDY/3 and later. */
export const FRAME_TOO_LARGE = 11;

// ---- GOAWAY status codes ----
export const GOAWAY_OK = 0;
export const GOAWAY_PROTOCOL_ERROR = 1;
export const GOAWAY_INTERNAL_ERROR = 2;

// ---- SETTINGS frame flags ----
export const FLAG_SETTINGS_NONE = 0;
export const FLAG_SETTINGS_CLEAR_SETTINGS = 1;

// ---- SETTINGS IDs ----
export const SETTINGS_UPLOAD_BANDWIDTH = 1;
export const SETTINGS_DOWNLOAD_BANDWIDTH = 2;
export const SETTINGS_ROUND_TRIP_TIME = 3;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 4;
export const SETTINGS_CURRENT_CWND = 5;
export const SETTINGS_DOWNLOAD_RETRANS_RATE = 6;
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
export const SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = 8;
/** The largest SETTINGS ID the library knows. */
export const SETTINGS_MAX = 8;

// ---- SETTINGS ID flags ----
export const ID_FLAG_SETTINGS_NONE = 0;
export const ID_FLAG_SETTINGS_PERSIST_VALUE = 1;
export const ID_FLAG_SETTINGS_PERSISTED = 2;
