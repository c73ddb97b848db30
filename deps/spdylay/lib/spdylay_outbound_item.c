/*
 * spdylay_outbound_item.c - an entry of the outbound queues.
 */
#include "spdylay_outbound_item.h"

#include <stdlib.h>

int spdylay_outbound_item_precedes(const spdylay_outbound_item *a,
                                   const spdylay_outbound_item *b)
{
  return a->pri < b->pri || (a->pri == b->pri && a->seq < b->seq);
}

int spdylay_outbound_item_goes_first(const spdylay_sendq_node *a,
                                     const spdylay_sendq_node *b)
{
  return spdylay_outbound_item_precedes(spdylay_outbound_item_of(a),
                                        spdylay_outbound_item_of(b));
}

void spdylay_outbound_item_free(spdylay_outbound_item *item)
{
  if(item == NULL) {
    return;
  }
  if(item->kind == SPDYLAY_ITEM_CTRL) {
    spdylay_frame_release(&item->frame.ctrl);
  }
  free(item);
}
