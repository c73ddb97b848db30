/* Unit tests: NPN helpers, strerror, gzip helper, version macro. */
#include <zlib.h>
#include "spdylay_test.h"
#include <spdylay/spdylay.h>

static void test_proto_list(void)
{
  size_t len;
  const spdylay_npn_proto *p = spdylay_npn_get_proto_list(&len);
  CHECK_EQ(len, 3);
  CHECK(p[0].len == 8 && memcmp(p[0].proto, "spdy/3.1", 8) == 0);
  CHECK_EQ(p[0].version, 4);
  CHECK(p[1].len == 6 && memcmp(p[1].proto, "spdy/3", 6) == 0);
  CHECK_EQ(p[1].version, 3);
  CHECK(p[2].len == 6 && memcmp(p[2].proto, "spdy/2", 6) == 0);
  CHECK_EQ(p[2].version, 2);
}

static void test_get_version(void)
{
  CHECK_EQ(spdylay_npn_get_version(NULL, 0), 0);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"spdy/3.1", 8), 4);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"spdy/3", 6), 3);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"spdy/2", 6), 2);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"spdy/3.1", 6), 3);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"spdy/4", 6), 0);
  CHECK_EQ(spdylay_npn_get_version((const unsigned char*)"http/1.1", 8), 0);
}

static void test_select(void)
{
  unsigned char *out = NULL;
  unsigned char outlen = 0;
  const unsigned char l1[] = "\x08http/1.1\x06spdy/2\x06spdy/3";
  const unsigned char l2[] = "\x06spdy/4\x08spdy/2.1\x08http/1.1";
  const unsigned char l3[] = "\x06spdy/4\x08spdy/2.1\x08http/1.0";
  const unsigned char l4[] = "\x06spdy/2\x08spdy/3.1\x06spdy/3";
  CHECK_EQ(spdylay_select_next_protocol(&out, &outlen, l1, sizeof(l1) - 1), 3);
  CHECK(outlen == 6 && memcmp(out, "spdy/3", 6) == 0);
  CHECK_EQ(spdylay_select_next_protocol(&out, &outlen, l2, sizeof(l2) - 1), 0);
  CHECK(outlen == 8 && memcmp(out, "http/1.1", 8) == 0);
  out = NULL; outlen = 0;
  CHECK_EQ(spdylay_select_next_protocol(&out, &outlen, l3, sizeof(l3) - 1), -1);
  CHECK(out == NULL && outlen == 0);
  CHECK_EQ(spdylay_select_next_protocol(&out, &outlen, l4, sizeof(l4) - 1), 4);
  CHECK(outlen == 8 && memcmp(out, "spdy/3.1", 8) == 0);
  /* truncated entry */
  CHECK_EQ(spdylay_select_next_protocol(&out, &outlen,
                                        (const unsigned char*)"\x06spdy/", 6),
           -1);
}

static void test_strerror(void)
{
  CHECK_STR(spdylay_strerror(0), "Success");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_INVALID_ARGUMENT), "Invalid argument");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_STREAM_SHUT_WR),
            "The transmission is not allowed for this stream");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_FRAME_TOO_LARGE),
            "The length of the frame is too large");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_NOMEM), "Out of memory");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_CALLBACK_FAILURE),
            "The user callback function failed");
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_FATAL), "Unknown error code");
  CHECK_STR(spdylay_strerror(-1), "Unknown error code");
}

static void test_gzip(void)
{
  const char *text = "hello hello hello hello gzip world";
  unsigned char comp[256], out[256];
  z_stream zst;
  spdylay_gzip *inf;
  size_t inlen, outlen, total_in = 0, total_out = 0;
  size_t complen;
  memset(&zst, 0, sizeof(zst));
  CHECK_EQ(deflateInit2(&zst, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zst.next_in = (Bytef*)text;
  zst.avail_in = (uInt)strlen(text);
  zst.next_out = comp;
  zst.avail_out = sizeof(comp);
  CHECK_EQ(deflate(&zst, Z_FINISH), Z_STREAM_END);
  complen = sizeof(comp) - zst.avail_out;
  deflateEnd(&zst);

  CHECK_EQ(spdylay_gzip_inflate_new(&inf), 0);
  /* feed 3 bytes at a time */
  while(total_in < complen) {
    inlen = complen - total_in < 3 ? complen - total_in : 3;
    outlen = sizeof(out) - total_out;
    CHECK_EQ(spdylay_gzip_inflate(inf, out + total_out, &outlen,
                                  comp + total_in, &inlen), 0);
    total_in += inlen;
    total_out += outlen;
  }
  CHECK_EQ(total_out, strlen(text));
  CHECK_MEM(out, text, strlen(text));
  inlen = 1;
  outlen = sizeof(out);
  CHECK_EQ(spdylay_gzip_inflate(inf, out, &outlen, comp, &inlen),
           SPDYLAY_ERR_GZIP);
  spdylay_gzip_inflate_del(inf);
  spdylay_gzip_inflate_del(NULL);

  CHECK_EQ(spdylay_gzip_inflate_new(&inf), 0);
  inlen = 4;
  outlen = sizeof(out);
  CHECK_EQ(spdylay_gzip_inflate(inf, out, &outlen,
                                (const uint8_t*)"\xff\xff\xff\xff", &inlen),
           SPDYLAY_ERR_GZIP);
  spdylay_gzip_inflate_del(inf);
}

static void test_version(void)
{
  CHECK_STR(SPDYLAY_VERSION, "1.4.0");
  CHECK_EQ(SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS, 2147483647U);
  CHECK_EQ(SPDYLAY_SETTINGS_MAX, 8);
}

int main(void)
{
  RUN(test_proto_list);
  RUN(test_get_version);
  RUN(test_select);
  RUN(test_strerror);
  RUN(test_gzip);
  RUN(test_version);
  return TEST_SUMMARY();
}
