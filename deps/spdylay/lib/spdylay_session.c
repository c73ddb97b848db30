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
/* small helpers                                                        */

int spdylay_session_is_my_stream_id(spdylay_session *session,
                                    int32_t stream_id)
{
  int r;
  if(stream_id == 0) {
    return 0;
  }
  r = stream_id % 2;
  return (session->server && r == 0) || (!session->server && r == 1);
}

spdylay_stream* spdylay_session_get_stream(spdylay_session *session,
                                           int32_t stream_id)
{
  return spdylay_streamtab_get(&session->streams, stream_id);
}

static int32_t pri_lowest(spdylay_session *session)
{
  return session->version == 2 ? 3 : 7;
}

spdylay_outbound_item* spdylay_session_new_item(void)
{
  return calloc(1, sizeof(spdylay_outbound_item));
}

/* ------------------------------------------------------------------ */
/* session creation / deletion                                          */

static int session_new(spdylay_session **session_ptr, uint16_t version,
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
    session->flow_control = SPDYLAY_FLOW_CONTROL_NONE;
    break;
  case SPDYLAY_PROTO_SPDY3:
    session->flow_control = SPDYLAY_FLOW_CONTROL_STREAM;
    break;
  default:
    session->flow_control = SPDYLAY_FLOW_CONTROL_STREAM_SESSION;
    break;
  }
  session->next_stream_id = server ? 2 : 1;
  session->next_unique_id = server ? 2 : 1;
  session->send_window = session->flow_control ==
    SPDYLAY_FLOW_CONTROL_STREAM_SESSION ? SPDYLAY_INITIAL_SESSION_WINDOW_SIZE :
    0;
  for(i = 0; i <= SPDYLAY_SETTINGS_MAX; ++i) {
    session->remote_settings[i] = 0;
    session->local_settings[i] = 0;
  }
  session->remote_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] =
    SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS;
  session->remote_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] =
    SPDYLAY_INITIAL_WINDOW_SIZE;
  session->local_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] =
    SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS;
  session->local_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] =
    SPDYLAY_INITIAL_WINDOW_SIZE;
  session->max_recv_ctrl_frame_buf = SPDYLAY_MAX_RECV_CTRL_FRAME_BUF_DEFAULT;
  session->max_header_list_size = SPDYLAY_MAX_HEADER_LIST_SIZE_DEFAULT;
  session->max_outbound_ack = SPDYLAY_MAX_OUTBOUND_ACK_DEFAULT;
  session->max_empty_frames = SPDYLAY_MAX_EMPTY_FRAMES_DEFAULT;
  session->stream_reset_burst = SPDYLAY_STREAM_RESET_BURST_DEFAULT;
  session->stream_reset_rate = SPDYLAY_STREAM_RESET_RATE_DEFAULT;
  session->max_header_block_inflate = SPDYLAY_MAX_HEADER_BLOCK_INFLATE_DEFAULT;

  if(callbacks) {
    session->callbacks = *callbacks;
  }
  session->user_data = user_data;

  spdylay_buffer_init(&session->aob_buf);
  spdylay_buffer_init(&session->nvbuf);
  spdylay_buffer_init(&session->iframe.buf);
  spdylay_buffer_init(&session->iframe.hbbuf);
  session->iframe.state = SPDYLAY_RECV_HEAD;

  rv = spdylay_hd_deflater_init(&session->hd_deflater, session->version,
                                server);
  if(rv != 0) {
    goto fail_deflate;
  }
  rv = spdylay_hd_inflater_init(&session->hd_inflater, session->version);
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
  spdylay_hd_inflater_end(&session->hd_inflater);
 fail_inflate:
  spdylay_hd_deflater_end(&session->hd_deflater);
 fail_deflate:
  free(session);
  return rv;
}

int spdylay_session_client_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return session_new(session_ptr, version, callbacks, user_data, 0);
}

int spdylay_session_server_new(spdylay_session **session_ptr,
                               uint16_t version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return session_new(session_ptr, version, callbacks, user_data, 1);
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
  spdylay_outbound_item_free(session->aob_item);
  spdylay_buffer_free(&session->aob_buf);
  spdylay_buffer_free(&session->nvbuf);
  spdylay_buffer_free(&session->iframe.buf);
  spdylay_buffer_free(&session->iframe.hbbuf);
  spdylay_hd_deflater_end(&session->hd_deflater);
  spdylay_hd_inflater_end(&session->hd_inflater);
  free(session);
}

int spdylay_session_set_option(spdylay_session *session,
                               int optname, void *optval, size_t optlen)
{
  switch(optname) {
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE:
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2: {
    uint8_t mask = optname == SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE ?
      SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE :
      SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2;
    if(optval == NULL || optlen != sizeof(int)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    if(*(int*)optval) {
      session->opt_flags |= mask;
    } else {
      session->opt_flags &= (uint8_t)~mask;
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
    session->max_recv_ctrl_frame_buf = v;
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
      session->max_header_list_size = v;
      break;
    case SPDYLAY_OPT_MAX_OUTBOUND_ACK:
      session->max_outbound_ack = v;
      break;
    case SPDYLAY_OPT_MAX_EMPTY_FRAMES:
      session->max_empty_frames = v;
      break;
    case SPDYLAY_OPT_STREAM_RESET_BURST:
      session->stream_reset_burst = v;
      /* a full bucket */
      session->reset_tat = 0;
      session->reset_count = 0;
      break;
    case SPDYLAY_OPT_STREAM_RESET_RATE:
      session->stream_reset_rate = v;
      session->reset_tat = 0;
      session->reset_count = 0;
      break;
    default:
      session->max_header_block_inflate = v;
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

static spdylay_stream* open_stream(spdylay_session *session,
                                   int32_t stream_id, uint8_t flags,
                                   uint8_t pri, spdylay_stream_phase state,
                                   void *stream_user_data)
{
  spdylay_stream *stream = malloc(sizeof(spdylay_stream));
  if(stream == NULL) {
    return NULL;
  }
  spdylay_stream_setup(stream, stream_id, flags, pri, state,
                       (int32_t)session->remote_settings
                       [SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE],
                       stream_user_data);
  if(spdylay_streamtab_put(&session->streams, stream_id, stream) != 0) {
    free(stream);
    return NULL;
  }
  if(spdylay_session_is_my_stream_id(session, stream_id)) {
    ++session->num_outgoing_streams;
  } else {
    ++session->num_incoming_streams;
  }
  return stream;
}

/*
 * Closes stream |stream_id|: fires on_stream_close_callback, then removes
 * and frees the stream (and its parked DATA).
 */
static int close_stream(spdylay_session *session, int32_t stream_id,
                        spdylay_status_code status_code)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  if(stream == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if(session->callbacks.on_stream_close_callback) {
    session->callbacks.on_stream_close_callback(session, stream_id,
                                                status_code,
                                                session->user_data);
  }
  spdylay_streamtab_drop(&session->streams, stream_id);
  if(spdylay_session_is_my_stream_id(session, stream_id)) {
    --session->num_outgoing_streams;
  } else {
    --session->num_incoming_streams;
  }
  spdylay_outbound_item_free(stream->parked);
  free(stream);
  return 0;
}

static void close_stream_if_shut_rdwr(spdylay_session *session,
                                      spdylay_stream *stream)
{
  if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
    close_stream(session, stream->id, SPDYLAY_OK);
  }
}

/* ------------------------------------------------------------------ */
/* queueing                                                             */

/* Stream a queued frame belongs to for its queue priority, 0 if none. */
static int32_t item_stream_id(const spdylay_outbound_item *item)
{
  const spdylay_frame *f = &item->frame.ctrl;
  if(item->frame_cat == SPDYLAY_DATA) {
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

int spdylay_session_add_item(spdylay_session *session,
                             spdylay_outbound_item *item)
{
  int32_t lowest = pri_lowest(session);
  int32_t sid = item_stream_id(item);
  uint16_t type = item->frame_cat == SPDYLAY_CTRL ?
    item->frame.ctrl.ctrl.hd.type : 0;

  if(sid != 0) {
    /* frames of a stream travel at the stream's priority */
    spdylay_stream *owner = spdylay_session_get_stream(session, sid);
    item->pri = owner ? owner->pri : lowest;
    if(owner && type == SPDYLAY_RST_STREAM) {
      owner->phase = SPDYLAY_STREAM_PHASE_RESET;
    }
  } else if(type == SPDYLAY_PING) {
    item->pri = -10;
  } else if(type == SPDYLAY_SETTINGS) {
    item->pri = -1;
  } else if(type == SPDYLAY_GOAWAY && session->limit_exceeded) {
    /* the GOAWAY of a limit failure goes before everything queued */
    item->pri = SPDYLAY_PRI_LIMIT_GOAWAY;
  } else {
    item->pri = lowest;
  }
  item->seq = session->next_seq++;
  spdylay_sendq_add(type == SPDYLAY_SYN_STREAM ? &session->synq :
                    &session->sendq, &item->qnode);
  return 0;
}

int spdylay_session_add_rst_stream(spdylay_session *session,
                                   int32_t stream_id, uint32_t status_code)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_rst_stream_init(&item->frame.ctrl.rst_stream,
                                session->version, stream_id, status_code);
  return spdylay_session_add_item(session, item);
}

int spdylay_session_add_ping(spdylay_session *session, uint32_t unique_id)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_ping_init(&item->frame.ctrl.ping, session->version,
                          unique_id);
  return spdylay_session_add_item(session, item);
}

int spdylay_session_add_goaway(spdylay_session *session,
                               int32_t last_good_stream_id,
                               uint32_t status_code)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_goaway_init(&item->frame.ctrl.goaway, session->version,
                            last_good_stream_id, status_code);
  return spdylay_session_add_item(session, item);
}

int spdylay_session_add_window_update(spdylay_session *session,
                                      int32_t stream_id,
                                      int32_t delta_window_size)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_window_update_init(&item->frame.ctrl.window_update,
                                   session->version, stream_id,
                                   delta_window_size);
  return spdylay_session_add_item(session, item);
}

int spdylay_session_add_data(spdylay_session *session, int32_t stream_id,
                             uint8_t flags,
                             const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_DATA;
  item->frame.data.stream_id = stream_id;
  item->frame.data.flags = flags & SPDYLAY_DATA_FLAG_FIN;
  item->frame.data.eof = 0;
  item->frame.data.data_prd = *data_prd;
  return spdylay_session_add_item(session, item);
}

int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code)
{
  session->goaway_flags |= SPDYLAY_GOAWAY_FAIL_ON_SEND;
  return spdylay_session_add_goaway(session, session->last_recv_stream_id,
                                    status_code);
}

int spdylay_session_fail_limit(spdylay_session *session, int limit)
{
  int rv;
  if(session->limit_exceeded) {
    return SPDYLAY_ERR_FLOODED;
  }
  session->limit_exceeded = limit;
  rv = spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  if(rv != 0) {
    return rv;
  }
  return SPDYLAY_ERR_FLOODED;
}

/*
 * Queues |item| (a frame the library sends on its own in reply to the
 * peer) if fewer than max_outbound_ack such frames wait unsent; otherwise
 * frees it and fails the session (SPDYLAY_LIMIT_OUTBOUND_ACK).
 */
static int add_ack_item(spdylay_session *session,
                        spdylay_outbound_item *item)
{
  int rv;
  if(session->num_outbound_ack >= session->max_outbound_ack) {
    spdylay_outbound_item_free(item);
    return spdylay_session_fail_limit(session, SPDYLAY_LIMIT_OUTBOUND_ACK);
  }
  item->ack = 1;
  rv = spdylay_session_add_item(session, item);
  if(rv != 0) {
    return rv;
  }
  ++session->num_outbound_ack;
  return 0;
}

/* |item| leaves the queue (sent or dropped) */
static void ack_done(spdylay_session *session, spdylay_outbound_item *item)
{
  if(item->ack) {
    item->ack = 0;
    --session->num_outbound_ack;
  }
}

static int add_ack_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_rst_stream_init(&item->frame.ctrl.rst_stream,
                                session->version, stream_id, status_code);
  return add_ack_item(session, item);
}

static int add_ack_ping(spdylay_session *session, uint32_t unique_id)
{
  spdylay_outbound_item *item = spdylay_session_new_item();
  if(item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame_cat = SPDYLAY_CTRL;
  spdylay_frame_ping_init(&item->frame.ctrl.ping, session->version,
                          unique_id);
  return add_ack_item(session, item);
}

/* A received frame carried nothing: counts it against max_empty_frames.
   Returns 0, SPDYLAY_ERR_FLOODED or SPDYLAY_ERR_NOMEM. */
static int count_empty_frame(spdylay_session *session)
{
  if(++session->num_empty_frames > session->max_empty_frames) {
    return spdylay_session_fail_limit(session, SPDYLAY_LIMIT_EMPTY_FRAMES);
  }
  return 0;
}

static uint64_t monotonic_ns(void)
{
  struct timespec ts;
  if(clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    return 0;
  }
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Takes a token from the RST_STREAM bucket; returns 0 when it is empty. */
static int take_reset_token(spdylay_session *session)
{
  uint64_t interval, now, tat;
  if(session->stream_reset_rate == 0) {
    if(session->reset_count >= session->stream_reset_burst) {
      return 0;
    }
    ++session->reset_count;
    return 1;
  }
  interval = 1000000000u / session->stream_reset_rate;
  if(interval == 0) {
    /* more than 10^9 per second: never empty */
    return 1;
  }
  now = monotonic_ns();
  tat = spdylay_max(session->reset_tat, now);
  if(tat + interval - now > (uint64_t)session->stream_reset_burst * interval) {
    return 0;
  }
  session->reset_tat = tat + interval;
  return 1;
}

int spdylay_session_get_limit_exceeded(spdylay_session *session)
{
  return session->limit_exceeded;
}

/* Returns the item that would be sent next, without removing it. */
static spdylay_outbound_item* peek_next_item(spdylay_session *session)
{
  spdylay_outbound_item *item = queue_head(&session->sendq);
  spdylay_outbound_item *syn = queue_head(&session->synq);
  int syn_ok = syn != NULL &&
    session->num_outgoing_streams <
    session->remote_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS];
  if(item == NULL) {
    return syn_ok ? syn : NULL;
  }
  if(!syn_ok) {
    return item;
  }
  return spdylay_outbound_item_precedes(item, syn) ? item : syn;
}

static spdylay_outbound_item* pop_next_item(spdylay_session *session)
{
  spdylay_outbound_item *item = peek_next_item(session);
  if(item == NULL) {
    return NULL;
  }
  spdylay_sendq_take(item == queue_head(&session->sendq) ? &session->sendq :
                     &session->synq);
  return item;
}

/* ------------------------------------------------------------------ */
/* send-time checks                                                     */

static int predicate_syn_reply_send(spdylay_session *session,
                                    spdylay_stream *stream)
{
  if(stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_OUT_DONE) {
    return SPDYLAY_ERR_STREAM_SHUT_WR;
  }
  if(spdylay_session_is_my_stream_id(session, stream->id)) {
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
static int predicate_stream_send(spdylay_session *session,
                                 spdylay_stream *stream)
{
  if(stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if(stream->done_dirs & SPDYLAY_STREAM_OUT_DONE) {
    return SPDYLAY_ERR_STREAM_SHUT_WR;
  }
  if(spdylay_session_is_my_stream_id(session, stream->id)) {
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

static int predicate_data_send(spdylay_session *session,
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
  return predicate_stream_send(session, stream);
}

/* ------------------------------------------------------------------ */
/* preparing frames for sending                                         */

/*
 * Reads the next chunk of DATA |item| for |stream| into the send
 * buffer.  Returns the frame length, SPDYLAY_ERR_DEFERRED (item parked
 * on the stream), SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE (RST_STREAM
 * queued; the caller frees the item) or a fatal error.
 */
static ssize_t pack_data(spdylay_session *session,
                         spdylay_outbound_item *item,
                         spdylay_stream *stream)
{
  spdylay_data *data = &item->frame.data;
  int32_t max = SPDYLAY_DATA_PAYLOAD_LENGTH;
  ssize_t n;
  int eof = 0;
  uint8_t flags;
  uint8_t *dst;
  int rv;

  if(session->flow_control != SPDYLAY_FLOW_CONTROL_NONE) {
    max = spdylay_min(max, stream->send_window);
    if(session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
      max = spdylay_min(max, session->send_window);
    }
    if(max <= 0) {
      spdylay_stream_park(stream, item, 1);
      return SPDYLAY_ERR_DEFERRED;
    }
  }
  spdylay_buffer_reset(&session->aob_buf);
  session->aob_ext = NULL;
  if(session->data_buffer_callback) {
    session->aob_ext = session->data_buffer_callback
      (session, SPDYLAY_FRAME_HEAD_LENGTH + (size_t)max, session->user_data);
  }
  if(session->aob_ext) {
    dst = session->aob_ext;
  } else {
    rv = spdylay_buffer_reserve(&session->aob_buf, SPDYLAY_FRAME_HEAD_LENGTH +
                                SPDYLAY_DATA_PAYLOAD_LENGTH);
    if(rv != 0) {
      return rv;
    }
    dst = session->aob_buf.buf;
  }
  n = data->data_prd.read_callback(session, data->stream_id,
                                   dst + SPDYLAY_FRAME_HEAD_LENGTH,
                                   (size_t)max,
                                   &eof, &data->data_prd.source,
                                   session->user_data);
  if(n == SPDYLAY_ERR_DEFERRED) {
    /* the stream may have gone away inside the callback */
    stream = spdylay_session_get_stream(session, data->stream_id);
    if(stream == NULL) {
      /* dropped by the caller */
      return SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    spdylay_stream_park(stream, item, 0);
    return SPDYLAY_ERR_DEFERRED;
  }
  if(n == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
    rv = spdylay_session_add_rst_stream(session, data->stream_id,
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
  spdylay_frame_pack_data_hd(dst, data->stream_id, flags, (uint32_t)n);
  session->aob_buf.len = SPDYLAY_FRAME_HEAD_LENGTH + (size_t)n;
  return (ssize_t)session->aob_buf.len;
}

static ssize_t prepare_ctrl(spdylay_session *session,
                            spdylay_outbound_item *item)
{
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_stream *stream;
  ssize_t rv;

  switch(frame->ctrl.hd.type) {
  case SPDYLAY_SYN_STREAM: {
    spdylay_syn_stream *syn = &frame->syn_stream;
    int err = 0;
    if(session->goaway_flags) {
      err = SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED;
    } else if(syn->assoc_stream_id != 0 &&
              spdylay_session_get_stream(session,
                                         syn->assoc_stream_id) == NULL) {
      err = SPDYLAY_ERR_STREAM_CLOSED;
    }
    if(err != 0) {
      /* create the stream so that the application can see it in the
         not-send callback; it is closed right after */
      if(open_stream(session, syn->stream_id, syn->hd.flags, syn->pri,
                     SPDYLAY_STREAM_PHASE_NEW,
                     item->aux.stream_user_data) == NULL) {
        return SPDYLAY_ERR_NOMEM;
      }
      return err;
    }
    rv = spdylay_frame_pack_syn_stream(&session->aob_buf, &session->nvbuf,
                                       syn, &session->hd_deflater);
    if(rv < 0) {
      return rv;
    }
    if(open_stream(session, syn->stream_id, syn->hd.flags, syn->pri,
                   SPDYLAY_STREAM_PHASE_NEW,
                   item->aux.stream_user_data) == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    return rv;
  }
  case SPDYLAY_SYN_REPLY:
    stream = spdylay_session_get_stream(session, frame->syn_reply.stream_id);
    rv = predicate_syn_reply_send(session, stream);
    if(rv != 0) {
      return rv;
    }
    return spdylay_frame_pack_syn_reply(&session->aob_buf, &session->nvbuf,
                                        &frame->syn_reply,
                                        &session->hd_deflater);
  case SPDYLAY_HEADERS:
    stream = spdylay_session_get_stream(session, frame->headers.stream_id);
    rv = predicate_stream_send(session, stream);
    if(rv != 0) {
      return rv;
    }
    return spdylay_frame_pack_headers(&session->aob_buf, &session->nvbuf,
                                      &frame->headers, &session->hd_deflater);
  case SPDYLAY_WINDOW_UPDATE:
    if(frame->window_update.stream_id == 0 &&
       session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
      /* session-level update */
    } else {
      stream = spdylay_session_get_stream(session,
                                          frame->window_update.stream_id);
      if(stream == NULL) {
        return SPDYLAY_ERR_STREAM_CLOSED;
      }
      if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
        return SPDYLAY_ERR_STREAM_CLOSING;
      }
    }
    return spdylay_frame_pack_window_update(&session->aob_buf,
                                            &frame->window_update);
  case SPDYLAY_RST_STREAM:
    return spdylay_frame_pack_rst_stream(&session->aob_buf,
                                         &frame->rst_stream);
  case SPDYLAY_SETTINGS:
    return spdylay_frame_pack_settings(&session->aob_buf, &frame->settings);
  case SPDYLAY_PING:
    return spdylay_frame_pack_ping(&session->aob_buf, &frame->ping);
  case SPDYLAY_GOAWAY:
    if(session->goaway_flags & SPDYLAY_GOAWAY_SEND) {
      return SPDYLAY_ERR_GOAWAY_ALREADY_SENT;
    }
    return spdylay_frame_pack_goaway(&session->aob_buf, &frame->goaway);
  default:
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
}

static ssize_t prepare_item(spdylay_session *session,
                            spdylay_outbound_item *item)
{
  session->aob_ext = NULL;
  if(item->frame_cat == SPDYLAY_CTRL) {
    return prepare_ctrl(session, item);
  } else {
    spdylay_stream *stream =
      spdylay_session_get_stream(session, item->frame.data.stream_id);
    int rv = predicate_data_send(session, stream);
    if(rv != 0) {
      return rv;
    }
    return pack_data(session, item, stream);
  }
}

/* ------------------------------------------------------------------ */
/* after a frame has been sent                                          */

static void reset_aob(spdylay_session *session)
{
  session->aob_item = NULL;
  session->aob_off = 0;
  session->aob_ext = NULL;
  spdylay_buffer_reset(&session->aob_buf);
}

/* The bytes of the frame being sent. */
static const uint8_t *aob_data(spdylay_session *session)
{
  return session->aob_ext ? session->aob_ext : session->aob_buf.buf;
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

static int after_ctrl_sent(spdylay_session *session)
{
  spdylay_outbound_item *item = session->aob_item;
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_frame_type type = (spdylay_frame_type)frame->ctrl.hd.type;
  spdylay_stream *stream;
  int rv = 0;

  ack_done(session, item);
  if(session->callbacks.on_ctrl_send_callback) {
    session->callbacks.on_ctrl_send_callback(session, type, frame,
                                             session->user_data);
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM: {
    spdylay_syn_stream *syn = &frame->syn_stream;
    stream = spdylay_session_get_stream(session, syn->stream_id);
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
        close_stream(session, syn->stream_id, SPDYLAY_OK);
      } else if(item->aux.has_data_prd) {
        rv = spdylay_session_add_data(session, syn->stream_id,
                                      SPDYLAY_DATA_FLAG_FIN,
                                      &item->aux.data_prd);
      }
    }
    break;
  }
  case SPDYLAY_SYN_REPLY: {
    spdylay_syn_reply *reply = &frame->syn_reply;
    stream = spdylay_session_get_stream(session, reply->stream_id);
    if(stream) {
      if(stream->phase != SPDYLAY_STREAM_PHASE_RESET) {
        stream->phase = SPDYLAY_STREAM_PHASE_REPLIED;
      }
      if(reply->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
      }
      if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
        close_stream(session, reply->stream_id, SPDYLAY_OK);
      } else if(item->aux.has_data_prd) {
        rv = spdylay_session_add_data(session, reply->stream_id,
                                      SPDYLAY_DATA_FLAG_FIN,
                                      &item->aux.data_prd);
      }
    }
    break;
  }
  case SPDYLAY_RST_STREAM:
    /* The CANCEL cascade to pushed streams never finds any association
       (no association is recorded), so only the stream itself closes. */
    close_stream(session, frame->rst_stream.stream_id,
                 (spdylay_status_code)frame->rst_stream.status_code);
    break;
  case SPDYLAY_PING:
    session->last_ping_unique_id = frame->ping.unique_id;
    break;
  case SPDYLAY_GOAWAY:
    session->goaway_flags |= SPDYLAY_GOAWAY_SEND;
    break;
  case SPDYLAY_HEADERS:
    stream = spdylay_session_get_stream(session, frame->headers.stream_id);
    if(stream && (frame->headers.hd.flags & SPDYLAY_CTRL_FLAG_FIN)) {
      stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
      close_stream_if_shut_rdwr(session, stream);
    }
    break;
  default:
    break;
  }
  spdylay_outbound_item_free(item);
  reset_aob(session);
  return rv;
}

static int after_data_sent(spdylay_session *session)
{
  spdylay_outbound_item *item = session->aob_item;
  spdylay_data *data = &item->frame.data;
  const uint8_t *hd = aob_data(session);
  uint8_t flags = hd[4];
  int32_t length = (int32_t)(spdylay_get_uint32(hd + 4) & SPDYLAY_LENGTH_MASK);
  int32_t stream_id = data->stream_id;
  spdylay_stream *stream;
  spdylay_outbound_item *next;
  ssize_t r;

  if(session->callbacks.on_data_send_callback) {
    session->callbacks.on_data_send_callback(session, flags, stream_id,
                                             length, session->user_data);
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if(data->eof && (data->flags & SPDYLAY_DATA_FLAG_FIN) && stream) {
    stream->done_dirs |= SPDYLAY_STREAM_OUT_DONE;
    if((stream->done_dirs & SPDYLAY_STREAM_BOTH_DONE) == SPDYLAY_STREAM_BOTH_DONE) {
      close_stream(session, stream_id, SPDYLAY_OK);
      stream = NULL;
    }
  }
  if(data->eof || predicate_data_send(session, stream) != 0) {
    spdylay_outbound_item_free(item);
    reset_aob(session);
    return 0;
  }
  next = peek_next_item(session);
  if(next == NULL || item->pri < next->pri) {
    session->aob_off = 0;
    r = pack_data(session, item, stream);
    if(r >= 0) {
      return 0;
    }
    if(r == SPDYLAY_ERR_DEFERRED) {
      reset_aob(session);
      return 0;
    }
    spdylay_outbound_item_free(item);
    reset_aob(session);
    if(r == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
      return 0;
    }
    return (int)r;
  }
  reset_aob(session);
  item->seq = session->next_seq++;
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

    if(session->aob_item == NULL) {
      ssize_t rv;
      if(session->limit_exceeded &&
         (session->goaway_flags & SPDYLAY_GOAWAY_SEND)) {
        /* failed for a limit and the GOAWAY is out: nothing more */
        return 0;
      }
      item = pop_next_item(session);
      if(item == NULL) {
        return 0;
      }
      rv = prepare_item(session, item);
      if(rv == SPDYLAY_ERR_DEFERRED) {
        continue;
      }
      if(rv < 0) {
        ack_done(session, item);
        if(item->frame_cat == SPDYLAY_CTRL) {
          spdylay_frame *frame = &item->frame.ctrl;
          if(!spdylay_is_fatal(rv) &&
             frame->ctrl.hd.type != SPDYLAY_WINDOW_UPDATE &&
             session->callbacks.on_ctrl_not_send_callback) {
            session->callbacks.on_ctrl_not_send_callback
              (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
               (int)rv, session->user_data);
          }
          if(frame->ctrl.hd.type == SPDYLAY_SYN_STREAM) {
            close_stream(session, frame->syn_stream.stream_id,
                         SPDYLAY_INTERNAL_ERROR);
          }
        }
        spdylay_outbound_item_free(item);
        spdylay_buffer_reset(&session->aob_buf);
        if(spdylay_is_fatal(rv)) {
          return (int)rv;
        }
        continue;
      }
      session->aob_item = item;
      session->aob_off = 0;
      if(item->frame_cat == SPDYLAY_CTRL &&
         session->callbacks.before_ctrl_send_callback) {
        spdylay_frame *frame = &item->frame.ctrl;
        session->callbacks.before_ctrl_send_callback
          (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
           session->user_data);
      }
    }

    item = session->aob_item;
    remaining = session->aob_buf.len - session->aob_off;
    if(session->callbacks.send_callback == NULL) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    sent = session->callbacks.send_callback(session,
                                            aob_data(session) +
                                            session->aob_off, remaining, 0,
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
    if(item->frame_cat == SPDYLAY_DATA &&
       session->flow_control != SPDYLAY_FLOW_CONTROL_NONE) {
      /* count only payload bytes */
      size_t begin = spdylay_max(session->aob_off,
                                 (size_t)SPDYLAY_FRAME_HEAD_LENGTH);
      size_t end = session->aob_off + (size_t)sent;
      if(end > begin) {
        int32_t n = (int32_t)(end - begin);
        spdylay_stream *stream =
          spdylay_session_get_stream(session, item->frame.data.stream_id);
        if(stream) {
          stream->send_window -= n;
        }
        if(session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
          session->send_window -= n;
        }
      }
    }
    session->aob_off += (size_t)sent;
    if(session->aob_off == session->aob_buf.len) {
      int rv;
      if(item->frame_cat == SPDYLAY_CTRL) {
        rv = after_ctrl_sent(session);
      } else {
        rv = after_data_sent(session);
      }
      if(rv != 0 && spdylay_is_fatal(rv)) {
        return rv;
      }
    }
  }
}

/* ------------------------------------------------------------------ */
/* receiving: helpers                                                   */

static void call_on_ctrl_recv(spdylay_session *session, spdylay_frame *frame)
{
  if(session->callbacks.on_ctrl_recv_callback) {
    session->callbacks.on_ctrl_recv_callback
      (session, (spdylay_frame_type)frame->ctrl.hd.type, frame,
       session->user_data);
  }
}

static void call_on_invalid_ctrl_recv(spdylay_session *session,
                                      spdylay_frame *frame,
                                      uint32_t status_code)
{
  if(session->callbacks.on_invalid_ctrl_recv_callback) {
    session->callbacks.on_invalid_ctrl_recv_callback
      (session, (spdylay_frame_type)frame->ctrl.hd.type, frame, status_code,
       session->user_data);
  }
}

static void call_on_request_recv(spdylay_session *session, int32_t stream_id)
{
  if(session->callbacks.on_request_recv_callback) {
    session->callbacks.on_request_recv_callback(session, stream_id,
                                                session->user_data);
  }
}

/* RST_STREAM then the invalid-frame callback */
static int handle_stream_error(spdylay_session *session,
                               spdylay_frame *frame, int32_t stream_id,
                               uint32_t status_code)
{
  int rv = add_ack_rst_stream(session, stream_id, status_code);
  if(rv != 0) {
    return rv;
  }
  call_on_invalid_ctrl_recv(session, frame, status_code);
  return 0;
}

/* the invalid-frame callback then GOAWAY(PROTOCOL_ERROR) */
static int handle_session_error(spdylay_session *session,
                                spdylay_frame *frame)
{
  call_on_invalid_ctrl_recv(session, frame, SPDYLAY_PROTOCOL_ERROR);
  return spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
}

/* Re-queues a flow-control parked DATA item of |stream|. */
static int resume_flow_controlled(spdylay_session *session,
                                  spdylay_stream *stream)
{
  spdylay_outbound_item *item = stream->parked;
  if(item == NULL ||
     !stream->parked_on_window ||
     stream->send_window <= 0) {
    return 0;
  }
  if(session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION &&
     session->send_window <= 0) {
    return 0;
  }
  spdylay_stream_unpark(stream);
  spdylay_sendq_add(&session->sendq, &item->qnode);
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: per-type handlers                                         */

static int on_syn_stream_received(spdylay_session *session,
                                  spdylay_frame *frame)
{
  spdylay_syn_stream *syn = &frame->syn_stream;
  int32_t id = syn->stream_id;
  uint32_t status = 0;
  spdylay_stream *stream;

  if(session->goaway_flags) {
    return 0;
  }
  if(id == session->last_recv_stream_id) {
    return handle_stream_error(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(id == 0 || spdylay_session_is_my_stream_id(session, id) ||
     id < session->last_recv_stream_id) {
    return handle_session_error(session, frame);
  }
  session->last_recv_stream_id = id;
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
              spdylay_session_get_stream(session,
                                         syn->assoc_stream_id) == NULL) {
      status = SPDYLAY_PROTOCOL_ERROR;
    }
  }
  if(status == 0 &&
     session->num_incoming_streams >=
     session->local_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS]) {
    status = SPDYLAY_REFUSED_STREAM;
  }
  if(status != 0) {
    return handle_stream_error(session, frame, id, status);
  }
  /* the SYN_STREAM delivers something */
  session->num_empty_frames = 0;
  if((syn->hd.flags & (SPDYLAY_CTRL_FLAG_FIN |
                       SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) !=
     (SPDYLAY_CTRL_FLAG_FIN | SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) {
    stream = open_stream(session, id, syn->hd.flags, syn->pri,
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
  call_on_ctrl_recv(session, frame);
  if(syn->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    call_on_request_recv(session, id);
    if(syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
      if(session->callbacks.on_stream_close_callback) {
        session->callbacks.on_stream_close_callback(session, id, SPDYLAY_OK,
                                                    session->user_data);
      }
    }
  }
  return 0;
}

static int on_syn_reply_received(spdylay_session *session,
                                 spdylay_frame *frame)
{
  spdylay_syn_reply *reply = &frame->syn_reply;
  spdylay_stream *stream;
  if(reply->hd.version != session->version) {
    return 0;
  }
  stream = spdylay_session_get_stream(session, reply->stream_id);
  if(stream && !(stream->done_dirs & SPDYLAY_STREAM_IN_DONE) &&
     spdylay_session_is_my_stream_id(session, reply->stream_id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_SYN) {
      stream->phase = SPDYLAY_STREAM_PHASE_REPLIED;
      call_on_ctrl_recv(session, frame);
      if(reply->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        /* the stream may have been closed inside the callback */
        stream = spdylay_session_get_stream(session, reply->stream_id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          close_stream_if_shut_rdwr(session, stream);
        }
      }
      return 0;
    }
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return handle_stream_error(session, frame, reply->stream_id,
                               session->version == 2 ?
                               SPDYLAY_PROTOCOL_ERROR :
                               SPDYLAY_STREAM_IN_USE);
  }
  return handle_stream_error(session, frame, reply->stream_id,
                             SPDYLAY_PROTOCOL_ERROR);
}

static int on_headers_received(spdylay_session *session,
                               spdylay_frame *frame)
{
  spdylay_headers *headers = &frame->headers;
  int32_t id = headers->stream_id;
  spdylay_stream *stream;
  if(headers->hd.version != session->version) {
    return 0;
  }
  stream = spdylay_session_get_stream(session, id);
  if(stream == NULL || (stream->done_dirs & SPDYLAY_STREAM_IN_DONE)) {
    return handle_stream_error(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(spdylay_session_is_my_stream_id(session, id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_REPLIED) {
      call_on_ctrl_recv(session, frame);
      if(headers->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
        stream = spdylay_session_get_stream(session, id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          close_stream_if_shut_rdwr(session, stream);
        }
      }
      return 0;
    }
    if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
      return 0;
    }
    return handle_stream_error(session, frame, id, SPDYLAY_PROTOCOL_ERROR);
  }
  if(stream->phase == SPDYLAY_STREAM_PHASE_RESET) {
    return 0;
  }
  call_on_ctrl_recv(session, frame);
  if(headers->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    call_on_request_recv(session, id);
    stream = spdylay_session_get_stream(session, id);
    if(stream) {
      stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
      close_stream_if_shut_rdwr(session, stream);
    }
  }
  return 0;
}

static int on_rst_stream_received(spdylay_session *session,
                                  spdylay_frame *frame)
{
  if(frame->rst_stream.hd.version != session->version) {
    return 0;
  }
  call_on_ctrl_recv(session, frame);
  /* CANCEL cascade to pushed streams: no association is recorded */
  close_stream(session, frame->rst_stream.stream_id,
               (spdylay_status_code)frame->rst_stream.status_code);
  return 0;
}

typedef struct {
  spdylay_session *session;
  int32_t new_initial;
  int32_t old_initial;
} window_update_arg;

static int update_initial_window_func(void *obj, void *ptr)
{
  window_update_arg *arg = ptr;
  spdylay_stream *stream = obj;
  spdylay_stream_shift_send_window(stream, (int64_t)arg->new_initial -
                                   (int64_t)arg->old_initial);
  return resume_flow_controlled(arg->session, stream);
}

static int on_settings_received(spdylay_session *session,
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
       session->flow_control != SPDYLAY_FLOW_CONTROL_NONE &&
       value <= (uint32_t)INT32_MAX) {
      window_update_arg arg;
      arg.session = session;
      arg.new_initial = (int32_t)value;
      arg.old_initial = (int32_t)session->remote_settings
        [SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
      rv = spdylay_streamtab_visit(&session->streams, update_initial_window_func,
                            &arg);
      if(rv != 0) {
        return rv;
      }
    }
    session->remote_settings[id] = value;
  }
  call_on_ctrl_recv(session, frame);
  return 0;
}

static int on_ping_received(spdylay_session *session, spdylay_frame *frame)
{
  uint32_t id = frame->ping.unique_id;
  int rv;
  if(frame->ping.hd.version != session->version || id == 0) {
    return 0;
  }
  if(id == session->last_ping_unique_id) {
    session->last_ping_unique_id = 0;
    call_on_ctrl_recv(session, frame);
    return 0;
  }
  if((session->server && (id % 2) == 1) ||
     (!session->server && (id % 2) == 0)) {
    rv = add_ack_ping(session, id);
    if(rv != 0) {
      return rv;
    }
    call_on_ctrl_recv(session, frame);
  }
  return 0;
}

static int on_goaway_received(spdylay_session *session, spdylay_frame *frame)
{
  if(frame->goaway.hd.version != session->version) {
    return 0;
  }
  session->last_good_stream_id = frame->goaway.last_good_stream_id;
  session->goaway_flags |= SPDYLAY_GOAWAY_RECV;
  call_on_ctrl_recv(session, frame);
  return 0;
}

static int resume_all_func(void *obj, void *ptr)
{
  return resume_flow_controlled((spdylay_session*)ptr, obj);
}

static int on_window_update_received(spdylay_session *session,
                                     spdylay_frame *frame)
{
  spdylay_window_update *wu = &frame->window_update;
  spdylay_stream *stream;
  int rv;
  if(wu->hd.version != session->version ||
     session->flow_control == SPDYLAY_FLOW_CONTROL_NONE) {
    return 0;
  }
  if(wu->stream_id == 0 &&
     session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
    if(INT32_MAX - wu->delta_window_size < session->send_window) {
      return handle_session_error(session, frame);
    }
    session->send_window += wu->delta_window_size;
    if(session->send_window > 0) {
      rv = spdylay_streamtab_visit(&session->streams, resume_all_func, session);
      if(rv != 0) {
        return rv;
      }
    }
    call_on_ctrl_recv(session, frame);
    return 0;
  }
  stream = spdylay_session_get_stream(session, wu->stream_id);
  if(stream == NULL) {
    return 0;
  }
  if(INT32_MAX - wu->delta_window_size < stream->send_window) {
    return handle_stream_error(session, frame, wu->stream_id,
                               SPDYLAY_FLOW_CONTROL_ERROR);
  }
  stream->send_window += wu->delta_window_size;
  rv = resume_flow_controlled(session, stream);
  if(rv != 0) {
    return rv;
  }
  call_on_ctrl_recv(session, frame);
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: control frame dispatch                                    */

static int call_parse_error(spdylay_session *session, uint16_t type,
                            const uint8_t *payload, size_t payloadlen,
                            int error_code)
{
  if(session->callbacks.on_ctrl_recv_parse_error_callback) {
    session->callbacks.on_ctrl_recv_parse_error_callback
      (session, (spdylay_frame_type)type, session->iframe.headbuf,
       SPDYLAY_FRAME_HEAD_LENGTH, payload, payloadlen, error_code,
       session->user_data);
  }
  return spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
}

static int process_hb_frame(spdylay_session *session, spdylay_frame *frame,
                            uint16_t type)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  const uint8_t *head = iframe->headbuf;
  const uint8_t *payload = iframe->buf.buf;
  size_t payloadlen = iframe->buf.len;
  size_t fixedlen = iframe->buftarget;
  uint8_t padded[SPDYLAY_SYN_STREAM_FIXED_LENGTH];
  int rv;
  int32_t stream_id;

  if(!iframe->hb) {
    /* no header block: the payload is at most the fixed part, or the
       version is unknown */
    fixedlen = spdylay_frame_hd_fixed_length(type,
                                             spdylay_get_uint16(head) &
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
      rv = spdylay_frame_unpack_syn_stream_without_nv
        (&frame->syn_stream, head, iframe->buf.buf, iframe->buf.len);
      break;
    case SPDYLAY_SYN_REPLY:
      rv = spdylay_frame_unpack_syn_reply_without_nv
        (&frame->syn_reply, head, iframe->buf.buf, iframe->buf.len);
      break;
    default:
      rv = spdylay_frame_unpack_headers_without_nv
        (&frame->headers, head, iframe->buf.buf, iframe->buf.len);
      break;
    }
    if(rv == 0) {
      rv = SPDYLAY_ERR_INVALID_FRAME;
    }
    return call_parse_error(session, type, payload, fixedlen, rv);
  }
  if(iframe->zlib_error) {
    return call_parse_error(session, type, payload, fixedlen,
                            SPDYLAY_ERR_ZLIB);
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM:
    if(iframe->too_large) {
      rv = spdylay_frame_unpack_syn_stream_without_nv
        (&frame->syn_stream, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_unpack_syn_stream
        (&frame->syn_stream, head, payload, payloadlen,
         iframe->hbbuf.buf, iframe->hbbuf.len);
    }
    stream_id = frame->syn_stream.stream_id;
    break;
  case SPDYLAY_SYN_REPLY:
    if(iframe->too_large) {
      rv = spdylay_frame_unpack_syn_reply_without_nv
        (&frame->syn_reply, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_unpack_syn_reply
        (&frame->syn_reply, head, payload, payloadlen,
         iframe->hbbuf.buf, iframe->hbbuf.len);
    }
    stream_id = frame->syn_reply.stream_id;
    break;
  default:
    if(iframe->too_large) {
      rv = spdylay_frame_unpack_headers_without_nv
        (&frame->headers, head, payload, payloadlen);
    } else {
      rv = spdylay_frame_unpack_headers
        (&frame->headers, head, payload, payloadlen,
         iframe->hbbuf.buf, iframe->hbbuf.len);
    }
    stream_id = frame->headers.stream_id;
    break;
  }
  if(rv == 0 && iframe->too_large) {
    /* a refused header block carries nothing */
    rv = count_empty_frame(session);
    if(rv != 0) {
      return rv;
    }
    return handle_stream_error(session, frame, stream_id,
                               SPDYLAY_FRAME_TOO_LARGE);
  }
  if(rv == SPDYLAY_ERR_INVALID_HEADER_BLOCK) {
    return handle_stream_error(session, frame, stream_id,
                               SPDYLAY_PROTOCOL_ERROR);
  }
  if(rv == SPDYLAY_ERR_NOMEM) {
    return rv;
  }
  if(rv != 0) {
    return call_parse_error(session, type, payload, fixedlen, rv);
  }
  if(session->version == 2) {
    switch(type) {
    case SPDYLAY_SYN_STREAM:
      spdylay_frame_nv_2to3(frame->syn_stream.nv);
      break;
    case SPDYLAY_SYN_REPLY:
      spdylay_frame_nv_2to3(frame->syn_reply.nv);
      break;
    default:
      spdylay_frame_nv_2to3(frame->headers.nv);
      break;
    }
  }
  switch(type) {
  case SPDYLAY_SYN_STREAM:
    return on_syn_stream_received(session, frame);
  case SPDYLAY_SYN_REPLY:
    return on_syn_reply_received(session, frame);
  default:
    return on_headers_received(session, frame);
  }
}

static int process_ctrl_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  const uint8_t *head = iframe->headbuf;
  uint16_t type = spdylay_get_uint16(head + 2);
  const uint8_t *payload = iframe->buf.buf;
  size_t payloadlen = iframe->buf.len;
  spdylay_frame frame;
  int rv;

  memset(&frame, 0, sizeof(frame));
  switch(type) {
  case SPDYLAY_SYN_STREAM:
  case SPDYLAY_SYN_REPLY:
  case SPDYLAY_HEADERS:
    rv = process_hb_frame(session, &frame, type);
    spdylay_frame_free(&frame);
    return rv;
  case SPDYLAY_RST_STREAM:
    rv = spdylay_frame_unpack_rst_stream(&frame.rst_stream, head, payload,
                                         payloadlen);
    break;
  case SPDYLAY_SETTINGS:
    rv = spdylay_frame_unpack_settings(&frame.settings, head, payload,
                                       payloadlen);
    break;
  case SPDYLAY_NOOP:
  case SPDYLAY_CREDENTIAL:
    return 0;
  case SPDYLAY_PING:
    rv = spdylay_frame_unpack_ping(&frame.ping, head, payload, payloadlen);
    break;
  case SPDYLAY_GOAWAY:
    rv = spdylay_frame_unpack_goaway(&frame.goaway, head, payload,
                                     payloadlen);
    break;
  case SPDYLAY_WINDOW_UPDATE:
    rv = spdylay_frame_unpack_window_update(&frame.window_update, head,
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
    spdylay_frame_free(&frame);
    return rv;
  }
  if(rv != 0) {
    spdylay_frame_free(&frame);
    return call_parse_error(session, type, payload, payloadlen, rv);
  }
  switch(type) {
  case SPDYLAY_RST_STREAM:
    if(frame.rst_stream.hd.version == session->version &&
       frame.rst_stream.stream_id != 0 &&
       !spdylay_session_is_my_stream_id(session,
                                        frame.rst_stream.stream_id) &&
       !take_reset_token(session)) {
      spdylay_frame_free(&frame);
      return spdylay_session_fail_limit(session,
                                        SPDYLAY_LIMIT_STREAM_RESETS);
    }
    rv = on_rst_stream_received(session, &frame);
    break;
  case SPDYLAY_SETTINGS:
    if(session->num_settings_recv++ > 0) {
      /* SETTINGS after the first one carry nothing */
      rv = count_empty_frame(session);
      if(rv != 0) {
        spdylay_frame_free(&frame);
        return rv;
      }
    }
    rv = on_settings_received(session, &frame);
    break;
  case SPDYLAY_PING:
    rv = on_ping_received(session, &frame);
    break;
  case SPDYLAY_GOAWAY:
    rv = on_goaway_received(session, &frame);
    break;
  default:
    rv = on_window_update_received(session, &frame);
    break;
  }
  spdylay_frame_free(&frame);
  return rv;
}

/* ------------------------------------------------------------------ */
/* receiving: DATA and flow-control accounting                          */

/* Returns nonzero if DATA for |stream| is delivered to the application. */
static int data_acceptable(spdylay_session *session, spdylay_stream *stream)
{
  if(stream == NULL || (stream->done_dirs & SPDYLAY_STREAM_IN_DONE)) {
    return 0;
  }
  if(spdylay_session_is_my_stream_id(session, stream->id)) {
    return stream->phase == SPDYLAY_STREAM_PHASE_REPLIED;
  }
  return stream->phase != SPDYLAY_STREAM_PHASE_RESET;
}

/*
 * Adds |n| to the receive counter |*counter|; queues WINDOW_UPDATE when
 * it reaches half of |threshold| (unless automatic updates are off).
 */
static int adjust_recv_window(spdylay_session *session, int32_t *counter,
                              int32_t stream_id, size_t n, int32_t threshold)
{
  int rv;
  if((int64_t)*counter > (int64_t)INT32_MAX - (int64_t)n) {
    return spdylay_session_fail_session(session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  }
  *counter += (int32_t)n;
  if(!(session->opt_flags & (SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE |
                             SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) &&
     *counter >= threshold / 2) {
    rv = spdylay_session_add_window_update(session, stream_id, *counter);
    if(rv != 0) {
      return rv;
    }
    *counter = 0;
  }
  return 0;
}

/* The NO_AUTO_WINDOW_UPDATE2 counterpart of adjust_recv_window. */
static int adjust_consumed(spdylay_session *session, int32_t *consumed,
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
    rv = spdylay_session_add_window_update(session, stream_id, *consumed);
    if(rv != 0) {
      return rv;
    }
    *recv_counter -= *consumed;
    *consumed = 0;
  }
  return 0;
}

static int32_t stream_threshold(spdylay_session *session)
{
  return (int32_t)session->local_settings
    [SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
}

static int process_data_piece(spdylay_session *session, const uint8_t *data,
                              size_t n, int last)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  int rv;
  if(session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
    rv = adjust_recv_window(session, &session->recv_unacked, 0, n,
                            SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
    if(rv != 0) {
      return rv;
    }
    if(!iframe->data_accept &&
       (session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) {
      rv = adjust_consumed(session, &session->consumed_unacked,
                           &session->recv_unacked, 0, n,
                           SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
      if(rv != 0) {
        return rv;
      }
    }
  }
  if(!iframe->data_accept) {
    return 0;
  }
  if(session->flow_control != SPDYLAY_FLOW_CONTROL_NONE &&
     !(last && (iframe->data_flags & SPDYLAY_DATA_FLAG_FIN))) {
    spdylay_stream *stream =
      spdylay_session_get_stream(session, iframe->data_stream_id);
    if(stream) {
      rv = adjust_recv_window(session, &stream->recv_unacked,
                              iframe->data_stream_id, n,
                              stream_threshold(session));
      if(rv != 0) {
        return rv;
      }
    }
  }
  if(session->callbacks.on_data_chunk_recv_callback) {
    session->callbacks.on_data_chunk_recv_callback
      (session, iframe->data_flags, iframe->data_stream_id, data, n,
       session->user_data);
  }
  return 0;
}

static int process_data_end(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  int32_t id = iframe->data_stream_id;
  uint8_t flags = iframe->data_flags;
  spdylay_stream *stream = spdylay_session_get_stream(session, id);

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
  if(spdylay_session_is_my_stream_id(session, id)) {
    if(stream->phase == SPDYLAY_STREAM_PHASE_REPLIED) {
      if(session->callbacks.on_data_recv_callback) {
        session->callbacks.on_data_recv_callback
          (session, flags, id, (int32_t)iframe->payloadlen,
           session->user_data);
      }
      if(flags & SPDYLAY_DATA_FLAG_FIN) {
        stream = spdylay_session_get_stream(session, id);
        if(stream) {
          stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
          close_stream_if_shut_rdwr(session, stream);
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
      (session, flags, id, (int32_t)iframe->payloadlen, session->user_data);
  }
  if(flags & SPDYLAY_DATA_FLAG_FIN) {
    call_on_request_recv(session, id);
    stream = spdylay_session_get_stream(session, id);
    if(stream) {
      stream->done_dirs |= SPDYLAY_STREAM_IN_DONE;
      close_stream_if_shut_rdwr(session, stream);
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* receiving: reassembly                                                */

static void start_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  const uint8_t *head = iframe->headbuf;
  iframe->payloadlen = spdylay_get_uint32(head + 4) & SPDYLAY_LENGTH_MASK;
  iframe->off = 0;
  if(head[0] & 0x80) {
    uint16_t version = spdylay_get_uint16(head) & SPDYLAY_VERSION_MASK;
    uint16_t type = spdylay_get_uint16(head + 2);
    size_t fixedlen = spdylay_frame_hd_fixed_length(type, version);
    spdylay_buffer_reset(&iframe->buf);
    spdylay_buffer_reset(&iframe->hbbuf);
    iframe->too_large = 0;
    iframe->zlib_error = 0;
    iframe->inflated = 0;
    if(fixedlen > 0 && iframe->payloadlen > fixedlen) {
      iframe->hb = 1;
      iframe->buftarget = fixedlen;
      if(iframe->payloadlen > session->max_recv_ctrl_frame_buf) {
        iframe->too_large = 1;
      }
    } else {
      iframe->hb = 0;
      if(iframe->payloadlen > session->max_recv_ctrl_frame_buf) {
        iframe->buftarget = 0;
      } else {
        iframe->buftarget = iframe->payloadlen;
      }
    }
    iframe->state = SPDYLAY_RECV_CTRL_PAYLOAD;
  } else {
    spdylay_stream *stream;
    iframe->data_stream_id = (int32_t)(spdylay_get_uint32(head) &
                                       SPDYLAY_STREAM_ID_MASK);
    iframe->data_flags = head[4];
    stream = spdylay_session_get_stream(session, iframe->data_stream_id);
    iframe->data_accept = (uint8_t)data_acceptable(session, stream);
    iframe->state = SPDYLAY_RECV_DATA_PAYLOAD;
  }
}

ssize_t spdylay_session_mem_recv(spdylay_session *session,
                                 const uint8_t *in, size_t inlen)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  const uint8_t *p, *end;
  int rv;

  if(session->limit_exceeded) {
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
    switch(iframe->state) {
    case SPDYLAY_RECV_HEAD: {
      size_t n;
      if(p == end) {
        return (ssize_t)inlen;
      }
      n = spdylay_min((size_t)(end - p),
                      SPDYLAY_FRAME_HEAD_LENGTH - iframe->headbufoff);
      memcpy(iframe->headbuf + iframe->headbufoff, p, n);
      iframe->headbufoff += n;
      p += n;
      if(iframe->headbufoff < SPDYLAY_FRAME_HEAD_LENGTH) {
        return (ssize_t)inlen;
      }
      iframe->headbufoff = 0;
      start_frame(session);
      break;
    }
    case SPDYLAY_RECV_CTRL_PAYLOAD: {
      size_t n = spdylay_min((size_t)(end - p),
                             iframe->payloadlen - iframe->off);
      if(iframe->off < iframe->buftarget) {
        size_t k = spdylay_min(n, iframe->buftarget - iframe->off);
        rv = spdylay_buffer_append(&iframe->buf, p, k);
        if(rv != 0) {
          return rv;
        }
        iframe->off += k;
        p += k;
        n -= k;
      }
      if(n > 0) {
        if(iframe->hb && !iframe->zlib_error) {
          spdylay_hd_sink sink;
          sink.kept = &iframe->hbbuf;
          sink.keep_max = spdylay_min((size_t)session->max_recv_ctrl_frame_buf,
                                      (size_t)session->max_header_list_size);
          sink.discarding = iframe->too_large;
          sink.produced = iframe->inflated;
          sink.produced_max =
            spdylay_max(sink.keep_max,
                        (size_t)session->max_header_block_inflate);
          rv = spdylay_hd_inflate(&session->hd_inflater, &sink, p, n);
          iframe->inflated = sink.produced;
          if(rv == SPDYLAY_ERR_NOMEM) {
            return rv;
          }
          if(rv == SPDYLAY_ERR_FLOODED) {
            /* a zlib bomb: stop here, the rest of the input is ignored */
            spdylay_buffer_reset(&iframe->hbbuf);
            return spdylay_session_fail_limit
              (session, SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE);
          }
          if(rv != 0) {
            iframe->zlib_error = 1;
          }
          if(sink.discarding) {
            iframe->too_large = 1;
            spdylay_buffer_reset(&iframe->hbbuf);
          }
        }
        iframe->off += n;
        p += n;
      }
      if(iframe->off < iframe->payloadlen) {
        return (ssize_t)inlen;
      }
      iframe->state = SPDYLAY_RECV_HEAD;
      rv = process_ctrl_frame(session);
      if(spdylay_is_fatal(rv)) {
        return rv;
      }
      break;
    }
    case SPDYLAY_RECV_DATA_PAYLOAD: {
      size_t n = spdylay_min((size_t)(end - p),
                             iframe->payloadlen - iframe->off);
      if(n > 0) {
        int last = iframe->off + n == iframe->payloadlen;
        iframe->off += n;
        rv = process_data_piece(session, p, n, last);
        p += n;
        if(spdylay_is_fatal(rv)) {
          return rv;
        }
      }
      if(iframe->off < iframe->payloadlen) {
        return (ssize_t)inlen;
      }
      iframe->state = SPDYLAY_RECV_HEAD;
      if(iframe->payloadlen == 0) {
        if(!(iframe->data_flags & SPDYLAY_DATA_FLAG_FIN)) {
          /* empty DATA without FIN carries nothing */
          rv = count_empty_frame(session);
          if(rv != 0) {
            return rv;
          }
        }
      } else if(iframe->data_accept) {
        session->num_empty_frames = 0;
      }
      rv = process_data_end(session);
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
  if(session->limit_exceeded) {
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
  spdylay_inbound_frame *iframe = &session->iframe;
  if(session->limit_exceeded) {
    return 0;
  }
  return (iframe->state == SPDYLAY_RECV_HEAD && iframe->headbufoff > 0) ||
    iframe->state == SPDYLAY_RECV_CTRL_PAYLOAD;
}

int spdylay_session_want_read(spdylay_session *session)
{
  if(session->limit_exceeded) {
    return 0;
  }
  if((session->goaway_flags & SPDYLAY_GOAWAY_FAIL_ON_SEND) &&
     (session->goaway_flags & SPDYLAY_GOAWAY_SEND)) {
    return 0;
  }
  return !session->goaway_flags || spdylay_streamtab_count(&session->streams) > 0;
}

int spdylay_session_want_write(spdylay_session *session)
{
  int sendable;
  if(session->limit_exceeded) {
    /* until the GOAWAY (or the frame in flight before it) is out */
    return session->aob_item != NULL ||
      !(session->goaway_flags & SPDYLAY_GOAWAY_SEND);
  }
  if((session->goaway_flags & SPDYLAY_GOAWAY_FAIL_ON_SEND) &&
     (session->goaway_flags & SPDYLAY_GOAWAY_SEND)) {
    return 0;
  }
  sendable = session->aob_item != NULL ||
    spdylay_sendq_count(&session->sendq) > 0 ||
    (spdylay_sendq_count(&session->synq) > 0 &&
     session->num_outgoing_streams <
     session->remote_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS]);
  return sendable &&
    (!session->goaway_flags || spdylay_streamtab_count(&session->streams) > 0);
}

void* spdylay_session_get_stream_user_data(spdylay_session *session,
                                           int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  return stream ? stream->user_data : NULL;
}

int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
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
  return (uint8_t)pri_lowest(session);
}

int32_t spdylay_session_get_stream_recv_data_length
(spdylay_session *session, int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  if(stream == NULL) {
    return -1;
  }
  if(session->flow_control == SPDYLAY_FLOW_CONTROL_NONE) {
    return 0;
  }
  return stream->recv_unacked;
}

int32_t spdylay_session_get_recv_data_length(spdylay_session *session)
{
  if(session->flow_control != SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
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
  if(!(session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if(session->flow_control == SPDYLAY_FLOW_CONTROL_STREAM_SESSION) {
    rv = adjust_consumed(session, &session->consumed_unacked,
                         &session->recv_unacked, 0, size,
                         SPDYLAY_INITIAL_SESSION_WINDOW_SIZE);
    if(rv != 0) {
      return rv;
    }
  }
  if(session->flow_control != SPDYLAY_FLOW_CONTROL_NONE) {
    stream = spdylay_session_get_stream(session, stream_id);
    if(stream) {
      rv = adjust_consumed(session, &stream->consumed_unacked,
                           &stream->recv_unacked, stream_id, size,
                           stream_threshold(session));
      if(rv != 0) {
        return rv;
      }
    }
  }
  return 0;
}

int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  spdylay_outbound_item *item;
  if(stream == NULL || stream->parked == NULL ||
     stream->parked_on_window) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  item = stream->parked;
  spdylay_stream_unpark(stream);
  spdylay_sendq_add(&session->sendq, &item->qnode);
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
