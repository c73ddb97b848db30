/* Unit tests: spdylay_buffer and spdylay_grow_heap_buffer. */
#include "spdylay_test.h"
#include "spdylay_buffer.h"
#include "spdylay_helper.h"

static void test_append_reset(void)
{
  spdylay_buffer b;
  uint8_t data[1000];
  size_t i;
  for(i = 0; i < sizeof(data); ++i) data[i] = (uint8_t)i;
  spdylay_buffer_init(&b);
  CHECK_EQ(b.len, 0);
  CHECK_EQ(spdylay_buffer_append(&b, data, 10), 0);
  CHECK_EQ(b.len, 10);
  CHECK_EQ(spdylay_buffer_append(&b, data + 10, 990), 0);
  CHECK_EQ(b.len, 1000);
  CHECK_MEM(b.buf, data, 1000);
  CHECK(b.cap >= 1000);
  spdylay_buffer_reset(&b);
  CHECK_EQ(b.len, 0);
  CHECK(b.cap >= 1000);
  CHECK_EQ(spdylay_buffer_append(&b, data, 0), 0);
  CHECK_EQ(b.len, 0);
  spdylay_buffer_free(&b);
  CHECK(b.buf == NULL);
}

static void test_reserve(void)
{
  uint8_t *buf = NULL;
  size_t cap = 0;
  CHECK_EQ(spdylay_grow_heap_buffer(&buf, &cap, 5), 0);
  CHECK(cap >= 5);
  CHECK_EQ(spdylay_grow_heap_buffer(&buf, &cap, 100000), 0);
  CHECK(cap >= 100000);
  buf[99999] = 1;
  free(buf);
}

static void test_byte_order(void)
{
  uint8_t b[4];
  spdylay_write_u32(b, 0x01020304);
  CHECK(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4);
  CHECK_EQ(spdylay_read_u32(b), 0x01020304);
  spdylay_write_u16(b, 0xabcd);
  CHECK_EQ(spdylay_read_u16(b), 0xabcd);
}

int main(void)
{
  RUN(test_append_reset);
  RUN(test_reserve);
  RUN(test_byte_order);
  return TEST_SUMMARY();
}
