/* Unit tests: spdylay_sendq (intrusive pairing heap) with the outbound
   item order. */
#include <stdlib.h>
#include <stddef.h>
#include "spdylay_test.h"
#include "spdylay_sendq.h"
#include "spdylay_outbound_item.h"

typedef struct {
  spdylay_sendq_node node;
  int key;
} keyed;

#define KEYED(n) ((const keyed*)(const void*)((const char*)(n) - \
                                              offsetof(keyed, node)))

static int key_first(const spdylay_sendq_node *a, const spdylay_sendq_node *b)
{
  return KEYED(a)->key < KEYED(b)->key;
}

static void test_basic(void)
{
  spdylay_sendq q;
  keyed v[8];
  int keys[] = { 5, 3, 9, 1, 7, 4, 0, 8 };
  int prev = -1;
  size_t i;
  spdylay_sendq_init(&q, key_first);
  CHECK_EQ(spdylay_sendq_count(&q), 0);
  CHECK(spdylay_sendq_peek(&q) == NULL);
  CHECK(spdylay_sendq_take(&q) == NULL);
  for(i = 0; i < 8; ++i) {
    v[i].key = keys[i];
    spdylay_sendq_add(&q, &v[i].node);
  }
  CHECK_EQ(spdylay_sendq_count(&q), 8);
  CHECK_EQ(KEYED(spdylay_sendq_peek(&q))->key, 0);
  for(i = 0; i < 8; ++i) {
    const spdylay_sendq_node *peeked = spdylay_sendq_peek(&q);
    spdylay_sendq_node *n = spdylay_sendq_take(&q);
    CHECK(n == peeked);
    CHECK(KEYED(n)->key > prev);
    prev = KEYED(n)->key;
  }
  CHECK_EQ(spdylay_sendq_count(&q), 0);
  CHECK(spdylay_sendq_take(&q) == NULL);
}

/* Interleaved adds and takes, re-adding taken nodes, against a sorted
   reference. */
static void test_interleaved(void)
{
  enum { N = 500 };
  spdylay_sendq q;
  static keyed v[N];
  static int in_queue[N];
  int i, round;
  srand(7);
  spdylay_sendq_init(&q, key_first);
  for(i = 0; i < N; ++i) {
    v[i].key = i; /* distinct keys: a strict order */
    in_queue[i] = 0;
  }
  for(round = 0; round < 20000; ++round) {
    int k = rand() % N;
    if(rand() % 3 != 0) {
      if(!in_queue[k]) {
        spdylay_sendq_add(&q, &v[k].node);
        in_queue[k] = 1;
      }
    } else if(spdylay_sendq_count(&q) > 0) {
      int lowest = -1;
      spdylay_sendq_node *n;
      for(i = 0; i < N; ++i) {
        if(in_queue[i]) {
          lowest = i;
          break;
        }
      }
      n = spdylay_sendq_take(&q);
      CHECK(n != NULL && KEYED(n)->key == lowest);
      if(n) {
        in_queue[KEYED(n)->key] = 0;
      }
    }
  }
  while(spdylay_sendq_count(&q) > 0) {
    spdylay_sendq_node *n = spdylay_sendq_take(&q);
    CHECK(in_queue[KEYED(n)->key]);
    in_queue[KEYED(n)->key] = 0;
  }
  for(i = 0; i < N; ++i) {
    CHECK(!in_queue[i]);
  }
}

static void test_item_order(void)
{
  /* (pri, seq) ascending: priority first, FIFO among equals; a taken
     item queued again with its old seq goes back to its old place */
  spdylay_sendq q;
  static spdylay_outbound_item items[200];
  spdylay_outbound_item *it;
  int i;
  int32_t lastpri = -100;
  uint64_t lastseq = 0;
  spdylay_sendq_init(&q, spdylay_outbound_item_goes_first);
  srand(1);
  for(i = 0; i < 200; ++i) {
    items[i].pri = rand() % 8 - 1;
    items[i].seq = (uint64_t)i;
    spdylay_sendq_add(&q, &items[i].qnode);
  }
  it = spdylay_outbound_item_of(spdylay_sendq_take(&q));
  CHECK(spdylay_outbound_item_of(spdylay_sendq_peek(&q)) != it);
  spdylay_sendq_add(&q, &it->qnode);
  CHECK(spdylay_outbound_item_of(spdylay_sendq_peek(&q)) == it);
  for(i = 0; i < 200; ++i) {
    it = spdylay_outbound_item_of(spdylay_sendq_take(&q));
    CHECK(it->pri >= lastpri);
    if(it->pri == lastpri) {
      CHECK(it->seq > lastseq);
    }
    lastpri = it->pri;
    lastseq = it->seq;
  }
  CHECK_EQ(spdylay_sendq_count(&q), 0);
}

int main(void)
{
  RUN(test_basic);
  RUN(test_interleaved);
  RUN(test_item_order);
  return TEST_SUMMARY();
}
