/* Unit tests: spdylay_map (intrusive int32 hash map). */
#include <stdlib.h>
#include "spdylay_test.h"
#include "spdylay_map.h"
#include "spdylay_int.h"

typedef struct {
  spdylay_map_entry entry;
  int value;
} item;

static int sum_func(spdylay_map_entry *e, void *ptr)
{
  *(long*)ptr += ((item*)e)->value;
  return 0;
}

static void free_func(spdylay_map_entry *e, void *ptr)
{
  ++*(int*)ptr;
  free(e);
}

static void test_insert_find_remove(void)
{
  spdylay_map map;
  item a, b, c;
  a.entry.key = 1; a.value = 10;
  b.entry.key = 3; b.value = 30;
  c.entry.key = 1; c.value = 99;
  CHECK_EQ(spdylay_map_init(&map), 0);
  CHECK_EQ(spdylay_map_insert(&map, &a.entry), 0);
  CHECK_EQ(spdylay_map_insert(&map, &b.entry), 0);
  CHECK_EQ(spdylay_map_insert(&map, &c.entry), SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_map_size(&map), 2);
  CHECK(spdylay_map_find(&map, 1) == &a.entry);
  CHECK(spdylay_map_find(&map, 3) == &b.entry);
  CHECK(spdylay_map_find(&map, 5) == NULL);
  CHECK(spdylay_map_remove(&map, 1) == &a.entry);
  CHECK(spdylay_map_remove(&map, 1) == NULL);
  CHECK(spdylay_map_find(&map, 1) == NULL);
  CHECK_EQ(spdylay_map_size(&map), 1);
  spdylay_map_free(&map);
}

static void test_many(void)
{
  spdylay_map map;
  int i, freed = 0;
  long sum = 0;
  CHECK_EQ(spdylay_map_init(&map), 0);
  for(i = 1; i <= 20001; i += 2) {
    item *it = malloc(sizeof(item));
    it->entry.key = i;
    it->value = i;
    CHECK_EQ(spdylay_map_insert(&map, &it->entry), 0);
  }
  CHECK_EQ(spdylay_map_size(&map), 10001);
  for(i = 1; i <= 20001; i += 2) {
    spdylay_map_entry *e = spdylay_map_find(&map, i);
    CHECK(e != NULL && ((item*)e)->value == i);
  }
  CHECK(spdylay_map_find(&map, 2) == NULL);
  spdylay_map_each(&map, sum_func, &sum);
  CHECK_EQ(sum, 100020001L);
  for(i = 1; i <= 10001; i += 2) {
    free(spdylay_map_remove(&map, i));
  }
  CHECK_EQ(spdylay_map_size(&map), 5000);
  spdylay_map_each_free(&map, free_func, &freed);
  CHECK_EQ(freed, 5000);
  CHECK_EQ(spdylay_map_size(&map), 0);
  spdylay_map_free(&map);
}

int main(void)
{
  RUN(test_insert_find_remove);
  RUN(test_many);
  return TEST_SUMMARY();
}
