/*
 * spdylay_pq.h - binary-heap priority queue of pointers.
 */
#ifndef SPDYLAY_PQ_H
#define SPDYLAY_PQ_H

#include <stddef.h>

/* Returns nonzero if |lhs| must leave the queue before |rhs|. */
typedef int (*spdylay_pq_less)(const void *lhs, const void *rhs);

typedef struct {
  void **q;
  size_t length;
  size_t capacity;
  spdylay_pq_less less;
} spdylay_pq;

int spdylay_pq_init(spdylay_pq *pq, spdylay_pq_less less);

void spdylay_pq_free(spdylay_pq *pq);

/* Adds |item|.  0 or NOMEM. */
int spdylay_pq_push(spdylay_pq *pq, void *item);

/* The first item, or NULL if empty. */
void* spdylay_pq_top(spdylay_pq *pq);

/* Removes the first item (no-op if empty). */
void spdylay_pq_pop(spdylay_pq *pq);

int spdylay_pq_empty(spdylay_pq *pq);

size_t spdylay_pq_size(spdylay_pq *pq);

#endif /* SPDYLAY_PQ_H */
