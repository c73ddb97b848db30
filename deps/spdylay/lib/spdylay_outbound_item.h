/*
 * spdylay_outbound_item.h - an entry of the outbound queues.
 */
#ifndef SPDYLAY_OUTBOUND_ITEM_H
#define SPDYLAY_OUTBOUND_ITEM_H

#include <stdint.h>

#include "spdylay_int.h"
#include "spdylay_frame.h"

typedef enum {
  SPDYLAY_CTRL,
  SPDYLAY_DATA
} spdylay_frame_category;

/* Extra data of SYN_STREAM (data provider, stream user data) and
   SYN_REPLY (data provider). */
typedef struct {
  spdylay_data_provider data_prd;
  void *stream_user_data;
  /* nonzero if data_prd is set */
  uint8_t has_data_prd;
} spdylay_frame_aux_data;

typedef struct spdylay_outbound_item {
  spdylay_frame_category frame_cat;
  union {
    spdylay_frame ctrl;
    spdylay_data data;
  } frame;
  spdylay_frame_aux_data aux;
  /* queue priority: smaller leaves first */
  int32_t pri;
  /* enqueue sequence number: FIFO among equal pri */
  uint64_t seq;
  /* queued by the library in reply to the peer: counted in
     session->num_outbound_ack until sent */
  uint8_t ack;
} spdylay_outbound_item;

/* Queue ordering: (pri, seq) ascending. */
int spdylay_outbound_item_less(const void *lhs, const void *rhs);

/* Frees |item| and what its frame owns.  NULL is a no-op. */
void spdylay_outbound_item_free(spdylay_outbound_item *item);

#endif /* SPDYLAY_OUTBOUND_ITEM_H */
