/*
 * fuzz_session.c - libFuzzer target: arbitrary bytes into a client and a
 * server session through spdylay_session_mem_recv, then
 * spdylay_session_send.
 *
 * Input layout: byte 0 selects the protocol version (bits 0-1: 0 = SPDY/2,
 * 1 = SPDY/3, 2/3 = SPDY/3.1) and options (bit 2: small control-frame
 * buffer limit, bit 3: NO_AUTO_WINDOW_UPDATE2, bit 4: feed one byte at a
 * time, bit 5: small flood/resource limits (SPDYLAY_OPT_MAX_HEADER_LIST_SIZE
 * .. SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE), bit 6 with bit 5: a reset
 * bucket that never refills); the rest is the byte stream.  The same bytes are fed to a server
 * and to a client that has already sent a request, so both receive paths
 * are exercised.  The sessions answer requests with a response carrying a
 * body so the send paths (DATA, flow control) run too.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <spdylay/spdylay.h>

typedef struct {
  size_t body_left;
  int consume;
} fuzz_ctx;

static ssize_t send_cb(spdylay_session *session, const uint8_t *data,
                       size_t length, int flags, void *user_data)
{
  (void)session; (void)data; (void)flags; (void)user_data;
  /* accept in odd pieces to exercise partial sends */
  return length > 1000 ? 1000 : (ssize_t)length;
}

static ssize_t read_cb(spdylay_session *session, int32_t stream_id,
                       uint8_t *buf, size_t length, int *eof,
                       spdylay_data_source *source, void *user_data)
{
  fuzz_ctx *ctx = user_data;
  size_t n = ctx->body_left < length ? ctx->body_left : length;
  (void)session; (void)stream_id; (void)source;
  memset(buf, 'b', n);
  ctx->body_left -= n;
  if(ctx->body_left == 0) {
    *eof = 1;
  }
  return (ssize_t)n;
}

static void on_request_recv(spdylay_session *session, int32_t stream_id,
                            void *user_data)
{
  static const char *nv[] = { ":status", "200 OK", ":version", "HTTP/1.1",
                              NULL };
  spdylay_data_provider prd;
  (void)user_data;
  prd.source.ptr = NULL;
  prd.read_callback = read_cb;
  spdylay_submit_response(session, stream_id, nv, &prd);
}

static void on_chunk(spdylay_session *session, uint8_t flags,
                     int32_t stream_id, const uint8_t *data, size_t len,
                     void *user_data)
{
  fuzz_ctx *ctx = user_data;
  (void)flags; (void)data;
  if(ctx->consume) {
    spdylay_session_consume(session, stream_id, len);
  }
}

static void on_ctrl_recv(spdylay_session *session, spdylay_frame_type type,
                         spdylay_frame *frame, void *user_data)
{
  (void)user_data;
  /* touch the decoded name/value pairs */
  if(type == SPDYLAY_SYN_STREAM || type == SPDYLAY_SYN_REPLY ||
     type == SPDYLAY_HEADERS) {
    char **nv = type == SPDYLAY_SYN_STREAM ? frame->syn_stream.nv :
      frame->syn_reply.nv;
    size_t total = 0;
    for(; nv && *nv; ++nv) {
      total += strlen(*nv);
    }
    (void)total;
  }
  if(type == SPDYLAY_PING) {
    spdylay_submit_ping(session);
  }
}

static void run(uint16_t version, int server, uint8_t opts,
                const uint8_t *data, size_t size)
{
  static const char *req[] = { ":method", "POST", ":path", "/",
                               ":version", "HTTP/1.1", ":host", "h",
                               ":scheme", "https", NULL };
  spdylay_session_callbacks cb;
  spdylay_session *session;
  spdylay_data_provider prd;
  fuzz_ctx ctx;
  size_t i;

  memset(&cb, 0, sizeof(cb));
  cb.send_callback = send_cb;
  cb.on_request_recv_callback = on_request_recv;
  cb.on_data_chunk_recv_callback = on_chunk;
  cb.on_ctrl_recv_callback = on_ctrl_recv;
  ctx.body_left = 70000;
  ctx.consume = (opts & 0x08) != 0;

  if(server) {
    if(spdylay_session_server_new(&session, version, &cb, &ctx) != 0) {
      return;
    }
  } else {
    if(spdylay_session_client_new(&session, version, &cb, &ctx) != 0) {
      return;
    }
    prd.source.ptr = NULL;
    prd.read_callback = read_cb;
    spdylay_submit_request(session, 3, req, &prd, NULL);
    spdylay_submit_ping(session);
    spdylay_session_send(session);
  }
  if(opts & 0x04) {
    uint32_t lim = 8192;
    spdylay_session_set_option(session,
                               SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER, &lim,
                               sizeof(lim));
  }
  if(opts & 0x08) {
    int on = 1;
    spdylay_session_set_option(session, SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2,
                               &on, sizeof(on));
  }
  if(opts & 0x20) {
    /* small limits so that the flood paths run on small inputs */
    static const struct { int opt; uint32_t v; } lims[] = {
      { SPDYLAY_OPT_MAX_HEADER_LIST_SIZE, 200 },
      { SPDYLAY_OPT_MAX_OUTBOUND_ACK, 3 },
      { SPDYLAY_OPT_MAX_EMPTY_FRAMES, 3 },
      { SPDYLAY_OPT_STREAM_RESET_BURST, 2 },
      { SPDYLAY_OPT_STREAM_RESET_RATE, 1 },
      { SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE, 1000 }
    };
    size_t k;
    for(k = 0; k < sizeof(lims) / sizeof(lims[0]); ++k) {
      uint32_t v = lims[k].v;
      if(lims[k].opt == SPDYLAY_OPT_STREAM_RESET_RATE && (opts & 0x40)) {
        v = 0;
      }
      if(spdylay_session_set_option(session, lims[k].opt, &v,
                                    sizeof(v)) != 0) {
        __builtin_trap();
      }
    }
  }
  if(opts & 0x10) {
    for(i = 0; i < size; ++i) {
      if(spdylay_session_mem_recv(session, data + i, 1) < 0) {
        break;
      }
      if((i & 255) == 255) {
        spdylay_session_send(session);
      }
    }
  } else {
    spdylay_session_mem_recv(session, data, size);
  }
  spdylay_session_in_ctrl_frame(session);
  if(spdylay_session_get_limit_exceeded(session) != SPDYLAY_LIMIT_NONE) {
    /* a failed session ignores input and only wants to write its GOAWAY */
    if(spdylay_session_mem_recv(session, data, size) != SPDYLAY_ERR_FLOODED ||
       spdylay_session_want_read(session)) {
      __builtin_trap();
    }
  }
  spdylay_session_send(session);
  spdylay_session_want_read(session);
  spdylay_session_want_write(session);
  spdylay_session_get_outbound_queue_size(session);
  spdylay_session_get_recv_data_length(session);
  spdylay_session_get_stream_recv_data_length(session, 1);
  spdylay_session_resume_data(session, 1);
  spdylay_submit_rst_stream(session, 1, SPDYLAY_CANCEL);
  spdylay_submit_goaway(session, SPDYLAY_GOAWAY_OK);
  spdylay_session_send(session);
  spdylay_session_del(session);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint16_t version;
  uint8_t opts;
  if(size < 1) {
    return 0;
  }
  opts = data[0];
  switch(opts & 0x03) {
  case 0: version = SPDYLAY_PROTO_SPDY2; break;
  case 1: version = SPDYLAY_PROTO_SPDY3; break;
  default: version = SPDYLAY_PROTO_SPDY3_1; break;
  }
  run(version, 1, opts, data + 1, size - 1);
  run(version, 0, opts, data + 1, size - 1);
  return 0;
}
