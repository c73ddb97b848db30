/*
 * spdylay_stream.h - what the session knows about one stream.
 */
#ifndef SPDYLAY_STREAM_H
#define SPDYLAY_STREAM_H

#include <stdint.h>

#include "spdylay_int.h"

/* Where a stream is in its SYN_STREAM / SYN_REPLY / RST_STREAM life. */
typedef enum {
  /* our SYN_STREAM is being sent */
  SPDYLAY_STREAM_PHASE_NEW,
  /* SYN_STREAM sent or received, SYN_REPLY not yet */
  SPDYLAY_STREAM_PHASE_SYN,
  /* SYN_REPLY sent or received */
  SPDYLAY_STREAM_PHASE_REPLIED,
  /* an RST_STREAM for it is queued */
  SPDYLAY_STREAM_PHASE_RESET
} spdylay_stream_phase;

/* Directions of a stream that are finished (FIN sent / received). */
enum {
  /* the peer will send nothing more */
  SPDYLAY_STREAM_IN_DONE = 0x01,
  /* we send nothing more */
  SPDYLAY_STREAM_OUT_DONE = 0x02,
  SPDYLAY_STREAM_BOTH_DONE = SPDYLAY_STREAM_IN_DONE | SPDYLAY_STREAM_OUT_DONE
};

struct spdylay_outbound_item;

typedef struct spdylay_stream {
  int32_t id;
  spdylay_stream_phase phase;
  /* flags of the SYN_STREAM that opened it */
  uint8_t syn_flags;
  /* SPDYLAY_STREAM_IN_DONE / SPDYLAY_STREAM_OUT_DONE bits */
  uint8_t done_dirs;
  /* queue priority of its frames */
  uint8_t pri;
  /* nonzero when |parked| waits for send window (it is resumed by
     WINDOW_UPDATE / SETTINGS), zero when it waits for
     spdylay_session_resume_data() */
  uint8_t parked_on_window;
  /* the application's pointer (spdylay_session_set_stream_user_data) */
  void *user_data;
  /* DATA item taken off the send queue until it can go on (at most one;
     owned by the stream) */
  struct spdylay_outbound_item *parked;
  /* bytes we may still send (flow control) */
  int32_t send_window;
  /* received DATA bytes not yet acknowledged with WINDOW_UPDATE */
  int32_t recv_unacked;
  /* bytes the application consumed (spdylay_session_consume) not yet
     acknowledged */
  int32_t consumed_unacked;
} spdylay_stream;

/*
 * Fills |stream| for a stream that starts in |phase| with ID |id|, the
 * SYN_STREAM flags |syn_flags|, priority |pri|, a send window of
 * |send_window| bytes and the application pointer |user_data|; no
 * direction is done, nothing is parked, no byte is unacknowledged.
 */
void spdylay_stream_setup(spdylay_stream *stream, int32_t id,
                          uint8_t syn_flags, uint8_t pri,
                          spdylay_stream_phase phase, int32_t send_window,
                          void *user_data);

/* Parks |item| on |stream|; |on_window| as for the parked_on_window
   field. */
void spdylay_stream_park(spdylay_stream *stream,
                         struct spdylay_outbound_item *item, int on_window);

/* Takes the parked item off |stream| and returns it (NULL if none); the
   caller owns it then. */
struct spdylay_outbound_item* spdylay_stream_unpark(spdylay_stream *stream);

/*
 * Adds |delta| (which may be negative) to the send window of |stream|,
 * saturating at INT32_MIN and INT32_MAX.  Used when the peer changes
 * SETTINGS_INITIAL_WINDOW_SIZE (delta = new - old).
 */
void spdylay_stream_shift_send_window(spdylay_stream *stream, int64_t delta);

#endif /* SPDYLAY_STREAM_H */
