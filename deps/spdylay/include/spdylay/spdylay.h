/*
 * spdylay.h - public API of a clean-room SPDY/2, SPDY/3 and SPDY/3.1
 * library that is source compatible with spdylay 1.4.
 *
 * Part of the spdylay npm package.  Written from the project's own
 * specification (spec/spdylay-c-api.md, spec/spdy-protocol.md).
 *
 * Conventions used in this header:
 *
 *  - Functions returning int return 0 (or a non-negative value) on
 *    success and a negative spdylay_error code on failure.
 *  - "Fatal" errors are those < SPDYLAY_ERR_FATAL (SPDYLAY_ERR_NOMEM and
 *    SPDYLAY_ERR_CALLBACK_FAILURE).  After a fatal error the session may
 *    only be passed to spdylay_session_del().
 *  - A name/value array ("nv") is a NULL-terminated array of char*
 *    alternating names and values: nv[2i] is a name, nv[2i+1] its value.
 *  - The library never performs I/O itself; everything goes through the
 *    callbacks in spdylay_session_callbacks.  A session is not
 *    thread-safe.
 */
#ifndef SPDYLAY_H
#define SPDYLAY_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdlib.h>
#include <stdint.h>
#include <sys/types.h>

#include <spdylay/spdylayver.h>

/**
 * SPDY protocol versions.  SPDYLAY_PROTO_SPDY3_1 is a library constant
 * only: SPDY/3.1 frames carry version 3 on the wire.
 */
typedef enum {
  SPDYLAY_PROTO_SPDY2 = 2,
  SPDYLAY_PROTO_SPDY3 = 3,
  SPDYLAY_PROTO_SPDY3_1 = 4
} spdylay_proto_version;

/**
 * Library error codes.  Values in (-900, 0) are non-fatal; values below
 * SPDYLAY_ERR_FATAL are fatal.
 */
typedef enum {
  /** Invalid argument passed. */
  SPDYLAY_ERR_INVALID_ARGUMENT = -501,
  /** Zlib error. */
  SPDYLAY_ERR_ZLIB = -502,
  /** The version is not supported. */
  SPDYLAY_ERR_UNSUPPORTED_VERSION = -503,
  /** Used as a return value of callbacks: the operation would block. */
  SPDYLAY_ERR_WOULDBLOCK = -504,
  /** General protocol error. */
  SPDYLAY_ERR_PROTO = -505,
  /** The frame is malformed. */
  SPDYLAY_ERR_INVALID_FRAME = -506,
  /** The peer performed a shutdown on the connection. */
  SPDYLAY_ERR_EOF = -507,
  /** Used as a return value of a data read callback: data is deferred. */
  SPDYLAY_ERR_DEFERRED = -508,
  /** Stream ID has reached the maximum value. */
  SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE = -509,
  /** The stream is already closed or does not exist. */
  SPDYLAY_ERR_STREAM_CLOSED = -510,
  /** RST_STREAM has been queued for the stream. */
  SPDYLAY_ERR_STREAM_CLOSING = -511,
  /** The transmission is not allowed for this stream (shut for writing). */
  SPDYLAY_ERR_STREAM_SHUT_WR = -512,
  /** The stream ID is invalid. */
  SPDYLAY_ERR_INVALID_STREAM_ID = -513,
  /** The state of the stream is not valid for the operation. */
  SPDYLAY_ERR_INVALID_STREAM_STATE = -514,
  /** Another DATA frame has already been deferred. */
  SPDYLAY_ERR_DEFERRED_DATA_EXIST = -515,
  /** SYN_STREAM is not allowed (GOAWAY has been sent or received). */
  SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED = -516,
  /** GOAWAY has already been sent. */
  SPDYLAY_ERR_GOAWAY_ALREADY_SENT = -517,
  /** The received header block is invalid. */
  SPDYLAY_ERR_INVALID_HEADER_BLOCK = -518,
  /** The state is invalid for the operation. */
  SPDYLAY_ERR_INVALID_STATE = -519,
  /** The gzip helper failed. */
  SPDYLAY_ERR_GZIP = -520,
  /** A user callback failed temporarily (only the stream is affected). */
  SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE = -521,
  /** The length of the frame is too large. */
  SPDYLAY_ERR_FRAME_TOO_LARGE = -522,
  /** Error codes below this value are fatal. */
  SPDYLAY_ERR_FATAL = -900,
  /** Out of memory (fatal). */
  SPDYLAY_ERR_NOMEM = -901,
  /** A user callback failed (fatal). */
  SPDYLAY_ERR_CALLBACK_FAILURE = -902,
  /**
   * Extension (not in spdylay 1.4): the peer exceeded a flood or resource
   * limit (see spdylay_limit and SPDYLAY_OPT_MAX_HEADER_LIST_SIZE ..
   * SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE); the session has queued
   * GOAWAY(PROTOCOL_ERROR) and ignores further input.  Fatal, with one
   * exception to the rule above: spdylay_session_send() may still be
   * called to write the GOAWAY.  Returned by spdylay_session_mem_recv()
   * and spdylay_session_recv().
   */
  SPDYLAY_ERR_FLOODED = -903
} spdylay_error;

/** I/O flags; defined for compatibility, the library always passes 0. */
typedef enum {
  SPDYLAY_MSG_MORE
} spdylay_io_flag;

/** Control frame types. */
typedef enum {
  SPDYLAY_SYN_STREAM = 1,
  SPDYLAY_SYN_REPLY = 2,
  SPDYLAY_RST_STREAM = 3,
  SPDYLAY_SETTINGS = 4,
  /** SPDY/2 only; never sent, ignored on receipt. */
  SPDYLAY_NOOP = 5,
  SPDYLAY_PING = 6,
  SPDYLAY_GOAWAY = 7,
  SPDYLAY_HEADERS = 8,
  SPDYLAY_WINDOW_UPDATE = 9,
  /** SPDY/3 only; never sent, ignored on receipt. */
  SPDYLAY_CREDENTIAL = 10
} spdylay_frame_type;

/** Control frame flags. */
typedef enum {
  SPDYLAY_CTRL_FLAG_NONE = 0,
  SPDYLAY_CTRL_FLAG_FIN = 0x1,
  SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL = 0x2
} spdylay_ctrl_flag;

/** DATA frame flags. */
typedef enum {
  SPDYLAY_DATA_FLAG_NONE = 0,
  SPDYLAY_DATA_FLAG_FIN = 0x1
} spdylay_data_flag;

/** SETTINGS frame flags. */
typedef enum {
  SPDYLAY_FLAG_SETTINGS_NONE = 0,
  SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS = 1
} spdylay_settings_flag;

/** Flags of individual SETTINGS entries. */
typedef enum {
  SPDYLAY_ID_FLAG_SETTINGS_NONE = 0,
  SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE = 1,
  SPDYLAY_ID_FLAG_SETTINGS_PERSISTED = 2
} spdylay_settings_id_flag;

/** SETTINGS IDs. */
typedef enum {
  SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH = 1,
  SPDYLAY_SETTINGS_DOWNLOAD_BANDWIDTH = 2,
  SPDYLAY_SETTINGS_ROUND_TRIP_TIME = 3,
  SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS = 4,
  SPDYLAY_SETTINGS_CURRENT_CWND = 5,
  SPDYLAY_SETTINGS_DOWNLOAD_RETRANS_RATE = 6,
  SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE = 7,
  SPDYLAY_SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = 8,
  /** The largest SETTINGS ID known to the library. */
  SPDYLAY_SETTINGS_MAX = 8
} spdylay_settings_id;

/** Default (and initial) value of SETTINGS_MAX_CONCURRENT_STREAMS. */
#define SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS ((1U << 31) - 1)

/** Default initial flow-control window size. */
#define SPDYLAY_INITIAL_WINDOW_SIZE 65536

/** Maximum length of a scheme (removed CREDENTIAL feature). */
#define SPDYLAY_MAX_SCHEME 255

/** Maximum length of a host name (removed CREDENTIAL feature). */
#define SPDYLAY_MAX_HOSTNAME 255

/**
 * RST_STREAM status codes.  SPDYLAY_OK is used only as the "closed
 * normally" reason given to on_stream_close_callback.
 */
typedef enum {
  SPDYLAY_OK = 0,
  SPDYLAY_PROTOCOL_ERROR = 1,
  SPDYLAY_INVALID_STREAM = 2,
  SPDYLAY_REFUSED_STREAM = 3,
  SPDYLAY_UNSUPPORTED_VERSION = 4,
  SPDYLAY_CANCEL = 5,
  SPDYLAY_INTERNAL_ERROR = 6,
  SPDYLAY_FLOW_CONTROL_ERROR = 7,
  /* SPDY/3 and later */
  SPDYLAY_STREAM_IN_USE = 8,
  SPDYLAY_STREAM_ALREADY_CLOSED = 9,
  SPDYLAY_INVALID_CREDENTIALS = 10,
  SPDYLAY_FRAME_TOO_LARGE = 11
} spdylay_status_code;

/** GOAWAY status codes (SPDY/3; SPDY/2 GOAWAY carries no status). */
typedef enum {
  SPDYLAY_GOAWAY_OK = 0,
  SPDYLAY_GOAWAY_PROTOCOL_ERROR = 1,
  SPDYLAY_GOAWAY_INTERNAL_ERROR = 2
} spdylay_goaway_status_code;

/** Control frame header. */
typedef struct {
  /** Wire version: 2 or 3 (3 in SPDY/3.1 sessions). */
  uint16_t version;
  /** One of spdylay_frame_type. */
  uint16_t type;
  /** Frame flags. */
  uint8_t flags;
  /** Payload length (24-bit value). */
  int32_t length;
} spdylay_ctrl_hd;

/** SYN_STREAM frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  int32_t assoc_stream_id;
  /** Priority: 0 (highest) .. 3 (SPDY/2) or 7 (SPDY/3). */
  uint8_t pri;
  /** CREDENTIAL slot (SPDY/3); always 0 when sent by this library. */
  uint8_t slot;
  /** Name/value array. */
  char **nv;
} spdylay_syn_stream;

/** SYN_REPLY frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  char **nv;
} spdylay_syn_reply;

/** HEADERS frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  char **nv;
} spdylay_headers;

/** RST_STREAM frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  uint32_t status_code;
} spdylay_rst_stream;

/** One SETTINGS entry. */
typedef struct {
  /** One of spdylay_settings_id. */
  int32_t settings_id;
  /** Bitwise OR of spdylay_settings_id_flag. */
  uint8_t flags;
  uint32_t value;
} spdylay_settings_entry;

/** SETTINGS frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  /** Number of entries in iv. */
  size_t niv;
  spdylay_settings_entry *iv;
} spdylay_settings;

/** PING frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  uint32_t unique_id;
} spdylay_ping;

/** GOAWAY frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t last_good_stream_id;
  /** Status code; always 0 in SPDY/2. */
  uint32_t status_code;
} spdylay_goaway;

/** WINDOW_UPDATE frame. */
typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  int32_t delta_window_size;
} spdylay_window_update;

/** A chunk of memory. */
typedef struct {
  uint8_t *data;
  size_t length;
} spdylay_mem_chunk;

/** CREDENTIAL frame (never produced by this library). */
typedef struct {
  spdylay_ctrl_hd hd;
  uint16_t slot;
  spdylay_mem_chunk proof;
  spdylay_mem_chunk *certs;
  size_t ncerts;
} spdylay_credential;

/** Any control frame, used to read the header only. */
typedef struct {
  spdylay_ctrl_hd hd;
} spdylay_ctrl_frame;

/** Union of all control frames. frame->ctrl.hd.type gives the type. */
typedef union {
  spdylay_ctrl_frame ctrl;
  spdylay_syn_stream syn_stream;
  spdylay_syn_reply syn_reply;
  spdylay_rst_stream rst_stream;
  spdylay_settings settings;
  spdylay_ping ping;
  spdylay_goaway goaway;
  spdylay_headers headers;
  spdylay_window_update window_update;
  spdylay_credential credential;
} spdylay_frame;

/** Opaque session object. */
struct spdylay_session;
typedef struct spdylay_session spdylay_session;

/** Data source of a data provider. */
typedef union {
  int fd;
  void *ptr;
} spdylay_data_source;

/**
 * Data read callback of a data provider.  Write at most |length| bytes
 * into |buf| and return the number written; set |*eof| to 1 when the last
 * byte has been delivered.  Return SPDYLAY_ERR_DEFERRED to pause (resume
 * with spdylay_session_resume_data()), SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE
 * to reset just this stream (RST_STREAM INTERNAL_ERROR), or any other
 * negative value for a fatal failure (SPDYLAY_ERR_CALLBACK_FAILURE).
 */
typedef ssize_t (*spdylay_data_source_read_callback)
(spdylay_session *session, int32_t stream_id,
 uint8_t *buf, size_t length, int *eof,
 spdylay_data_source *source, void *user_data);

/** Data provider: copied by value by the functions that take it. */
typedef struct {
  spdylay_data_source source;
  spdylay_data_source_read_callback read_callback;
} spdylay_data_provider;

/** Opaque origin object of the removed CREDENTIAL feature. */
struct spdylay_origin;
typedef struct spdylay_origin spdylay_origin;

/**
 * Send callback: transmit up to |length| bytes of |data| and return the
 * number accepted.  Return SPDYLAY_ERR_WOULDBLOCK if nothing can be
 * written now; any other negative value is a fatal failure.
 */
typedef ssize_t (*spdylay_send_callback)
(spdylay_session *session,
 const uint8_t *data, size_t length, int flags, void *user_data);

/**
 * Receive callback: store up to |length| bytes into |buf| and return the
 * count.  Return SPDYLAY_ERR_WOULDBLOCK (or 0) if no data is available,
 * SPDYLAY_ERR_EOF if the peer closed the connection; any other negative
 * value is a fatal failure.
 */
typedef ssize_t (*spdylay_recv_callback)
(spdylay_session *session,
 uint8_t *buf, size_t length, int flags, void *user_data);

/** Called when a control frame was received and accepted. */
typedef void (*spdylay_on_ctrl_recv_callback)
(spdylay_session *session, spdylay_frame_type type, spdylay_frame *frame,
 void *user_data);

/**
 * Called when a received control frame was decoded but rejected;
 * |status_code| is the spdylay_status_code describing the problem.
 */
typedef void (*spdylay_on_invalid_ctrl_recv_callback)
(spdylay_session *session, spdylay_frame_type type, spdylay_frame *frame,
 uint32_t status_code, void *user_data);

/** Called for each contiguous piece of a received DATA frame's payload. */
typedef void (*spdylay_on_data_chunk_recv_callback)
(spdylay_session *session, uint8_t flags, int32_t stream_id,
 const uint8_t *data, size_t len, void *user_data);

/** Called once a whole DATA frame has been received. */
typedef void (*spdylay_on_data_recv_callback)
(spdylay_session *session, uint8_t flags, int32_t stream_id,
 int32_t length, void *user_data);

/** Called just before a control frame is handed to send_callback. */
typedef void (*spdylay_before_ctrl_send_callback)
(spdylay_session *session, spdylay_frame_type type, spdylay_frame *frame,
 void *user_data);

/** Called after a control frame has been completely sent. */
typedef void (*spdylay_on_ctrl_send_callback)
(spdylay_session *session, spdylay_frame_type type, spdylay_frame *frame,
 void *user_data);

/**
 * Called when a queued control frame is dropped at send time;
 * |error_code| is the (negative) reason.
 */
typedef void (*spdylay_on_ctrl_not_send_callback)
(spdylay_session *session, spdylay_frame_type type, spdylay_frame *frame,
 int error_code, void *user_data);

/** Called after a DATA frame has been completely sent. */
typedef void (*spdylay_on_data_send_callback)
(spdylay_session *session, uint8_t flags, int32_t stream_id,
 int32_t length, void *user_data);

/** Called when a stream is closed. */
typedef void (*spdylay_on_stream_close_callback)
(spdylay_session *session, int32_t stream_id, spdylay_status_code status_code,
 void *user_data);

/** Called when the peer finished sending on a stream (FIN received). */
typedef void (*spdylay_on_request_recv_callback)
(spdylay_session *session, int32_t stream_id, void *user_data);

/** CREDENTIAL callback; never called. */
typedef ssize_t (*spdylay_get_credential_proof)
(spdylay_session *session, const spdylay_origin *origin,
 uint8_t *proof, size_t prooflen, void *user_data);

/** CREDENTIAL callback; never called. */
typedef ssize_t (*spdylay_get_credential_ncerts)
(spdylay_session *session, const spdylay_origin *origin, void *user_data);

/** CREDENTIAL callback; never called. */
typedef ssize_t (*spdylay_get_credential_cert)
(spdylay_session *session, const spdylay_origin *origin, size_t idx,
 uint8_t *cert, size_t certlen, void *user_data);

/**
 * Called when a received control frame could not be decoded.  |head| is
 * the 8-byte frame header, |payload| the buffered payload bytes.
 */
typedef void (*spdylay_on_ctrl_recv_parse_error_callback)
(spdylay_session *session, spdylay_frame_type type,
 const uint8_t *head, size_t headlen,
 const uint8_t *payload, size_t payloadlen,
 int error_code, void *user_data);

/** Called for a received control frame of unknown type. */
typedef void (*spdylay_on_unknown_ctrl_recv_callback)
(spdylay_session *session,
 const uint8_t *head, size_t headlen,
 const uint8_t *payload, size_t payloadlen,
 void *user_data);

/**
 * Session callbacks.  The struct is copied into the session.  Every
 * member except send_callback (needed by spdylay_session_send) and
 * recv_callback (needed by spdylay_session_recv) may be NULL.
 */
typedef struct {
  spdylay_send_callback send_callback;
  spdylay_recv_callback recv_callback;
  spdylay_on_ctrl_recv_callback on_ctrl_recv_callback;
  spdylay_on_invalid_ctrl_recv_callback on_invalid_ctrl_recv_callback;
  spdylay_on_data_chunk_recv_callback on_data_chunk_recv_callback;
  spdylay_on_data_recv_callback on_data_recv_callback;
  spdylay_before_ctrl_send_callback before_ctrl_send_callback;
  spdylay_on_ctrl_send_callback on_ctrl_send_callback;
  spdylay_on_ctrl_not_send_callback on_ctrl_not_send_callback;
  spdylay_on_data_send_callback on_data_send_callback;
  spdylay_on_stream_close_callback on_stream_close_callback;
  spdylay_on_request_recv_callback on_request_recv_callback;
  spdylay_get_credential_proof get_credential_proof;
  spdylay_get_credential_ncerts get_credential_ncerts;
  spdylay_get_credential_cert get_credential_cert;
  spdylay_on_ctrl_recv_parse_error_callback on_ctrl_recv_parse_error_callback;
  spdylay_on_unknown_ctrl_recv_callback on_unknown_ctrl_recv_callback;
} spdylay_session_callbacks;

/**
 * Creates a client session for protocol |version| (2, 3 or 4 =
 * SPDY/3.1), copies |*callbacks| and stores |user_data|, which is passed
 * to every callback.  On success stores the new session in
 * |*session_ptr| (to be freed with spdylay_session_del) and returns 0.
 *
 * Errors: SPDYLAY_ERR_UNSUPPORTED_VERSION (bad |version|; checked first,
 * |*session_ptr| untouched), SPDYLAY_ERR_ZLIB, SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_client_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data);

/**
 * Creates a server session; otherwise as spdylay_session_client_new().
 */
int spdylay_session_server_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data);

/**
 * Frees |session| and everything it owns (streams, queued frames, zlib
 * contexts).  No callback is invoked.  NULL is a no-op.
 */
void spdylay_session_del(spdylay_session *session);

/** Session options for spdylay_session_set_option(). */
typedef enum {
  /** int: nonzero disables automatic WINDOW_UPDATE (deprecated). */
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE = 1,
  /** uint32_t: control-frame receive buffer limit, 8192..16777215. */
  SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER = 2,
  /** int: nonzero disables automatic WINDOW_UPDATE; use
      spdylay_session_consume(). */
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2 = 3,
  /*
   * Options 4..9 are our extensions (not in spdylay 1.4): limits that keep
   * one peer from exhausting the process.  Unlike the options above they
   * are NOT "unused unless set": every one of them is ON by default with
   * the value given, because a server that accepts connections from
   * untrusted peers needs them and the defaults are far above what an
   * ordinary peer uses (all 111 recorded golden sessions of spdylay 1.4
   * behave byte for byte the same under them).  All take a uint32_t
   * (optlen == sizeof(uint32_t)); a value out of range is rejected with
   * SPDYLAY_ERR_INVALID_ARGUMENT and changes nothing.  Setting a very large
   * value effectively disables a limit.  When a limit other than the
   * header list size is passed the session fails: GOAWAY(PROTOCOL_ERROR)
   * is queued ahead of everything else, want_read() returns 0, and
   * spdylay_session_mem_recv()/spdylay_session_recv() return
   * SPDYLAY_ERR_FLOODED (now and on every later call, ignoring the input);
   * spdylay_session_get_limit_exceeded() tells which limit.
   */
  /**
   * uint32_t, 1..4294967295, default 65536: the most bytes of one
   * decompressed header block (SYN_STREAM, SYN_REPLY, HEADERS) that are
   * kept.  The effective limit is the smaller of this and
   * SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER.  As soon as decompression
   * passes it, output is no longer kept (the header block buffer never
   * grows past the limit); the rest of the block is decompressed into a
   * scratch buffer so the zlib stream stays in step, and the frame is
   * refused exactly as an over-long frame: RST_STREAM(FRAME_TOO_LARGE)
   * and on_invalid_ctrl_recv_callback with a NULL nv.  Such a refusal
   * also counts as an empty frame (SPDYLAY_OPT_MAX_EMPTY_FRAMES).
   */
  SPDYLAY_OPT_MAX_HEADER_LIST_SIZE = 4,
  /**
   * uint32_t, 1..4294967295, default 1000: the most frames the library
   * queued on its own in reply to the peer (PING replies; RST_STREAM for
   * a peer's stream error or refused stream) that may wait unsent.  A
   * peer that sends PINGs and never reads its socket would otherwise grow
   * the queue without bound.  Past it: SPDYLAY_LIMIT_OUTBOUND_ACK.
   */
  SPDYLAY_OPT_MAX_OUTBOUND_ACK = 5,
  /**
   * uint32_t, 1..4294967295, default 1000: the most consecutive received
   * frames that carry nothing: DATA with length 0 and no FIN, SETTINGS
   * after the first one, header blocks refused as too large.  The count
   * restarts at a SYN_STREAM that is accepted (opens a stream) and at
   * DATA with payload for a stream that accepts it; other frames leave
   * it as it is.  Past it: SPDYLAY_LIMIT_EMPTY_FRAMES.
   */
  SPDYLAY_OPT_MAX_EMPTY_FRAMES = 6,
  /**
   * uint32_t, 1..4294967295, default 1000: the bucket size of the token
   * bucket that every received RST_STREAM for a stream ID of the peer's
   * parity draws one token from (rapid reset).  Setting it refills the
   * bucket.  When the bucket is empty: SPDYLAY_LIMIT_STREAM_RESETS.
   */
  SPDYLAY_OPT_STREAM_RESET_BURST = 7,
  /**
   * uint32_t, 0..4294967295, default 33: tokens per second added back to
   * the RST_STREAM bucket (CLOCK_MONOTONIC); 0 never refills it.
   */
  SPDYLAY_OPT_STREAM_RESET_RATE = 8,
  /**
   * uint32_t, 1..4294967295, default 1048576 (1 MiB): the most bytes ONE
   * header block may decompress to, kept plus discarded output together.
   * The effective cap is max(this, SPDYLAY_OPT_MAX_HEADER_LIST_SIZE).
   * Past it decompression stops at once (a zlib bomb costs at most this
   * much work) and the session fails: SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE.
   */
  SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE = 9
} spdylay_opt;

/**
 * Extension (not in spdylay 1.4): the limit that made a session fail,
 * as returned by spdylay_session_get_limit_exceeded().
 */
typedef enum {
  /** No limit has been exceeded. */
  SPDYLAY_LIMIT_NONE = 0,
  /** SPDYLAY_OPT_MAX_OUTBOUND_ACK: too many replies queued unsent. */
  SPDYLAY_LIMIT_OUTBOUND_ACK = 1,
  /** SPDYLAY_OPT_MAX_EMPTY_FRAMES: too many frames carrying nothing. */
  SPDYLAY_LIMIT_EMPTY_FRAMES = 2,
  /** SPDYLAY_OPT_STREAM_RESET_BURST/RATE: RST_STREAM bucket empty. */
  SPDYLAY_LIMIT_STREAM_RESETS = 3,
  /** SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE: a header block inflated past
      the cap. */
  SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE = 4
} spdylay_limit;

/**
 * Extension (not in spdylay 1.4): returns the spdylay_limit that made
 * |session| fail with SPDYLAY_ERR_FLOODED, or SPDYLAY_LIMIT_NONE (0).
 */
int spdylay_session_get_limit_exceeded(spdylay_session *session);

/**
 * Extension (not in spdylay 1.4): returns nonzero while part of a frame
 * header, or part of a control frame, has been received and its end has
 * not (DATA payloads do not count).  A server uses it for a header
 * timeout: a peer that stops in the middle of a SYN_STREAM.
 */
int spdylay_session_in_ctrl_frame(spdylay_session *session);

/**
 * Sets option |optname| to the value pointed to by |optval| of size
 * |optlen| (see spdylay_opt for types).  May be called at any time.
 *
 * Returns 0, or SPDYLAY_ERR_INVALID_ARGUMENT for an unknown option, a
 * wrong |optlen| or an out-of-range value (nothing is changed).
 */
int spdylay_session_set_option(spdylay_session *session,
                               int optname, void *optval, size_t optlen);

/**
 * Extension (not in spdylay 1.4): where to pack the next DATA frame.
 * Called while spdylay_session_send() prepares a DATA frame, before the
 * data read callback, with |length| = 8 (the frame header) + the most
 * payload bytes the read callback may return.  Return a buffer of at
 * least |length| bytes that stays valid and untouched until the frame
 * has been passed whole to send_callback (the |data| pointer given to
 * send_callback then points into it), or NULL to use the session's own
 * buffer.  The read callback then writes the payload straight into the
 * application's memory (for instance an output buffer that send_callback
 * would otherwise copy the frame into), saving one copy of the payload.
 * The callback may call send functions of other sessions, not of
 * |session|.
 */
typedef uint8_t *(*spdylay_data_buffer_callback)(spdylay_session *session,
                                                 size_t length,
                                                 void *user_data);

/**
 * Extension (not in spdylay 1.4): sets (or, with NULL, clears) the
 * spdylay_data_buffer_callback of |session|; it receives the session's
 * user_data.  Returns 0, or SPDYLAY_ERR_INVALID_ARGUMENT if |session| is
 * NULL.
 */
int spdylay_session_set_data_buffer_callback(spdylay_session *session,
                                             spdylay_data_buffer_callback cb);

/**
 * Sends queued frames through send_callback until the queue is empty or
 * the callback returns SPDYLAY_ERR_WOULDBLOCK.  Fires before_ctrl_send,
 * on_ctrl_send, on_ctrl_not_send, on_data_send and on_stream_close
 * callbacks and calls data read callbacks as frames are prepared.
 *
 * Extension: once the session has failed for a limit (see
 * SPDYLAY_ERR_FLOODED) its GOAWAY is sent first (after the rest of a
 * frame already partly sent), and after it nothing more is sent.
 *
 * Returns 0, or the fatal errors SPDYLAY_ERR_NOMEM and
 * SPDYLAY_ERR_CALLBACK_FAILURE (send callback or data read callback
 * failure).
 */
int spdylay_session_send(spdylay_session *session);

/**
 * Reads data with recv_callback (16384-byte buffer) and processes it,
 * until the callback returns SPDYLAY_ERR_WOULDBLOCK or 0.
 *
 * Returns 0, SPDYLAY_ERR_EOF (peer closed), SPDYLAY_ERR_NOMEM,
 * SPDYLAY_ERR_CALLBACK_FAILURE or (extension) SPDYLAY_ERR_FLOODED (as
 * spdylay_session_mem_recv(); once the session has failed for a limit it
 * returns SPDYLAY_ERR_FLOODED without calling recv_callback).
 */
int spdylay_session_recv(spdylay_session *session);

/**
 * Processes the |inlen| bytes at |in| as received data; any split of the
 * byte stream is allowed (partial frames are kept).  The data is not
 * retained after the call.
 *
 * Returns |inlen|, SPDYLAY_ERR_NOMEM, or (extension) SPDYLAY_ERR_FLOODED
 * when a limit of spdylay_limit is or was exceeded: the input is then
 * ignored and GOAWAY(PROTOCOL_ERROR) is queued.
 */
ssize_t spdylay_session_mem_recv(spdylay_session *session,
                                 const uint8_t *in, size_t inlen);

/**
 * Re-queues the DATA of stream |stream_id| that was parked because its
 * read callback returned SPDYLAY_ERR_DEFERRED.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (no such stream, nothing
 * parked, or parked because of flow control) or SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id);

/**
 * Returns nonzero if the session wants to receive data from the peer.
 * Extension: 0 as soon as the session has failed for a limit.
 */
int spdylay_session_want_read(spdylay_session *session);

/**
 * Returns nonzero if the session has something to send.  Extension: after
 * a failure for a limit, nonzero exactly until its GOAWAY has been sent.
 */
int spdylay_session_want_write(spdylay_session *session);

/**
 * Returns the stream_user_data of stream |stream_id|, or NULL if the
 * stream does not exist.
 */
void* spdylay_session_get_stream_user_data(spdylay_session *session,
                                           int32_t stream_id);

/**
 * Sets the stream_user_data of stream |stream_id|.
 *
 * Returns 0 or SPDYLAY_ERR_INVALID_ARGUMENT (no such stream).
 */
int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data);

/**
 * Returns the number of frames in the outbound queues (not counting a
 * partially sent frame or parked DATA).
 */
size_t spdylay_session_get_outbound_queue_size(spdylay_session *session);

/**
 * Returns the number of DATA bytes received on stream |stream_id| and not
 * yet acknowledged by WINDOW_UPDATE; 0 in SPDY/2; -1 if the stream does
 * not exist.
 */
int32_t spdylay_session_get_stream_recv_data_length
(spdylay_session *session, int32_t stream_id);

/**
 * Returns the number of DATA bytes received on the connection and not yet
 * acknowledged by a session WINDOW_UPDATE (SPDY/3.1 only; 0 otherwise).
 */
int32_t spdylay_session_get_recv_data_length(spdylay_session *session);

/**
 * Queues GOAWAY with |status_code| and marks the session as failing:
 * once the GOAWAY has been sent want_read/want_write return 0.
 *
 * Returns 0 or SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code);

/**
 * Returns the lowest priority value of the session: 3 (SPDY/2) or 7.
 */
uint8_t spdylay_session_get_pri_lowest(spdylay_session *session);

/**
 * Tells the library that |size| bytes of DATA received on |stream_id|
 * have been consumed by the application (requires
 * SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2).  WINDOW_UPDATE frames are queued
 * when half of the window has been consumed.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (|stream_id| is 0),
 * SPDYLAY_ERR_INVALID_STATE (option not set) or SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_consume(spdylay_session *session,
                            int32_t stream_id, size_t size);

/**
 * Queues a SYN_STREAM request with priority |pri| and headers |nv| (the
 * array and strings are copied).  If |data_prd| is non-NULL and has a
 * read_callback, the body is read from it after the SYN_STREAM is sent
 * and the request is sent without FIN; otherwise FIN is set.  The stream
 * ID is assigned now; |stream_user_data| is attached to the stream.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (invalid nv),
 * SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data);

/**
 * Queues a SYN_STREAM with |flags| (FIN, UNIDIRECTIONAL),
 * |assoc_stream_id| (forced to 0 in client sessions), priority |pri|
 * (clamped to the lowest priority) and headers |nv| (copied).  The stream
 * ID is assigned now: the session's next one (1, 3, 5, ... in a client
 * session, 2, 4, 6, ... in a server session, one per successful call of
 * this function or spdylay_submit_request()), so that DATA for the stream
 * can be queued with spdylay_submit_data() right away.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (invalid nv),
 * SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data);

/**
 * Queues a SYN_REPLY for |stream_id| with headers |nv| (copied).  With a
 * usable |data_prd| the body follows the SYN_REPLY, otherwise FIN is set.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_response(spdylay_session *session,
                            int32_t stream_id, const char **nv,
                            const spdylay_data_provider *data_prd);

/**
 * Queues a SYN_REPLY with |flags| (FIN) for |stream_id|.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv);

/**
 * Queues a HEADERS frame with |flags| (FIN) for |stream_id|.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv);

/**
 * Queues DATA for |stream_id| read from |data_prd| (copied; must be
 * non-NULL).  With SPDYLAY_DATA_FLAG_FIN in |flags| the frame that
 * reaches EOF carries FIN.  The stream is not checked now; DATA for a
 * stream that cannot send is dropped silently at send time.  Whatever
 * |data_prd->source| refers to must stay valid until the data is sent or
 * the stream is closed.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (|data_prd| is NULL) or
 * SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd);

/**
 * Queues RST_STREAM for |stream_id| with |status_code|; an existing
 * stream becomes CLOSING at once.
 *
 * Returns 0 or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code);

/**
 * Queues a PING with the next unique ID (odd for clients, even for
 * servers).
 *
 * Returns 0 or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_ping(spdylay_session *session);

/**
 * Queues GOAWAY with |status_code| (not sent in SPDY/2) and the last
 * stream ID received from the peer.  Only the first GOAWAY is sent.
 *
 * Returns 0 or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code);

/**
 * Queues SETTINGS with frame |flags| and the |niv| entries of |iv|
 * (copied and sorted by ID).  The values become the local settings
 * immediately.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (an ID of 0 or > 8, or a
 * duplicate ID) or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv);

/**
 * Queues WINDOW_UPDATE for |stream_id| (0 = connection, SPDY/3.1) with
 * |delta_window_size| and reduces the matching receive counters.
 *
 * Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT (delta <= 0),
 * SPDYLAY_ERR_STREAM_CLOSED (no such stream) or SPDYLAY_ERR_NOMEM.
 */
int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size);

/**
 * Removed CREDENTIAL feature: does nothing and returns 0.
 */
int spdylay_session_set_initial_client_cert_origin
(spdylay_session *session, const char *scheme, const char *host,
 uint16_t port);

/**
 * Removed CREDENTIAL feature: returns NULL.
 */
const spdylay_origin* spdylay_session_get_client_cert_origin
(spdylay_session *session, size_t slot);

/** Removed CREDENTIAL feature: returns NULL. */
const char* spdylay_origin_get_scheme(const spdylay_origin *origin);

/** Removed CREDENTIAL feature: returns NULL. */
const char* spdylay_origin_get_host(const spdylay_origin *origin);

/** Removed CREDENTIAL feature: returns 0. */
uint16_t spdylay_origin_get_port(const spdylay_origin *origin);

/**
 * Returns a static string describing |error_code|.
 */
const char* spdylay_strerror(int error_code);

/**
 * Selects a protocol from the server's NPN list |in| of |inlen| bytes
 * (1-byte length prefixed tokens).  Preference: spdy/3.1, spdy/3,
 * spdy/2, then http/1.1.  |*out| points into |in|.
 *
 * Returns the selected SPDY version (2, 3 or 4), 0 if only http/1.1 was
 * found, or -1 if nothing matched (|*out| and |*outlen| untouched).
 */
int spdylay_select_next_protocol(unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen);

/** NPN protocol entry. */
typedef struct {
  /** Token, not NUL terminated by contract. */
  const unsigned char *proto;
  /** Length of proto. */
  uint8_t len;
  /** spdylay_proto_version of the token. */
  uint16_t version;
} spdylay_npn_proto;

/**
 * Returns the static list of supported NPN protocols (spdy/3.1, spdy/3,
 * spdy/2) and stores its length in |*len_ptr|.
 */
const spdylay_npn_proto* spdylay_npn_get_proto_list(size_t *len_ptr);

/**
 * Returns the spdylay_proto_version for NPN token |proto| of |protolen|
 * bytes, or 0 if not supported (or |proto| is NULL).
 */
uint16_t spdylay_npn_get_version(const unsigned char *proto,
                                 size_t protolen);

/** Opaque gzip/zlib inflater. */
struct spdylay_gzip;
typedef struct spdylay_gzip spdylay_gzip;

/**
 * Creates an inflater accepting gzip or zlib framing.
 *
 * Returns 0, SPDYLAY_ERR_NOMEM or SPDYLAY_ERR_GZIP.
 */
int spdylay_gzip_inflate_new(spdylay_gzip **inflater_ptr);

/** Frees |inflater|; NULL is a no-op. */
void spdylay_gzip_inflate_del(spdylay_gzip *inflater);

/**
 * Inflates up to |*inlen_ptr| bytes of |in| into |out| (|*outlen_ptr|
 * bytes available).  On return |*inlen_ptr| holds the bytes consumed and
 * |*outlen_ptr| the bytes produced.
 *
 * Returns 0 or SPDYLAY_ERR_GZIP (corrupt input, or called after the end
 * of the stream).
 */
int spdylay_gzip_inflate(spdylay_gzip *inflater,
                         uint8_t *out, size_t *outlen_ptr,
                         const uint8_t *in, size_t *inlen_ptr);

#ifdef __cplusplus
}
#endif

#endif /* SPDYLAY_H */
