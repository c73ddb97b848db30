/*
 * spdylay_submit.c - spdylay_submit_* functions: validate, normalise and
 * queue frames.
 */
#include <string.h>
#include <stdlib.h>

#include "spdylay_session.h"
#include "spdylay_frame.h"
#include "spdylay_helper.h"

static int usable_data_prd(const spdylay_data_provider *data_prd)
{
  return data_prd != NULL && data_prd->read_callback != NULL;
}

static int submit_syn_stream_shared(spdylay_session *session, uint8_t flags,
                                    int32_t assoc_stream_id, uint8_t pri,
                                    const char **nv,
                                    const spdylay_data_provider *data_prd,
                                    void *stream_user_data)
{
  spdylay_outbound_item *item;
  char **nv_copy;
  int32_t stream_id;
  int rv;
  uint8_t lowest = spdylay_session_get_pri_lowest(session);

  if(pri > lowest) {
    pri = lowest;
  }
  if(!session->server) {
    assoc_stream_id = 0;
  }
  if(nv == NULL || !spdylay_nv_valid(nv)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if(session->next_local_id > INT32_MAX) {
    return SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE;
  }
  stream_id = (int32_t)session->next_local_id;
  session->next_local_id += 2;

  flags &= SPDYLAY_CTRL_FLAG_FIN | SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL;
  rv = spdylay_nv_normalized_clone(&nv_copy, nv);
  if(rv != 0) {
    return rv;
  }
  item = spdylay_session_ctrl_item(session, SPDYLAY_SYN_STREAM, flags);
  if(item == NULL) {
    spdylay_nv_free(nv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame.ctrl.syn_stream.stream_id = stream_id;
  item->frame.ctrl.syn_stream.assoc_stream_id = assoc_stream_id;
  item->frame.ctrl.syn_stream.pri = pri;
  item->frame.ctrl.syn_stream.nv = nv_copy;
  item->attach.stream_user_data = stream_user_data;
  if(usable_data_prd(data_prd)) {
    item->attach.data_prd = *data_prd;
    item->attach.has_body = 1;
  }
  return spdylay_session_enqueue(session, item);
}

int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data)
{
  return submit_syn_stream_shared(session, flags, assoc_stream_id, pri, nv,
                                  NULL, stream_user_data);
}

int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data)
{
  uint8_t flags = usable_data_prd(data_prd) ?
    SPDYLAY_CTRL_FLAG_NONE : SPDYLAY_CTRL_FLAG_FIN;
  return submit_syn_stream_shared(session, flags, 0, pri, nv, data_prd,
                                  stream_user_data);
}

static int submit_reply_like(spdylay_session *session, uint16_t type,
                             uint8_t flags, int32_t stream_id,
                             const char **nv,
                             const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item;
  char **nv_copy;
  int rv;
  if(nv == NULL || !spdylay_nv_valid(nv)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  flags &= SPDYLAY_CTRL_FLAG_FIN;
  rv = spdylay_nv_normalized_clone(&nv_copy, nv);
  if(rv != 0) {
    return rv;
  }
  item = spdylay_session_ctrl_item(session, type, flags);
  if(item == NULL) {
    spdylay_nv_free(nv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  /* SYN_REPLY and HEADERS have the same fields */
  if(type == SPDYLAY_SYN_REPLY) {
    item->frame.ctrl.syn_reply.stream_id = stream_id;
    item->frame.ctrl.syn_reply.nv = nv_copy;
  } else {
    item->frame.ctrl.headers.stream_id = stream_id;
    item->frame.ctrl.headers.nv = nv_copy;
  }
  if(usable_data_prd(data_prd)) {
    item->attach.data_prd = *data_prd;
    item->attach.has_body = 1;
  }
  return spdylay_session_enqueue(session, item);
}

int spdylay_submit_response(spdylay_session *session,
                            int32_t stream_id, const char **nv,
                            const spdylay_data_provider *data_prd)
{
  uint8_t flags = usable_data_prd(data_prd) ?
    SPDYLAY_CTRL_FLAG_NONE : SPDYLAY_CTRL_FLAG_FIN;
  return submit_reply_like(session, SPDYLAY_SYN_REPLY, flags, stream_id, nv,
                           data_prd);
}

int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv)
{
  return submit_reply_like(session, SPDYLAY_SYN_REPLY, flags, stream_id, nv,
                           NULL);
}

int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv)
{
  return submit_reply_like(session, SPDYLAY_HEADERS, flags, stream_id, nv,
                           NULL);
}

int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd)
{
  if(data_prd == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  return spdylay_session_queue_data(session, stream_id, flags, data_prd);
}

int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code)
{
  return spdylay_session_queue_rst_stream(session, stream_id, status_code);
}

int spdylay_submit_ping(spdylay_session *session)
{
  uint32_t id;
  if(session->next_ping_id > INT32_MAX) {
    session->next_ping_id = session->server ? 2 : 1;
  }
  id = session->next_ping_id;
  session->next_ping_id += 2;
  return spdylay_session_queue_ping(session, id);
}

int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code)
{
  return spdylay_session_queue_goaway(session, session->highest_remote_id,
                                      status_code);
}

static int settings_entry_less(const spdylay_settings_entry *a,
                               const spdylay_settings_entry *b)
{
  return a->settings_id < b->settings_id;
}

int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv)
{
  spdylay_outbound_item *item;
  spdylay_settings_entry *iv_copy = NULL;
  uint32_t seen = 0;
  size_t i, j;
  int rv;

  for(i = 0; i < niv; ++i) {
    int32_t id = iv[i].settings_id;
    if(id <= 0 || id > SPDYLAY_SETTINGS_MAX || (seen & (1u << id))) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    seen |= 1u << id;
  }
  if(niv > 0) {
    iv_copy = malloc(niv * sizeof(spdylay_settings_entry));
    if(iv_copy == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    memcpy(iv_copy, iv, niv * sizeof(spdylay_settings_entry));
    /* insertion sort: at most 8 entries, IDs unique */
    for(i = 1; i < niv; ++i) {
      spdylay_settings_entry e = iv_copy[i];
      for(j = i; j > 0 && settings_entry_less(&e, &iv_copy[j - 1]); --j) {
        iv_copy[j] = iv_copy[j - 1];
      }
      iv_copy[j] = e;
    }
  }
  item = spdylay_session_ctrl_item(session, SPDYLAY_SETTINGS, flags);
  if(item == NULL) {
    free(iv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  item->frame.ctrl.settings.niv = niv;
  item->frame.ctrl.settings.iv = iv_copy;
  item->frame.ctrl.settings.hd.length += (int32_t)(niv * 8);
  rv = spdylay_session_enqueue(session, item);
  if(rv != 0) {
    return rv;
  }
  for(i = 0; i < niv; ++i) {
    session->own_settings[iv[i].settings_id] = iv[i].value;
  }
  return 0;
}

int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size)
{
  int32_t *recv_window, *consumed;
  if(delta_window_size <= 0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if(stream_id == 0) {
    recv_window = &session->recv_unacked;
    consumed = &session->consumed_unacked;
  } else {
    spdylay_stream *stream = spdylay_session_find_stream(session, stream_id);
    if(stream == NULL) {
      return SPDYLAY_ERR_STREAM_CLOSED;
    }
    recv_window = &stream->recv_unacked;
    consumed = &stream->consumed_unacked;
  }
  *recv_window -= spdylay_min(delta_window_size, *recv_window);
  *consumed -= spdylay_min(delta_window_size, *consumed);
  return spdylay_session_queue_window_update(session, stream_id,
                                             delta_window_size);
}
