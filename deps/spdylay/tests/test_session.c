/* Session tests driven through in-memory send/recv callbacks.  They cover
   the behaviour tables of spec/spdylay-c-api.md sections 6-12. */
#include <stdlib.h>
#include <stdarg.h>
#include "spdylay_test.h"
#include "spdylay_session.h"

/* ---------------- harness ---------------- */

typedef struct {
  uint8_t *buf;
  size_t len, cap;
} bytes_t;

typedef struct {
  spdylay_session *session;
  bytes_t out;           /* bytes sent */
  char log[8192];        /* callback log, ';' separated */
  size_t send_limit;     /* max bytes accepted per send call (0 = all) */
  int wouldblock_after;  /* >0: accept that many calls then WOULDBLOCK */
  int send_fail;
  int no_chunk_log;
  /* data provider */
  size_t body_len, body_pos;
  int defer, temporal, fatal_read;
  /* recv callback input */
  const uint8_t *rin;
  size_t rinlen;
  int reof;
  int32_t last_close_status;
  int32_t not_send_error;
  void *close_user_data;
} peer_t;

static void logf_(peer_t *p, const char *fmt, ...)
{
  size_t l = strlen(p->log);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->log + l, sizeof(p->log) - l, fmt, ap);
  va_end(ap);
  l = strlen(p->log);
  if(l + 1 < sizeof(p->log)) {
    p->log[l] = ';';
    p->log[l + 1] = '\0';
  }
}

static void bytes_append(bytes_t *b, const uint8_t *d, size_t n)
{
  if(b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->buf = realloc(b->buf, b->cap);
  }
  memcpy(b->buf + b->len, d, n);
  b->len += n;
}

/* application memory handed out by ext_buffer_cb (data buffer callback) */
static uint8_t ext_mem[2][SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_DATA_PAYLOAD_LENGTH];
static int ext_calls, ext_null_every, ext_sends;

static ssize_t send_cb(spdylay_session *s, const uint8_t *data, size_t len,
                       int flags, void *ud)
{
  peer_t *p = ud;
  (void)s; (void)flags;
  if(data >= &ext_mem[0][0] && data < &ext_mem[0][0] + sizeof(ext_mem)) {
    ++ext_sends;
  }
  if(p->send_fail) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if(p->wouldblock_after > 0) {
    if(--p->wouldblock_after == 0) {
      p->wouldblock_after = -1;
    }
  } else if(p->wouldblock_after < 0) {
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  if(p->send_limit && len > p->send_limit) len = p->send_limit;
  bytes_append(&p->out, data, len);
  return (ssize_t)len;
}

static ssize_t recv_cb(spdylay_session *s, uint8_t *buf, size_t len,
                       int flags, void *ud)
{
  peer_t *p = ud;
  size_t n;
  (void)s; (void)flags;
  if(p->rinlen == 0) {
    return p->reof ? SPDYLAY_ERR_EOF : SPDYLAY_ERR_WOULDBLOCK;
  }
  n = p->rinlen < len ? p->rinlen : len;
  memcpy(buf, p->rin, n);
  p->rin += n;
  p->rinlen -= n;
  return (ssize_t)n;
}

static void on_ctrl_recv(spdylay_session *s, spdylay_frame_type t,
                         spdylay_frame *f, void *ud)
{
  (void)s; (void)f;
  logf_(ud, "recv%d", (int)t);
}

static void on_invalid(spdylay_session *s, spdylay_frame_type t,
                       spdylay_frame *f, uint32_t status, void *ud)
{
  (void)s; (void)f;
  logf_(ud, "invalid%d:%u", (int)t, status);
}

static void on_chunk(spdylay_session *s, uint8_t flags, int32_t id,
                     const uint8_t *d, size_t len, void *ud)
{
  (void)s; (void)d;
  if(((peer_t*)ud)->no_chunk_log) return;
  logf_(ud, "chunk%d:%zu:%u", id, len, flags);
}

static void on_data_recv(spdylay_session *s, uint8_t flags, int32_t id,
                         int32_t len, void *ud)
{
  (void)s;
  logf_(ud, "data%d:%d:%u", id, len, flags);
}

static void before_send(spdylay_session *s, spdylay_frame_type t,
                        spdylay_frame *f, void *ud)
{
  (void)f;
  if(t == SPDYLAY_SYN_STREAM) {
    /* the stream already exists with its ID */
    CHECK(spdylay_session_find_stream(s, f->syn_stream.stream_id) != NULL);
  }
  logf_(ud, "before%d", (int)t);
}

static void on_send(spdylay_session *s, spdylay_frame_type t,
                    spdylay_frame *f, void *ud)
{
  (void)s; (void)f;
  logf_(ud, "sent%d", (int)t);
}

static void on_not_send(spdylay_session *s, spdylay_frame_type t,
                        spdylay_frame *f, int err, void *ud)
{
  peer_t *p = ud;
  (void)s; (void)f;
  p->not_send_error = err;
  logf_(ud, "notsent%d:%d", (int)t, err);
}

static void on_data_send(spdylay_session *s, uint8_t flags, int32_t id,
                         int32_t len, void *ud)
{
  (void)s;
  logf_(ud, "dsent%d:%d:%u", id, len, flags);
}

static void on_close(spdylay_session *s, int32_t id,
                     spdylay_status_code status, void *ud)
{
  peer_t *p = ud;
  p->last_close_status = (int32_t)status;
  p->close_user_data = spdylay_session_get_stream_user_data(s, id);
  logf_(ud, "close%d:%d", id, (int)status);
}

static void on_request(spdylay_session *s, int32_t id, void *ud)
{
  (void)s;
  logf_(ud, "req%d", id);
}

static void on_parse_error(spdylay_session *s, spdylay_frame_type t,
                           const uint8_t *h, size_t hl, const uint8_t *p,
                           size_t pl, int err, void *ud)
{
  (void)s; (void)h; (void)hl; (void)p;
  logf_(ud, "parse%d:%zu:%d", (int)t, pl, err);
}

static void on_unknown(spdylay_session *s, const uint8_t *h, size_t hl,
                       const uint8_t *p, size_t pl, void *ud)
{
  (void)s; (void)h; (void)hl; (void)p;
  logf_(ud, "unknown:%zu", pl);
}

static ssize_t read_cb(spdylay_session *s, int32_t id, uint8_t *buf,
                       size_t len, int *eof, spdylay_data_source *src,
                       void *ud)
{
  peer_t *p = src->ptr;
  size_t n;
  (void)s; (void)ud;
  logf_(p, "read%d:%zu", id, len);
  if(p->fatal_read) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if(p->temporal) return SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE;
  if(p->defer) {
    p->defer = 0;
    return SPDYLAY_ERR_DEFERRED;
  }
  n = p->body_len - p->body_pos;
  if(n > len) n = len;
  memset(buf, 'x', n);
  p->body_pos += n;
  if(p->body_pos == p->body_len) *eof = 1;
  return (ssize_t)n;
}

static spdylay_session_callbacks callbacks(void)
{
  spdylay_session_callbacks cb;
  memset(&cb, 0, sizeof(cb));
  cb.send_callback = send_cb;
  cb.recv_callback = recv_cb;
  cb.on_ctrl_recv_callback = on_ctrl_recv;
  cb.on_invalid_ctrl_recv_callback = on_invalid;
  cb.on_data_chunk_recv_callback = on_chunk;
  cb.on_data_recv_callback = on_data_recv;
  cb.before_ctrl_send_callback = before_send;
  cb.on_ctrl_send_callback = on_send;
  cb.on_ctrl_not_send_callback = on_not_send;
  cb.on_data_send_callback = on_data_send;
  cb.on_stream_close_callback = on_close;
  cb.on_request_recv_callback = on_request;
  cb.on_ctrl_recv_parse_error_callback = on_parse_error;
  cb.on_unknown_ctrl_recv_callback = on_unknown;
  return cb;
}

typedef struct {
  peer_t c, s;
} pair_t;

static void pair_init(pair_t *pr, uint16_t version)
{
  spdylay_session_callbacks cb = callbacks();
  memset(pr, 0, sizeof(*pr));
  CHECK_EQ(spdylay_session_client_new(&pr->c.session, version, &cb, &pr->c),
           0);
  CHECK_EQ(spdylay_session_server_new(&pr->s.session, version, &cb, &pr->s),
           0);
}

static void pair_free(pair_t *pr)
{
  spdylay_session_del(pr->c.session);
  spdylay_session_del(pr->s.session);
  free(pr->c.out.buf);
  free(pr->s.out.buf);
}

/* moves |from|'s sent bytes into |to| */
static void deliver(peer_t *from, peer_t *to)
{
  CHECK_EQ(spdylay_session_mem_recv(to->session, from->out.buf,
                                    from->out.len), (ssize_t)from->out.len);
  from->out.len = 0;
}

/* client.send -> server.recv -> server.send -> client.recv until idle */
static void pump(pair_t *pr)
{
  int i;
  for(i = 0; i < 1000; ++i) {
    size_t moved = 0;
    CHECK_EQ(spdylay_session_send(pr->c.session), 0);
    moved += pr->c.out.len;
    deliver(&pr->c, &pr->s);
    CHECK_EQ(spdylay_session_send(pr->s.session), 0);
    moved += pr->s.out.len;
    deliver(&pr->s, &pr->c);
    if(moved == 0) break;
  }
}

static void clear_logs(pair_t *pr)
{
  pr->c.log[0] = pr->s.log[0] = '\0';
}

static const char *req_nv[] = { ":method", "GET", ":path", "/",
                                ":version", "HTTP/1.1", ":host", "h",
                                ":scheme", "https", NULL };
static const char *res_nv[] = { ":status", "200 OK", ":version", "HTTP/1.1",
                                NULL };

static void inject(spdylay_session *s, const char *hex)
{
  uint8_t b[512];
  size_t n = test_unhex(b, hex);
  CHECK_EQ(spdylay_session_mem_recv(s, b, n), (ssize_t)n);
}

/* ---------------- tests ---------------- */

static uint8_t *ext_buffer_cb(spdylay_session *s, size_t length, void *ud)
{
  (void)s; (void)ud;
  CHECK(length <= sizeof(ext_mem[0]));
  ++ext_calls;
  if(ext_null_every && ext_calls % ext_null_every == 0) return NULL;
  return ext_mem[ext_calls % 2];
}

/* a body whose bytes depend on their position */
static ssize_t pattern_read_cb(spdylay_session *s, int32_t id, uint8_t *buf,
                               size_t len, int *eof, spdylay_data_source *src,
                               void *ud)
{
  peer_t *p = src->ptr;
  size_t i, n = p->body_len - p->body_pos;
  (void)s; (void)id; (void)ud;
  if(n > len) n = len;
  for(i = 0; i < n; ++i) buf[i] = (uint8_t)((p->body_pos + i) * 7 + 3);
  p->body_pos += n;
  if(p->body_pos == p->body_len) *eof = 1;
  return (ssize_t)n;
}

/* Sends a 20000-byte request body (client) and returns the wire bytes. */
static size_t data_buffer_run(uint16_t v, int use_cb, size_t send_limit,
                              uint8_t **wire, char *log)
{
  pair_t pr;
  spdylay_data_provider prd;
  size_t len;
  int i;
  pair_init(&pr, v);
  if(use_cb) {
    CHECK_EQ(spdylay_session_set_data_buffer_callback(pr.c.session,
                                                      ext_buffer_cb), 0);
  }
  pr.c.body_len = 20000;
  pr.c.send_limit = send_limit;
  prd.source.ptr = &pr.c;
  prd.read_callback = pattern_read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  for(i = 0; i < 1000 && spdylay_session_want_write(pr.c.session); ++i) {
    CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  }
  CHECK(!spdylay_session_want_write(pr.c.session));
  len = pr.c.out.len;
  *wire = malloc(len);
  memcpy(*wire, pr.c.out.buf, len);
  strcpy(log, pr.c.log);
  /* the server gets the body intact */
  pr.s.no_chunk_log = 0;
  deliver(&pr.c, &pr.s);
  CHECK(strstr(pr.s.log, "req1;") != NULL);
  pair_free(&pr);
  return len;
}

static void test_data_buffer_callback(void)
{
  int v;
  CHECK_EQ(spdylay_session_set_data_buffer_callback(NULL, ext_buffer_cb),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  for(v = 2; v <= 4; ++v) {
    static char log_a[8192], log_b[8192];
    uint8_t *a, *b;
    size_t la, lb;
    size_t limits[] = { 0, 1000 };
    int nulls[] = { 0, 3 };
    size_t li;
    int ni;
    for(li = 0; li < 2; ++li) {
      for(ni = 0; ni < 2; ++ni) {
        ext_calls = ext_sends = 0;
        ext_null_every = nulls[ni];
        la = data_buffer_run((uint16_t)v, 0, limits[li], &a, log_a);
        CHECK_EQ(ext_calls, 0);
        CHECK_EQ(ext_sends, 0);
        lb = data_buffer_run((uint16_t)v, 1, limits[li], &b, log_b);
        /* 20000 bytes: 5 DATA frames, packed in application memory
           unless the callback said NULL */
        CHECK_EQ(ext_calls, 5);
        CHECK(ext_sends >= (nulls[ni] ? 4 : 5));
        /* same wire bytes and the same callbacks either way */
        CHECK_EQ(la, lb);
        CHECK(la == lb && memcmp(a, b, la) == 0);
        CHECK_STR(log_a, log_b);
        free(a);
        free(b);
      }
    }
  }
  ext_null_every = 0;
}

static void test_new_del(void)
{
  spdylay_session *s = NULL;
  spdylay_session_callbacks cb = callbacks();
  CHECK_EQ(spdylay_session_client_new(&s, 1, &cb, NULL),
           SPDYLAY_ERR_UNSUPPORTED_VERSION);
  CHECK(s == NULL);
  CHECK_EQ(spdylay_session_server_new(&s, 5, &cb, NULL),
           SPDYLAY_ERR_UNSUPPORTED_VERSION);
  CHECK_EQ(spdylay_session_client_new(&s, 4, &cb, NULL), 0);
  CHECK_EQ(spdylay_session_get_pri_lowest(s), 7);
  CHECK_EQ(s->version, 3);
  CHECK(spdylay_session_want_read(s));
  CHECK(!spdylay_session_want_write(s));
  CHECK_EQ(spdylay_session_get_outbound_queue_size(s), 0);
  CHECK_EQ(spdylay_session_get_recv_data_length(s), 0);
  CHECK_EQ(spdylay_session_get_stream_recv_data_length(s, 1), -1);
  CHECK_EQ(spdylay_session_mem_recv(s, NULL, 0), 0);
  CHECK(spdylay_session_get_client_cert_origin(s, 0) == NULL);
  CHECK_EQ(spdylay_session_set_initial_client_cert_origin(s, "https", "h",
                                                          443), 0);
  CHECK(spdylay_origin_get_scheme(NULL) == NULL);
  CHECK(spdylay_origin_get_host(NULL) == NULL);
  CHECK_EQ(spdylay_origin_get_port(NULL), 0);
  spdylay_session_del(s);
  CHECK_EQ(spdylay_session_server_new(&s, 2, &cb, NULL), 0);
  CHECK_EQ(spdylay_session_get_pri_lowest(s), 3);
  spdylay_session_del(s);
  spdylay_session_del(NULL);
}

static void test_set_option(void)
{
  spdylay_session *s;
  spdylay_session_callbacks cb = callbacks();
  int on = 1;
  uint32_t v = 8191;
  CHECK_EQ(spdylay_session_client_new(&s, 3, &cb, NULL), 0);
  CHECK_EQ(spdylay_session_set_option(s, SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE,
                                      &on, sizeof(on)), 0);
  CHECK(s->manual_window & SPDYLAY_MANUAL_STREAM_WINDOW);
  on = 0;
  CHECK_EQ(spdylay_session_set_option(s, SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE,
                                      &on, sizeof(on)), 0);
  CHECK(!(s->manual_window & SPDYLAY_MANUAL_STREAM_WINDOW));
  CHECK_EQ(spdylay_session_set_option(s, SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2,
                                      &on, 1), SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_session_set_option(s,
                                      SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                      &v, sizeof(v)),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  v = 8192;
  CHECK_EQ(spdylay_session_set_option(s,
                                      SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                      &v, sizeof(v)), 0);
  CHECK_EQ(s->ctrl_frame_buf_max, 8192);
  v = 1 << 24;
  CHECK_EQ(spdylay_session_set_option(s,
                                      SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                      &v, sizeof(v)),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_session_set_option(s, 99, &v, sizeof(v)),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  spdylay_session_del(s);
}

static void test_request_response(void)
{
  int v;
  for(v = 2; v <= 4; ++v) {
    pair_t pr;
    spdylay_data_provider prd;
    int ud = 42;
    pair_init(&pr, (uint16_t)v);
    pr.c.body_len = 5000;
    prd.source.ptr = &pr.c;
    prd.read_callback = read_cb;
    CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, &ud), 0);
    CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.c.session), 1);
    CHECK(spdylay_session_want_write(pr.c.session));
    CHECK_EQ(spdylay_session_send(pr.c.session), 0);
    CHECK_STR(pr.c.log, "before1;sent1;read1:4096;dsent1:4096:0;read1:4096;"
              "dsent1:904:1;");
    CHECK(spdylay_session_get_stream_user_data(pr.c.session, 1) == &ud);
    deliver(&pr.c, &pr.s);
    CHECK_STR(pr.s.log, "recv1;chunk1:4096:0;data1:4096:0;chunk1:904:1;"
              "data1:904:1;req1;");
    clear_logs(&pr);
    pr.s.body_len = 10;
    prd.source.ptr = &pr.s;
    CHECK_EQ(spdylay_submit_response(pr.s.session, 1, res_nv, &prd), 0);
    CHECK_EQ(spdylay_session_send(pr.s.session), 0);
    CHECK_STR(pr.s.log, "before2;sent2;read1:4096;dsent1:10:1;close1:0;");
    deliver(&pr.s, &pr.c);
    CHECK_STR(pr.c.log, "recv2;chunk1:10:1;data1:10:1;close1:0;");
    CHECK(pr.c.close_user_data == &ud);
    CHECK(spdylay_session_get_stream_user_data(pr.c.session, 1) == NULL);
    CHECK_EQ(spdylay_session_get_stream_recv_data_length(pr.s.session, 1), -1);
    pair_free(&pr);
  }
}

static void test_stream_ids_and_order(void)
{
  pair_t pr;
  spdylay_settings_entry iv = { SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS, 0,
                                1 };
  pair_init(&pr, 3);
  /* SYN_STREAMs leave in submission order whatever their priority */
  CHECK_EQ(spdylay_submit_request(pr.c.session, 7, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 0, req_nv, NULL, NULL), 0);
  CHECK_EQ(pr.c.session->next_local_id, 5);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  CHECK(spdylay_session_find_stream(pr.s.session, 1)->pri == 7);
  CHECK(spdylay_session_find_stream(pr.s.session, 3)->pri == 0);
  /* priority clamp */
  CHECK_EQ(spdylay_submit_request(pr.c.session, 200, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  CHECK(spdylay_session_find_stream(pr.s.session, 5)->pri == 7);
  /* server limits concurrency: SYN queue blocks */
  CHECK_EQ(spdylay_submit_settings(pr.s.session, 0, &iv, 1), 0);
  pump(&pr);
  CHECK_EQ(pr.c.session->peer_settings[4], 1);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK(!spdylay_session_want_write(pr.c.session));
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.c.session), 1);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK_EQ(pr.c.out.len, 0);
  /* running out of stream IDs */
  pr.c.session->next_local_id = 0x7fffffff;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL),
           SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE);
  pair_free(&pr);
}

static void test_submit_invalid_nv(void)
{
  pair_t pr;
  const char *bad1[] = { "", "x", NULL };
  const char *bad2[] = { "a\x01", "x", NULL };
  const char *bad3[] = { "a", NULL, NULL };
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, bad1, NULL, NULL),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_syn_stream(pr.c.session, 0, 0, 3, bad2, NULL),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_response(pr.s.session, 1, bad3, NULL),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_headers(pr.s.session, 0, 1, bad1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, bad1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(pr.c.session->next_local_id, 1);
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.c.session), 0);
  pair_free(&pr);
}

static void test_send_time_errors(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  /* SYN_REPLY / HEADERS / WINDOW_UPDATE for a missing stream */
  CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_submit_headers(pr.s.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "notsent2:-510;notsent8:-510;");
  clear_logs(&pr);
  /* push with unknown associated stream */
  CHECK_EQ(spdylay_submit_syn_stream(pr.s.session,
                                     SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL, 9, 3,
                                     req_nv, &pr), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "notsent1:-510;close2:6;");
  CHECK(pr.s.close_user_data == &pr);
  clear_logs(&pr);
  /* reply to own stream: INVALID_STREAM_ID; reply twice: STATE */
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  clear_logs(&pr);
  CHECK_EQ(spdylay_submit_syn_reply(pr.c.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK_STR(pr.c.log, "notsent2:-512;");
  CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "before2;sent2;notsent2:-514;");
  clear_logs(&pr);
  /* GOAWAY only once */
  CHECK_EQ(spdylay_submit_goaway(pr.s.session, 0), 0);
  CHECK_EQ(spdylay_submit_goaway(pr.s.session, 0), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "before7;sent7;notsent7:-517;");
  pair_free(&pr);
}

static void test_rst_stream_closing(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  clear_logs(&pr);
  CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
  CHECK_EQ(spdylay_submit_rst_stream(pr.s.session, 1, SPDYLAY_CANCEL), 0);
  CHECK_EQ(spdylay_session_find_stream(pr.s.session, 1)->phase,
           SPDYLAY_STREAM_PHASE_RESET);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "notsent2:-511;before3;sent3;close1:5;");
  deliver(&pr.s, &pr.c);
  CHECK_STR(pr.c.log, "recv3;close1:5;");
  /* RST_STREAM for an unknown stream still reaches on_ctrl_recv */
  clear_logs(&pr);
  inject(pr.c.session, "80030003000000080000006300000001");
  CHECK_STR(pr.c.log, "recv3;");
  pair_free(&pr);
}

static void test_partial_send_wouldblock(void)
{
  pair_t pr;
  size_t total;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  pr.c.send_limit = 7;
  pr.c.wouldblock_after = 3;
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK_EQ(pr.c.out.len, 19);
  CHECK(spdylay_session_want_write(pr.c.session));
  pr.c.wouldblock_after = 0;
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  total = pr.c.out.len;
  CHECK(total > 12);
  /* PING (priority -10) first, then SYN_STREAM */
  CHECK_MEM(pr.c.out.buf, "\x80\x03\x00\x06", 4);
  CHECK_MEM(pr.c.out.buf + 12, "\x80\x03\x00\x01", 4);
  deliver(&pr.c, &pr.s);
  CHECK_STR(pr.s.log, "recv6;recv1;req1;");
  pr.c.send_fail = 1;
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), SPDYLAY_ERR_CALLBACK_FAILURE);
  pair_free(&pr);
}

static void test_recv_one_byte_at_a_time(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  size_t i;
  bytes_t copy = { NULL, 0, 0 };
  pair_init(&pr, 4);
  pr.c.body_len = 9000;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  bytes_append(&copy, pr.c.out.buf, pr.c.out.len);
  pr.s.no_chunk_log = 1;
  for(i = 0; i < copy.len; ++i) {
    CHECK_EQ(spdylay_session_mem_recv(pr.s.session, copy.buf + i, 1), 1);
  }
  CHECK(strstr(pr.s.log, "recv1;data1:4096:0;") == pr.s.log);
  CHECK(strstr(pr.s.log, "data1:4096:0;") != NULL);
  CHECK(strstr(pr.s.log, "data1:808:1;req1;") != NULL);
  /* stream accounting skips the piece completing a FIN frame */
  CHECK_EQ(spdylay_session_get_stream_recv_data_length(pr.s.session, 1),
           9000 - 1);
  CHECK_EQ(spdylay_session_get_recv_data_length(pr.s.session), 9000);
  free(copy.buf);
  pair_free(&pr);
}

static void test_session_recv_callback(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  pr.s.rin = pr.c.out.buf;
  pr.s.rinlen = pr.c.out.len;
  CHECK_EQ(spdylay_session_recv(pr.s.session), 0);
  CHECK_STR(pr.s.log, "recv6;");
  pr.s.reof = 1;
  CHECK_EQ(spdylay_session_recv(pr.s.session), SPDYLAY_ERR_EOF);
  pair_free(&pr);
}

static void test_ping(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  pump(&pr);
  /* only the most recent own PING's reply is reported */
  CHECK_STR(pr.c.log, "before6;sent6;before6;sent6;recv6;");
  CHECK_STR(pr.s.log, "recv6;recv6;before6;sent6;before6;sent6;");
  CHECK_EQ(pr.c.session->next_ping_id, 5);
  /* PING with own parity is ignored, ID 0 ignored */
  clear_logs(&pr);
  inject(pr.c.session, "800300060000000400000007");
  inject(pr.c.session, "800300060000000400000000");
  CHECK_STR(pr.c.log, "");
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.c.session), 0);
  /* wrap */
  pr.s.session->next_ping_id = 0x80000000u;
  CHECK_EQ(spdylay_submit_ping(pr.s.session), 0);
  CHECK_EQ(pr.s.session->next_ping_id, 4);
  pair_free(&pr);
}

static void test_flow_control_park_and_resume(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  int on = 1;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_session_set_option(pr.s.session,
                                      SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE,
                                      &on, sizeof(on)), 0);
  pr.c.body_len = 100000;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  pump(&pr);
  CHECK_EQ(pr.c.body_pos, 65536);
  CHECK_EQ(spdylay_session_find_stream(pr.c.session, 1)->send_window, 0);
  CHECK(spdylay_session_find_stream(pr.c.session, 1)->parked != NULL);
  CHECK_EQ(spdylay_session_resume_data(pr.c.session, 1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_session_get_stream_recv_data_length(pr.s.session, 1),
           65536);
  CHECK(!spdylay_session_want_write(pr.c.session));
  /* manual WINDOW_UPDATE resumes it */
  CHECK_EQ(spdylay_submit_window_update(pr.s.session, 1, 1000), 0);
  CHECK_EQ(spdylay_session_get_stream_recv_data_length(pr.s.session, 1),
           64536);
  pump(&pr);
  CHECK_EQ(pr.c.body_pos, 66536);
  /* SETTINGS_INITIAL_WINDOW_SIZE increase resumes it too */
  {
    spdylay_settings_entry iv = { SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                  65536 + 50000 };
    CHECK_EQ(spdylay_submit_settings(pr.s.session, 0, &iv, 1), 0);
    pump(&pr);
    CHECK_EQ(pr.c.body_pos, 116536 > 100000 ? 100000 : 116536);
  }
  CHECK(strstr(pr.s.log, "req1;") != NULL);
  /* window overflow: stream error FLOW_CONTROL_ERROR */
  clear_logs(&pr);
  CHECK_EQ(spdylay_submit_response(pr.s.session, 1, res_nv, NULL), 0);
  pump(&pr);
  pair_free(&pr);
}

static void test_window_update_overflow(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  pair_init(&pr, 4);
  pr.c.defer = 1;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  pump(&pr);
  clear_logs(&pr);
  /* stream 1 window 65536 + 0x7fffffff overflows */
  inject(pr.c.session, "8003000900000008000000017fffffff");
  CHECK_STR(pr.c.log, "invalid9:7;");
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK(strstr(pr.c.log, "sent3;close1:7;") != NULL);
  clear_logs(&pr);
  /* session window overflow: GOAWAY */
  inject(pr.c.session, "8003000900000008000000007fffffff");
  CHECK_STR(pr.c.log, "invalid9:1;");
  CHECK(pr.c.session->shutdown & SPDYLAY_SHUTDOWN_FAILING);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK(!spdylay_session_want_read(pr.c.session));
  CHECK(!spdylay_session_want_write(pr.c.session));
  pair_free(&pr);
}

static void test_deferred_and_temporal(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  clear_logs(&pr);
  pr.s.defer = 1;
  pr.s.body_len = 3;
  prd.source.ptr = &pr.s;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_session_resume_data(pr.s.session, 1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_session_resume_data(pr.s.session, 99),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_response(pr.s.session, 1, res_nv, &prd), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "before2;sent2;read1:4096;");
  CHECK(!spdylay_session_want_write(pr.s.session));
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.s.session), 0);
  CHECK_EQ(spdylay_session_resume_data(pr.s.session, 1), 0);
  CHECK_EQ(spdylay_session_resume_data(pr.s.session, 1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_STR(pr.s.log, "before2;sent2;read1:4096;read1:4096;dsent1:3:1;"
            "close1:0;");
  pair_free(&pr);

  /* TEMPORAL_CALLBACK_FAILURE: RST_STREAM INTERNAL_ERROR */
  pair_init(&pr, 3);
  pr.c.temporal = 1;
  prd.source.ptr = &pr.c;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK_STR(pr.c.log, "before1;sent1;read1:4096;before3;sent3;close1:6;");
  pair_free(&pr);

  /* fatal read failure */
  pair_init(&pr, 3);
  pr.c.fatal_read = 1;
  prd.source.ptr = &pr.c;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), SPDYLAY_ERR_CALLBACK_FAILURE);
  pair_free(&pr);
}

static void test_round_robin(void)
{
  pair_t pr;
  peer_t b1, b2;
  spdylay_data_provider p1, p2;
  const char *seq;
  int round;
  for(round = 0; round < 2; ++round) {
    pair_init(&pr, 3);
    memset(&b1, 0, sizeof(b1));
    memset(&b2, 0, sizeof(b2));
    b1.body_len = 8192;
    b2.body_len = 8192;
    p1.source.ptr = &b1; p1.read_callback = read_cb;
    p2.source.ptr = &b2; p2.read_callback = read_cb;
    CHECK_EQ(spdylay_submit_syn_stream(pr.c.session, 0, 0,
                                       round == 0 ? 3 : 5, req_nv, NULL), 0);
    CHECK_EQ(spdylay_submit_syn_stream(pr.c.session, 0, 0,
                                       round == 0 ? 3 : 1, req_nv, NULL), 0);
    CHECK_EQ(spdylay_session_send(pr.c.session), 0);
    CHECK_EQ(spdylay_submit_data(pr.c.session, 1, SPDYLAY_DATA_FLAG_FIN, &p1),
             0);
    CHECK_EQ(spdylay_submit_data(pr.c.session, 3, SPDYLAY_DATA_FLAG_FIN, &p2),
             0);
    CHECK_EQ(spdylay_session_send(pr.c.session), 0);
    seq = strstr(pr.c.log, "dsent");
    if(round == 0) {
      /* equal priority: frames alternate */
      CHECK_STR(seq, "dsent1:4096:0;dsent3:4096:0;dsent1:4096:1;"
                "dsent3:4096:1;");
    } else {
      /* the more urgent stream keeps going */
      CHECK_STR(seq, "dsent3:4096:0;dsent3:4096:1;dsent1:4096:0;"
                "dsent1:4096:1;");
    }
    pair_free(&pr);
  }
}

static void test_recv_syn_stream_errors(void)
{
  pair_t pr;
  spdylay_settings_entry iv = { SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS, 0,
                                1 };
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  /* limit incoming streams to 1 before the frames arrive */
  CHECK_EQ(spdylay_submit_settings(pr.s.session, 0, &iv, 1), 0);
  deliver(&pr.c, &pr.s);
  CHECK_STR(pr.s.log, "recv1;req1;invalid1:3;");
  CHECK_EQ(pr.s.session->highest_remote_id, 3);
  pair_free(&pr);

  /* same ID again: stream error; lower ID: session error */
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  CHECK_EQ(spdylay_submit_response(pr.s.session, 1, res_nv, NULL), 0);
  pump(&pr);
  CHECK(spdylay_session_find_stream(pr.c.session, 1) == NULL);
  clear_logs(&pr);
  pr.c.session->next_local_id = 1;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  CHECK_STR(pr.s.log, "invalid1:1;");
  CHECK(!pr.s.session->shutdown);
  clear_logs(&pr);
  pr.c.session->next_local_id = 5;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pr.c.session->next_local_id = 3;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  CHECK_STR(pr.s.log, "recv1;req5;invalid1:1;");
  CHECK(pr.s.session->shutdown & SPDYLAY_SHUTDOWN_FAILING);
  clear_logs(&pr);
  /* after GOAWAY, SYN_STREAMs are dropped silently */
  pr.c.session->next_local_id = 7;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  CHECK_STR(pr.s.log, "");
  pair_free(&pr);
}

static void test_recv_syn_reply_headers(void)
{
  pair_t pr;
  int v;
  for(v = 2; v <= 3; ++v) {
    pair_init(&pr, (uint16_t)v);
    CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
    pump(&pr);
    clear_logs(&pr);
    /* HEADERS before SYN_REPLY on own stream: PROTOCOL_ERROR */
    CHECK_EQ(spdylay_submit_headers(pr.s.session, 0, 1, res_nv), 0);
    CHECK_EQ(spdylay_session_send(pr.s.session), 0);
    CHECK_STR(pr.s.log, "notsent8:-514;");
    CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
    CHECK_EQ(spdylay_submit_headers(pr.s.session, 0, 1, res_nv), 0);
    CHECK_EQ(spdylay_session_send(pr.s.session), 0);
    deliver(&pr.s, &pr.c);
    CHECK_STR(pr.c.log, "recv2;recv8;");
    clear_logs(&pr);
    /* second SYN_REPLY: STREAM_IN_USE (v3) / PROTOCOL_ERROR (v2) */
    spdylay_session_find_stream(pr.s.session, 1)->phase =
      SPDYLAY_STREAM_PHASE_SYN;
    CHECK_EQ(spdylay_submit_syn_reply(pr.s.session, 0, 1, res_nv), 0);
    CHECK_EQ(spdylay_session_send(pr.s.session), 0);
    deliver(&pr.s, &pr.c);
    CHECK_STR(pr.c.log, v == 2 ? "invalid2:1;" : "invalid2:8;");
    pair_free(&pr);
  }
}

static void test_recv_data_errors(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  clear_logs(&pr);
  /* unknown stream: ignored */
  inject(pr.c.session, "0000000500000003616263");
  CHECK_STR(pr.c.log, "");
  /* DATA on own stream before SYN_REPLY: session failure */
  inject(pr.c.session, "0000000100000003616263");
  CHECK_STR(pr.c.log, "");
  CHECK(pr.c.session->shutdown & SPDYLAY_SHUTDOWN_FAILING);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK_STR(pr.c.log, "before7;sent7;");
  CHECK_MEM(pr.c.out.buf + pr.c.out.len - 16,
            "\x80\x03\x00\x07\x00\x00\x00\x08\x00\x00\x00\x00"
            "\x00\x00\x00\x01", 16);
  CHECK(!spdylay_session_want_read(pr.c.session));
  pair_free(&pr);
}

static void test_parse_errors(void)
{
  pair_t pr;
  uint32_t lim = 8192;
  pair_init(&pr, 3);
  /* PING with bad length */
  inject(pr.s.session, "80030006000000050000000100");
  CHECK_STR(pr.s.log, "parse6:5:-506;");
  pair_free(&pr);

  pair_init(&pr, 3);
  /* unknown type */
  inject(pr.s.session, "8003000b000000020000");
  CHECK_STR(pr.s.log, "unknown:2;");
  /* NOOP and CREDENTIAL ignored */
  inject(pr.s.session, "8002000500000000");
  inject(pr.s.session, "8003000a000000020000");
  CHECK_STR(pr.s.log, "unknown:2;");
  CHECK(!pr.s.session->shutdown);
  /* WINDOW_UPDATE for unknown stream: silent */
  inject(pr.s.session, "80030009000000080000000700000001");
  CHECK_STR(pr.s.log, "unknown:2;");
  /* SYN_STREAM with no header block */
  inject(pr.s.session, "800300010000000a00000001000000000000");
  CHECK_STR(pr.s.log, "unknown:2;parse1:10:-506;");
  pair_free(&pr);

  /* control frame over the buffer limit */
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_session_set_option(pr.s.session,
                                      SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                      &lim, sizeof(lim)), 0);
  {
    uint8_t big[8 + 9000];
    memset(big, 0, sizeof(big));
    memcpy(big, "\x80\x03\x00\x04\x00\x00\x23\x28", 8);
    CHECK_EQ(spdylay_session_mem_recv(pr.s.session, big, sizeof(big)),
             (ssize_t)sizeof(big));
    CHECK_STR(pr.s.log, "parse4:0:-506;");
  }
  pair_free(&pr);
}

static void test_header_block_too_large(void)
{
  pair_t pr;
  uint32_t lim = 8192;
  char value[10000];
  const char *nv[] = { ":method", "GET", "x-big", value, NULL };
  memset(value, 'a', sizeof(value) - 1);
  value[sizeof(value) - 1] = '\0';
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_session_set_option(pr.s.session,
                                      SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                      &lim, sizeof(lim)), 0);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  /* stream error FRAME_TOO_LARGE, the zlib context stays in sync */
  CHECK_STR(pr.s.log, "invalid1:11;recv1;req3;");
  pair_free(&pr);
}

static void test_goaway_want_flags(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  CHECK_EQ(spdylay_submit_goaway(pr.s.session, SPDYLAY_GOAWAY_OK), 0);
  pump(&pr);
  /* stream 1 still open (half closed): both still want to read */
  CHECK(spdylay_session_want_read(pr.s.session));
  CHECK(spdylay_session_want_read(pr.c.session));
  CHECK_EQ(pr.c.session->peer_last_good_id, 1);
  CHECK_EQ(spdylay_submit_response(pr.s.session, 1, res_nv, NULL), 0);
  pump(&pr);
  CHECK(!spdylay_session_want_read(pr.s.session));
  CHECK(!spdylay_session_want_read(pr.c.session));
  /* queued frames no longer make want_write true */
  CHECK_EQ(spdylay_submit_ping(pr.c.session), 0);
  CHECK(!spdylay_session_want_write(pr.c.session));
  clear_logs(&pr);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK(strstr(pr.c.log, "notsent1:-516;close3:6;") != NULL);
  pair_free(&pr);

  pair_init(&pr, 2);
  CHECK_EQ(spdylay_session_fail_session(pr.c.session,
                                        SPDYLAY_GOAWAY_PROTOCOL_ERROR), 0);
  CHECK(spdylay_session_want_write(pr.c.session) == 0 ||
        spdylay_session_want_write(pr.c.session) == 1);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  /* SPDY/2 GOAWAY has no status */
  CHECK_EQ(pr.c.out.len, 12);
  CHECK(!spdylay_session_want_read(pr.c.session));
  CHECK(!spdylay_session_want_write(pr.c.session));
  pair_free(&pr);
}

static void test_settings(void)
{
  pair_t pr;
  spdylay_settings_entry iv[3] = {
    { SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000 },
    { SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10 },
    { SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH, 0, 5 }
  };
  spdylay_settings_entry dup[2] = {
    { 4, 0, 1 }, { 4, 0, 2 }
  };
  spdylay_settings_entry bad = { 9, 0, 1 };
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_settings(pr.c.session, 0, dup, 2),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_settings(pr.c.session, 0, &bad, 1),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_settings(pr.c.session, 0x80, iv, 3), 0);
  CHECK_EQ(pr.c.session->own_settings[7], 1000);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  /* sorted by ID, flags unmasked */
  CHECK_MEM(pr.c.out.buf, "\x80\x03\x00\x04\x80\x00\x00\x1c\x00\x00\x00\x03"
            "\x00\x00\x00\x01", 16);
  deliver(&pr.c, &pr.s);
  CHECK_EQ(pr.s.session->peer_settings[7], 1000);
  CHECK_EQ(pr.s.session->peer_settings[4], 10);
  CHECK_EQ(pr.s.session->peer_settings[1], 5);
  CHECK_EQ(spdylay_submit_settings(pr.c.session, 0, NULL, 0), 0);
  pair_free(&pr);
}

static void test_auto_window_update_threshold(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  spdylay_settings_entry iv = { SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                16384 };
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_settings(pr.s.session, 0, &iv, 1), 0);
  pump(&pr);
  pr.c.body_len = 50000;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  pump(&pr);
  CHECK_EQ(pr.c.body_pos, 50000);
  /* WINDOW_UPDATE every 8192 bytes (half of the local setting) */
  CHECK(strstr(pr.s.log, "before9;sent9;") != NULL);
  pair_free(&pr);
}

static void test_consume(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  int on = 1;
  pair_init(&pr, 4);
  CHECK_EQ(spdylay_session_consume(pr.s.session, 1, 10),
           SPDYLAY_ERR_INVALID_STATE);
  CHECK_EQ(spdylay_session_set_option(pr.s.session,
                                      SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2,
                                      &on, sizeof(on)), 0);
  CHECK_EQ(spdylay_session_consume(pr.s.session, 0, 10),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  pr.c.body_len = 40000;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  pump(&pr);
  CHECK_EQ(spdylay_session_get_recv_data_length(pr.s.session), 40000);
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.s.session), 0);
  CHECK_EQ(spdylay_session_consume(pr.s.session, 1, 40000), 0);
  CHECK_EQ(spdylay_session_get_outbound_queue_size(pr.s.session), 2);
  CHECK_EQ(spdylay_session_get_recv_data_length(pr.s.session), 0);
  pair_free(&pr);
}

static void test_stream_user_data(void)
{
  pair_t pr;
  int a, b;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_session_set_stream_user_data(pr.c.session, 1, &a),
           SPDYLAY_ERR_INVALID_ARGUMENT);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, &a), 0);
  CHECK(spdylay_session_get_stream_user_data(pr.c.session, 1) == NULL);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  CHECK(spdylay_session_get_stream_user_data(pr.c.session, 1) == &a);
  CHECK_EQ(spdylay_session_set_stream_user_data(pr.c.session, 1, &b), 0);
  CHECK(spdylay_session_get_stream_user_data(pr.c.session, 1) == &b);
  pair_free(&pr);
}

static void test_server_push(void)
{
  pair_t pr;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, NULL, NULL), 0);
  pump(&pr);
  clear_logs(&pr);
  CHECK_EQ(spdylay_submit_syn_stream(pr.s.session,
                                     SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL, 1, 2,
                                     req_nv, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  deliver(&pr.s, &pr.c);
  CHECK_STR(pr.c.log, "recv1;");
  CHECK(spdylay_session_find_stream(pr.c.session, 2) != NULL);
  CHECK_EQ(spdylay_session_find_stream(pr.c.session, 2)->done_dirs,
           SPDYLAY_STREAM_OUT_DONE);
  /* pushed DATA with FIN: request callback on the client, then close */
  clear_logs(&pr);
  inject(pr.c.session, "0000000201000002 6869");
  CHECK_STR(pr.c.log, "chunk2:2:1;data2:2:1;req2;close2:0;");
  /* client sends SYN_STREAM with assoc: forced to 0 */
  CHECK_EQ(spdylay_submit_syn_stream(pr.c.session, 0, 1, 3, req_nv, NULL), 0);
  {
    spdylay_outbound_item *it =
      spdylay_outbound_item_of(spdylay_sendq_peek(&pr.c.session->synq));
    CHECK_EQ(it->frame.ctrl.syn_stream.assoc_stream_id, 0);
  }
  pair_free(&pr);
}


/* ---------------- limits (our extension) ---------------- */

static void set_u32(spdylay_session *s, int opt, uint32_t v)
{
  CHECK_EQ(spdylay_session_set_option(s, opt, &v, sizeof(v)), 0);
}

/* feeds raw hex; returns what mem_recv returned */
static ssize_t inject_rv(spdylay_session *s, const char *hex)
{
  uint8_t b[512];
  size_t n = test_unhex(b, hex);
  return spdylay_session_mem_recv(s, b, n);
}

static void put32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/*
 * A SPDY/3 SYN_STREAM (FIN) for |stream_id| whose header block is |nv|
 * plus, when |biglen| > 0, a first pair "x-big" with |biglen| bytes of
 * 'a', compressed with |def| (a level-9 SPDY/3 deflater).  Returns a
 * malloc'ed frame; *len its length.
 */
static uint8_t *make_syn_stream(spdylay_hd_deflater *def, int32_t stream_id,
                                const char **nv, size_t biglen, size_t *len)
{
  size_t rawlen = 4, npairs = 0, i, off, bound;
  uint8_t *raw, *frame;
  ssize_t n;
  for(i = 0; nv[i]; i += 2) {
    rawlen += 8 + strlen(nv[i]) + strlen(nv[i + 1]);
    ++npairs;
  }
  if(biglen) {
    rawlen += 8 + 5 + biglen;
    ++npairs;
  }
  raw = malloc(rawlen);
  put32(raw, (uint32_t)npairs);
  off = 4;
  if(biglen) {
    put32(raw + off, 5);
    memcpy(raw + off + 4, "x-big", 5);
    off += 9;
    put32(raw + off, (uint32_t)biglen);
    memset(raw + off + 4, 'a', biglen);
    off += 4 + biglen;
  }
  for(i = 0; nv[i]; ++i) {
    size_t l = strlen(nv[i]);
    put32(raw + off, (uint32_t)l);
    memcpy(raw + off + 4, nv[i], l);
    off += 4 + l;
  }
  bound = spdylay_hd_deflate_bound(def, rawlen);
  frame = malloc(18 + bound);
  n = spdylay_hd_deflate(def, frame + 18, bound, raw, rawlen);
  CHECK(n > 0);
  memcpy(frame, "\x80\x03\x00\x01", 4);
  put32(frame + 4, (uint32_t)(10 + n));
  frame[4] = SPDYLAY_CTRL_FLAG_FIN;
  put32(frame + 8, (uint32_t)stream_id);
  put32(frame + 12, 0);
  frame[16] = 3 << 5;
  frame[17] = 0;
  free(raw);
  *len = 18 + (size_t)n;
  return frame;
}

static const char *sorted_req_nv[] = { ":host", "h", ":method", "GET",
                                       ":path", "/", ":scheme", "https",
                                       ":version", "HTTP/1.1", NULL };

static void test_limit_options(void)
{
  spdylay_session *s;
  spdylay_session_callbacks cb = callbacks();
  uint32_t v = 0;
  int opt;
  CHECK_EQ(spdylay_session_server_new(&s, 4, &cb, NULL), 0);
  /* defaults are on */
  CHECK_EQ(s->limits.header_list, 65536);
  CHECK_EQ(s->limits.pending_replies, 1000);
  CHECK_EQ(s->limits.empty_frames, 1000);
  CHECK_EQ(s->limits.reset_burst, 1000);
  CHECK_EQ(s->limits.reset_rate, 33);
  CHECK_EQ(s->limits.hblock_inflate, 1 << 20);
  CHECK_EQ(spdylay_session_get_limit_exceeded(s), SPDYLAY_LIMIT_NONE);
  CHECK_EQ(spdylay_session_in_ctrl_frame(s), 0);
  for(opt = SPDYLAY_OPT_MAX_HEADER_LIST_SIZE;
      opt <= SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE; ++opt) {
    int i = 5;
    v = 0;
    /* 0 is out of range except for the reset rate */
    CHECK_EQ(spdylay_session_set_option(s, opt, &v, sizeof(v)),
             opt == SPDYLAY_OPT_STREAM_RESET_RATE ? 0 :
             SPDYLAY_ERR_INVALID_ARGUMENT);
    CHECK_EQ(spdylay_session_set_option(s, opt, &v, 1),
             SPDYLAY_ERR_INVALID_ARGUMENT);
    CHECK_EQ(spdylay_session_set_option(s, opt, NULL, sizeof(v)),
             SPDYLAY_ERR_INVALID_ARGUMENT);
    CHECK_EQ(spdylay_session_set_option(s, opt, &i, sizeof(i) * 2),
             SPDYLAY_ERR_INVALID_ARGUMENT);
    v = 0xffffffffu;
    CHECK_EQ(spdylay_session_set_option(s, opt, &v, sizeof(v)), 0);
  }
  CHECK_EQ(s->limits.header_list, 0xffffffffu);
  CHECK_EQ(s->limits.hblock_inflate, 0xffffffffu);
  CHECK_STR(spdylay_strerror(SPDYLAY_ERR_FLOODED),
            "The peer exceeded a flood or resource limit");
  CHECK(spdylay_is_fatal(SPDYLAY_ERR_FLOODED));
  spdylay_session_del(s);
}

/* the GOAWAY(PROTOCOL_ERROR) a failed SPDY/3 session writes */
static int has_goaway_protocol_error(const bytes_t *b, uint32_t last_good)
{
  uint8_t want[16];
  size_t i;
  memcpy(want, "\x80\x03\x00\x07\x00\x00\x00\x08", 8);
  put32(want + 8, last_good);
  put32(want + 12, 1);
  for(i = 0; i + 16 <= b->len; ++i) {
    if(memcmp(b->buf + i, want, 16) == 0) return 1;
  }
  return 0;
}

static void check_failed_for(peer_t *p, int limit, uint32_t last_good)
{
  spdylay_session *s = p->session;
  CHECK_EQ(spdylay_session_get_limit_exceeded(s), limit);
  CHECK(!spdylay_session_want_read(s));
  CHECK(spdylay_session_want_write(s));
  /* further input is ignored */
  CHECK_EQ(inject_rv(s, "80030006000000040000000b"), SPDYLAY_ERR_FLOODED);
  CHECK_EQ(spdylay_session_mem_recv(s, NULL, 0), SPDYLAY_ERR_FLOODED);
  CHECK_EQ(spdylay_session_recv(s), SPDYLAY_ERR_FLOODED);
  CHECK_EQ(spdylay_session_in_ctrl_frame(s), 0);
  /* the GOAWAY goes out, then nothing more */
  p->wouldblock_after = 0;
  p->out.len = 0;
  CHECK_EQ(spdylay_session_send(s), 0);
  CHECK(has_goaway_protocol_error(&p->out, last_good));
  CHECK(p->out.len >= 16 &&
        memcmp(p->out.buf + p->out.len - 16, "\x80\x03\x00\x07", 4) == 0);
  CHECK(!spdylay_session_want_write(s));
  CHECK(!spdylay_session_want_read(s));
  p->out.len = 0;
  CHECK_EQ(spdylay_session_send(s), 0);
  CHECK_EQ(p->out.len, 0);
}

/* SPDY/3.1 PING flood against a server that can never write */
static void test_limit_outbound_ack_ping_flood(void)
{
  pair_t pr;
  uint8_t *flood;
  size_t i, n = 1001;
  pair_init(&pr, 4);
  pr.s.wouldblock_after = -1;
  /* default cap 1000: the 1001st PING reply fails the session */
  flood = malloc(12 * n);
  for(i = 0; i < n; ++i) {
    memcpy(flood + 12 * i, "\x80\x03\x00\x06\x00\x00\x00\x04", 8);
    put32(flood + 12 * i + 8, (uint32_t)(2 * i + 1));
  }
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, flood, 12 * 1000),
           12 * 1000);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_EQ(pr.s.out.len, 0);
  CHECK_EQ(pr.s.session->flood.pending_replies, 1000);
  CHECK_EQ(spdylay_session_get_limit_exceeded(pr.s.session), 0);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, flood + 12 * 1000, 12),
           SPDYLAY_ERR_FLOODED);
  CHECK(spdylay_session_get_outbound_queue_size(pr.s.session) <= 1001);
  /* GOAWAY first after the PING reply in flight, last good stream 0 */
  check_failed_for(&pr.s, SPDYLAY_LIMIT_OUTBOUND_ACK, 0);
  free(flood);
  pair_free(&pr);

  /* a small cap; replies that were sent free their slots */
  pair_init(&pr, 3);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_OUTBOUND_ACK, 2);
  CHECK_EQ(inject_rv(pr.s.session, "800300060000000400000001"), 12);
  CHECK_EQ(inject_rv(pr.s.session, "800300060000000400000003"), 12);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_EQ(pr.s.session->flood.pending_replies, 0);
  CHECK_EQ(inject_rv(pr.s.session, "800300060000000400000005"), 12);
  CHECK_EQ(inject_rv(pr.s.session, "800300060000000400000007"), 12);
  /* RST_STREAM for a refused stream counts too (SYN_STREAM for a bad
     stream ID 1 again -> RST_STREAM PROTOCOL_ERROR) */
  pr.s.session->highest_remote_id = 1;
  {
    size_t len;
    spdylay_hd_deflater def;
    uint8_t *f;
    CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
    f = make_syn_stream(&def, 1, sorted_req_nv, 0, &len);
    CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len),
             SPDYLAY_ERR_FLOODED);
    free(f);
    spdylay_hd_deflater_end(&def);
  }
  pr.s.wouldblock_after = -1;
  check_failed_for(&pr.s, SPDYLAY_LIMIT_OUTBOUND_ACK, 1);
  /* the two queued PING replies were never sent */
  pair_free(&pr);
}

static void test_limit_empty_frames(void)
{
  pair_t pr;
  spdylay_data_provider prd;
  int i;
  pair_init(&pr, 3);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_EMPTY_FRAMES, 5);
  pr.c.body_len = 10;
  pr.c.defer = 1;
  prd.source.ptr = &pr.c;
  prd.read_callback = read_cb;
  CHECK_EQ(spdylay_submit_request(pr.c.session, 3, req_nv, &prd, NULL), 0);
  CHECK_EQ(spdylay_session_send(pr.c.session), 0);
  deliver(&pr.c, &pr.s);
  clear_logs(&pr);
  /* 5 empty DATA frames are fine, then DATA with payload restarts */
  for(i = 0; i < 5; ++i) {
    CHECK_EQ(inject_rv(pr.s.session, "0000000100000000"), 8);
  }
  CHECK_EQ(inject_rv(pr.s.session, "000000010000000161"), 9);
  for(i = 0; i < 5; ++i) {
    CHECK_EQ(inject_rv(pr.s.session, "0000000100000000"), 8);
  }
  /* empty DATA with FIN carries something (the end of the stream) */
  CHECK_EQ(pr.s.session->flood.empty_run, 5);
  /* the 6th in a row: GOAWAY */
  CHECK_EQ(inject_rv(pr.s.session, "0000000100000000"), SPDYLAY_ERR_FLOODED);
  check_failed_for(&pr.s, SPDYLAY_LIMIT_EMPTY_FRAMES, 1);
  pair_free(&pr);

  /* SETTINGS after the first */
  pair_init(&pr, 4);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_EMPTY_FRAMES, 3);
  for(i = 0; i < 4; ++i) {
    CHECK_EQ(inject_rv(pr.s.session,
                       "800300040000000c000000010000000400000064"), 20);
  }
  CHECK_EQ(inject_rv(pr.s.session, "800300040000000c000000010000000400000064"),
           SPDYLAY_ERR_FLOODED);
  check_failed_for(&pr.s, SPDYLAY_LIMIT_EMPTY_FRAMES, 0);
  pair_free(&pr);

  /* default 1000 */
  pair_init(&pr, 4);
  for(i = 0; i < 1000; ++i) {
    CHECK_EQ(inject_rv(pr.s.session, "0000000700000000"), 8);
  }
  CHECK_EQ(inject_rv(pr.s.session, "0000000700000000"), SPDYLAY_ERR_FLOODED);
  CHECK_EQ(spdylay_session_get_limit_exceeded(pr.s.session),
           SPDYLAY_LIMIT_EMPTY_FRAMES);
  pair_free(&pr);
}

static void test_limit_stream_resets(void)
{
  pair_t pr;
  int i;
  pair_init(&pr, 4);
  set_u32(pr.s.session, SPDYLAY_OPT_STREAM_RESET_BURST, 2);
  set_u32(pr.s.session, SPDYLAY_OPT_STREAM_RESET_RATE, 1);
  CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000100000005"), 16);
  CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000300000005"), 16);
  /* RST_STREAM for our own (even) streams does not count */
  for(i = 0; i < 10; ++i) {
    CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000200000005"), 16);
  }
  /* one second later there is one token again */
  pr.s.session->flood.reset_clock -= 1000000000u;
  CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000500000005"), 16);
  CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000700000005"),
           SPDYLAY_ERR_FLOODED);
  check_failed_for(&pr.s, SPDYLAY_LIMIT_STREAM_RESETS, 0);
  pair_free(&pr);

  /* rate 0: the burst is all there is; default burst 1000 otherwise */
  pair_init(&pr, 3);
  set_u32(pr.s.session, SPDYLAY_OPT_STREAM_RESET_RATE, 0);
  set_u32(pr.s.session, SPDYLAY_OPT_STREAM_RESET_BURST, 3);
  for(i = 0; i < 3; ++i) {
    CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000100000005"), 16);
  }
  CHECK_EQ(inject_rv(pr.s.session, "80030003000000080000000100000005"),
           SPDYLAY_ERR_FLOODED);
  pair_free(&pr);

  /* rapid reset with real streams and the default bucket */
  pair_init(&pr, 4);
  {
    spdylay_hd_deflater def;
    int failed = 0;
    CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
    pr.s.no_chunk_log = 1;
    for(i = 0; i < 1100 && !failed; ++i) {
      size_t len;
      uint8_t *f = make_syn_stream(&def, 2 * i + 1, sorted_req_nv, 0, &len);
      uint8_t rst[16];
      ssize_t rv;
      f[4] = 0; /* no FIN */
      CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len),
               (ssize_t)len);
      free(f);
      memcpy(rst, "\x80\x03\x00\x03\x00\x00\x00\x08", 8);
      put32(rst + 8, (uint32_t)(2 * i + 1));
      put32(rst + 12, 5);
      rv = spdylay_session_mem_recv(pr.s.session, rst, 16);
      if(rv == SPDYLAY_ERR_FLOODED) {
        failed = 1;
      } else {
        CHECK_EQ(rv, 16);
      }
    }
    spdylay_hd_deflater_end(&def);
    /* 1000 + a few refilled while the loop ran */
    CHECK(failed);
    CHECK(i >= 1000 && i < 1100);
    CHECK_EQ(spdylay_session_get_limit_exceeded(pr.s.session),
             SPDYLAY_LIMIT_STREAM_RESETS);
    pr.s.out.len = 0;
    CHECK_EQ(spdylay_session_send(pr.s.session), 0);
    CHECK(has_goaway_protocol_error(&pr.s.out, (uint32_t)(2 * i - 1)));
  }
  pair_free(&pr);
}

static void test_limit_header_list(void)
{
  pair_t pr;
  spdylay_hd_deflater def;
  uint8_t *f;
  size_t len;
  pair_init(&pr, 3);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_HEADER_LIST_SIZE, 1000);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  f = make_syn_stream(&def, 1, sorted_req_nv, 2000, &len);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len), (ssize_t)len);
  free(f);
  /* RST_STREAM(FRAME_TOO_LARGE) and the invalid-frame callback, nothing
     kept past the limit */
  CHECK_STR(pr.s.log, "invalid1:11;");
  CHECK(pr.s.session->rx.hblock.cap <= 1000);
  CHECK_EQ(pr.s.session->flood.empty_run, 1);
  CHECK_EQ(spdylay_session_send(pr.s.session), 0);
  CHECK_EQ(pr.s.out.len, 16);
  CHECK_MEM(pr.s.out.buf, "\x80\x03\x00\x03\x00\x00\x00\x08\x00\x00\x00\x01"
            "\x00\x00\x00\x0b", 16);
  /* zlib is in step: the next SYN_STREAM is fine */
  clear_logs(&pr);
  f = make_syn_stream(&def, 3, sorted_req_nv, 0, &len);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len), (ssize_t)len);
  free(f);
  CHECK_STR(pr.s.log, "recv1;req3;");
  CHECK_EQ(pr.s.session->flood.empty_run, 0);
  spdylay_hd_deflater_end(&def);
  pair_free(&pr);

  /* default limit 65536: a moderately oversized block (400 KB of value,
     under the 1 MiB inflate cap) fed in small pieces */
  pair_init(&pr, 4);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  {
    size_t i;
    f = make_syn_stream(&def, 1, sorted_req_nv, 400000, &len);
    for(i = 0; i < len; i += 100) {
      size_t k = len - i < 100 ? len - i : 100;
      CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f + i, k), (ssize_t)k);
      CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), i + k < len);
    }
    free(f);
  }
  CHECK_STR(pr.s.log, "invalid1:11;");
  CHECK(pr.s.session->rx.hblock.cap <= 65536);
  clear_logs(&pr);
  f = make_syn_stream(&def, 3, sorted_req_nv, 60000, &len);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len), (ssize_t)len);
  free(f);
  CHECK_STR(pr.s.log, "recv1;req3;");
  spdylay_hd_deflater_end(&def);
  pair_free(&pr);
}

/* a 16 MiB header value compressed into about 16 KiB */
static void test_limit_zlib_bomb(void)
{
  pair_t pr;
  spdylay_hd_deflater def;
  uint8_t *f;
  size_t len, i;
  ssize_t rv = 0;
  pair_init(&pr, 4);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  f = make_syn_stream(&def, 1, sorted_req_nv, 16u << 20, &len);
  CHECK(len < 32768);
  for(i = 0; i < len; i += 1000) {
    size_t k = len - i < 1000 ? len - i : 1000;
    rv = spdylay_session_mem_recv(pr.s.session, f + i, k);
    if(rv < 0) break;
    CHECK_EQ(rv, (ssize_t)k);
  }
  CHECK_EQ(rv, SPDYLAY_ERR_FLOODED);
  /* stopped early: about 1 MiB of output from about 1 KiB of input */
  CHECK(i < 4000);
  CHECK(pr.s.session->rx.hblock_inflated > (1u << 20) &&
        pr.s.session->rx.hblock_inflated <= (1u << 20) + 4096);
  /* never more than the header list limit allocated */
  CHECK(pr.s.session->rx.hblock.cap <= 65536);
  CHECK_STR(pr.s.log, "");
  CHECK(spdylay_session_in_ctrl_frame(pr.s.session) == 0);
  check_failed_for(&pr.s, SPDYLAY_LIMIT_HEADER_BLOCK_INFLATE, 0);
  free(f);
  spdylay_hd_deflater_end(&def);
  pair_free(&pr);

  /* a larger inflate cap: the block is refused and zlib stays in step */
  pair_init(&pr, 3);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE, 32u << 20);
  set_u32(pr.s.session, SPDYLAY_OPT_MAX_HEADER_LIST_SIZE, 4096);
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  f = make_syn_stream(&def, 1, sorted_req_nv, 16u << 20, &len);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len), (ssize_t)len);
  free(f);
  CHECK_STR(pr.s.log, "invalid1:11;");
  CHECK(pr.s.session->rx.hblock.cap <= 65536);
  f = make_syn_stream(&def, 3, sorted_req_nv, 0, &len);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len), (ssize_t)len);
  free(f);
  CHECK_STR(pr.s.log, "invalid1:11;recv1;req3;");
  spdylay_hd_deflater_end(&def);
  pair_free(&pr);
}

static void test_in_ctrl_frame(void)
{
  pair_t pr;
  spdylay_hd_deflater def;
  uint8_t *f;
  size_t len;
  pair_init(&pr, 3);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 0);
  /* half a frame head */
  CHECK_EQ(inject_rv(pr.s.session, "8003"), 2);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 1);
  CHECK_EQ(inject_rv(pr.s.session, "0006000000040000"), 8);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 1);
  CHECK_EQ(inject_rv(pr.s.session, "0001"), 2);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 0);
  /* half a SYN_STREAM */
  CHECK_EQ(spdylay_hd_deflater_init(&def, 3, 1), 0);
  f = make_syn_stream(&def, 1, sorted_req_nv, 0, &len);
  f[4] = 0;
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f, len / 2),
           (ssize_t)(len / 2));
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 1);
  CHECK_EQ(spdylay_session_mem_recv(pr.s.session, f + len / 2,
                                    len - len / 2),
           (ssize_t)(len - len / 2));
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 0);
  free(f);
  spdylay_hd_deflater_end(&def);
  /* part of a DATA payload does not count; its head does */
  CHECK_EQ(inject_rv(pr.s.session, "000000"), 3);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 1);
  CHECK_EQ(inject_rv(pr.s.session, "0100000004ab"), 6);
  CHECK_EQ(spdylay_session_in_ctrl_frame(pr.s.session), 0);
  pair_free(&pr);
}

int main(void)
{
  RUN(test_new_del);
  RUN(test_set_option);
  RUN(test_request_response);
  RUN(test_stream_ids_and_order);
  RUN(test_submit_invalid_nv);
  RUN(test_send_time_errors);
  RUN(test_rst_stream_closing);
  RUN(test_partial_send_wouldblock);
  RUN(test_recv_one_byte_at_a_time);
  RUN(test_session_recv_callback);
  RUN(test_ping);
  RUN(test_flow_control_park_and_resume);
  RUN(test_window_update_overflow);
  RUN(test_deferred_and_temporal);
  RUN(test_round_robin);
  RUN(test_recv_syn_stream_errors);
  RUN(test_recv_syn_reply_headers);
  RUN(test_recv_data_errors);
  RUN(test_parse_errors);
  RUN(test_header_block_too_large);
  RUN(test_goaway_want_flags);
  RUN(test_settings);
  RUN(test_auto_window_update_threshold);
  RUN(test_consume);
  RUN(test_stream_user_data);
  RUN(test_server_push);
  RUN(test_data_buffer_callback);
  RUN(test_limit_options);
  RUN(test_limit_outbound_ack_ping_flood);
  RUN(test_limit_empty_frames);
  RUN(test_limit_stream_resets);
  RUN(test_limit_header_list);
  RUN(test_limit_zlib_bomb);
  RUN(test_in_ctrl_frame);
  return TEST_SUMMARY();
}
