/*
 * spdylay_outbound_item.c - an entry of the outbound queues.
 */
#include "spdylay_outbound_item.h"

#include <stdlib.h>

int spdylay_outbound_item_less(const void *lhs, const void *rhs)
{
  const spdylay_outbound_item *a = lhs, *b = rhs;
  if(a->pri != b->pri) {
    return a->pri < b->pri;
  }
  return a->seq < b->seq;
}

void spdylay_outbound_item_free(spdylay_outbound_item *item)
{
  if(item == NULL) {
    return;
  }
  if(item->frame_cat == SPDYLAY_CTRL) {
    spdylay_frame_free(&item->frame.ctrl);
  }
  free(item);
}
