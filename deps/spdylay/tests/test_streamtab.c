/* Unit tests: spdylay_streamtab (open-addressing table by stream ID). */
#include <stdlib.h>
#include "spdylay_test.h"
#include "spdylay_streamtab.h"
#include "spdylay_int.h"

typedef struct {
  int32_t id;
  int value;
} obj;

static int sum_visit(void *o, void *arg)
{
  *(long*)arg += ((obj*)o)->value;
  return 0;
}

static int stop_at_7(void *o, void *arg)
{
  ++*(int*)arg;
  return ((obj*)o)->id == 7 ? 42 : 0;
}

static void count_free(void *o, void *arg)
{
  ++*(int*)arg;
  free(o);
}

static void test_put_get_drop(void)
{
  spdylay_streamtab tab;
  obj a = { 1, 10 }, b = { 3, 30 }, c = { 1, 99 };
  CHECK_EQ(spdylay_streamtab_init(&tab), 0);
  CHECK_EQ(spdylay_streamtab_put(&tab, a.id, &a), 0);
  CHECK_EQ(spdylay_streamtab_put(&tab, b.id, &b), 0);
  CHECK_EQ(spdylay_streamtab_put(&tab, c.id, &c),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_streamtab_put(&tab, 5, NULL),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_streamtab_count(&tab), 2);
  CHECK(spdylay_streamtab_get(&tab, 1) == &a);
  CHECK(spdylay_streamtab_get(&tab, 3) == &b);
  CHECK(spdylay_streamtab_get(&tab, 5) == NULL);
  CHECK(spdylay_streamtab_drop(&tab, 1) == &a);
  CHECK(spdylay_streamtab_drop(&tab, 1) == NULL);
  CHECK(spdylay_streamtab_get(&tab, 1) == NULL);
  CHECK(spdylay_streamtab_get(&tab, 3) == &b);
  CHECK_EQ(spdylay_streamtab_count(&tab), 1);
  spdylay_streamtab_release(&tab);
}

/* Dropping each ID in turn from a full set keeps every other ID
   reachable (the backward shift wherever probe runs formed). */
static void test_probe_runs(void)
{
  spdylay_streamtab tab;
  static obj v[64];
  int i, j;
  CHECK_EQ(spdylay_streamtab_init(&tab), 0);
  for(i = 0; i < 64; ++i) {
    v[i].id = i * 16 + 1;
    v[i].value = i;
  }
  for(j = 0; j < 64; ++j) {
    for(i = 0; i < 64; ++i) {
      CHECK_EQ(spdylay_streamtab_put(&tab, v[i].id, &v[i]), 0);
    }
    CHECK(spdylay_streamtab_drop(&tab, v[j].id) == &v[j]);
    for(i = 0; i < 64; ++i) {
      CHECK(spdylay_streamtab_get(&tab, v[i].id) == (i == j ? NULL : &v[i]));
    }
    for(i = 0; i < 64; ++i) {
      if(i != j) {
        CHECK(spdylay_streamtab_drop(&tab, v[i].id) == &v[i]);
      }
    }
    CHECK_EQ(spdylay_streamtab_count(&tab), 0);
  }
  spdylay_streamtab_release(&tab);
}

/* Random puts and drops of arbitrary IDs (collisions included) against
   a plain array. */
static void test_random_against_array(void)
{
  enum { N = 300 };
  spdylay_streamtab tab;
  static obj v[N];
  static int present[N];
  int i, round;
  srand(11);
  CHECK_EQ(spdylay_streamtab_init(&tab), 0);
  for(i = 0; i < N; ++i) {
    /* distinct IDs spread over the whole int32 range */
    v[i].id = (int32_t)(((uint32_t)i * 2654435761u) ^ (uint32_t)(i << 7));
    v[i].value = i;
    present[i] = 0;
  }
  for(round = 0; round < 30000; ++round) {
    int k = rand() % N;
    if(present[k]) {
      CHECK(spdylay_streamtab_drop(&tab, v[k].id) == &v[k]);
      present[k] = 0;
    } else {
      CHECK_EQ(spdylay_streamtab_put(&tab, v[k].id, &v[k]), 0);
      present[k] = 1;
    }
    if(round % 1000 == 0) {
      size_t count = 0;
      for(i = 0; i < N; ++i) {
        CHECK(spdylay_streamtab_get(&tab, v[i].id) ==
              (present[i] ? &v[i] : NULL));
        count += (size_t)present[i];
      }
      CHECK_EQ(spdylay_streamtab_count(&tab), count);
    }
  }
  spdylay_streamtab_release(&tab);
}

static void test_many(void)
{
  spdylay_streamtab tab;
  int i, freed = 0, visited = 0;
  long sum = 0;
  CHECK_EQ(spdylay_streamtab_init(&tab), 0);
  for(i = 1; i <= 20001; i += 2) {
    obj *o = malloc(sizeof(obj));
    o->id = i;
    o->value = i;
    CHECK_EQ(spdylay_streamtab_put(&tab, i, o), 0);
  }
  CHECK_EQ(spdylay_streamtab_count(&tab), 10001);
  for(i = 1; i <= 20001; i += 2) {
    obj *o = spdylay_streamtab_get(&tab, i);
    CHECK(o != NULL && o->value == i);
  }
  CHECK(spdylay_streamtab_get(&tab, 2) == NULL);
  CHECK_EQ(spdylay_streamtab_visit(&tab, sum_visit, &sum), 0);
  CHECK_EQ(sum, 100020001L);
  CHECK_EQ(spdylay_streamtab_visit(&tab, stop_at_7, &visited), 42);
  CHECK(visited >= 1 && visited <= 10001);
  for(i = 1; i <= 10001; i += 2) {
    free(spdylay_streamtab_drop(&tab, i));
  }
  CHECK_EQ(spdylay_streamtab_count(&tab), 5000);
  for(i = 10003; i <= 20001; i += 2) {
    CHECK(spdylay_streamtab_get(&tab, i) != NULL);
  }
  spdylay_streamtab_clear(&tab, count_free, &freed);
  CHECK_EQ(freed, 5000);
  CHECK_EQ(spdylay_streamtab_count(&tab), 0);
  CHECK(spdylay_streamtab_get(&tab, 10003) == NULL);
  spdylay_streamtab_release(&tab);
}

int main(void)
{
  RUN(test_put_get_drop);
  RUN(test_probe_runs);
  RUN(test_random_against_array);
  RUN(test_many);
  return TEST_SUMMARY();
}
