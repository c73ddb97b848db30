/*
 * spdylay_session.c - the session engine: stream bookkeeping, outbound
 * queues and the send loop, inbound frame reassembly and processing,
 * flow control.
 */
#include "spdylay_session.h"

#include <string.h>
#include <stdlib.h>
#include <assert.h>
#include <time.h>

#include "spdylay_helper.h"

/* ------------------------------------------------------------------ */
/* stream IDs, priorities, items                                        */

int spdylay_session_is_local_id(spdylay_session *session, int32_t stream_id)
{
  /* clients open odd IDs, servers even ones; ID 0 is nobody's */
  if(session->server) {
    return stream_id != 0 && (stream_id & 1) == 0;
  }
  return stream_id > 0 && (stream_id & 1) == 1;
}

spdylay_stream* spdylay_session_find_stream(spdylay_session *session,
                                            int32_t stream_id)
{
  return spdylay_streamtab_get(&session->streams, stream_id);
}

/* The numerically largest (least urgent) priority of the version. */
static int32_t lowest_pri(spdylay_session *session)
{
  return (int32_t)spdylay_session_get_pri_lowest(session);
}

spdylay_outbound_item* spdylay_session_ctrl_item(spdylay_session *session,
                                                 uint16_t type,
                                                 uint8_t flags)
{
  spdylay_outbound_item *item = calloc(1, sizeof(*item));
  if(item != NULL) {
    item->kind = SPDYLAY_ITEM_CTRL;
    spdylay_frame_begin(&item->frame.ctrl, session->version, type, flags);
  }
  return item;
}

/* ------------------------------------------------------------------ */
/* session creation / deletion                                          */

static int create_session(spdylay_session **session_ptr, uint16_t version,
                          const spdylay_session_callbacks *callbacks,
                          void *user_data, int server)
{
  spdylay_session *session;
  int rv;
  size_t i;

  if(version != SPDYLAY_PROTO_SPDY2 && version != SPDYLAY_PROTO_SPDY3 &&
     version != SPDYLAY_PROTO_SPDY3_1) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  session = calloc(1, sizeof(spdylay_session));
  if(session == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  session->proto = version;
  session->version = version == SPDYLAY_PROTO_SPDY2 ? 2 : 3;
  session->server = (uint8_t)(server ? 1 : 0);
  switch(version) {
  case SPDYLAY_PROTO_SPDY2:
    session->fc = SPDYLAY_FC_OFF;
    break;
  case SPDYLAY_PROTO_SPDY3:
    session->fc = SPDYLAY_FC_STREAMS;
    break;
  default:
    session->fc = SPDYLAY_FC_STREAMS_AND_SESSION;
    break;
  }
  session->next_local_id = server ? 2 : 1;
  session->next_ping_id = server ? 2 : 1;
  session->send_window = session->fc ==
    SPDYLAY_FC_STREAMS_AND_SESSION ? SPDYLAY_INITIAL_SESSION_WINDOW_SIZE :
    0;
  for(i = 0; i <= SPDYLAY_SETTINGS_MAX; ++i) {
    session->peer_settings[i] = 0;
    session->own_settings[i] = 0;
  }
  session->peer_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] =
    SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS;
  session->peer_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] =
    SPDYLAY_INITIAL_WINDOW_SIZE;
  session->own_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] =
    SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS;
  session->own_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] =
    SPDYLAY_INITIAL_WINDOW_SIZE;
  session->ctrl_frame_buf_max = SPDYLAY_MAX_RECV_CTRL_FRAME_BUF_DEFAULT;
  session->limits.header_list = SPDYLAY_MAX_HEADER_LIST_SIZE_DEFAULT;
  session->limits.pending_replies = SPDYLAY_MAX_OUTBOUND_ACK_DEFAULT;
  session->limits.empty_frames = SPDYLAY_MAX_EMPTY_FRAMES_DEFAULT;
  session->limits.reset_burst = SPDYLAY_STREAM_RESET_BURST_DEFAULT;
  session->limits.reset_rate = SPDYLAY_STREAM_RESET_RATE_DEFAULT;
  session->limits.hblock_inflate = SPDYLAY_MAX_HEADER_BLOCK_INFLATE_DEFAULT;

  if(callbacks) {
    session->callbacks = *callbacks;
  }
  session->user_data = user_data;

  spdylay_buffer_init(&session->tx.buf);
  spdylay_buffer_init(&session->hd_scratch);
  spdylay_buffer_init(&session->rx.fixed);
  spdylay_buffer_init(&session->rx.hblock);
  session->rx.stage = SPDYLAY_RX_HEADER;

  rv = spdylay_hd_deflater_init(&session->hd_out, session->version,
                                server);
  if(rv != 0) {
    goto fail_deflate;
  }
  rv = spdylay_hd_inflater_init(&session->hd_in, session->version);
  if(rv != 0) {
    goto fail_inflate;
  }
  rv = spdylay_streamtab_init(&session->streams);
  if(rv != 0) {
    goto fail_streams;
  }
  spdylay_sendq_init(&session->sendq, spdylay_outbound_item_goes_first);
  spdylay_sendq_init(&session->synq, spdylay_outbound_item_goes_first);
  *session_ptr = session;
  return 0;

 fail_streams:
  spdylay_hd_inflater_end(&session->hd_in);
 fail_inflate:
  spdylay_hd_deflater_end(&session->hd_out);
 fail_deflate:
  free(session);
  return rv;
}

int spdylay_session_client_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return create_session(session_ptr, version, callbacks, user_data, 0);
}

int spdylay_session_server_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return create_session(session_ptr, version, callbacks, user_data, 1);
}

static void free_stream(void *obj, void *arg)
{
  spdylay_stream *stream = obj;
  SPDYLAY_UNUSED(arg);
  spdylay_outbound_item_free(stream->parked);
  free(stream);
}

/* Frees every item still waiting in |q|. */
static void drain_queue(spdylay_sendq *q)
{
  spdylay_sendq_node *node;
  while((node = spdylay_sendq_take(q)) != NULL) {
    spdylay_outbound_item_free(spdylay_outbound_item_of(node));
  }
}

/* The item that leaves |q| next, or NULL. */
static spdylay_outbound_item* queue_head(const spdylay_sendq *q)
{
  spdylay_sendq_node *node = spdylay_sendq_peek(q);
  return node ? spdylay_outbound_item_of(node) : NULL;
}

void spdylay_session_del(spdylay_session *session)
{
  if(session == NULL) {
    return;
  }
  spdylay_streamtab_clear(&session->streams, free_stream, NULL);
  spdylay_streamtab_release(&session->streams);
  drain_queue(&session->sendq);
  drain_queue(&session->synq);
  spdylay_outbound_item_free(session->tx.item);
  spdylay_buffer_free(&session->tx.buf);
  spdylay_buffer_free(&session->hd_scratch);
  spdylay_buffer_free(&session->rx.fixed);
  spdylay_buffer_free(&session->rx.hblock);
  spdylay_hd_deflater_end(&session->hd_out);
  spdylay_hd_inflater_end(&session->hd_in);
  free(session);
}

int spdylay_session_set_option(spdylay_session *session,
                               int optname, void *optval, size_t optlen)
{
  switch(optname) {
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE:
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2: {
    uint8_t mask = optname == SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE ?
      SPDYLAY_MANUAL_STREAM_WINDOW :
      SPDYLAY_MANUAL_SESSION_WINDOW;
    if(optval == NULL || optlen != sizeof(int)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    if(*(int*)optval) {
      session->manual_window |= mask;
    } else {
      session->manual_window &= (uint8_t)~mask;
    }
    return 0;
  }
  case SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER: {
    uint32_t v;
    if(optval == NULL || optlen != sizeof(uint32_t)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    v = *(uint32_t*)optval;
    if(v < SPDYLAY_MIN_RECV_CTRL_FRAME_BUF ||
       v > SPDYLAY_MAX_RECV_CTRL_FRAME_BUF_DEFAULT) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    session->ctrl_frame_buf_max = v;
    return 0;
  }
  case SPDYLAY_OPT_MAX_HEADER_LIST_SIZE:
  case SPDYLAY_OPT_MAX_OUTBOUND_ACK:
  case SPDYLAY_OPT_MAX_EMPTY_FRAMES:
  case SPDYLAY_OPT_STREAM_RESET_BURST:
  case SPDYLAY_OPT_STREAM_RESET_RATE:
  case SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE: {
    uint32_t v;
    if(optval == NULL || optlen != sizeof(uint32_t)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    v = *(uint32_t*)optval;
    /* every limit but the reset rate must be at least 1 */
    if(v == 0 && optname != SPDYLAY_OPT_STREAM_RESET_RATE) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    switch(optname) {
    case SPDYLAY_OPT_MAX_HEADER_LIST_SIZE:
      session->limits.header_list = v;
      break;
    case SPDYLAY_OPT_MAX_OUTBOUND_ACK:
      session->limits.pending_replies = v;
      break;
    case SPDYLAY_OPT_MAX_EMPTY_FRAMES:
      session->limits.empty_frames = v;
      break;
    case SPDYLAY_OPT_STREAM_RESET_BURST:
      session->limits.reset_burst = v;
      /* a full bucket */
      session->flood.reset_clock = 0;
      session->flood.resets_counted = 0;
      break;
    case SPDYLAY_OPT_STREAM_RESET_RATE:
      session->limits.reset_rate = v;
      session->flood.reset_clock = 0;
      session->flood.resets_counted = 0;
      break;
    default:
      session->limits.hblock_inflate = v;
      break;
    }
    return 0;
  }
  default:
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
}

/* ------------------------------------------------------------------ */
/* streams                                                              */

/* The open-stream count that stream |id| belongs to. */
static size_t* stream_counter(spdylay_session *session, int32_t id)
{
  return spdylay_session_is_local_id(session, id) ? &session->local_streams :
    &session->remote_streams;
}

/*
 * Creates stream |id| in |phase| with the SYN_STREAM flags |syn_flags|,
 * priority |pri| and the application pointer |user_data|; its send window
 * is the peer's SETTINGS_INITIAL_WINDOW_SIZE.  The stream is added to
 * the table and counted.  NULL when out of memory (or |id| is open).
 */
static spdylay_stream* register_stream(spdylay_session *session, int32_t id,
                                       uint8_t syn_flags, uint8_t pri,
                                       spdylay_stream_phase phase,
                                       void *user_data)
{
  int32_t window =
    (int32_t)session->peer_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
  spdylay_stream *st = malloc(sizeof(*st));
  if(st == NULL) {
    return NULL;
  }
  spdylay_stream_setup(st, id, syn_flags, pri, phase, window, user_data);
  if(spdylay_streamtab_put(&session->streams, id, st) != 0) {
    free(st);
    return NULL;
  }
  ++*stream_counter(session, id);
  return st;
}

/*
 * Ends stream |id|: on_stream_close_callback hears |status_code| first,
 * then the stream leaves the table and is freed with its parked DATA.
 * Returns 0, or SPDYLAY_ERR_INVALID_ARGUMENT if |id| is not open.
 */
static int retire_stream(spdylay_session *session, int32_t id,
                         spdylay_status_code status_code)
{
  spdylay_on_stream_close_callback closed =
    session->callbacks.on_stream_close_callback;
  spdylay_stream *st = spdylay_streamtab_get(&session->streams, id);
  if(st == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if(closed != NULL) {
    closed(session, id, status_code, session->user_data);
  }
  spdylay_streamtab_drop(&session->streams, id);
  --*stream_counter(session, id);
  free_stream(st, NULL);
  return 0;
}

/* Ends |stream| normally once both of its directions are finished. */
static void retire_if_both_done(spdylay_session *session,
                                spdylay_stream *stream)
{
  if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) ==
     SPDYLAY_STREAM_BOTH_DONE) {
    retire_stream(session, stream->id, SPDYLAY_OK);
  }
}

/* ------------------------------------------------------------------ */
/* queueing                                                             */

/* Stream a queued frame belongs to for its queue priority, 0 if none. */
static int32_t item_stream_id(const spdylay_outbound_item *item)
{
  const spdylay_frame *f = &item->frame.ctrl;
  if(item->kind == SPDYLAY_ITEM_DATA) {
    return item->frame.data.stream_id;
  }
  switch(f->ctrl.hd.type) {
  case SPDYLAY_SYN_REPLY:
    return f->syn_reply.stream_id;
  case SPDYLAY_HEADERS:
    return f->headers.stream_id;
  case SPDYLAY_WINDOW_UPDATE:
    return f->window_update.stream_id;
  case SPDYLAY_RST_STREAM:
    return f->rst_stream.stream_id;
  default:
    return 0;
  }
}

int spdylay_session_enqueue(spdylay_session *session,
                            spdylay_outbound_item *item)
{
  int32_t lowest = lowest_pri(session);
  int32_t sid = item_stream_id(item);
  uint16_t type = item->kind == SPDYLAY_ITEM_CTRL ?
    item->frame.ctrl.ctrl.hd.type : 0;

  if(sid != 0) {
    /* frames of a stream travel at the stream's priority */
    spdylay_stream *owner = spdylay_session_find_stream(session, sid);
    item->pri = owner ? owner->pri : lowest;
    if(owner && type == SPDYLAY_RST_STREAM) {
      owner->phase = SPDYLAY_STREAM_PHASE_RESET;
    }
  } else if(type == SPDYLAY_PING) {
    item->pri = -10;
  } else if(type == SPDYLAY_SETTINGS) {
    item->pri = -1;
  } else if(type == SPDYLAY_GOAWAY && session->flood.tripped) {
    /* the GOAWAY of a limit failure goes before everything queued */
    item->pri = SPDYLAY_PRI_LIMIT_GOAWAY;
  } else {
    item->pri = lowest;
  }
  item->seq = session->enqueued_total++;
  spdylay_sendq_add(type == SPDYLAY_SYN_STREAM ? &session->synq :
                    &session->sendq, &item->qnode);
  return 0;
}

/* An RST_STREAM item for |stream_id| with |status_code|; NULL when out
   of memory. */
static spdylay_outbound_item* rst_stream_item(spdylay_session *session,
                                              int32_t stream_id,
                                              uint32_t status_code)
{
  spdylay_outbound_item *item =
    spdylay_session_ctrl_item(session, SPDYLAY_RST_STREAM, 0);
  if(item != NULL) {
    item->frame.ctrl.rst_stream.stream_id = stream_id;
    item->frame.ctrl.rst_stream.status_code = status_code;
  }
  return item;
}

/* A PING item carrying |ping_id|; NULL when out of memory. */
static spdylay_outbound_item* ping_item(spdylay_session *session,
                                        uint32_t ping_id)
{
  spdylay_outbound_item *item =
    spdylay_session_ctrl_item(session, SPDYLAY_PING, 0);
  if(item != NULL) {
    item->frame.ctrl.ping.unique_id = ping_id;
  }
  return item;
}

/* Queues |item|, a fresh item or NULL (allocation failed). */
static int enqueue_fresh(spdylay_session *session,
                         spdylay_outbound_item *item)
{
  return item ? spdylay_session_enqueue(session, item) : SPDYLAY_ERR_NOMEM;
}

int spdylay_session_queue_rst_stream(spdylay_session *session,
                                     int32_t stream_id, uint32_t status_code)
{
  return enqueue_fresh(session,
                       rst_stream_item(session, stream_id, status_code));
}

int spdylay_session_queue_ping(spdylay_session *session, uint32_t ping_id)
{
  return enqueue_fresh(session, ping_item(session, ping_id));
}

int spdylay_session_queue_goaway(spdylay_session *session,
                                 int32_t last_good_id, uint32_t status_code)
{
  spdylay_outbound_item *item =
    spdylay_session_ctrl_item(session, SPDYLAY_GOAWAY, 0);
  if(item != NULL) {
    item->frame.ctrl.goaway.last_good_stream_id = last_good_id;
    /* SPDY/2's GOAWAY has no status code */
    item->frame.ctrl.goaway.status_code =
      session->version == 2 ? 0 : status_code;
  }
  return enqueue_fresh(session, item);
}

int spdylay_session_queue_window_update(spdylay_session *session,
                                        int32_t stream_id, int32_t delta)
{
  spdylay_outbound_item *item =
    spdylay_session_ctrl_item(session, SPDYLAY_WINDOW_UPDATE, 0);
  if(item != NULL) {
    item->frame.ctrl.window_update.stream_id = stream_id;
    item->frame.ctrl.window_update.delta_window_size = delta;
  }
  return enqueue_fresh(session, item);
}

int spdylay_session_queue_data(spdylay_session *session, int32_t stream_id,
                               uint8_t flags,
                               const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item = calloc(1, sizeof(*item));
  if(item != NULL) {
    item->kind = SPDYLAY_ITEM_DATA;
    item->frame.data.stream_id = stream_id;
    item->frame.data.flags = flags & SPDYLAY_DATA_FLAG_FIN;
    item->frame.data.data_prd = *data_prd;
  }
  return enqueue_fresh(session, item);
}

int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code)
{
  session->shutdown |= SPDYLAY_SHUTDOWN_FAILING;
  return spdylay_session_queue_goaway(session, session->highest_remote_id,
                                      status_code);
}

int spdylay_session_trip_limit(spdylay_session *session, int limit)
{
  int rv;
  if(session->flood.tripped) {
    return SPDYLAY_ERR_FLOODED;
  }
  session->flood.tripped = limit;
  rv = spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  if(rv != 0) {
    return rv;
  }
  return SPDYLAY_ERR_FLOODED;
}

/*
 * Queues |item| (a frame the library sends on its own in reply to the
 * peer) if fewer than limits.pending_replies such frames wait unsent; otherwise
 * frees it and fails the session (SPDYLAY_LIMIT_OUTBOUND_ACK).
 */
static int queue_reply_item(spdylay_session *session,
                            spdylay_outbound_item *item)
{
  int rv;
  if(session->flood.pending_replies >= session->limits.pending_replies) {
    spdylay_outbound_item_free(item);
    return spdylay_session_trip_limit(session, SPDYLAY_LIMIT_OUTBOUND_ACK);
  }
  item->is_reply = 1;
  rv = spdylay_session_enqueue(session, item);
  if(rv != 0) {
    return rv;
  }
  ++session->flood.pending_replies;
  return 0;
}

/* |item| leaves the queue (sent or dropped) */
static void reply_item_left(spdylay_session *session, spdylay_outbound_item *item)
{
  if(item->is_reply) {
    item->is_reply = 0;
    --session->flood.pending_replies;
  }
}

static int queue_reply_rst_stream(spdylay_session *session,
                                  int32_t stream_id, uint32_t status_code)
{
  spdylay_outbound_item *item =
    rst_stream_item(session, stream_id, status_code);
  return item ? queue_reply_item(session, item) : SPDYLAY_ERR_NOMEM;
}

static int queue_reply_ping(spdylay_session *session, uint32_t ping_id)
{
  spdylay_outbound_item *item = ping_item(session, ping_id);
  return item ? queue_reply_item(session, item) : SPDYLAY_ERR_NOMEM;
}

/* A received frame carried nothing: counts it against limits.empty_frames.
   Returns 0, SPDYLAY_ERR_FLOODED or SPDYLAY_ERR_NOMEM. */
static int note_empty_frame(spdylay_session *session)
{
  if(++session->flood.empty_run > session->limits.empty_frames) {
    return spdylay_session_trip_limit(session, SPDYLAY_LIMIT_EMPTY_FRAMES);
  }
  return 0;
}

static uint64_t now_ns(void)
{
  struct timespec ts;
  if(clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    return 0;
  }
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Takes a token from the RST_STREAM bucket; returns 0 when it is empty. */
static int allow_peer_reset(spdylay_session *session)
{
  uint64_t interval, now, tat;
  if(session->limits.reset_rate == 0) {
    if(session->flood.resets_counted >= session->limits.reset_burst) {
      return 0;
    }
    ++session->flood.resets_counted;
    return 1;
  }
  interval = 1000000000u / session->limits.reset_rate;
  if(interval == 0) {
    /* more than 10^9 per second: never empty */
    return 1;
  }
  now = now_ns();
  tat = spdylay_max(session->flood.reset_clock, now);
  if(tat + interval - now > (uint64_t)session->limits.reset_burst * interval) {
    return 0;
  }
  session->flood.reset_clock = tat + interval;
  return 1;
}

int spdylay_session_get_limit_exceeded(spdylay_session *session)
{
  return session->flood.tripped;
}

/* Returns the item that would be sent next, without removing it. */
static spdylay_outbound_item* next_to_send(spdylay_session *session)
{
  spdylay_outbound_item *item = queue_head(&session->sendq);
  spdylay_outbound_item *syn = queue_head(&session->synq);
  int syn_ok = syn != NULL &&
    session->local_streams <
    session->peer_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS];
  if(item == NULL) {
    return syn_ok ? syn : NULL;
  }
  if(!syn_ok) {
    return item;
  }
  return spdylay_outbound_item_precedes(item, syn) ? item : syn;
}

static spdylay_outbound_item* take_next_to_send(spdylay_session *session)
{
  spdylay_outbound_item *item = next_to_send(session);
  if(item == NULL) {
    return NULL;
  }
  spdylay_sendq_take(item == queue_head(&session->sendq) ? &session->sendq :
                     &session->synq);
  return item;
}

/* ------------------------------------------------------------------ */
/* send-time checks                                                     */

static int syn_reply_sendable(spdylay_session *session,
                              spdylay_stream *stream)
{
  if(stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_OUT_DONE) {
    return SPDYLAY_ERR_STREAM_SHUT_WR;
  }
  if(spdylay_session_is_local_id(session, stream->id)) {
    return SPDYLAY_ERR_INVALID_STREAM_ID;
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_SYN) {
    return 0;
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
    return SPDYLAY_ERR_STREAM_CLOSING;
  }
  return SPDYLAY_ERR_INVALID_STREAM_STATE;
}

/* HEADERS and DATA share these rules */
static int headers_sendable(spdylay_session *session,
                            spdylay_stream *stream)
{
  if(stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_OUT_DONE) {
    return SPDYLAY_ERR_STREAM_SHUT_WR;
  }
  if(spdylay_session_is_local_id(session, stream->id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return SPDYLAY_ERR_STREAM_CLOSING;
    }
    return 0;
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_REPLIED) {
    return 0;
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
    return SPDYLAY_ERR_STREAM_CLOSING;
  }
  return SPDYLAY_ERR_INVALID_STREAM_STATE;
}

static int data_sendable(spdylay_session *session,
                         spdylay_stream *stream)
{
  if(stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_OUT_DONE) {
    return SPDYLAY_ERR_STREAM_SHUT_WR;
  }
  if(stream->parked != NULL) {
    return SPDYLAY_ERR_DEFERRED_DATA_EXIST;
  }
  return headers_sendable(session, stream);
}

/* ------------------------------------------------------------------ */
/* preparing frames for sending                                         */

/*
 * Reads the next chunk of DATA |item| for |stream| into the send
 * buffer.  Returns the frame length, SPDYLAY_ERR_DEFERRED (item parked
 * on the stream), SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE (RST_STREAM
 * queued; the caller frees the item) or a fatal error.
 */
static ssize_t build_data_frame(spdylay_session *session,
                                spdylay_outbound_item *item,
                                spdylay_stream *stream)
{
  spdylay_data_job *data = &item->frame.data;
  int32_t max = SPDYLAY_DATA_PAYLOAD_LENGTH;
  ssize_t n;
  int eof = 0;
  uint8_t flags;
  uint8_t *dst;
  int rv;

  if(session->fc != SPDYLAY_FC_OFF) {
    max = spdylay_min(max, stream->send_window);
    if(session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
      max = spdylay_min(max, session->send_window);
    }
    if(max <= 0) {
      spdylay_stream_park(stream, item, 1);
      return SPDYLAY_ERR_DEFERRED;
    }
  }
  spdylay_buffer_reset(&session->tx.buf);
  session->tx.ext = NULL;
  if(session->data_buffer_callback) {
    session->tx.ext = session->data_buffer_callback
      (session, SPDYLAY_FRAME_HEAD_LENGTH + (size_t)max, session->user_data);
  }
  if(session->tx.ext) {
    dst = session->tx.ext;
  } else {
    rv = spdylay_buffer_reserve(&session->tx.buf, SPDYLAY_FRAME_HEAD_LENGTH +
                                SPDYLAY_DATA_PAYLOAD_LENGTH);
    if(rv != 0) {
      return rv;
    }
    dst = session->tx.buf.buf;
  }
  n = data->data_prd.read_callback(session, data->stream_id,
                                   dst + SPDYLAY_FRAME_HEAD_LENGTH,
                                   (size_t)max,
                                   &eof, &data->data_prd.source,
                                   session->user_data);
  if(n == SPDYLAY_ERR_DEFERRED) {
    /* the stream may have gone away inside the callback */
    stream = spdylay_session_find_stream(session, data->stream_id);
    if(stream == NULL) {
      /* dropped by the caller */
      return SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    spdylay_stream_park(stream, item, 0);
    return SPDYLAY_ERR_DEFERRED;
  }
  if(n == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
    rv = spdylay_session_queue_rst_stream(session, data->stream_id,
                                          SPDYLAY_INTERNAL_ERROR);
    if(rv != 0) {
      return rv;
    }
    return SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  if(n < 0 || n > max) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  flags = SPDYLAY_DATA_FLAG_NONE;
  if(eof) {
    data->eof = 1;
    if(data->flags & SPDYLAY_DATA_FLAG_FIN) {
      flags = SPDYLAY_DATA_FLAG_FIN;
    }
  }
  spdylay_frame_write_data_head(dst, data->stream_id, flags, (uint32_t)n);
  session->tx.buf.len = SPDYLAY_FRAME_HEAD_LENGTH + (size_t)n;
  return (ssize_t)session->tx.buf.len;
}

static ssize_t build_ctrl_frame(spdylay_session *session,
                                spdylay_outbound_item *item)
{
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_stream *stream;
  ssize_t rv;

  switch(frame->ctrl.hd.type) {
  case SPDYLAY_SYN_STREAM: {
    spdylay_syn_stream *syn = &frame->syn_stream;
    int err = 0;
    if(session->shutdown) {
      err = SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED;
    } else if(syn->assoc_stream_id != 0 &&
              spdylay_session_find_stream(session,
                                          syn->assoc_stream_id) == NULL) {
      err = SPDYLAY_ERR_STREAM_CLOSED;
    }
    if(err != 0) {
      /* create the stream so that the application can see it in the
         not-send callback; it is closed right after */
      if(register_stream(session, syn->stream_id, syn->hd.flags, syn->pri,
                         SPDYLAY_STREAM_PHASE_NEW,
                         item->attach.stream_user_data) == NULL) {
        return SPDYLAY_ERR_NOMEM;
      }
      return err;
    }
    rv = spdylay_frame_encode_syn_stream(&session->tx.buf, &session->hd_scratch,
                                         syn, &session->hd_out);
    if(rv < 0) {
      return rv;
    }
    if(register_stream(session, syn->stream_id, syn->hd.flags, syn->pri,
                       SPDYLAY_STREAM_PHASE_NEW,
                       item->attach.stream_user_data) == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    return rv;
  }
  case SPDYLAY_SYN_REPLY:
    stream = spdylay_session_find_stream(session, frame->syn_reply.stream_id);
    rv = syn_reply_sendable(session, stream);
    if(rv != 0) {
      return rv;
    }
    return spdylay_frame_encode_syn_reply(&session->tx.buf, &session->hd_scratch,
                                          &frame->syn_reply,
                                          &session->hd_out);
  case SPDYLAY_HEADERS:
    stream = spdylay_session_find_stream(session, frame->headers.stream_id);
    rv = headers_sendable(session, stream);
    if(rv != 0) {
      return rv;
    }
    return spdylay_frame_encode_headers(&session->tx.buf, &session->hd_scratch,
                                        &frame->headers, &session->hd_out);
  case SPDYLAY_WINDOW_UPDATE:
    if(frame->window_update.stream_id == 0 &&
       session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
      /* session-level update */
    } else {
      stream = spdylay_session_find_stream(session,
                                           frame->window_update.stream_id);
      if(stream == NULL) {
        return SPDYLAY_ERR_STREAM_CLOSED;
      }
      if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
        return SPDYLAY_ERR_STREAM_CLOSING;
      }
    }
    return spdylay_frame_encode_window_update(&session->tx.buf,
                                              &frame->window_update);
  case SPDYLAY_RST_STREAM:
    return spdylay_frame_encode_rst_stream(&session->tx.buf,
                                           &frame->rst_stream);
  case SPDYLAY_SETTINGS:
    return spdylay_frame_encode_settings(&session->tx.buf, &frame->settings);
  case SPDYLAY_PING:
    return spdylay_frame_encode_ping(&session->tx.buf, &frame->ping);
  case SPDYLAY_GOAWAY:
    if(session->shutdown & SPDYLAY_SHUTDOWN_GOAWAY_SENT) {
      return SPDYLAY_ERR_GOAWAY_ALREADY_SENT;
    }
    return spdylay_frame_encode_goaway(&session->tx.buf, &frame->goaway);
  default:
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
}

static ssize_t build_frame(spdylay_session *session,
                           spdylay_outbound_item *item)
{
  session->tx.ext = NULL;
  if(item->kind == SPDYLAY_ITEM_CTRL) {
    return build_ctrl_frame(session, item);
  } else {
    spdylay_stream *stream =
      spdylay_session_find_stream(session, item->frame.data.stream_id);
    int rv = data_sendable(session, stream);
    if(rv != 0) {
      return rv;
    }
    return build_data_frame(session, item, stream);
  }
}

/* ------------------------------------------------------------------ */
/* after a frame has been sent                                          */

static void tx_clear(spdylay_session *session)
{
  session->tx.item = NULL;
  session->tx.pos = 0;
  session->tx.ext = NULL;
  spdylay_buffer_reset(&session->tx.buf);
}

/* The bytes of the frame being sent. */
static const uint8_t *tx_bytes(spdylay_session *session)
{
  return session->tx.ext ? session->tx.ext : session->tx.buf.buf;
}

int spdylay_session_set_data_buffer_callback(spdylay_session *session,
                                             spdylay_data_buffer_callback cb)
{
  if(session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  session->data_buffer_callback = cb;
  return 0;
}

static int ctrl_frame_done(spdylay_session *session)
{
  spdylay_outbound_item *item = session->tx.item;
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_frame_type type = (spdylay_frame_type)frame->ctrl.hd.type;
  spdylay_stream *stream;
  int rv = 0;

  reply_item_left(session, item);
  if(session->callbacks.on_ctrl_send_callback) {
    session->callbacks.on_ctrl_send_callback(session, type, frame,
                                             session->user_data);
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM: {
    spdylay_syn_stream *syn = &frame->syn_stream;
    stream = spdylay_session_find_stream(session, syn->stream_id);
    if(stream) {
      if(stream->phase != SPDYLAY_STREAM_PHASE_RESET) {
        stream->phase = SPDYLAY_STREAM_PHASE_SYN;
      }
      if(syn->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
      }
      if(syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
        stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
      }
      if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
        retire_stream(session, syn->stream_id, SPDYLAY_OK);
      } else if(item->attach.has_body) {
        rv = spdylay_session_queue_data(session, syn->stream_id,
                                        SPDYLAY_DATA_FLAG_FIN,
                                        &item->attach.data_prd);
      }
    }
    break;
  }
  case SPDYLAY_SYN_REPLY: {
    spdylay_syn_reply *reply = &frame->syn_reply;
    stream = spdylay_session_find_stream(session, reply->stream_id);
    if(stream) {
      if(stream->phase != SPDYLAY_STREAM_PHASE_RESET) {
        stream->phase = SPDYLAY_STREAM_PHASE_REPLIED;
      }
      if(reply->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
      }
      if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
        retire_stream(session, reply->stream_id, SPDYLAY_OK);
      } else if(item->attach.has_body) {
        rv = spdylay_session_queue_data(session, reply->stream_id,
                                        SPDYLAY_DATA_FLAG_FIN,
                                        &item->attach.data_prd);
      }
    }
    break;
  }
  case SPDYLAY_RST_STREAM:
    /* The CANCEL cascade to pushed streams never finds any association
       (no association is recorded), so only the stream itself closes. */
    retire_stream(session, frame->rst_stream.stream_id,
                  (spdylay_status_code)frame->rst_stream.status_code);
    break;
  case SPDYLAY_PING:
    session->last_ping_id_sent = frame->ping.unique_id;
    break;
  case SPDYLAY_GOAWAY:
    session->shutdown |= SPDYLAY_SHUTDOWN_GOAWAY_SENT;
    break;
  case SPDYLAY_HEADERS:
    stream = spdylay_session_find_stream(session, frame->headers.stream_id);
    if(stream && (frame->headers.hd.flags & SPDYLAY_CTRL_FLAG_FIN)) {
      stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
      retire_if_both_done(session, stream);
    }
    break;
  default:
    break;
  }
  spdylay_outbound_item_free(item);
  tx_clear(session);
  return rv;
}

static int data_frame_done(spdylay_session *session)
{
  spdylay_outbound_item *item = session->tx.item;
  spdylay_data_job *data = &item->frame.data;
  const uint8_t *hd = tx_bytes(session);
  uint8_t flags = hd[4];
  int32_t length = (int32_t)(spdylay_read_u32(hd + 4) & SPDYLAY_LENGTH_MASK);
  int32_t stream_id = data->stream_id;
  spdylay_stream *stream;
  spdylay_outbound_item *next;
  ssize_t r;

  if(session->callbacks.on_data_send_callback) {
    session->callbacks.on_data_send_callback(session, flags, stream_id,
                                             length, session->user_data);
  }
  stream = spdylay_session_find_stream(session, stream_id);
  if(data->eof && (data->flags & SPDYLAY_DATA_FLAG_FIN) && stream) {
    stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
    if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
      retire_stream(session, stream_id, SPDYLAY_OK);
      stream = NULL;
    }
  }
  if(data->eof || data_sendable(session, stream) != 0) {
    spdylay_outbound_item_free(item);
    tx_clear(session);
    return 0;
  }
  next = next_to_send(session);
  if(next == NULL || item->pri < next->pri) {
    session->tx.pos = 0;
    r = build_data_frame(session, item, stream);
    if(r >= 0) {
      return 0;
    }
    if(r == SPDYLAY_ERR_DEFERRED) {
      tx_clear(session);
      return 0;
    }
    spdylay_outbound_item_free(item);
    tx_clear(session);
    if(r == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
      return 0;
    }
    return (int)r;
  }
  tx_clear(session);
  item->seq = session->enqueued_total++;
  spdylay_sendq_add(&session->sendq, &item->qnode);
  return 0;
}

/* ------------------------------------------------------------------ */
/* spdylay_session_send                                                 */

int spdylay_session_send(spdylay_session *session)
{
  for(;;) {
    spdylay_outbound_item *item;
    ssize_t sent;
    size_t remaining;

    if(session->tx.item == NULL) {
      ssize_t rv;
      if(session->flood.tripped &&
         (session->shutdown & SPDYLAY_SHUTDOWN_GOAWAY_SENT)) {
        /* failed for a limit and the GOAWAY is out: nothing more */
        return 0;
      }
      item = take_next_to_send(session);
      if(item == NULL) {
        return 0;
      }
      rv = build_frame(session, item);
      if(rv == SPDYLAY_ERR_DEFERRED) {
        continue;
      }
      if(rv < 0) {
        reply_item_left(session, item);
        if(item->kind == SPDYLAY_ITEM_CTRL) {
          spdylay_frame *frame = &item->frame.ctrl;
          if(!spdylay_is_fatal(rv) &&
             frame->ctrl.hd.type != SPDYLAY_WINDOW_UPDATE &&
             session->callbacks.on_ctrl_not_send_callback) {
            session->callbacks.on_ctrl_not_send_callback
              (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
               (int)rv, session->user_data);
          }
          if(frame->ctrl.hd.type == SPDYLAY_SYN_STREAM) {
            retire_stream(session, frame->syn_stream.stream_id,
                          SPDYLAY_INTERNAL_ERROR);
          }
        }
        spdylay_outbound_item_free(item);
        spdylay_buffer_reset(&session->tx.buf);
        if(spdylay_is_fatal(rv)) {
          return (int)rv;
        }
        continue;
      }
      session->tx.item = item;
      session->tx.pos = 0;
      if(item->kind == SPDYLAY_ITEM_CTRL &&
         session->callbacks.before_ctrl_send_callback) {
        spdylay_frame *frame = &item->frame.ctrl;
        session->callbacks.before_ctrl_send_callback
          (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
           session->user_data);
      }
    }

    item = session->tx.item;
    remaining = session->tx.buf.len - session->tx.pos;
    if(session->callbacks.send_callback == NULL) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    sent = session->callbacks.send_callback(session,
                                            tx_bytes(session) +
                                            session->tx.pos, remaining, 0,
                                            session->user_data);
    if(sent < 0) {
      if(sent == SPDYLAY_ERR_WOULDBLOCK) {
        return 0;
      }
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    if((size_t)sent > remaining) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    if(item->kind == SPDYLAY_ITEM_DATA &&
       session->fc != SPDYLAY_FC_OFF) {
      /* count only payload bytes */
      size_t begin = spdylay_max(session->tx.pos,
                                 (size_t)SPDYLAY_FRAME_HEAD_LENGTH);
      size_t end = session->tx.pos + (size_t)sent;
      if(end > begin) {
        int32_t n = (int32_t)(end - begin);
        spdylay_stream *stream =
          spdylay_session_find_stream(session, item->frame.data.stream_id);
        if(stream) {
          stream->send_window -= n;
        }
        if(session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
          session->send_window -= n;
        }
      }
    }
    session->tx.pos += (size_t)sent;
    if(session->tx.pos == session->tx.buf.len) {
      int rv;
      if(item->kind == SPDYLAY_ITEM_CTRL) {
        rv = ctrl_frame_done(session);
      } else {
        rv = data_frame_done(session);
      }
      if(rv != 0 && spdylay_is_fatal(rv)) {
        return rv;
      }
    }
  }
}

/* ------------------------------------------------------------------ */
/* receiving: helpers                                                   */

static void notify_ctrl_recv(spdylay_session *session, spdylay_frame *frame)
{
  if(session->callbacks.on_ctrl_recv_callback) {
    session->callbacks.on_ctrl_recv_callback
      (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
       session->user_data);
  }
}

static void notify_invalid_ctrl(spdylay_session *session,
                                spdylay_frame *frame,
                                uint32_t status_code)
{
  if(session->callbacks.on_invalid_ctrl_recv_callback) {
    session->callbacks.on_invalid_ctrl_recv_callback
      (session, (spdylay_frame_type)frame->ctrl.hd.type, frame, status_code,
       session->user_data);
  }
}

static void notify_request(spdylay_session *session, int32_t stream_id)
{
  if(session->callbacks.on_request_recv_callback) {
    session->callbacks.on_request_recv_callback(session, stream_id,
                                                session->user_data);
  }
}

/* RST_STREAM then the invalid-frame callback */
static int reject_stream(spdylay_session *session,
                         spdylay_frame *frame, int32_t stream_id,
                         uint32_t status_code)
{
  int rv = queue_reply_rst_stream(session, stream_id, status_code);
  if(rv != 0) {
    return rv;
  }
  notify_invalid_ctrl(session, frame, status_code);
  return 0;
}

/* the invalid-frame callback then GOAWAY(PROTOCOL_ERROR) */
static int reject_session(spdylay_session *session,
                          spdylay_frame *frame)
{
  notify_invalid_ctrl(session, frame, SPDYLAY_PROTOCOL_ERROR);
  return spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
}

/* Puts the DATA parked on |stream| for want of send window back in the
   queue once both windows that apply are open.  Returns 0. */
static int unpark_if_window(spdylay_session *session,
                            spdylay_stream *stream)
{
  int window_open = stream->send_window > 0 &&
    (session->fc != SPDYLAY_FC_STREAMS_AND_SESSION ||
     session->send_window > 0);
  if(stream->parked != NULL && stream->parked_on_window && window_open) {
    /* back in the queue with its old seq: ahead of later frames of the
       same priority */
    spdylay_sendq_add(&session->sendq, &spdylay_stream_unpark(stream)->qnode);
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: per-type handlers                                         */

static int recv_syn_stream(spdylay_session *session,
                           spdylay_frame *frame)
{
  spdylay_syn_stream *syn = &frame->syn_stream;
  int32_t id = syn->stream_id;
  uint32_t status = 0;
  spdylay_stream *stream;

  if(session->shutdown) {
    return 0;
  }
  if(id == session->highest_remote_id) {
    return reject_stream(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(id == 0 || spdylay_session_is_local_id(session, id) ||
     id < session->highest_remote_id) {
    return reject_session(session, frame);
  }
  session->highest_remote_id = id;
  if(syn->hd.version != session->version) {
    status = SPDYLAY_UNSUPPORTED_VERSION;
  } else if(session->server) {
    if(syn->assoc_stream_id != 0 ||
       (syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) {
      status = SPDYLAY_PROTOCOL_ERROR;
    }
  } else {
    if(syn->assoc_stream_id == 0) {
      status = SPDYLAY_INVALID_STREAM;
    } else if(!(syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) ||
              spdylay_session_find_stream(session,
                                          syn->assoc_stream_id) == NULL) {
      status = SPDYLAY_PROTOCOL_ERROR;
    }
  }
  if(status == 0 &&
     session->remote_streams >=
     session->own_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS]) {
    status = SPDYLAY_REFUSED_STREAM;
  }
  if(status != 0) {
    return reject_stream(session, frame, id, status);
  }
  /* the SYN_STREAM delivers something */
  session->flood.empty_run = 0;
  if((syn->hd.flags & (SPDYLAY_CTRL_FLAG_FIN |
                       SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) !=
     (SPDYLAY_CTRL_FLAG_FIN | SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) {
    stream = register_stream(session, id, syn->hd.flags, syn->pri,
                             SPDYLAY_STREAM_PHASE_SYN, NULL);
    if(stream == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    if(syn->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
      stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
    }
    if(syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
      stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
    }
  }
  notify_ctrl_recv(session, frame);
  if(syn->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    notify_request(session, id);
    if(syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
      if(session->callbacks.on_stream_close_callback) {
        session->callbacks.on_stream_close_callback(session, id, SPDYLAY_OK,
                                                    session->user_data);
      }
    }
  }
  return 0;
}

static int recv_syn_reply(spdylay_session *session,
                          spdylay_frame *frame)
{
  spdylay_syn_reply *reply = &frame->syn_reply;
  spdylay_stream *stream;
  if(reply->hd.version != session->version) {
    return 0;
  }
  stream = spdylay_session_find_stream(session, reply->stream_id);
  if(stream && !(stream->done_dirs & SPDYLAY_STREAM_IN_DONE) &&
     spdylay_session_is_local_id(session, reply->stream_id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_SYN) {
      stream->phase = SPDYLAY_STREAM_PHASE_REPLIED;
      notify_ctrl_recv(session, frame);
      if(reply->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        /* the stream may have been closed inside the callback */
        stream = spdylay_session_find_stream(session, reply->stream_id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          retire_if_both_done(session, stream);
        }
      }
      return 0;
    }
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return reject_stream(session, frame, reply->stream_id,
                         session->version == 2 ?
                         SPDYLAY_PROTOCOL_ERROR :
                         SPDYLAY_STREAM_IN_USE);
  }
  return reject_stream(session, frame, reply->stream_id,
                       SPDYLAY_PROTOCOL_ERROR);
}

static int recv_headers(spdylay_session *session,
                        spdylay_frame *frame)
{
  spdylay_headers *headers = &frame->headers;
  int32_t id = headers->stream_id;
  spdylay_stream *stream;
  if(headers->hd.version != session->version) {
    return 0;
  }
  stream = spdylay_session_find_stream(session, id);
  if(stream == NULL || (stream->done_dirs & SPDYLAY_STREAM_IN_DONE)) {
    return reject_stream(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(spdylay_session_is_local_id(session, id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_REPLIED) {
      notify_ctrl_recv(session, frame);
      if(headers->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        stream = spdylay_session_find_stream(session, id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          retire_if_both_done(session, stream);
        }
      }
      return 0;
    }
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return reject_stream(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
    return 0;
  }
  notify_ctrl_recv(session, frame);
  if(headers->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    notify_request(session, id);
    stream = spdylay_session_find_stream(session, id);
    if(stream) {
      stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
      retire_if_both_done(session, stream);
    }
  }
  return 0;
}

static int recv_rst_stream(spdylay_session *session,
                           spdylay_frame *frame)
{
  if(frame->rst_stream.hd.version != session->version) {
    return 0;
  }
  notify_ctrl_recv(session, frame);
  /* CANCEL cascade to pushed streams: no association is recorded */
  retire_stream(session, frame->rst_stream.stream_id,
                (spdylay_status_code)frame->rst_stream.status_code);
  return 0;
}

typedef struct {
  spdylay_session *session;
  int32_t new_initial;
  int32_t old_initial;
} window_shift;

static int shift_window_visit(void *obj, void *ptr)
{
  window_shift *arg = ptr;
  spdylay_stream *stream = obj;
  spdylay_stream_shift_send_window(stream, (int64_t)arg->new_initial -
                                   (int64_t)arg->old_initial);
  return unpark_if_window(arg->session, stream);
}

static int recv_settings(spdylay_session *session,
                         spdylay_frame *frame)
{
  spdylay_settings *settings = &frame->settings;
  uint32_t seen = 0;
  size_t i;
  int rv;
  if(settings->hd.version != session->version) {
    return 0;
  }
  for(i = 0; i < settings->niv; ++i) {
    int32_t id = settings->iv[i].settings_id;
    uint32_t value = settings->iv[i].value;
    if(id <= 0 || id > SPDYLAY_SETTINGS_MAX || (seen & (1u << id))) {
      continue;
    }
    seen |= 1u << id;
    if(id == SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE &&
       session->fc != SPDYLAY_FC_OFF &&
       value <= (uint32_t)INT32_MAX) {
      window_shift arg;
      arg.session = session;
      arg.new_initial = (int32_t)value;
      arg.old_initial = (int32_t)session->peer_settings
        [SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
      rv = spdylay_streamtab_visit(&session->streams, shift_window_visit,
                                   &arg);
      if(rv != 0) {
        return rv;
      }
    }
    session->peer_settings[id] = value;
  }
  notify_ctrl_recv(session, frame);
  return 0;
}

static int recv_ping(spdylay_session *session, spdylay_frame *frame)
{
  uint32_t id = frame->ping.unique_id;
  int rv;
  if(frame->ping.hd.version != session->version || id == 0) {
    return 0;
  }
  if(id == session->last_ping_id_sent) {
    session->last_ping_id_sent = 0;
    notify_ctrl_recv(session, frame);
    return 0;
  }
  if((session->server && (id % 2) == 1) ||
     (!session->server && (id % 2) == 0)) {
    rv = queue_reply_ping(session, id);
    if(rv != 0) {
      return rv;
    }
    notify_ctrl_recv(session, frame);
  }
  return 0;
}

static int recv_goaway(spdylay_session *session, spdylay_frame *frame)
{
  if(frame->goaway.hd.version != session->version) {
    return 0;
  }
  session->peer_last_good_id = frame->goaway.last_good_stream_id;
  session->shutdown |= SPDYLAY_SHUTDOWN_GOAWAY_RECEIVED;
  notify_ctrl_recv(session, frame);
  return 0;
}

static int unpark_visit(void *obj, void *ptr)
{
  return unpark_if_window((spdylay_session*)ptr, obj);
}

static int recv_window_update(spdylay_session *session,
                              spdylay_frame *frame)
{
  spdylay_window_update *wu = &frame->window_update;
  spdylay_stream *stream;
  int rv;
  if(wu->hd.version != session->version ||
     session->fc == SPDYLAY_FC_OFF) {
    return 0;
  }
  if(wu->stream_id == 0 &&
     session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
    if(INT32_MAX - wu->delta_window_size < session->send_window) {
      return reject_session(session, frame);
    }
    session->send_window += wu->delta_window_size;
    if(session->send_window > 0) {
      rv = spdylay_streamtab_visit(&session->streams, unpark_visit, session);
      if(rv != 0) {
        return rv;
      }
    }
    notify_ctrl_recv(session, frame);
    return 0;
  }
  stream = spdylay_session_find_stream(session, wu->stream_id);
  if(stream == NULL) {
    return 0;
  }
  if(INT32_MAX - wu->delta_window_size < stream->send_window) {
    return reject_stream(session, frame, wu->stream_id,
                         SPDYLAY_FLOW_CONTROL_ERROR);
  }
  stream->send_window += wu->delta_window_size;
  rv = unpark_if_window(session, stream);
  if(rv != 0) {
    return rv;
  }
  notify_ctrl_recv(session, frame);
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: control frame dispatch                                    */

static int notify_parse_error(spdylay_session *session, uint16_t type,
                              const uint8_t *payload, size_t payloadlen,
                              int error_code)
{
  if(session->callbacks.on_ctrl_recv_parse_error_callback) {
    session->callbacks.on_ctrl_recv_parse_error_callback
      (session, (spdylay_frame_type)type, session->rx.head,
       SPDYLAY_FRAME_HEAD_LENGTH, payload, payloadlen, error_code,
       session->user_data);
  }
  return spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
}

static int decode_hblock_frame(spdylay_session *session, spdylay_frame *frame,
                               uint16_t type)
{
  spdylay_rx_state *rx = &session->rx;
  const uint8_t *head = rx->head;
  const uint8_t *payload = rx->fixed.buf;
  size_t payloadlen = rx->fixed.len;
  size_t fixedlen = rx->fixedlen;
  uint8_t padded[SPDYLAY_SYN_STREAM_FIXED_LENGTH];
  int rv;
  int32_t stream_id;

  if(!rx->has_hblock) {
    /* no header block: the payload is at most the fixed part, or the
       version is unknown */
    fixedlen = spdylay_frame_fixed_part_length(type,
                                               spdylay_read_u16(head) &
                                               SPDYLAY_VERSION_MASK);
    if(fixedlen == 0) {
      fixedlen = payloadlen;
    } else {
      memset(padded, 0, sizeof(padded));
      if(payloadlen) {
        memcpy(padded, payload, spdylay_min(payloadlen, fixedlen));
      }
      payload = padded;
    }
    switch(type) {
    case SPDYLAY_SYN_STREAM:
      rv = spdylay_frame_decode_syn_stream_fixed
        (&frame->syn_stream, head, rx->fixed.buf, rx->fixed.len);
      break;
    case SPDYLAY_SYN_REPLY:
      rv = spdylay_frame_decode_syn_reply_fixed
        (&frame->syn_reply, head, rx->fixed.buf, rx->fixed.len);
      break;
    default:
      rv = spdylay_frame_decode_headers_fixed
        (&frame->headers, head, rx->fixed.buf, rx->fixed.len);
      break;
    }
    if(rv == 0) {
      rv = SPDYLAY_ERR_INVALID_FRAME;
    }
    return notify_parse_error(session, type, payload, fixedlen, rv);
  }
  if(rx->hblock_corrupt) {
    return notify_parse_error(session, type, payload, fixedlen,
                              SPDYLAY_ERR_ZLIB);
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM:
    if(rx->hblock_oversize) {
      rv = spdylay_frame_decode_syn_stream_fixed
        (&frame->syn_stream, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_decode_syn_stream
        (&frame->syn_stream, head, payload, payloadlen,
         rx->hblock.buf, rx->hblock.len);
    }
    stream_id = frame->syn_stream.stream_id;
    break;
  case SPDYLAY_SYN_REPLY:
    if(rx->hblock_oversize) {
      rv = spdylay_frame_decode_syn_reply_fixed
        (&frame->syn_reply, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_decode_syn_reply
        (&frame->syn_reply, head, payload, payloadlen,
         rx->hblock.buf, rx->hblock.len);
    }
    stream_id = frame->syn_reply.stream_id;
    break;
  default:
    if(rx->hblock_oversize) {
      rv = spdylay_frame_decode_headers_fixed
        (&frame->headers, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_decode_headers
        (&frame->headers, head, payload, payloadlen,
         rx->hblock.buf, rx->hblock.len);
    }
    stream_id = frame->headers.stream_id;
    break;
  }
  if(rv == 0 && rx->hblock_oversize) {
    /* a refused header block carries nothing */
    rv = note_empty_frame(session);
    if(rv != 0) {
      return rv;
    }
    return reject_stream(session, frame, stream_id,
                         SPDYLAY_FRAME_TOO_LARGE);
  }
  if(rv == SPDYLAY_ERR_INVALID_HEADER_BLOCK) {
    return reject_stream(session, frame, stream_id,
                         SPDYLAY_PROTOCOL_ERROR);
  }
  if(rv == SPDYLAY_ERR_NOMEM) {
    return rv;
  }
  if(rv != 0) {
    return notify_parse_error(session, type, payload, fixedlen, rv);
  }
  if(session->version == 2) {
    switch(type) {
    case SPDYLAY_SYN_STREAM:
      spdylay_nv_names_2to3(frame->syn_stream.nv);
      break;
    case SPDYLAY_SYN_REPLY:
      spdylay_nv_names_2to3(frame->syn_reply.nv);
      break;
    default:
      spdylay_nv_names_2to3(frame->headers.nv);
      break;
    }
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM:
    return recv_syn_stream(session, frame);
  case SPDYLAY_SYN_REPLY:
    return recv_syn_reply(session, frame);
  default:
    return recv_headers(session, frame);
  }
}

static int finish_ctrl_frame(spdylay_session *session)
{
  spdylay_rx_state *rx = &session->rx;
  const uint8_t *head = rx->head;
  uint16_t type = spdylay_read_u16(head + 2);
  const uint8_t *payload = rx->fixed.buf;
  size_t payloadlen = rx->fixed.len;
  spdylay_frame frame;
  int rv;

  memset(&frame, 0, sizeof(frame));
  switch(type) {
  case SPDYLAY_SYN_STREAM:
  case SPDYLAY_SYN_REPLY:
  case SPDYLAY_HEADERS:
    rv = decode_hblock_frame(session, &frame, type);
    spdylay_frame_release(&frame);
    return rv;
  case SPDYLAY_RST_STREAM:
    rv = spdylay_frame_decode_rst_stream(&frame.rst_stream, head, payload,
                                         payloadlen);
    break;
  case SPDYLAY_SETTINGS:
    rv = spdylay_frame_decode_settings(&frame.settings, head, payload,
                                       payloadlen);
    break;
  case SPDYLAY_NOOP:
  case SPDYLAY_CREDENTIAL:
    return 0;
  case SPDYLAY_PING:
    rv = spdylay_frame_decode_ping(&frame.ping, head, payload, payloadlen);
    break;
  case SPDYLAY_GOAWAY:
    rv = spdylay_frame_decode_goaway(&frame.goaway, head, payload,
                                     payloadlen);
    break;
  case SPDYLAY_WINDOW_UPDATE:
    rv = spdylay_frame_decode_window_update(&frame.window_update, head,
                                            payload, payloadlen);
    break;
  default:
    if(session->callbacks.on_unknown_ctrl_recv_callback) {
      session->callbacks.on_unknown_ctrl_recv_callback
        (session, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, payloadlen,
         session->user_data);
    }
    return 0;
  }
  if(rv == SPDYLAY_ERR_NOMEM) {
    spdylay_frame_release(&frame);
    return rv;
  }
  if(rv != 0) {
    spdylay_frame_release(&frame);
    return notify_parse_error(session, type, payload, payloadlen, rv);
  }
  switch(type) {
  case SPDYLAY_RST_STREAM:
    if(frame.rst_stream.hd.version == session->version &&
       frame.rst_stream.stream_id != 0 &&
       !spdylay_session_is_local_id(session,
                                    frame.rst_stream.stream_id) &&
       !allow_peer_reset(session)) {
      spdylay_frame_release(&frame);
      return spdylay_session_trip_limit(session,
                                        SPDYLAY_LIMIT_STREAM_RESETS);
    }
    rv = recv_rst_stream(session, &frame);
    break;
  case SPDYLAY_SETTINGS:
    if(session->flood.settings_seen++ > 0) {
      /* SETTINGS after the first one carry nothing */
      rv = note_empty_frame(session);
      if(rv != 0) {
        spdylay_frame_release(&frame);
        return rv;
      }
    }
    rv = recv_settings(session, &frame);
    break;
  case SPDYLAY_PING:
    rv = recv_ping(session, &frame);
    break;
  case SPDYLAY_GOAWAY:
    rv = recv_goaway(session, &frame);
    break;
  default:
    rv = recv_window_update(session, &frame);
    break;
  }
  spdylay_frame_release(&frame);
  return rv;
}

/* ------------------------------------------------------------------ */
/* receiving: DATA and flow-control accounting                          */

/* Returns nonzero if DATA for |stream| is delivered to the application. */
static int data_allowed(spdylay_session *session, spdylay_stream *stream)
{
  if(stream == NULL || (stream->done_dirs & SPDYLAY_STREAM_IN_DONE)) {
    return 0;
  }
  if(spdylay_session_is_local_id(session, stream->id)) {
    return stream->phase == SPDYLAY_STREAM_PHASE_REPLIED;
  }
  return stream->phase != SPDYLAY_STREAM_PHASE_RESET;
}

/*
 * Adds |n| to the receive counter |*counter|; queues WINDOW_UPDATE when
 * it reaches half of |threshold| (unless automatic updates are off).
 */
static int count_recv_bytes(spdylay_session *session, int32_t *counter,
                            int32_t stream_id, size_t n, int32_t threshold)
{
  int rv;
  if((int64_t)*counter > (int64_t)INT32_MAX - (int64_t)n) {
    return spdylay_session_fail_session(session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  }
  *counter += (int32_t)n;
  if(!(session->manual_window & (SPDYLAY_MANUAL_STREAM_WINDOW |
                                 SPDYLAY_MANUAL_SESSION_WINDOW)) &&
     *counter >= threshold / 2) {
    rv = spdylay_session_queue_window_update(session, stream_id, *counter);
    if(rv != 0) {
      return rv;
    }
    *counter = 0;
  }
  return 0;
}

/* The NO_AUTO_WINDOW_UPDATE2 counterpart of count_recv_bytes. */
static int count_consumed_bytes(spdylay_session *session, int32_t *consumed,
                                int32_t *recv_counter, int32_t stream_id,
                                size_t n, int32_t threshold)
{
  int rv;
  if((int64_t)*consumed > (int64_t)INT32_MAX - (int64_t)n) {
    return spdylay_session_fail_session(session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  }
  *consumed += (int32_t)n;
  if(*consumed >= threshold / 2) {
    rv = spdylay_session_queue_window_update(session, stream_id, *consumed);
    if(rv != 0) {
      return rv;
    }
    *recv_counter -= *consumed;
    *consumed = 0;
  }
  return 0;
}

static int32_t window_update_threshold(spdylay_session *session)
{
  return (int32_t)session->own_settings
    [SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
}

static int deliver_data_chunk(spdylay_session *session, const uint8_t *data,
                              size_t n, int last)
{
  spdylay_rx_state *rx = &session->rx;
  int rv;
  if(session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
    rv = count_recv_bytes(session, &session->recv_unacked, 0, n,
                          SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
    if(rv != 0) {
      return rv;
    }
    if(!rx->data_wanted &&
       (session->manual_window & SPDYLAY_MANUAL_SESSION_WINDOW)) {
      rv = count_consumed_bytes(session, &session->consumed_unacked,
                                &session->recv_unacked, 0, n,
                                SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
      if(rv != 0) {
        return rv;
      }
    }
  }
  if(!rx->data_wanted) {
    return 0;
  }
  if(session->fc != SPDYLAY_FC_OFF &&
     !(last && (rx->data_flags & SPDYLAY_DATA_FLAG_FIN))) {
    spdylay_stream *stream =
      spdylay_session_find_stream(session, rx->data_stream);
    if(stream) {
      rv = count_recv_bytes(session, &stream->recv_unacked,
                            rx->data_stream, n,
                            window_update_threshold(session));
      if(rv != 0) {
        return rv;
      }
    }
  }
  if(session->callbacks.on_data_chunk_recv_callback) {
    session->callbacks.on_data_chunk_recv_callback
      (session, rx->data_flags, rx->data_stream, data, n,
       session->user_data);
  }
  return 0;
}

static int finish_data_frame(spdylay_session *session)
{
  spdylay_rx_state *rx = &session->rx;
  int32_t id = rx->data_stream;
  uint8_t flags = rx->data_flags;
  spdylay_stream *stream = spdylay_session_find_stream(session, id);

  if(stream == NULL) {
    return 0;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_IN_DONE) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return spdylay_session_fail_session(session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  }
  if(spdylay_session_is_local_id(session, id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_REPLIED) {
      if(session->callbacks.on_data_recv_callback) {
        session->callbacks.on_data_recv_callback
          (session, flags, id, (int32_t)rx->bodylen,
           session->user_data);
      }
      if(flags & SPDYLAY_DATA_FLAG_FIN) {
        stream = spdylay_session_find_stream(session, id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          retire_if_both_done(session, stream);
        }
      }
      return 0;
    }
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return spdylay_session_fail_session(session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
    return 0;
  }
  if(session->callbacks.on_data_recv_callback) {
    session->callbacks.on_data_recv_callback
      (session, flags, id, (int32_t)rx->bodylen, session->user_data);
  }
  if(flags & SPDYLAY_DATA_FLAG_FIN) {
    notify_request(session, id);
    stream = spdylay_session_find_stream(session, id);
    if(stream) {
      stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
      retire_if_both_done(session, stream);
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: reassembly                                                */

static void begin_frame(spdylay_session *session)
{
  spdylay_rx_state *rx = &session->rx;
  const uint8_t *head = rx->head;
  rx->bodylen = spdylay_read_u32(head + 4) & SPDYLAY_LENGTH_MASK;
  rx->bodypos = 0;
  if(head[0] & 0x80) {
    uint16_t version = spdylay_read_u16(head) & SPDYLAY_VERSION_MASK;
    uint16_t type = spdylay_read_u16(head + 2);
    size_t fixedlen = spdylay_frame_fixed_part_length(type, version);
    spdylay_buffer_reset(&rx->fixed);
    spdylay_buffer_reset(&rx->hblock);
    rx->hblock_oversize = 0;
    rx->hblock_corrupt = 0;
    rx->hblock_inflated = 0;
    if(fixedlen > 0 && rx->bodylen > fixedlen) {
      rx->has_hblock = 1;
      rx->fixedlen = fixedlen;
      if(rx->bodylen > session->ctrl_frame_buf_max) {
        rx->hblock_oversize = 1;
      }
    } else {
      rx->has_hblock = 0;
      if(rx->bodylen > session->ctrl_frame_buf_max) {
        rx->fixedlen = 0;
      } else {
        rx->fixedlen = rx->bodylen;
      }
    }
    rx->stage = SPDYLAY_RX_CTRL_BODY;
  } else {
    spdylay_stream *stream;
    rx->data_stream = (int32_t)(spdylay_read_u32(head) &
                                SPDYLAY_STREAM_ID_MASK);
    rx->data_flags = head[4];
    stream = spdylay_session_find_stream(session, rx->data_stream);
    rx->data_wanted = (uint8_t)data_allowed(session, stream);
    rx->stage = SPDYLAY_RX_DATA_BODY;
  }
}

ssize_t spdylay_session_mem_recv(spdylay_session *session,
                                 const uint8_t *in, size_t inlen)
{
  spdylay_rx_state *rx = &session->rx;
  const uint8_t *p, *end;
  int rv;

  if(session->flood.tripped) {
    /* failed for a limit: input is ignored */
    return SPDYLAY_ERR_FLOODED;
  }
  if(inlen == 0) {
    /* nothing to do; also avoids pointer arithmetic on a NULL |in| */
    return 0;
  }
  p = in;
  end = in + inlen;
  for(;;) {
    switch(rx->stage) {
    case SPDYLAY_RX_HEADER: {
      size_t n;
      if(p == end) {
        return (ssize_t)inlen;
      }
      n = spdylay_min((size_t)(end - p),
                      SPDYLAY_FRAME_HEAD_LENGTH - rx->headlen);
      memcpy(rx->head + rx->headlen, p, n);
      rx->headlen += n;
      p += n;
      if(rx->headlen < SPDYLAY_FRAME_HEAD_LENGTH) {
        return (ssize_t)inlen;
      }
      rx->headlen = 0;
      begin_frame(session);
      break;
    }
    case SPDYLAY_RX_CTRL_BODY: {
      size_t n = spdylay_min((size_t)(end - p),
                             rx->bodylen - rx->bodypos);
      if(rx->bodypos < rx->fixedlen) {
        size_t k = spdylay_min(n, rx->fixedlen - rx->bodypos);
        rv = spdylay_buffer_append(&rx->fixed, p, k);
        if(rv != 0) {
          return rv;
        }
        rx->bodypos += k;
        p += k;
        n -= k;
      }
      if(n > 0) {
        if(rx->has_hblock && !rx->hblock_corrupt) {
          spdylay_hd_sink sink;
          sink.kept = &rx->hblock;
          sink.keep_max = spdylay_min((size_t)session->ctrl_frame_buf_max,
                                      (size_t)session->limits.header_list);
          sink.discarding = rx->hblock_oversize;
          sink.produced = rx->hblock_inflated;
          sink.produced_max =
            spdylay_max(sink.keep_max,
                        (size_t)session->limits.hblock_inflate);
          rv = spdylay_hd_inflate(&session->hd_in, &sink, p, n);
          rx->hblock_inflated = sink.produced;
          if(rv == SPDYLAY_ERR_NOMEM) {
            return rv;
          }
          if(rv == SPDYLAY_ERR_FLOODED) {
            /* a zlib bomb: stop here, the rest of the input is ignored */
            spdylay_buffer_reset(&rx->hblock);
            return spdylay_session_trip_limit
              (session, SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE);
          }
          if(rv != 0) {
            rx->hblock_corrupt = 1;
          }
          if(sink.discarding) {
            rx->hblock_oversize = 1;
            spdylay_buffer_reset(&rx->hblock);
          }
        }
        rx->bodypos += n;
        p += n;
      }
      if(rx->bodypos < rx->bodylen) {
        return (ssize_t)inlen;
      }
      rx->stage = SPDYLAY_RX_HEADER;
      rv = finish_ctrl_frame(session);
      if(spdylay_is_fatal(rv)) {
        return rv;
      }
      break;
    }
    case SPDYLAY_RX_DATA_BODY: {
      size_t n = spdylay_min((size_t)(end - p),
                             rx->bodylen - rx->bodypos);
      if(n > 0) {
        int last = rx->bodypos + n == rx->bodylen;
        rx->bodypos += n;
        rv = deliver_data_chunk(session, p, n, last);
        p += n;
        if(spdylay_is_fatal(rv)) {
          return rv;
        }
      }
      if(rx->bodypos < rx->bodylen) {
        return (ssize_t)inlen;
      }
      rx->stage = SPDYLAY_RX_HEADER;
      if(rx->bodylen == 0) {
        if(!(rx->data_flags & SPDYLAY_DATA_FLAG_FIN)) {
          /* empty DATA without FIN carries nothing */
          rv = note_empty_frame(session);
          if(rv != 0) {
            return rv;
          }
        }
      } else if(rx->data_wanted) {
        session->flood.empty_run = 0;
      }
      rv = finish_data_frame(session);
      if(spdylay_is_fatal(rv)) {
        return rv;
      }
      break;
    }
    }
  }
}

#define SPDYLAY_RECV_BUFFER_LENGTH 16384

int spdylay_session_recv(spdylay_session *session)
{
  uint8_t buf[SPDYLAY_RECV_BUFFER_LENGTH];
  if(session->flood.tripped) {
    return SPDYLAY_ERR_FLOODED;
  }
  for(;;) {
    ssize_t n, rv;
    if(session->callbacks.recv_callback == NULL) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    n = session->callbacks.recv_callback(session, buf, sizeof(buf), 0,
                                         session->user_data);
    if(n == 0 || n == SPDYLAY_ERR_WOULDBLOCK) {
      return 0;
    }
    if(n == SPDYLAY_ERR_EOF) {
      return SPDYLAY_ERR_EOF;
    }
    if(n < 0 || (size_t)n > sizeof(buf)) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    rv = spdylay_session_mem_recv(session, buf, (size_t)n);
    if(rv < 0) {
      return (int)rv;
    }
  }
}

/* ------------------------------------------------------------------ */
/* queries                                                              */

int spdylay_session_in_ctrl_frame(spdylay_session *session)
{
  spdylay_rx_state *rx = &session->rx;
  if(session->flood.tripped) {
    return 0;
  }
  return (rx->stage == SPDYLAY_RX_HEADER && rx->headlen > 0) ||
    rx->stage == SPDYLAY_RX_CTRL_BODY;
}

int spdylay_session_want_read(spdylay_session *session)
{
  if(session->flood.tripped) {
    return 0;
  }
  if((session->shutdown & SPDYLAY_SHUTDOWN_FAILING) &&
     (session->shutdown & SPDYLAY_SHUTDOWN_GOAWAY_SENT)) {
    return 0;
  }
  return !session->shutdown || spdylay_streamtab_count(&session->streams) > 0;
}

int spdylay_session_want_write(spdylay_session *session)
{
  int sendable;
  if(session->flood.tripped) {
    /* until the GOAWAY (or the frame in flight before it) is out */
    return session->tx.item != NULL ||
      !(session->shutdown & SPDYLAY_SHUTDOWN_GOAWAY_SENT);
  }
  if((session->shutdown & SPDYLAY_SHUTDOWN_FAILING) &&
     (session->shutdown & SPDYLAY_SHUTDOWN_GOAWAY_SENT)) {
    return 0;
  }
  sendable = session->tx.item != NULL ||
    spdylay_sendq_count(&session->sendq) > 0 ||
    (spdylay_sendq_count(&session->synq) > 0 &&
     session->local_streams <
     session->peer_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS]);
  return sendable &&
    (!session->shutdown || spdylay_streamtab_count(&session->streams) > 0);
}

void* spdylay_session_get_stream_user_data(spdylay_session *session,
                                           int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_find_stream(session, stream_id);
  return stream ? stream->user_data : NULL;
}

int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data)
{
  spdylay_stream *stream = spdylay_session_find_stream(session, stream_id);
  if(stream == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  stream->user_data = stream_user_data;
  return 0;
}

size_t spdylay_session_get_outbound_queue_size(spdylay_session *session)
{
  return spdylay_sendq_count(&session->sendq) +
    spdylay_sendq_count(&session->synq);
}

uint8_t spdylay_session_get_pri_lowest(spdylay_session *session)
{
  /* SPDY/2 has 2 priority bits, SPDY/3 three */
  return session->version == 2 ? 3 : 7;
}

int32_t spdylay_session_get_stream_recv_data_length
(spdylay_session *session, int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_find_stream(session, stream_id);
  if(stream == NULL) {
    return -1;
  }
  if(session->fc == SPDYLAY_FC_OFF) {
    return 0;
  }
  return stream->recv_unacked;
}

int32_t spdylay_session_get_recv_data_length(spdylay_session *session)
{
  if(session->fc != SPDYLAY_FC_STREAMS_AND_SESSION) {
    return 0;
  }
  return session->recv_unacked;
}

int spdylay_session_consume(spdylay_session *session,
                            int32_t stream_id, size_t size)
{
  spdylay_stream *stream;
  int rv;
  if(stream_id == 0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if(!(session->manual_window & SPDYLAY_MANUAL_SESSION_WINDOW)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if(session->fc == SPDYLAY_FC_STREAMS_AND_SESSION) {
    rv = count_consumed_bytes(session, &session->consumed_unacked,
                              &session->recv_unacked, 0, size,
                              SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
    if(rv != 0) {
      return rv;
    }
  }
  if(session->fc != SPDYLAY_FC_OFF) {
    stream = spdylay_session_find_stream(session, stream_id);
    if(stream) {
      rv = count_consumed_bytes(session, &stream->consumed_unacked,
                                &stream->recv_unacked, stream_id, size,
                                window_update_threshold(session));
      if(rv != 0) {
        return rv;
      }
    }
  }
  return 0;
}

int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_find_stream(session, stream_id);
  /* only DATA the read callback deferred; window-parked DATA resumes when
     the window opens */
  if(stream == NULL || stream->parked == NULL || stream->parked_on_window) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  spdylay_sendq_add(&session->sendq, &spdylay_stream_unpark(stream)->qnode);
  return 0;
}

/* ------------------------------------------------------------------ */
/* removed CREDENTIAL feature                                           */

int spdylay_session_set_initial_client_cert_origin
(spdylay_session *session, const char *scheme, const char *host,
 uint16_t port)
{
  SPDYLAY_UNUSED(session);
  SPDYLAY_UNUSED(scheme);
  SPDYLAY_UNUSED(host);
  SPDYLAY_UNUSED(port);
  return 0;
}

const spdylay_origin* spdylay_session_get_client_cert_origin
(spdylay_session *session, size_t slot)
{
  SPDYLAY_UNUSED(session);
  SPDYLAY_UNUSED(slot);
  return NULL;
}

const char* spdylay_origin_get_scheme(const spdylay_origin *origin)
{
  SPDYLAY_UNUSED(origin);
  return NULL;
}

const char* spdylay_origin_get_host(const spdylay_origin *origin)
{
  SPDYLAY_UNUSED(origin);
  return NULL;
}

uint16_t spdylay_origin_get_port(const spdylay_origin *origin)
{
  SPDYLAY_UNUSED(origin);
  return 0;
}
