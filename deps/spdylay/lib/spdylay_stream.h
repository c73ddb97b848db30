/*
 * spdylay_stream.h - per-stream state.
 */
#ifndef SPDYLAY_STREAM_H
#define SPDYLAY_STREAM_H

#include <stdint.h>

#include "spdylay_int.h"
#include "spdylay_map.h"

typedef enum {
  /* SYN_STREAM being sent (locally initiated) */
  SPDYLAY_STREAM_INITIAL,
  /* SYN_STREAM sent/received, no SYN_REPLY yet */
  SPDYLAY_STREAM_OPENING,
  /* SYN_REPLY received/sent */
  SPDYLAY_STREAM_OPENED,
  /* RST_STREAM queued */
  SPDYLAY_STREAM_CLOSING
} spdylay_stream_state;

typedef enum {
  SPDYLAY_SHUT_NONE = 0,
  /* no more receiving */
  SPDYLAY_SHUT_RD = 0x01,
  /* no more sending */
  SPDYLAY_SHUT_WR = 0x02,
  SPDYLAY_SHUT_RDWR = SPDYLAY_SHUT_RD | SPDYLAY_SHUT_WR
} spdylay_shut_flag;

typedef enum {
  SPDYLAY_DEFERRED_NONE = 0,
  /* parked because the send window is exhausted */
  SPDYLAY_DEFERRED_FLOW_CONTROL = 0x01
} spdylay_deferred_flag;

struct spdylay_outbound_item;

typedef struct spdylay_stream {
  /* must be first: the stream map stores this entry */
  spdylay_map_entry map_entry;
  int32_t stream_id;
  spdylay_stream_state state;
  /* flags of the SYN_STREAM */
  uint8_t flags;
  /* spdylay_shut_flag bits */
  uint8_t shut_flags;
  uint8_t pri;
  /* spdylay_deferred_flag of deferred_data */
  uint8_t deferred_flags;
  void *stream_user_data;
  /* at most one parked DATA item */
  struct spdylay_outbound_item *deferred_data;
  /* send window */
  int32_t window_size;
  /* received DATA bytes not yet acknowledged with WINDOW_UPDATE */
  int32_t recv_window_size;
  /* consumed bytes (spdylay_session_consume) not yet acknowledged */
  int32_t consumed_size;
} spdylay_stream;

void spdylay_stream_init(spdylay_stream *stream, int32_t stream_id,
                         uint8_t flags, uint8_t pri,
                         spdylay_stream_state initial_state,
                         int32_t initial_window_size,
                         void *stream_user_data);

void spdylay_stream_shutdown(spdylay_stream *stream, spdylay_shut_flag flag);

void spdylay_stream_defer_data(spdylay_stream *stream,
                               struct spdylay_outbound_item *item,
                               uint8_t flags);

void spdylay_stream_detach_deferred_data(spdylay_stream *stream);

/* Applies a SETTINGS_INITIAL_WINDOW_SIZE change: window += new - old. */
void spdylay_stream_update_initial_window_size(spdylay_stream *stream,
                                               int32_t new_initial,
                                               int32_t old_initial);

#endif /* SPDYLAY_STREAM_H */
