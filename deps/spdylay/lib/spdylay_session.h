/*
 * spdylay_session.h - the session engine (internal interface).
 */
#ifndef SPDYLAY_SESSION_H
#define SPDYLAY_SESSION_H

#include <stdint.h>

#include "spdylay_int.h"
#include "spdylay_buffer.h"
#include "spdylay_streamtab.h"
#include "spdylay_sendq.h"
#include "spdylay_hdcomp.h"
#include "spdylay_frame.h"
#include "spdylay_stream.h"
#include "spdylay_outbound_item.h"

/* How far the session is from its end (bits of session->shutdown). */
enum {
  /* our GOAWAY has left completely */
  SPDYLAY_SHUTDOWN_GOAWAY_SENT = 0x01,
  /* the peer's GOAWAY has arrived */
  SPDYLAY_SHUTDOWN_GOAWAY_RECEIVED = 0x02,
  /* a GOAWAY that ends the session is queued (spdylay_session_fail_session
     or a tripped limit); nothing is sent after it */
  SPDYLAY_SHUTDOWN_FAILING = 0x04
};

/* Windows the application acknowledges itself with
   spdylay_session_consume() (bits of session->manual_window). */
enum {
  /* SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE: stream windows */
  SPDYLAY_MANUAL_STREAM_WINDOW = 0x01,
  /* SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2: the SPDY/3.1 session window */
  SPDYLAY_MANUAL_SESSION_WINDOW = 0x02
};

/* Which windows exist: none in SPDY/2, per stream in SPDY/3, per stream
   and for the whole session in SPDY/3.1. */
typedef enum {
  SPDYLAY_FC_OFF = 0,
  SPDYLAY_FC_STREAMS = 1,
  SPDYLAY_FC_STREAMS_AND_SESSION = 2
} spdylay_fc_mode;

/* What the receiver is reading. */
typedef enum {
  /* the 8-byte frame header (rx.head) */
  SPDYLAY_RX_HEADER,
  /* the payload of a control frame */
  SPDYLAY_RX_CTRL_BODY,
  /* the payload of a DATA frame */
  SPDYLAY_RX_DATA_BODY
} spdylay_rx_stage;

/* The frame being received (spdylay_session_mem_recv keeps it between
   calls). */
typedef struct {
  spdylay_rx_stage stage;
  uint8_t head[SPDYLAY_FRAME_HEAD_LENGTH];
  /* bytes of |head| received */
  size_t headlen;
  /* payload length announced by the header */
  size_t bodylen;
  /* payload bytes received so far */
  size_t bodypos;
  /* the first |fixedlen| payload bytes are collected in |fixed| (a
     header-block frame's fixed part, or a whole other control frame) */
  size_t fixedlen;
  spdylay_buffer fixed;
  /* nonzero: a compressed header block follows the fixed part */
  uint8_t has_hblock;
  /* the decompressed header block */
  spdylay_buffer hblock;
  /* the header block went past the kept-size limit and was dropped */
  uint8_t hblock_oversize;
  /* decompression failed; the rest of the block is skipped */
  uint8_t hblock_corrupt;
  /* decompressed bytes of the header block so far, kept and dropped */
  size_t hblock_inflated;
  /* DATA: the frame's stream takes its chunks */
  uint8_t data_wanted;
  uint8_t data_flags;
  int32_t data_stream;
} spdylay_rx_state;

/* The frame being sent. */
typedef struct {
  /* the item it came from; NULL when nothing is being sent */
  spdylay_outbound_item *item;
  /* the packed frame; for a DATA frame in application memory (|ext|),
     buf.len is its length and buf.buf is not used */
  spdylay_buffer buf;
  /* bytes of it handed to send_callback so far */
  size_t pos;
  /* where a DATA frame packed through data_buffer_callback lives, NULL
     otherwise */
  uint8_t *ext;
} spdylay_tx_state;

/* Values of our limit options (SPDYLAY_OPT_MAX_HEADER_LIST_SIZE ..
   SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE). */
typedef struct {
  /* bytes of one decompressed header block kept */
  uint32_t header_list;
  /* frames queued in reply to the peer and not yet sent */
  uint32_t pending_replies;
  /* consecutive received frames that carry nothing */
  uint32_t empty_frames;
  /* RST_STREAM token bucket: size, and refill per second (0: never) */
  uint32_t reset_burst;
  uint32_t reset_rate;
  /* bytes one header block may decompress to */
  uint32_t hblock_inflate;
} spdylay_limits;

/* What the limits are measured against. */
typedef struct {
  /* queued items with is_reply set */
  size_t pending_replies;
  /* received frames carrying nothing since the last one that did */
  uint64_t empty_run;
  /* SETTINGS frames received */
  uint64_t settings_seen;
  /* RST_STREAM bucket as the time (ns, CLOCK_MONOTONIC) at which it is
     full again: a reset at |now| passes while max(reset_clock, now) +
     interval - now <= burst * interval.  With a rate of 0,
     |resets_counted| counts the resets instead. */
  uint64_t reset_clock;
  uint64_t resets_counted;
  /* the spdylay_limit that failed the session, 0 while none has */
  int tripped;
} spdylay_flood_state;

#define SPDYLAY_INITIAL_SESSION_WINDOW_SIZE 65536
#define SPDYLAY_MAX_RECV_CTRL_FRAME_BUF_DEFAULT ((1 << 24) - 1)
#define SPDYLAY_MIN_RECV_CTRL_FRAME_BUF 8192

/* Defaults of the spdylay_limits fields. */
#define SPDYLAY_MAX_HEADER_LIST_SIZE_DEFAULT 65536
#define SPDYLAY_MAX_OUTBOUND_ACK_DEFAULT 1000
#define SPDYLAY_MAX_EMPTY_FRAMES_DEFAULT 1000
#define SPDYLAY_STREAM_RESET_BURST_DEFAULT 1000
#define SPDYLAY_STREAM_RESET_RATE_DEFAULT 33
#define SPDYLAY_MAX_HEADER_BLOCK_INFLATE_DEFAULT (1u << 20)
/* queue priority of the GOAWAY of a limit failure: before everything */
#define SPDYLAY_PRI_LIMIT_GOAWAY (-100)

struct spdylay_session {
  /* wire version: 2 or 3 */
  uint16_t version;
  /* spdylay_proto_version given at creation: 2, 3 or 4 */
  uint16_t proto;
  uint8_t server;
  /* spdylay_fc_mode */
  uint8_t fc;
  /* SPDYLAY_SHUTDOWN_* bits */
  uint8_t shutdown;
  /* SPDYLAY_MANUAL_* bits */
  uint8_t manual_window;

  /* spdylay_stream objects (owned by the session) by stream ID */
  spdylay_streamtab streams;
  /* open streams we started / the peer started */
  size_t local_streams;
  size_t remote_streams;

  /* SYN_STREAM frames wait in |synq| (they also wait for a free stream
     slot); every other frame, DATA included, waits in |sendq| */
  spdylay_sendq synq;
  spdylay_sendq sendq;
  /* items queued so far: the next item's seq */
  uint64_t enqueued_total;

  /* ID of our next SYN_STREAM (past INT32_MAX: none left) */
  uint32_t next_local_id;
  /* highest stream ID the peer opened (our GOAWAY's last good ID) */
  int32_t highest_remote_id;
  /* ID of our next PING, and of the last one sent (0 once answered) */
  uint32_t next_ping_id;
  uint32_t last_ping_id_sent;
  /* last good stream ID of the peer's GOAWAY */
  int32_t peer_last_good_id;

  /* session-level flow control (SPDY/3.1), as in spdylay_stream */
  int32_t send_window;
  int32_t recv_unacked;
  int32_t consumed_unacked;

  /* SETTINGS values by ID: the peer's and those we submitted */
  uint32_t peer_settings[SPDYLAY_SETTINGS_MAX + 1];
  uint32_t own_settings[SPDYLAY_SETTINGS_MAX + 1];

  /* SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER */
  uint32_t ctrl_frame_buf_max;

  spdylay_session_callbacks callbacks;
  void *user_data;

  spdylay_hd_deflater hd_out;
  spdylay_hd_inflater hd_in;

  spdylay_tx_state tx;
  spdylay_data_buffer_callback data_buffer_callback;
  /* uncompressed header block of the frame being packed */
  spdylay_buffer hd_scratch;

  spdylay_rx_state rx;

  spdylay_limits limits;
  spdylay_flood_state flood;
};

/*
 * Returns nonzero if |stream_id| is of the kind this endpoint opens (odd
 * for a client, even and nonzero for a server), 0 otherwise.
 */
int spdylay_session_is_local_id(spdylay_session *session, int32_t stream_id);

/* The open stream |stream_id|, or NULL. */
spdylay_stream* spdylay_session_find_stream(spdylay_session *session,
                                            int32_t stream_id);

/*
 * Queues |item| (from malloc/calloc; the session owns it from now on)
 * for sending: gives it its queue priority (its stream's priority for the
 * frames of a stream, PING -10, SETTINGS -1, the GOAWAY of a tripped
 * limit SPDYLAY_PRI_LIMIT_GOAWAY, everything else the lowest priority)
 * and the next seq; SYN_STREAM goes to synq, the rest to sendq.  An
 * RST_STREAM moves its open stream to SPDYLAY_STREAM_PHASE_RESET.
 * Returns 0 (queueing cannot fail).
 */
int spdylay_session_enqueue(spdylay_session *session,
                            spdylay_outbound_item *item);

/*
 * A new item holding a control frame of |type| (spdylay_frame_type) for
 * the session's wire version with |flags|, started with
 * spdylay_frame_begin(); the caller fills the type's fields.  NULL when
 * out of memory.
 */
spdylay_outbound_item* spdylay_session_ctrl_item(spdylay_session *session,
                                                 uint16_t type,
                                                 uint8_t flags);

/*
 * Fails the session because |limit| (spdylay_limit) was passed, unless a
 * limit already did: records it and queues GOAWAY(PROTOCOL_ERROR) ahead
 * of every other frame.  Returns SPDYLAY_ERR_FLOODED, or
 * SPDYLAY_ERR_NOMEM if the GOAWAY could not be queued.
 */
int spdylay_session_trip_limit(spdylay_session *session, int limit);

/* Queue an RST_STREAM(|stream_id|, |status_code|).  0 or
   SPDYLAY_ERR_NOMEM. */
int spdylay_session_queue_rst_stream(spdylay_session *session,
                                     int32_t stream_id, uint32_t status_code);

/* Queue a PING carrying |ping_id|.  0 or SPDYLAY_ERR_NOMEM. */
int spdylay_session_queue_ping(spdylay_session *session, uint32_t ping_id);

/* Queue a GOAWAY with |last_good_id| and |status_code| (dropped in
   SPDY/2, which has no such field).  0 or SPDYLAY_ERR_NOMEM. */
int spdylay_session_queue_goaway(spdylay_session *session,
                                 int32_t last_good_id, uint32_t status_code);

/* Queue a WINDOW_UPDATE of |delta| bytes for |stream_id| (0: the
   session window).  0 or SPDYLAY_ERR_NOMEM. */
int spdylay_session_queue_window_update(spdylay_session *session,
                                        int32_t stream_id, int32_t delta);

/*
 * Queue the DATA of |stream_id| read from |data_prd| (copied); |flags|
 * SPDYLAY_DATA_FLAG_FIN puts FIN on the last frame.  0 or
 * SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_queue_data(spdylay_session *session, int32_t stream_id,
                               uint8_t flags,
                               const spdylay_data_provider *data_prd);

#endif /* SPDYLAY_SESSION_H */
