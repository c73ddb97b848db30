/* Unit tests: header compression with the SPDY dictionaries. */
#include "spdylay_test.h"
#include "spdylay_hdcomp.h"
#include "spdylay_int.h"
#include "hd_inflate_into.h"


static void test_dict_adler(void)
{
  CHECK_EQ(adler32(1, spdylay_spdy2_dictionary, sizeof(spdylay_spdy2_dictionary)),
           0xDFA251B2UL);
  CHECK_EQ(adler32(1, spdylay_spdy3_dictionary, sizeof(spdylay_spdy3_dictionary)),
           0xE3C6A7C2UL);
  CHECK_EQ(spdylay_spdy2_dictionary[906], 0);
}

static void roundtrip(int server, uint16_t version)
{
  spdylay_hd_deflater def;
  spdylay_hd_inflater inf;
  spdylay_buffer out;
  uint8_t in[3000], comp[4000];
  size_t i;
  int round;
  for(i = 0; i < sizeof(in); ++i) in[i] = (uint8_t)("abcdefgh"[i % 8] + i / 500);
  CHECK_EQ(spdylay_hd_deflater_init(&def, version, server), 0);
  CHECK_EQ(spdylay_hd_inflater_init(&inf, version), 0);
  spdylay_buffer_init(&out);
  for(round = 0; round < 3; ++round) {
    size_t inlen = 1000 + (size_t)round * 1000;
    size_t bound = spdylay_hd_deflate_bound(&def, inlen);
    ssize_t n;
    int overflow = 0;
    size_t total = 0;
    CHECK(bound <= sizeof(comp));
    n = spdylay_hd_deflate(&def, comp, bound, in, inlen);
    CHECK(n > 4);
    /* sync flush marker */
    CHECK_MEM(comp + n - 4, "\x00\x00\xff\xff", 4);
    spdylay_buffer_reset(&out);
    /* feed byte by byte */
    for(i = 0; i < (size_t)n; ++i) {
      CHECK_EQ(inflate_into(&inf, &out, 1 << 24, &overflow, &total, (size_t)-1,
                                       comp + i, 1), 0);
    }
    CHECK_EQ(out.len, inlen);
    CHECK_MEM(out.buf, in, inlen);
    CHECK_EQ(overflow, 0);
  }
  spdylay_buffer_free(&out);
  spdylay_hd_deflater_end(&def);
  spdylay_hd_inflater_end(&inf);
}

static void test_roundtrip(void)
{
  roundtrip(0, 2);
  roundtrip(1, 2);
  roundtrip(0, 3);
  roundtrip(1, 3);
}

static void test_header_bytes(void)
{
  spdylay_hd_deflater def;
  uint8_t comp[64];
  ssize_t n;
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  n = spdylay_hd_deflate(&def, comp, sizeof(comp),
                              (const uint8_t*)"x", 1);
  CHECK(n > 6);
  CHECK_MEM(comp, "\x38\xea\xe3\xc6\xa7\xc2", 6);
  spdylay_hd_deflater_end(&def);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 2, 0), 0);
  n = spdylay_hd_deflate(&def, comp, sizeof(comp),
                              (const uint8_t*)"x", 1);
  CHECK(n > 6);
  CHECK_MEM(comp, "\x38\x30\xdf\xa2\x51\xb2", 6);
  spdylay_hd_deflater_end(&def);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 7, 0),
           SPDYLAY_ERR_UNSUPPORTED_VERSION);
}

static void test_inflate_errors(void)
{
  spdylay_hd_inflater inf;
  spdylay_buffer out;
  int overflow = 0;
  size_t total = 0;
  spdylay_buffer_init(&out);
  CHECK_EQ(spdylay_hd_inflater_init(&inf, 3), 0);
  CHECK_EQ(inflate_into(&inf, &out, 1 << 24, &overflow, &total, (size_t)-1,
                                   (const uint8_t*)"not zlib at all", 15),
           SPDYLAY_ERR_ZLIB);
  spdylay_hd_inflater_end(&inf);
  spdylay_buffer_free(&out);
}

static void test_inflate_limit(void)
{
  spdylay_hd_deflater def;
  spdylay_hd_inflater inf;
  spdylay_buffer out;
  uint8_t in[20000], *comp;
  size_t bound;
  ssize_t n;
  int overflow = 0;
  size_t total = 0;
  memset(in, 'a', sizeof(in));
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  CHECK_EQ(spdylay_hd_inflater_init(&inf, 3), 0);
  bound = spdylay_hd_deflate_bound(&def, sizeof(in));
  comp = malloc(bound);
  n = spdylay_hd_deflate(&def, comp, bound, in, sizeof(in));
  CHECK(n > 0);
  spdylay_buffer_init(&out);
  CHECK_EQ(inflate_into(&inf, &out, 8192, &overflow, &total, (size_t)-1, comp,
                                   (size_t)n), 0);
  CHECK_EQ(overflow, 1);
  CHECK(out.len <= 8192);
  free(comp);
  spdylay_buffer_free(&out);
  spdylay_hd_deflater_end(&def);
  spdylay_hd_inflater_end(&inf);
}

/* The kept buffer never grows past |keep|; the total output of a block
   past |cap| stops decompression with SPDYLAY_ERR_FLOODED. */
static void test_inflate_keep_and_cap(void)
{
  spdylay_hd_deflater def;
  spdylay_hd_inflater inf;
  spdylay_buffer out;
  size_t inlen = 4u << 20, bound, total = 0;
  uint8_t *in = malloc(inlen), *comp;
  ssize_t n;
  int overflow = 0;
  memset(in, 'b', inlen);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  CHECK_EQ(spdylay_hd_inflater_init(&inf, 3), 0);
  bound = spdylay_hd_deflate_bound(&def, inlen);
  comp = malloc(bound);
  n = spdylay_hd_deflate(&def, comp, bound, in, inlen);
  CHECK(n > 0 && n < 16384);
  spdylay_buffer_init(&out);
  /* keep 5000, cap 4 MiB: everything is decompressed, 5000 kept */
  CHECK_EQ(inflate_into(&inf, &out, 5000, &overflow, &total,
                                   inlen, comp, (size_t)n), 0);
  CHECK_EQ(overflow, 1);
  CHECK_EQ(total, inlen);
  CHECK(out.cap <= 5000);
  CHECK(out.len <= 5000);
  /* the next block decompresses in step */
  n = spdylay_hd_deflate(&def, comp, bound, (const uint8_t *)"hello", 5);
  CHECK(n > 0);
  spdylay_buffer_reset(&out);
  overflow = 0;
  total = 0;
  CHECK_EQ(inflate_into(&inf, &out, 5000, &overflow, &total,
                                   inlen, comp, (size_t)n), 0);
  CHECK_EQ(overflow, 0);
  CHECK_EQ(out.len, 5);
  CHECK_MEM(out.buf, "hello", 5);
  /* cap 64 KiB: stops early */
  n = spdylay_hd_deflate(&def, comp, bound, in, inlen);
  spdylay_buffer_reset(&out);
  overflow = 0;
  total = 0;
  CHECK_EQ(inflate_into(&inf, &out, 5000, &overflow, &total,
                                   65536, comp, (size_t)n),
           SPDYLAY_ERR_FLOODED);
  CHECK(total > 65536 && total <= 65536 + 4096);
  CHECK(out.cap <= 5000);
  free(comp);
  free(in);
  spdylay_buffer_free(&out);
  spdylay_hd_deflater_end(&def);
  spdylay_hd_inflater_end(&inf);
}

int main(void)
{
  RUN(test_inflate_keep_and_cap);
  RUN(test_dict_adler);
  RUN(test_roundtrip);
  RUN(test_header_bytes);
  RUN(test_inflate_errors);
  RUN(test_inflate_limit);
  return TEST_SUMMARY();
}
