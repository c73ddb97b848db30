/* Unit tests: frame pack/unpack per type and version, name/value blocks.
   Byte vectors come from spec/spdy-protocol.md sections 8.4 and 14. */
#include "spdylay_test.h"
#include "spdylay_frame.h"
#include "hd_inflate_into.h"

/* Frames built the way the library builds them: spdylay_frame_begin()
   then the type's fields. */
static spdylay_frame begun(uint16_t version, uint16_t type, uint8_t flags)
{
  spdylay_frame f;
  spdylay_frame_begin(&f, version, type, flags);
  return f;
}

static spdylay_syn_stream syn_stream_of(uint16_t version, uint8_t flags,
                                        int32_t stream_id, int32_t assoc,
                                        uint8_t pri, char **nv)
{
  spdylay_frame f = begun(version, SPDYLAY_SYN_STREAM, flags);
  f.syn_stream.stream_id = stream_id;
  f.syn_stream.assoc_stream_id = assoc;
  f.syn_stream.pri = pri;
  f.syn_stream.nv = nv;
  return f.syn_stream;
}

static spdylay_syn_reply syn_reply_of(uint16_t version, uint8_t flags,
                                      int32_t stream_id, char **nv)
{
  spdylay_frame f = begun(version, SPDYLAY_SYN_REPLY, flags);
  f.syn_reply.stream_id = stream_id;
  f.syn_reply.nv = nv;
  return f.syn_reply;
}

static spdylay_headers headers_of(uint16_t version, uint8_t flags,
                                  int32_t stream_id, char **nv)
{
  spdylay_frame f = begun(version, SPDYLAY_HEADERS, flags);
  f.headers.stream_id = stream_id;
  f.headers.nv = nv;
  return f.headers;
}

static spdylay_rst_stream rst_stream_of(uint16_t version, int32_t stream_id,
                                        uint32_t status_code)
{
  spdylay_frame f = begun(version, SPDYLAY_RST_STREAM, 0);
  f.rst_stream.stream_id = stream_id;
  f.rst_stream.status_code = status_code;
  return f.rst_stream;
}

static spdylay_ping ping_of(uint16_t version, uint32_t id)
{
  spdylay_frame f = begun(version, SPDYLAY_PING, 0);
  f.ping.unique_id = id;
  return f.ping;
}

static spdylay_goaway goaway_of(uint16_t version, int32_t last_good,
                                uint32_t status_code)
{
  spdylay_frame f = begun(version, SPDYLAY_GOAWAY, 0);
  f.goaway.last_good_stream_id = last_good;
  f.goaway.status_code = status_code;
  return f.goaway;
}

static spdylay_settings settings_of(uint16_t version, uint8_t flags,
                                    spdylay_settings_entry *iv, size_t niv)
{
  spdylay_frame f = begun(version, SPDYLAY_SETTINGS, flags);
  f.settings.iv = iv;
  f.settings.niv = niv;
  f.settings.hd.length += (int32_t)(8 * niv);
  return f.settings;
}

static spdylay_window_update window_update_of(uint16_t version,
                                              int32_t stream_id,
                                              int32_t delta)
{
  spdylay_frame f = begun(version, SPDYLAY_WINDOW_UPDATE, 0);
  f.window_update.stream_id = stream_id;
  f.window_update.delta_window_size = delta;
  return f.window_update;
}


static const char *req_nv3[] = {
  ":method", "GET", ":path", "/", ":version", "HTTP/1.1",
  ":host", "example.org", ":scheme", "https", NULL
};

static char** norm(const char **nv)
{
  char **out;
  CHECK_EQ(spdylay_nv_normalized_clone(&out, nv), 0);
  return out;
}

static void test_syn_stream_vectors(void)
{
  static const char *client_v3 =
    "80030001 01000082 00000001 00000000 0000"
    "3830 e3c6a7c2 00 6800 97ff"
    "00000005000000053a686f73740000000b6578616d706c652e6f7267000000073a6d6574"
    "686f6400000003474554000000053a70617468000000012f000000073a736368656d6500"
    "0000056874747073000000083a76657273696f6e00000008485454502f312e31"
    "000000ffff";
  static const char *client_v3_second =
    "003100ceff 00000002000000073a73746174757300000006323030204f4b000000083a"
    "76657273696f6e00000008485454502f312e31 000000ffff";
  static const char *server_v3 =
    "800300010100004d0000000100000000000038eae3c6a7c202652510b6821608dca91589"
    "a080d5cb2f02e7092b446a76770d01ab2c480497598cfa60f9626009990b2e46334a4a0a"
    "40a99cc30a4be206000000ffff";
  static const char *client_v2 =
    "80020001 01000066 00000001 00000000 0000"
    "3830 dfa251b2 00 4c00 b3ff"
    "00050004686f7374000b6578616d706c652e6f726700066d6574686f6400034745540006"
    "736368656d6500056874747073000375726c00012f000776657273696f6e000848545450"
    "2f312e31 000000ffff";
  unsigned char expect[512];
  size_t elen;
  spdylay_buffer buf, nvbuf;
  spdylay_hd_deflater def;
  spdylay_syn_stream frame;
  spdylay_syn_reply reply;
  ssize_t n;
  const char *reply_nv[] = { ":status", "200 OK", ":version", "HTTP/1.1",
                             NULL };

  spdylay_buffer_init(&buf);
  spdylay_buffer_init(&nvbuf);

  /* client v3, level 0 */
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 0), 0);
  frame = syn_stream_of(3, SPDYLAY_CTRL_FLAG_FIN, 1, 0, 0,
                        norm(req_nv3));
  n = spdylay_frame_encode_syn_stream(&buf, &nvbuf, &frame, &def);
  elen = test_unhex(expect, client_v3);
  CHECK_EQ(n, elen);
  CHECK_MEM(buf.buf, expect, elen);
  CHECK_EQ(frame.hd.length, elen - 8);
  spdylay_nv_free(frame.nv);
  /* second block from the same compressor: a SYN_REPLY v3 */
  reply = syn_reply_of(3, 0, 1, norm(reply_nv));
  n = spdylay_frame_encode_syn_reply(&buf, &nvbuf, &reply, &def);
  elen = test_unhex(expect, client_v3_second);
  CHECK_EQ(n, 12 + elen);
  CHECK_MEM(buf.buf + 12, expect, elen);
  CHECK_MEM(buf.buf, "\x80\x03\x00\x02\x00", 5);
  spdylay_nv_free(reply.nv);
  spdylay_hd_deflater_end(&def);

  /* server v3, level 9 */
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  frame = syn_stream_of(3, SPDYLAY_CTRL_FLAG_FIN, 1, 0, 0,
                        norm(req_nv3));
  n = spdylay_frame_encode_syn_stream(&buf, &nvbuf, &frame, &def);
  elen = test_unhex(expect, server_v3);
  CHECK_EQ(n, elen);
  CHECK_MEM(buf.buf, expect, elen);
  spdylay_nv_free(frame.nv);
  spdylay_hd_deflater_end(&def);

  /* client v2: names translated on the wire */
  CHECK_EQ(spdylay_hd_deflater_init(&def, 2, 0), 0);
  frame = syn_stream_of(2, SPDYLAY_CTRL_FLAG_FIN, 1, 0, 0,
                        norm(req_nv3));
  n = spdylay_frame_encode_syn_stream(&buf, &nvbuf, &frame, &def);
  elen = test_unhex(expect, client_v2);
  CHECK_EQ(n, elen);
  CHECK_MEM(buf.buf, expect, elen);
  /* the frame still shows the SPDY/3 names */
  CHECK_STR(frame.nv[0], ":host");
  spdylay_nv_free(frame.nv);
  spdylay_hd_deflater_end(&def);

  spdylay_buffer_free(&buf);
  spdylay_buffer_free(&nvbuf);
}

static void roundtrip_hb(uint16_t version)
{
  spdylay_buffer buf, nvbuf, hb;
  spdylay_hd_deflater def;
  spdylay_hd_inflater inf;
  spdylay_syn_stream frame, out;
  spdylay_headers hf, hout;
  size_t fixed;
  int overflow = 0;
  size_t total = 0;
  ssize_t n;
  const char *nv[] = { "X-Multi", "a", "x-multi", "b", "empty", "",
                       ":path", "/q?x=1", ":method", "POST", NULL };
  spdylay_buffer_init(&buf);
  spdylay_buffer_init(&nvbuf);
  spdylay_buffer_init(&hb);
  CHECK_EQ(spdylay_hd_deflater_init(&def, version, 1), 0);
  CHECK_EQ(spdylay_hd_inflater_init(&inf, version), 0);
  frame = syn_stream_of(version,
                        SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL, 2, 1,
                        version == 2 ? 3 : 5, norm(nv));
  frame.slot = 0;
  n = spdylay_frame_encode_syn_stream(&buf, &nvbuf, &frame, &def);
  CHECK(n > 18);
  CHECK_EQ(inflate_into(&inf, &hb, 1 << 24, &overflow, &total, (size_t)-1,
                        buf.buf + 18, (size_t)n - 18), 0);
  CHECK_EQ(spdylay_frame_decode_syn_stream(&out, buf.buf, buf.buf + 8, 10,
                                           hb.buf, hb.len), 0);
  CHECK_EQ(out.hd.version, version);
  CHECK_EQ(out.hd.type, SPDYLAY_SYN_STREAM);
  CHECK_EQ(out.hd.flags, SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL);
  CHECK_EQ(out.stream_id, 2);
  CHECK_EQ(out.assoc_stream_id, 1);
  CHECK_EQ(out.pri, version == 2 ? 3 : 5);
  if(version == 2) {
    spdylay_nv_names_2to3(out.nv);
    /* SPDY/2 sort order kept: method < url < x-multi... */
    CHECK_STR(out.nv[0], "empty");
    CHECK_STR(out.nv[2], ":method");
    CHECK_STR(out.nv[4], ":path");
    CHECK_STR(out.nv[1], "");
  } else {
    CHECK_STR(out.nv[0], ":method");
    CHECK_STR(out.nv[2], ":path");
    CHECK_STR(out.nv[4], "empty");
    CHECK_STR(out.nv[5], "");
  }
  CHECK_STR(out.nv[6], "x-multi");
  CHECK_STR(out.nv[7], "a");
  CHECK_STR(out.nv[8], "x-multi");
  CHECK_STR(out.nv[9], "b");
  CHECK(out.nv[10] == NULL);
  spdylay_nv_free(out.nv);
  spdylay_nv_free(frame.nv);

  /* HEADERS */
  hf = headers_of(version, SPDYLAY_CTRL_FLAG_FIN, 7,
                  norm(nv));
  n = spdylay_frame_encode_headers(&buf, &nvbuf, &hf, &def);
  fixed = spdylay_frame_fixed_part_length(SPDYLAY_HEADERS, version);
  CHECK_EQ(fixed, version == 2 ? 6 : 4);
  spdylay_buffer_reset(&hb);
  CHECK_EQ(inflate_into(&inf, &hb, 1 << 24, &overflow, &total, (size_t)-1,
                        buf.buf + 8 + fixed,
                        (size_t)n - 8 - fixed), 0);
  CHECK_EQ(spdylay_frame_decode_headers(&hout, buf.buf, buf.buf + 8, fixed,
                                        hb.buf, hb.len), 0);
  CHECK_EQ(hout.stream_id, 7);
  CHECK_EQ(hout.hd.flags, SPDYLAY_CTRL_FLAG_FIN);
  spdylay_nv_free(hout.nv);
  spdylay_nv_free(hf.nv);

  spdylay_hd_deflater_end(&def);
  spdylay_hd_inflater_end(&inf);
  spdylay_buffer_free(&buf);
  spdylay_buffer_free(&nvbuf);
  spdylay_buffer_free(&hb);
}

static void test_hb_roundtrip(void)
{
  roundtrip_hb(2);
  roundtrip_hb(3);
}

static void check_pack(ssize_t n, spdylay_buffer *buf, const char *hex)
{
  unsigned char expect[64];
  size_t elen = test_unhex(expect, hex);
  CHECK_EQ(n, elen);
  CHECK_MEM(buf->buf, expect, elen);
}

static void test_fixed_vectors(void)
{
  spdylay_buffer buf;
  spdylay_rst_stream rst;
  spdylay_ping ping;
  spdylay_goaway goaway;
  spdylay_settings settings;
  spdylay_window_update wu;
  spdylay_settings_entry *iv;
  uint8_t data[16];

  spdylay_buffer_init(&buf);
  rst = rst_stream_of(3, 1, SPDYLAY_CANCEL);
  check_pack(spdylay_frame_encode_rst_stream(&buf, &rst), &buf,
             "80 03 00 03 00 00 00 08 00 00 00 01 00 00 00 05");
  ping = ping_of(3, 1);
  check_pack(spdylay_frame_encode_ping(&buf, &ping), &buf,
             "80 03 00 06 00 00 00 04 00 00 00 01");
  ping = ping_of(2, 2);
  check_pack(spdylay_frame_encode_ping(&buf, &ping), &buf,
             "80 02 00 06 00 00 00 04 00 00 00 02");
  goaway = goaway_of(2, 0, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  check_pack(spdylay_frame_encode_goaway(&buf, &goaway), &buf,
             "80 02 00 07 00 00 00 04 00 00 00 00");
  goaway = goaway_of(3, 3, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
  check_pack(spdylay_frame_encode_goaway(&buf, &goaway), &buf,
             "80 03 00 07 00 00 00 08 00 00 00 03 00 00 00 01");

  iv = malloc(sizeof(*iv));
  iv[0].settings_id = SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS;
  iv[0].flags = 0;
  iv[0].value = 100;
  settings = settings_of(3, 0, iv, 1);
  check_pack(spdylay_frame_encode_settings(&buf, &settings), &buf,
             "80 03 00 04 00 00 00 0c 00 00 00 01 00 00 00 04 00 00 00 64");
  settings.hd.version = 2;
  check_pack(spdylay_frame_encode_settings(&buf, &settings), &buf,
             "80 02 00 04 00 00 00 0c 00 00 00 01 04 00 00 00 00 00 00 64");
  /* v2 unpack: little-endian ID */
  {
    spdylay_settings out;
    CHECK_EQ(spdylay_frame_decode_settings(&out, buf.buf, buf.buf + 8, 12), 0);
    CHECK_EQ(out.niv, 1);
    CHECK_EQ(out.iv[0].settings_id, 4);
    CHECK_EQ(out.iv[0].value, 100);
    free(out.iv);
  }
  settings.hd.version = 3;
  settings.hd.flags = SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS;
  iv[0].settings_id = SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH;
  iv[0].flags = SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE;
  iv[0].value = 256;
  check_pack(spdylay_frame_encode_settings(&buf, &settings), &buf,
             "80 03 00 04 01 00 00 0c 00 00 00 01 01 00 00 01 00 00 01 00");
  {
    spdylay_settings out;
    CHECK_EQ(spdylay_frame_decode_settings(&out, buf.buf, buf.buf + 8, 12), 0);
    CHECK_EQ(out.hd.flags, 1);
    CHECK_EQ(out.iv[0].settings_id, 1);
    CHECK_EQ(out.iv[0].flags, 1);
    CHECK_EQ(out.iv[0].value, 256);
    free(out.iv);
    /* count mismatch */
    buf.buf[11] = 2;
    CHECK_EQ(spdylay_frame_decode_settings(&out, buf.buf, buf.buf + 8, 12),
             SPDYLAY_ERR_INVALID_FRAME);
    free(out.iv);
  }
  free(settings.iv);

  wu = window_update_of(3, 1, 4096);
  check_pack(spdylay_frame_encode_window_update(&buf, &wu), &buf,
             "80 03 00 09 00 00 00 08 00 00 00 01 00 00 10 00");
  wu = window_update_of(3, 0, 32768);
  check_pack(spdylay_frame_encode_window_update(&buf, &wu), &buf,
             "80 03 00 09 00 00 00 08 00 00 00 00 00 00 80 00");

  spdylay_frame_write_data_head(data, 1, SPDYLAY_DATA_FLAG_FIN, 5);
  CHECK_MEM(data, "\x00\x00\x00\x01\x01\x00\x00\x05", 8);
  spdylay_frame_write_data_head(data, 2, 0, 0);
  CHECK_MEM(data, "\x00\x00\x00\x02\x00\x00\x00\x00", 8);
  spdylay_buffer_free(&buf);
}

static void test_fixed_unpack_errors(void)
{
  unsigned char b[32];
  spdylay_ping ping;
  spdylay_rst_stream rst;
  spdylay_goaway goaway;
  spdylay_window_update wu;
  test_unhex(b, "80 03 00 06 00 00 00 05 00 00 00 01 00");
  CHECK_EQ(spdylay_frame_decode_ping(&ping, b, b + 8, 5),
           SPDYLAY_ERR_INVALID_FRAME);
  test_unhex(b, "80 03 00 06 00 00 00 04 80 00 00 01");
  CHECK_EQ(spdylay_frame_decode_ping(&ping, b, b + 8, 4), 0);
  CHECK_EQ(ping.unique_id, 0x80000001u);
  test_unhex(b, "80 03 00 03 00 00 00 08 80 00 00 01 00 00 00 05");
  CHECK_EQ(spdylay_frame_decode_rst_stream(&rst, b, b + 8, 8), 0);
  CHECK_EQ(rst.stream_id, 1);
  CHECK_EQ(rst.status_code, 5);
  test_unhex(b, "80 02 00 07 00 00 00 08 00 00 00 03 00 00 00 01");
  CHECK_EQ(spdylay_frame_decode_goaway(&goaway, b, b + 8, 8),
           SPDYLAY_ERR_INVALID_FRAME);
  test_unhex(b, "80 02 00 07 00 00 00 04 00 00 00 03");
  CHECK_EQ(spdylay_frame_decode_goaway(&goaway, b, b + 8, 4), 0);
  CHECK_EQ(goaway.last_good_stream_id, 3);
  test_unhex(b, "80 03 00 09 00 00 00 08 80 00 00 01 ff ff ff ff");
  CHECK_EQ(spdylay_frame_decode_window_update(&wu, b, b + 8, 8), 0);
  CHECK_EQ(wu.stream_id, 1);
  CHECK_EQ(wu.delta_window_size, 0x7fffffff);
}

static ssize_t pack_list(spdylay_buffer *nvbuf, const char **nv, int v2)
{
  char **n = norm(nv);
  ssize_t r = spdylay_nv_serialize(nvbuf, n, v2);
  spdylay_nv_free(n);
  return r;
}

static void test_nv_pack_quirks(void)
{
  spdylay_buffer nvbuf;
  unsigned char expect[128];
  size_t elen;
  const char *a[] = { "a", "x", "A", "y", NULL };
  const char *b[] = { "a", "", "a", "", NULL };
  const char *c[] = { "a", "/", "a", "", NULL };
  const char *d[] = { "a", "", "a", "/", NULL };
  const char *e[] = { "a", "", "a", "x", "a", "y", NULL };
  const char *f[] = { ":host", "h", "host", "g", NULL };
  spdylay_buffer_init(&nvbuf);
  CHECK_EQ(pack_list(&nvbuf, a, 0), 4 + 4 + 1 + 4 + 3);
  elen = test_unhex(expect, "00000001 00000001 61 00000003 780079");
  CHECK_MEM(nvbuf.buf, expect, elen);
  CHECK_EQ(pack_list(&nvbuf, b, 0), 13);
  elen = test_unhex(expect, "00000001 00000001 61 00000000");
  CHECK_MEM(nvbuf.buf, expect, elen);
  CHECK_EQ(pack_list(&nvbuf, c, 0), 14);
  elen = test_unhex(expect, "00000001 00000001 61 00000001 2f");
  CHECK_MEM(nvbuf.buf, expect, elen);
  CHECK_EQ(pack_list(&nvbuf, d, 0), 14);
  CHECK_MEM(nvbuf.buf, expect, elen);
  CHECK_EQ(pack_list(&nvbuf, e, 0), 15);
  elen = test_unhex(expect, "00000001 00000001 61 00000002 7879");
  CHECK_MEM(nvbuf.buf, expect, elen);
  /* v2: :host and host collapse into one pair */
  CHECK_EQ(pack_list(&nvbuf, f, 1), 2 + 2 + 4 + 2 + 3);
  elen = test_unhex(expect, "0001 0004 686f7374 0003 680067");
  CHECK_MEM(nvbuf.buf, expect, elen);
  spdylay_buffer_free(&nvbuf);
}

static void test_nv_check(void)
{
  const char *ok[] = { "Abc", "v\r\n", "x-y", "", NULL };
  const char *empty_name[] = { "", "x", NULL };
  const char *ctrl[] = { "a\tb", "x", NULL };
  const char *nonascii[] = { "caf\xc3\xa9", "x", NULL };
  const char *nullval[] = { "a", NULL, NULL };
  const char *none[] = { NULL };
  CHECK(spdylay_nv_valid(ok));
  CHECK(!spdylay_nv_valid(empty_name));
  CHECK(!spdylay_nv_valid(ctrl));
  CHECK(!spdylay_nv_valid(nonascii));
  CHECK(!spdylay_nv_valid(nullval));
  CHECK(spdylay_nv_valid(none));
}

static int unpack_hex(char ***nv, const char *hex, size_t len_size)
{
  unsigned char b[256];
  size_t n = test_unhex(b, hex);
  return spdylay_nv_parse(nv, b, n, len_size);
}

static void test_nv_unpack(void)
{
  char **nv;
  /* method GET, scheme https, url /, x-head foo\0bar, version, x-empty "" */
  CHECK_EQ(unpack_hex(&nv,
                      "00000006"
                      "00000006 6d6574686f64 00000003 474554"
                      "00000006 736368656d65 00000005 6874747073"
                      "00000003 75726c 00000001 2f"
                      "00000006 782d68656164 00000007 666f6f00626172"
                      "00000007 76657273696f6e 00000008 485454502f312e31"
                      "00000007 782d656d707479 00000000", 4), 0);
  CHECK_STR(nv[0], "method"); CHECK_STR(nv[1], "GET");
  CHECK_STR(nv[2], "scheme"); CHECK_STR(nv[3], "https");
  CHECK_STR(nv[4], "url"); CHECK_STR(nv[5], "/");
  CHECK_STR(nv[6], "version"); CHECK_STR(nv[7], "HTTP/1.1");
  CHECK_STR(nv[8], "x-empty"); CHECK_STR(nv[9], "");
  CHECK_STR(nv[10], "x-head"); CHECK_STR(nv[11], "foo");
  CHECK_STR(nv[12], "x-head"); CHECK_STR(nv[13], "bar");
  CHECK(nv[14] == NULL);
  spdylay_nv_free(nv);

  /* structure errors */
  CHECK_EQ(unpack_hex(&nv, "000000", 4), SPDYLAY_ERR_INVALID_FRAME);
  CHECK(nv == NULL);
  CHECK_EQ(unpack_hex(&nv, "00000001 00000001 61", 4),
           SPDYLAY_ERR_INVALID_FRAME);
  CHECK_EQ(unpack_hex(&nv, "00000001 00000001 61 00000002 78", 4),
           SPDYLAY_ERR_INVALID_FRAME);
  CHECK_EQ(unpack_hex(&nv, "00000001 00000001 61 00000001 78 00", 4),
           SPDYLAY_ERR_INVALID_FRAME);
  CHECK_EQ(unpack_hex(&nv, "00000000", 4), 0);
  CHECK(nv[0] == NULL);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0001 78", 2), 0);
  CHECK_STR(nv[0], "a");
  spdylay_nv_free(nv);

  /* content errors */
  CHECK_EQ(unpack_hex(&nv, "0001 0001 41 0001 78", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  CHECK(nv != NULL);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0000 0001 78", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0003 610d62", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0003 610962", 2), 0);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0002 6100", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0002 0061", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0003 610062", 2), 0);
  spdylay_nv_free(nv);
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0004 61000062", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  /* same name in two pairs */
  CHECK_EQ(unpack_hex(&nv, "0002 0001 61 0001 78 0001 61 0001 79", 2),
           SPDYLAY_ERR_INVALID_HEADER_BLOCK);
  spdylay_nv_free(nv);
  /* non-ASCII value bytes are fine */
  CHECK_EQ(unpack_hex(&nv, "0001 0001 61 0002 c3a9", 2), 0);
  spdylay_nv_free(nv);
}

static void test_nv_sort_stable(void)
{
  const char *nv[] = { "b", "1", "a", "1", "b", "2", "a", "2", "c", "",
                       "b", "3", "a", "3", "B", "4", NULL };
  char **out = norm(nv);
  CHECK_STR(out[0], "a"); CHECK_STR(out[1], "1");
  CHECK_STR(out[3], "2"); CHECK_STR(out[5], "3");
  CHECK_STR(out[6], "b"); CHECK_STR(out[7], "1");
  CHECK_STR(out[9], "2"); CHECK_STR(out[11], "3");
  CHECK_STR(out[13], "4");
  CHECK_STR(out[14], "c");
  spdylay_nv_free(out);
}

static void test_nv_large_sort(void)
{
  const char *nv[401];
  char names[200][8];
  char **out;
  int i;
  for(i = 0; i < 200; ++i) {
    snprintf(names[i], sizeof(names[i]), "h%03d", (i * 37) % 200);
    nv[i * 2] = names[i];
    nv[i * 2 + 1] = "v";
  }
  nv[400] = NULL;
  out = norm(nv);
  for(i = 1; i < 200; ++i) {
    CHECK(strcmp(out[(i - 1) * 2], out[i * 2]) < 0);
  }
  spdylay_nv_free(out);
}

int main(void)
{
  RUN(test_syn_stream_vectors);
  RUN(test_hb_roundtrip);
  RUN(test_fixed_vectors);
  RUN(test_fixed_unpack_errors);
  RUN(test_nv_pack_quirks);
  RUN(test_nv_check);
  RUN(test_nv_unpack);
  RUN(test_nv_sort_stable);
  RUN(test_nv_large_sort);
  return TEST_SUMMARY();
}
