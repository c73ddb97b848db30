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

typedef enum {
  SPDYLAY_GOAWAY_NONE = 0,
  /* GOAWAY has been completely sent */
  SPDYLAY_GOAWAY_SEND = 0x01,
  /* GOAWAY has been received */
  SPDYLAY_GOAWAY_RECV = 0x02,
  /* the session is failing; set when the GOAWAY is queued */
  SPDYLAY_GOAWAY_FAIL_ON_SEND = 0x04
} spdylay_goaway_flag;

typedef enum {
  SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE = 0x01,
  SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2 = 0x02
} spdylay_optmask;

typedef enum {
  SPDYLAY_FLOW_CONTROL_NONE = 0,
  SPDYLAY_FLOW_CONTROL_STREAM = 1,
  SPDYLAY_FLOW_CONTROL_STREAM_SESSION = 2
} spdylay_flow_control_mode;

typedef enum {
  SPDYLAY_RECV_HEAD,
  SPDYLAY_RECV_CTRL_PAYLOAD,
  SPDYLAY_RECV_DATA_PAYLOAD
} spdylay_inbound_state;

/* State of the frame being received. */
typedef struct {
  spdylay_inbound_state state;
  uint8_t headbuf[SPDYLAY_FRAME_HEAD_LENGTH];
  size_t headbufoff;
  /* payload length announced by the header */
  size_t payloadlen;
  /* payload bytes consumed so far */
  size_t off;
  /* payload bytes that go into |buf| */
  size_t buftarget;
  /* buffered payload (fixed part, or whole payload) */
  spdylay_buffer buf;
  /* inflated header block */
  spdylay_buffer hbbuf;
  /* frame carries a compressed header block after |buftarget| bytes */
  uint8_t hb;
  /* header block marked too large */
  uint8_t too_large;
  /* output of the header block decompressed so far (kept + discarded) */
  size_t inflated;
  /* inflate failed */
  uint8_t zlib_error;
  /* DATA: frame is accepted (chunks are delivered) */
  uint8_t data_accept;
  uint8_t data_flags;
  int32_t data_stream_id;
} spdylay_inbound_frame;

#define SPDYLAY_INITIAL_SESSION_WINDOW_SIZE 65536
#define SPDYLAY_MAX_RECV_CTRL_FRAME_BUF_DEFAULT ((1 << 24) - 1)
#define SPDYLAY_MIN_RECV_CTRL_FRAME_BUF 8192

/* Defaults of our limit options (SPDYLAY_OPT_MAX_HEADER_LIST_SIZE ..
   SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE). */
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
  /* spdylay_flow_control_mode */
  uint8_t flow_control;
  /* spdylay_goaway_flag bits */
  uint8_t goaway_flags;
  /* spdylay_optmask bits */
  uint8_t opt_flags;

  /* spdylay_stream objects (owned by the session) by stream ID */
  spdylay_streamtab streams;
  size_t num_outgoing_streams;
  size_t num_incoming_streams;

  /* SYN_STREAM frames wait in |synq| (they also wait for a free stream
     slot); every other frame, DATA included, waits in |sendq| */
  spdylay_sendq synq;
  spdylay_sendq sendq;
  uint64_t next_seq;

  uint32_t next_stream_id;
  int32_t last_recv_stream_id;
  uint32_t next_unique_id;
  uint32_t last_ping_unique_id;
  int32_t last_good_stream_id;

  /* session-level flow control (SPDY/3.1), as in spdylay_stream */
  int32_t send_window;
  int32_t recv_unacked;
  int32_t consumed_unacked;

  uint32_t remote_settings[SPDYLAY_SETTINGS_MAX + 1];
  uint32_t local_settings[SPDYLAY_SETTINGS_MAX + 1];

  uint32_t max_recv_ctrl_frame_buf;

  spdylay_session_callbacks callbacks;
  void *user_data;

  spdylay_hd_deflater hd_deflater;
  spdylay_hd_inflater hd_inflater;

  /* frame being sent */
  spdylay_outbound_item *aob_item;
  spdylay_buffer aob_buf;
  size_t aob_off;
  /* The DATA frame being sent lives in application memory (from
     data_buffer_callback) instead of aob_buf.buf; aob_buf.len is its
     length. NULL otherwise. */
  uint8_t *aob_ext;
  spdylay_data_buffer_callback data_buffer_callback;
  /* scratch buffer for uncompressed header blocks */
  spdylay_buffer nvbuf;

  spdylay_inbound_frame iframe;

  /* limits (our extension; see spdylay_opt 4..9) */
  uint32_t max_header_list_size;
  uint32_t max_outbound_ack;
  uint32_t max_empty_frames;
  uint32_t stream_reset_burst;
  uint32_t stream_reset_rate;
  uint32_t max_header_block_inflate;
  /* frames queued in reply to the peer (item->ack) not yet sent */
  size_t num_outbound_ack;
  /* consecutive received frames carrying nothing */
  uint64_t num_empty_frames;
  /* SETTINGS frames received */
  uint64_t num_settings_recv;
  /* RST_STREAM token bucket as a virtual scheduling time (ns, monotonic):
     a reset at |now| is allowed if max(tat, now) + interval - now <=
     burst * interval; with rate 0, |reset_count| counts resets instead */
  uint64_t reset_tat;
  uint64_t reset_count;
  /* spdylay_limit that made the session fail, 0 if none */
  int limit_exceeded;
};

/* Returns nonzero if |stream_id| has this endpoint's parity. */
int spdylay_session_is_my_stream_id(spdylay_session *session,
                                    int32_t stream_id);

spdylay_stream* spdylay_session_get_stream(spdylay_session *session,
                                           int32_t stream_id);

/*
 * Queues |item| (allocated with malloc; ownership passes to the session,
 * also on failure).  Assigns pri and seq.  RST_STREAM puts an existing
 * stream into CLOSING.  Returns 0 or SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_add_item(spdylay_session *session,
                             spdylay_outbound_item *item);

/* Allocates a zeroed item.  NULL on failure. */
spdylay_outbound_item* spdylay_session_new_item(void);

/*
 * Fails the session for |limit| (once): queues GOAWAY(PROTOCOL_ERROR)
 * ahead of every other frame and records the limit.  Returns
 * SPDYLAY_ERR_FLOODED, or SPDYLAY_ERR_NOMEM.
 */
int spdylay_session_fail_limit(spdylay_session *session, int limit);

int spdylay_session_add_rst_stream(spdylay_session *session,
                                   int32_t stream_id, uint32_t status_code);

int spdylay_session_add_ping(spdylay_session *session, uint32_t unique_id);

int spdylay_session_add_goaway(spdylay_session *session,
                               int32_t last_good_stream_id,
                               uint32_t status_code);

int spdylay_session_add_window_update(spdylay_session *session,
                                      int32_t stream_id,
                                      int32_t delta_window_size);

int spdylay_session_add_data(spdylay_session *session, int32_t stream_id,
                             uint8_t flags,
                             const spdylay_data_provider *data_prd);

#endif /* SPDYLAY_SESSION_H */
