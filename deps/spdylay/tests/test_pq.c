/* Unit tests: spdylay_pq (binary heap) with the outbound item order. */
#include <stdlib.h>
#include "spdylay_test.h"
#include "spdylay_pq.h"
#include "spdylay_outbound_item.h"

static int int_less(const void *a, const void *b)
{
  return *(const int*)a < *(const int*)b;
}

static void test_basic(void)
{
  spdylay_pq pq;
  int v[] = { 5, 3, 9, 1, 7, 3, 0, 8 };
  int prev = -1;
  size_t i;
  CHECK_EQ(spdylay_pq_init(&pq, int_less), 0);
  CHECK(spdylay_pq_empty(&pq));
  CHECK(spdylay_pq_top(&pq) == NULL);
  for(i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
    CHECK_EQ(spdylay_pq_push(&pq, &v[i]), 0);
  }
  CHECK_EQ(spdylay_pq_size(&pq), 8);
  while(!spdylay_pq_empty(&pq)) {
    int x = *(int*)spdylay_pq_top(&pq);
    CHECK(x >= prev);
    prev = x;
    spdylay_pq_pop(&pq);
  }
  spdylay_pq_pop(&pq);
  spdylay_pq_free(&pq);
}

static void test_item_order(void)
{
  /* (pri, seq) ascending: priority first, FIFO among equals */
  spdylay_pq pq;
  spdylay_outbound_item items[200];
  int i;
  int32_t lastpri = -100;
  uint64_t lastseq = 0;
  CHECK_EQ(spdylay_pq_init(&pq, spdylay_outbound_item_less), 0);
  srand(1);
  for(i = 0; i < 200; ++i) {
    items[i].pri = rand() % 8 - 1;
    items[i].seq = (uint64_t)i;
    CHECK_EQ(spdylay_pq_push(&pq, &items[i]), 0);
  }
  for(i = 0; i < 200; ++i) {
    spdylay_outbound_item *it = spdylay_pq_top(&pq);
    spdylay_pq_pop(&pq);
    CHECK(it->pri >= lastpri);
    if(it->pri == lastpri) {
      CHECK(it->seq > lastseq);
    }
    lastpri = it->pri;
    lastseq = it->seq;
  }
  CHECK(spdylay_pq_empty(&pq));
  spdylay_pq_free(&pq);
}

int main(void)
{
  RUN(test_basic);
  RUN(test_item_order);
  return TEST_SUMMARY();
}
