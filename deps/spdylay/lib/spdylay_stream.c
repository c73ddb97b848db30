/*
 * spdylay_stream.c - what the session knows about one stream.
 */
#include "spdylay_stream.h"

#include <stddef.h>

void spdylay_stream_setup(spdylay_stream *stream, int32_t id,
                          uint8_t syn_flags, uint8_t pri,
                          spdylay_stream_phase phase, int32_t send_window,
                          void *user_data)
{
  static const spdylay_stream fresh;
  *stream = fresh;
  stream->id = id;
  stream->phase = phase;
  stream->syn_flags = syn_flags;
  stream->pri = pri;
  stream->send_window = send_window;
  stream->user_data = user_data;
}

void spdylay_stream_park(spdylay_stream *stream,
                         struct spdylay_outbound_item *item, int on_window)
{
  stream->parked = item;
  stream->parked_on_window = (uint8_t)(on_window != 0);
}

struct spdylay_outbound_item* spdylay_stream_unpark(spdylay_stream *stream)
{
  struct spdylay_outbound_item *item = stream->parked;
  stream->parked = NULL;
  stream->parked_on_window = 0;
  return item;
}

void spdylay_stream_shift_send_window(spdylay_stream *stream, int64_t delta)
{
  int64_t w = (int64_t)stream->send_window + delta;
  stream->send_window = w > INT32_MAX ? INT32_MAX :
    w < INT32_MIN ? INT32_MIN : (int32_t)w;
}
