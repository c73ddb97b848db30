/*
 * spdylay_sendq.c - pairing heap of queued frames (see spdylay_sendq.h).
 */
#include "spdylay_sendq.h"

/* Joins two heap roots: the one that goes later becomes the first
   child of the other.  Either may be NULL. */
static spdylay_sendq_node* join(const spdylay_sendq *q,
                                spdylay_sendq_node *x, spdylay_sendq_node *y)
{
  spdylay_sendq_node *tmp;
  if(x == NULL) {
    return y;
  }
  if(y == NULL) {
    return x;
  }
  if(q->goes_first(y, x)) {
    tmp = x;
    x = y;
    y = tmp;
  }
  y->sibling = x->kid;
  x->kid = y;
  return x;
}

void spdylay_sendq_init(spdylay_sendq *q, spdylay_sendq_first_fn goes_first)
{
  q->top = NULL;
  q->count = 0;
  q->goes_first = goes_first;
}

void spdylay_sendq_add(spdylay_sendq *q, spdylay_sendq_node *node)
{
  node->kid = NULL;
  node->sibling = NULL;
  q->top = join(q, q->top, node);
  ++q->count;
}

spdylay_sendq_node* spdylay_sendq_peek(const spdylay_sendq *q)
{
  return q->top;
}

spdylay_sendq_node* spdylay_sendq_take(spdylay_sendq *q)
{
  spdylay_sendq_node *out = q->top, *rest, *pairs = NULL, *merged = NULL;
  if(out == NULL) {
    return NULL;
  }
  /* First pass, left to right: join the children two by two, pushing
     each joined pair onto |pairs| (so the last pair ends up in front). */
  rest = out->kid;
  while(rest != NULL) {
    spdylay_sendq_node *a = rest, *b = rest->sibling;
    if(b == NULL) {
      rest = NULL;
    } else {
      rest = b->sibling;
      b->sibling = NULL;
    }
    a->sibling = NULL;
    a = join(q, a, b);
    a->sibling = pairs;
    pairs = a;
  }
  /* Second pass, right to left: fold the pairs into one heap. */
  while(pairs != NULL) {
    spdylay_sendq_node *next = pairs->sibling;
    pairs->sibling = NULL;
    merged = join(q, merged, pairs);
    pairs = next;
  }
  q->top = merged;
  --q->count;
  out->kid = NULL;
  out->sibling = NULL;
  return out;
}

size_t spdylay_sendq_count(const spdylay_sendq *q)
{
  return q->count;
}
