/*
 * spdylay_pq.c - binary-heap priority queue of pointers.
 */
#include "spdylay_pq.h"

#include <stdlib.h>

#include "spdylay_int.h"

int spdylay_pq_init(spdylay_pq *pq, spdylay_pq_less less)
{
  pq->capacity = 16;
  pq->q = malloc(pq->capacity * sizeof(void*));
  if(pq->q == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  pq->length = 0;
  pq->less = less;
  return 0;
}

void spdylay_pq_free(spdylay_pq *pq)
{
  free(pq->q);
  pq->q = NULL;
  pq->length = pq->capacity = 0;
}

int spdylay_pq_push(spdylay_pq *pq, void *item)
{
  size_t i;
  if(pq->length == pq->capacity) {
    size_t ncap = pq->capacity * 2;
    void **nq = realloc(pq->q, ncap * sizeof(void*));
    if(nq == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    pq->q = nq;
    pq->capacity = ncap;
  }
  i = pq->length++;
  /* sift up */
  while(i > 0) {
    size_t parent = (i - 1) / 2;
    if(!pq->less(item, pq->q[parent])) {
      break;
    }
    pq->q[i] = pq->q[parent];
    i = parent;
  }
  pq->q[i] = item;
  return 0;
}

void* spdylay_pq_top(spdylay_pq *pq)
{
  return pq->length ? pq->q[0] : NULL;
}

void spdylay_pq_pop(spdylay_pq *pq)
{
  void *last;
  size_t i, n;
  if(pq->length == 0) {
    return;
  }
  n = --pq->length;
  if(n == 0) {
    return;
  }
  last = pq->q[n];
  i = 0;
  /* sift down */
  for(;;) {
    size_t l = 2 * i + 1, best;
    if(l >= n) {
      break;
    }
    best = l;
    if(l + 1 < n && pq->less(pq->q[l + 1], pq->q[l])) {
      best = l + 1;
    }
    if(!pq->less(pq->q[best], last)) {
      break;
    }
    pq->q[i] = pq->q[best];
    i = best;
  }
  pq->q[i] = last;
}

int spdylay_pq_empty(spdylay_pq *pq)
{
  return pq->length == 0;
}

size_t spdylay_pq_size(spdylay_pq *pq)
{
  return pq->length;
}
