/*
 * fuzz_api.c - libFuzzer target driving a client and a server session
 * through the public API: the input is a program of operations (submit
 * calls, options, partial deliveries of the bytes each side sent, send
 * calls with short writes and WOULDBLOCK), so the state machines of both
 * sides are exercised with frames the library itself produced.  The input
 * also decides, per session, whether a data buffer callback (extension)
 * is installed and what it returns on each call: NULL, one of two
 * per-session buffers of the largest size (alternating or the same again)
 * or a fresh heap buffer of exactly the requested size; ops set and
 * clear it between operations, so DATA frames living in application
 * memory go through short writes and WOULDBLOCK too.  A last input byte
 * of the form 11xxxxxx gives both sessions very small flood/resource
 * limits (our extension), so PING, RST_STREAM and SETTINGS programs reach
 * them; a session that failed for a limit must then report it and refuse
 * input with SPDYLAY_ERR_FLOODED.
 *
 * Invariants checked (abort on violation): mem_recv consumes all bytes,
 * send/mem_recv never return an unexpected error, the outbound queue
 * size never exceeds what was queued, every DATA payload received is the
 * bytes the read callback produced, the data buffer callback is asked
 * for a new buffer only once the frame in application memory was passed
 * whole to send_callback, and send_callback only sees application memory
 * as one whole DATA frame, in order, from the buffer handed out last.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <spdylay/spdylay.h>

/* largest length the data buffer callback is asked for: frame header +
   largest DATA payload */
#define DBUF_LEN (8 + 4096)

typedef struct {
  spdylay_session *session;
  uint8_t *out;
  size_t outlen, outcap;
  size_t send_budget;     /* bytes the send callback accepts per call */
  int wouldblock;         /* the send callback call (1: the next one)
                             that returns WOULDBLOCK; 0: none */
  size_t body_left[64];
  int defer[64];
  int temporal;
  /* data buffer callback: 2-bit action per call, cycled through from
     dbuf_pat (0 next ring buffer, 1 same ring buffer, 2 fresh heap
     buffer of exactly |length| bytes, 3 NULL) */
  uint8_t dbuf_pat;
  unsigned dbuf_calls;
  int dbuf_cur;           /* ring buffer handed out last */
  uint8_t *dbuf_heap;     /* heap buffer handed out last, or NULL */
  size_t dbuf_heap_len;
  const uint8_t *ext;     /* buffer handed out last (NULL: none) */
  size_t ext_len;         /* the |length| it was asked for */
  size_t ext_total;       /* length of the frame being sent from it, 0 if
                             send_callback has not seen it (yet) */
  size_t ext_sent;        /* bytes of that frame send_callback accepted */
  uint8_t ring[2][DBUF_LEN];
} peer;

static peer peers[2];
static const uint8_t *prog;
static size_t proglen, pc;

static uint8_t next_byte(void)
{
  return pc < proglen ? prog[pc++] : 0;
}

static int within(const uint8_t *a, const uint8_t *base, size_t len)
{
  uintptr_t x = (uintptr_t)a, b = (uintptr_t)base;
  return base != NULL && x >= b && x - b < len;
}

/* Checks what send_callback is given against the buffers the data buffer
   callback handed out. */
static void check_send_data(peer *p, const uint8_t *data, size_t length)
{
  if(!within(data, p->ring[0], DBUF_LEN) &&
     !within(data, p->ring[1], DBUF_LEN) &&
     !within(data, p->dbuf_heap, p->dbuf_heap_len)) {
    /* library memory: a frame in application memory must be finished
       before anything else is sent */
    if(p->ext_total != 0) {
      abort();
    }
    return;
  }
  /* only the buffer handed out last may be sent from */
  if(!within(data, p->ext, p->ext_len)) {
    abort();
  }
  if(p->ext_total == 0) {
    /* a DATA frame starts; its header gives its length */
    if(data != p->ext || length < 8 || (data[0] & 0x80)) {
      abort();
    }
    p->ext_total = 8 + (((size_t)data[5] << 16) | ((size_t)data[6] << 8) |
                        data[7]);
    p->ext_sent = 0;
    if(p->ext_total > p->ext_len) {
      abort();
    }
  }
  if(data != p->ext + p->ext_sent || length > p->ext_total - p->ext_sent) {
    abort();
  }
}

static ssize_t send_cb(spdylay_session *session, const uint8_t *data,
                       size_t length, int flags, void *user_data)
{
  peer *p = user_data;
  (void)session; (void)flags;
  check_send_data(p, data, length);
  if(p->wouldblock && --p->wouldblock == 0) {
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  if(p->send_budget && length > p->send_budget) {
    length = p->send_budget;
  }
  if(p->outlen + length > p->outcap) {
    p->outcap = (p->outlen + length) * 2 + 256;
    p->out = realloc(p->out, p->outcap);
  }
  memcpy(p->out + p->outlen, data, length);
  p->outlen += length;
  if(p->ext_total != 0) {
    p->ext_sent += length;
    if(p->ext_sent == p->ext_total) {
      /* passed whole: the buffer is free again */
      p->ext_total = p->ext_sent = 0;
    }
  }
  return (ssize_t)length;
}

static uint8_t *data_buffer_cb(spdylay_session *session, size_t length,
                               void *user_data)
{
  peer *p = user_data;
  unsigned act = (p->dbuf_pat >> (2 * (p->dbuf_calls++ % 3))) & 3;
  (void)session;
  /* asked only between frames, for a header + a non-empty payload */
  if(p->ext_total != 0 || length <= 8 || length > DBUF_LEN) {
    abort();
  }
  /* so nothing handed out before is in use any more: scribble over the
     ring buffers (and free the last heap buffer below) so that a stale
     use shows */
  memset(p->ring, 0xa5, sizeof(p->ring));
  switch(act) {
  case 0:
    p->dbuf_cur ^= 1;
    p->ext = p->ring[p->dbuf_cur];
    break;
  case 1:
    p->ext = p->ring[p->dbuf_cur];
    break;
  case 2:
    /* exact size, so that ASan catches writes past |length| */
    free(p->dbuf_heap);
    p->dbuf_heap = malloc(length);
    p->dbuf_heap_len = p->dbuf_heap ? length : 0;
    p->ext = p->dbuf_heap;
    break;
  default:
    p->ext = NULL;
    break;
  }
  p->ext_len = p->ext ? length : 0;
  return (uint8_t *)p->ext;
}

/* Installs the data buffer callback with action pattern |pat|, or clears
   it if |on| is 0. */
static void set_data_buffer(peer *p, int on, uint8_t pat)
{
  p->dbuf_pat = pat;
  p->dbuf_calls = 0;
  if(spdylay_session_set_data_buffer_callback(p->session, on ?
                                              data_buffer_cb : NULL) != 0) {
    abort();
  }
}

static ssize_t read_cb(spdylay_session *session, int32_t stream_id,
                       uint8_t *buf, size_t length, int *eof,
                       spdylay_data_source *source, void *user_data)
{
  peer *p = user_data;
  size_t slot = (size_t)source->fd & 63;
  size_t n;
  (void)session; (void)stream_id;
  if(p->temporal) {
    p->temporal = 0;
    return SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  if(p->defer[slot]) {
    p->defer[slot] = 0;
    return SPDYLAY_ERR_DEFERRED;
  }
  n = p->body_left[slot] < length ? p->body_left[slot] : length;
  memset(buf, 'd', n);
  p->body_left[slot] -= n;
  if(p->body_left[slot] == 0) {
    *eof = 1;
  }
  return (ssize_t)n;
}

static void on_data_chunk(spdylay_session *session, uint8_t flags,
                          int32_t stream_id, const uint8_t *data,
                          size_t len, void *user_data)
{
  size_t i;
  (void)session; (void)flags; (void)stream_id; (void)user_data;
  /* read_cb is the only source of DATA payload */
  for(i = 0; i < len; ++i) {
    if(data[i] != 'd') {
      abort();
    }
  }
}

static void on_request_recv(spdylay_session *session, int32_t stream_id,
                            void *user_data)
{
  static const char *nv[] = { ":status", "200 OK", ":version", "HTTP/1.1",
                              NULL };
  peer *p = user_data;
  spdylay_data_provider prd;
  size_t slot = (size_t)stream_id & 63;
  if(next_byte() & 1) {
    p->body_left[slot] = (size_t)next_byte() * 700;
    p->defer[slot] = next_byte() & 1;
    prd.source.fd = (int)slot;
    prd.read_callback = read_cb;
    spdylay_submit_response(session, stream_id, nv, &prd);
  } else {
    spdylay_submit_response(session, stream_id, nv, NULL);
  }
}

static void check_rv(long rv)
{
  if(rv < 0 && rv != SPDYLAY_ERR_NOMEM) {
    abort();
  }
}

static void deliver(int from, size_t n)
{
  peer *src = &peers[from];
  peer *dst = &peers[!from];
  ssize_t rv;
  if(n > src->outlen) {
    n = src->outlen;
  }
  if(n == 0) {
    return;
  }
  rv = spdylay_session_mem_recv(dst->session, src->out, n);
  if(rv == SPDYLAY_ERR_FLOODED) {
    /* the receiver failed for one of its (small) limits: it ignores
       input from now on */
    if(spdylay_session_get_limit_exceeded(dst->session) ==
       SPDYLAY_LIMIT_NONE || spdylay_session_want_read(dst->session)) {
      abort();
    }
  } else if(rv != (ssize_t)n) {
    abort();
  }
  memmove(src->out, src->out + n, src->outlen - n);
  src->outlen -= n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *req[] = { ":method", "GET", ":path", "/a",
                               ":version", "HTTP/1.1", ":host", "h",
                               ":scheme", "https", "x-dup", "1",
                               "X-Dup", "2", NULL };
  spdylay_session_callbacks cb;
  uint16_t version;
  uint8_t b;
  int i, steps = 0;

  if(size < 1) {
    return 0;
  }
  prog = data;
  proglen = size;
  pc = 0;
  memset(peers, 0, sizeof(peers));
  memset(&cb, 0, sizeof(cb));
  cb.send_callback = send_cb;
  cb.on_request_recv_callback = on_request_recv;
  cb.on_data_chunk_recv_callback = on_data_chunk;
  /* first byte: version, and (b / 3) whether the client (bit 0) and the
     server (bit 1) start with a data buffer callback (pattern b / 12) */
  b = next_byte();
  version = (uint16_t)(2 + b % 3);
  if(spdylay_session_client_new(&peers[0].session, version, &cb,
                                &peers[0]) != 0 ||
     spdylay_session_server_new(&peers[1].session, version, &cb,
                                &peers[1]) != 0) {
    abort();
  }
  for(i = 0; i < 2; ++i) {
    if((b / 3) & (1 << i)) {
      set_data_buffer(&peers[i], 1, (uint8_t)(b / 12));
    }
  }
  /* last byte 11xxxxxx: small flood/resource limits on both sides, so a
     program of PINGs, RST_STREAMs or SETTINGS reaches them */
  if(size >= 2 && (data[size - 1] & 0xc0) == 0xc0) {
    static const int opts[] = {
      SPDYLAY_OPT_MAX_HEADER_LIST_SIZE, SPDYLAY_OPT_MAX_OUTBOUND_ACK,
      SPDYLAY_OPT_MAX_EMPTY_FRAMES, SPDYLAY_OPT_STREAM_RESET_BURST,
      SPDYLAY_OPT_STREAM_RESET_RATE, SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE
    };
    static const uint32_t vals[] = { 120, 2, 2, 2, 0, 200 };
    size_t k;
    for(k = 0; k < sizeof(opts) / sizeof(opts[0]); ++k) {
      for(i = 0; i < 2; ++i) {
        if(spdylay_session_set_option(peers[i].session, opts[k],
                                      (void *)&vals[k],
                                      sizeof(vals[k])) != 0) {
          abort();
        }
      }
    }
  }
  while(pc < proglen && steps++ < 2000) {
    uint8_t op = next_byte();
    int side = op & 1;
    peer *p = &peers[side];
    spdylay_session *s = p->session;
    uint8_t arg = next_byte();
    int32_t sid = (int32_t)(arg % 16);
    /* bits 5-6 are not used by the other ops: 011xxxxx is op 16 */
    switch((op & 0xe0) == 0x60 ? 16 : (op >> 1) % 16) {
    case 0: {
      spdylay_data_provider prd;
      size_t slot = (size_t)next_byte() & 63;
      p->body_left[slot] = (size_t)next_byte() * 1000;
      p->defer[slot] = next_byte() & 1;
      prd.source.fd = (int)slot;
      prd.read_callback = read_cb;
      check_rv(spdylay_submit_request(s, next_byte() % 8, req,
                                      (op & 0x80) ? &prd : NULL, NULL));
      break;
    }
    case 1:
      check_rv(spdylay_submit_rst_stream(s, sid, next_byte() % 12));
      break;
    case 2:
      check_rv(spdylay_submit_ping(s));
      break;
    case 3: {
      spdylay_settings_entry iv[2];
      iv[0].settings_id = SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE;
      iv[0].flags = 0;
      iv[0].value = (uint32_t)next_byte() * 1024;
      iv[1].settings_id = SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS;
      iv[1].flags = 0;
      iv[1].value = next_byte() % 8;
      spdylay_submit_settings(s, 0, iv, 1 + (op >> 7));
      break;
    }
    case 4: {
      int rv = spdylay_submit_window_update(s, sid, (int32_t)next_byte() *
                                            300);
      if(rv != 0 && rv != SPDYLAY_ERR_INVALID_ARGUMENT &&
         rv != SPDYLAY_ERR_STREAM_CLOSED) {
        abort();
      }
      break;
    }
    case 5:
      check_rv(spdylay_submit_goaway(s, next_byte() % 3));
      break;
    case 6:
      spdylay_session_resume_data(s, sid);
      break;
    case 7: {
      static const char *hd[] = { "x-trailer", "v", NULL };
      check_rv(spdylay_submit_headers(s, next_byte() & 1, sid, hd));
      break;
    }
    case 8:
    case 9:
    case 10: {
      int rv;
      p->send_budget = next_byte() * 37;
      /* bits 5-6: WOULDBLOCK on a later call, so that a frame can stay
         partly sent between operations */
      p->wouldblock = (op & 0x80) ? 1 + 3 * ((op >> 5) & 3) : 0;
      p->temporal = next_byte() == 0xff;
      rv = spdylay_session_send(s);
      if(rv != 0 && rv != SPDYLAY_ERR_NOMEM) {
        abort();
      }
      break;
    }
    case 11:
    case 12:
      deliver(side, (size_t)next_byte() * 61 + 1);
      break;
    case 13:
      deliver(side, p->outlen);
      break;
    case 14: {
      int on = next_byte() & 1;
      spdylay_session_set_option(s, (next_byte() & 1) ?
                                 SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE :
                                 SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2,
                                 &on, sizeof(on));
      spdylay_session_consume(s, sid, (size_t)next_byte() * 500);
      break;
    }
    case 16:
      /* data buffer callback: clear (arg even) or set with a new pattern */
      set_data_buffer(p, arg & 1, (uint8_t)(arg >> 1));
      break;
    default: {
      static const char *push[] = { ":path", "/p", ":host", "h", NULL };
      check_rv(spdylay_submit_syn_stream(s, (uint8_t)(next_byte() & 3), sid,
                                         next_byte() % 8, push, NULL));
      break;
    }
    }
    spdylay_session_want_read(s);
    spdylay_session_want_write(s);
    spdylay_session_get_stream_recv_data_length(s, sid);
  }
  /* drain: everything both sides still have must be accepted */
  for(i = 0; i < 50; ++i) {
    peers[0].send_budget = peers[1].send_budget = 0;
    peers[0].wouldblock = peers[1].wouldblock = 0;
    if(spdylay_session_send(peers[0].session) != 0 ||
       spdylay_session_send(peers[1].session) != 0) {
      abort();
    }
    if(peers[0].outlen == 0 && peers[1].outlen == 0) {
      break;
    }
    deliver(0, peers[0].outlen);
    deliver(1, peers[1].outlen);
  }
  for(i = 0; i < 2; ++i) {
    spdylay_session_del(peers[i].session);
    free(peers[i].out);
    free(peers[i].dbuf_heap);
  }
  return 0;
}
