/*
 * spdylay_sendq.h - the order in which queued frames leave the session.
 *
 * A min-ordered pairing heap whose nodes live inside the queued objects
 * (struct spdylay_sendq_node is a member of spdylay_outbound_item), so
 * adding an entry never allocates and cannot fail.  The ordering is
 * supplied by the owner as a "goes first" predicate; with a strict total
 * order the sequence of removals is fully determined by the inserted
 * keys, whatever the shape of the heap.
 *
 * Costs: insert O(1), first O(1), take amortised O(log n).
 */
#ifndef SPDYLAY_SENDQ_H
#define SPDYLAY_SENDQ_H

#include <stddef.h>

/* Heap links embedded in a queued object.  Only this module reads or
   writes them; the owner recovers its object with offsetof. */
typedef struct spdylay_sendq_node {
  /* first child (the child list is singly linked through |sibling|) */
  struct spdylay_sendq_node *kid;
  struct spdylay_sendq_node *sibling;
} spdylay_sendq_node;

/* Returns nonzero if |a| must leave the queue before |b|.  Must be a
   strict total order over the nodes queued together. */
typedef int (*spdylay_sendq_first_fn)(const spdylay_sendq_node *a,
                                      const spdylay_sendq_node *b);

typedef struct {
  spdylay_sendq_node *top;
  size_t count;
  spdylay_sendq_first_fn goes_first;
} spdylay_sendq;

/* Makes |q| an empty queue ordered by |goes_first|.  Allocates nothing;
   there is no matching release function. */
void spdylay_sendq_init(spdylay_sendq *q, spdylay_sendq_first_fn goes_first);

/* Queues |node| (which must not be in any queue).  Cannot fail. */
void spdylay_sendq_add(spdylay_sendq *q, spdylay_sendq_node *node);

/* The node that leaves next, left in place; NULL when |q| is empty. */
spdylay_sendq_node* spdylay_sendq_peek(const spdylay_sendq *q);

/* Removes and returns the node that leaves next; NULL when |q| is
   empty.  The returned node may be queued again. */
spdylay_sendq_node* spdylay_sendq_take(spdylay_sendq *q);

/* Number of queued nodes. */
size_t spdylay_sendq_count(const spdylay_sendq *q);

#endif /* SPDYLAY_SENDQ_H */
