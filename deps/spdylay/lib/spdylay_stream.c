/*
 * spdylay_stream.c - per-stream state.
 */
#include "spdylay_stream.h"

#include <string.h>

void spdylay_stream_init(spdylay_stream *stream, int32_t stream_id,
                         uint8_t flags, uint8_t pri,
                         spdylay_stream_state initial_state,
                         int32_t initial_window_size,
                         void *stream_user_data)
{
  memset(stream, 0, sizeof(*stream));
  stream->map_entry.key = stream_id;
  stream->stream_id = stream_id;
  stream->flags = flags;
  stream->pri = pri;
  stream->state = initial_state;
  stream->shut_flags = SPDYLAY_SHUT_NONE;
  stream->window_size = initial_window_size;
  stream->stream_user_data = stream_user_data;
}

void spdylay_stream_shutdown(spdylay_stream *stream, spdylay_shut_flag flag)
{
  stream->shut_flags |= (uint8_t)flag;
}

void spdylay_stream_defer_data(spdylay_stream *stream,
                               struct spdylay_outbound_item *item,
                               uint8_t flags)
{
  stream->deferred_data = item;
  stream->deferred_flags = flags;
}

void spdylay_stream_detach_deferred_data(spdylay_stream *stream)
{
  stream->deferred_data = NULL;
  stream->deferred_flags = SPDYLAY_DEFERRED_NONE;
}

void spdylay_stream_update_initial_window_size(spdylay_stream *stream,
                                               int32_t new_initial,
                                               int32_t old_initial)
{
  int64_t w = (int64_t)stream->window_size +
    ((int64_t)new_initial - (int64_t)old_initial);
  if(w > INT32_MAX) {
    w = INT32_MAX;
  } else if(w < INT32_MIN) {
    w = INT32_MIN;
  }
  stream->window_size = (int32_t)w;
}
