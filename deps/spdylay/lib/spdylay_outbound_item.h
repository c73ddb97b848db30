/*
 * spdylay_outbound_item.h - an entry of the outbound queues.
 */
#ifndef SPDYLAY_OUTBOUND_ITEM_H
#define SPDYLAY_OUTBOUND_ITEM_H

#include <stdint.h>
#include <stddef.h>

#include "spdylay_int.h"
#include "spdylay_frame.h"
#include "spdylay_sendq.h"

/* What an item carries. */
typedef enum {
  /* a control frame (frame.ctrl) */
  SPDYLAY_ITEM_CTRL,
  /* the DATA of a stream, read through a data provider (frame.data) */
  SPDYLAY_ITEM_DATA
} spdylay_item_kind;

/* What SYN_STREAM (data provider, stream user data) and SYN_REPLY (data
   provider) bring along for the stream they open or answer. */
typedef struct {
  spdylay_data_provider data_prd;
  void *stream_user_data;
  /* nonzero if data_prd is set */
  uint8_t has_body;
} spdylay_item_attach;

/* A queued frame.  The fields are ordered so that the item stays at 112
   bytes on LP64 (it is allocated for every frame sent). */
typedef struct spdylay_outbound_item {
  /* links of the send queue holding the item (spdylay_sendq.h) */
  spdylay_sendq_node qnode;
  union {
    spdylay_frame ctrl;
    spdylay_data_job data;
  } frame;
  spdylay_item_attach attach;
  /* enqueue sequence number: FIFO among equal pri */
  uint64_t seq;
  /* queue priority: smaller leaves first */
  int32_t pri;
  /* spdylay_item_kind */
  uint8_t kind;
  /* queued by the library on its own in reply to the peer (PING reply,
     RST_STREAM for the peer's error): counted in
     session->flood.pending_replies until it leaves the queue */
  uint8_t is_reply;
} spdylay_outbound_item;

/* The item whose send-queue links are |node|. */
#define spdylay_outbound_item_of(node)                                   \
  ((spdylay_outbound_item*)(void*)((char*)(node) -                       \
                                   offsetof(spdylay_outbound_item, qnode)))

/* Returns nonzero if |a| is sent before |b|: smaller pri first, and
   among equal pri the smaller seq (the earlier queued) first. */
int spdylay_outbound_item_precedes(const spdylay_outbound_item *a,
                                   const spdylay_outbound_item *b);

/* spdylay_outbound_item_precedes on the items holding |a| and |b|: the
   ordering of the session's send queues. */
int spdylay_outbound_item_goes_first(const spdylay_sendq_node *a,
                                     const spdylay_sendq_node *b);

/* Frees |item| and what its frame owns.  NULL is a no-op. */
void spdylay_outbound_item_free(spdylay_outbound_item *item);

#endif /* SPDYLAY_OUTBOUND_ITEM_H */
