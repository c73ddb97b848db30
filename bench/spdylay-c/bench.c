/*
 * bench.c - throughput figures for the spdylay C library, printed next to
 * the reference library's figures from golden/spdylay/README.md.
 *
 *  1. SYN_STREAM pack + unpack per second (SPDY/3, header set A), with a
 *     server-style (level 9) and a client-style (level 0) compressor.
 *  2. request/response round trips per second through a client and a
 *     server session in one process (100-byte bodies, 10 in flight),
 *     SPDY/2, SPDY/3 and SPDY/3.1.
 *  3. DATA throughput (MB/s) of a 64 MiB request body, SPDY/3.
 *
 * Rates use process CPU time; each figure is the median of N runs
 * (default 5, override with argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spdylay/spdylay.h>
#include "spdylay_frame.h"
#include "spdylay_hdcomp.h"
#include "hd_inflate_into.h"


static int nruns = 5;

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return v[n / 2];
}

/* header set A */
static const char *nv_a[] = {
  ":method", "GET", ":scheme", "https", ":path", "/",
  ":version", "HTTP/1.1", ":host", "localhost:3000", "accept", "*/*",
  "user-agent", "spdy-ref/1.0", NULL
};

/* a realistic browser request */
static const char *nv_browser[] = {
  ":method", "GET", ":scheme", "https", ":path",
  "/static/js/app.bundle.js?v=20240601",
  ":version", "HTTP/1.1", ":host", "www.example.com",
  "accept", "*/*",
  "accept-encoding", "gzip, deflate, br",
  "accept-language", "en-US,en;q=0.9,de;q=0.8",
  "cache-control", "no-cache",
  "cookie", "session=3f2a9c7d1e6b4a0f8c5d2e1b9a7c6d5e; theme=dark; "
  "_ga=GA1.2.123456789.1700000000",
  "referer", "https://www.example.com/",
  "user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  NULL
};

/* ------------------------------------------------------------------ */

static double bench_pack_unpack(const char **nv, int server, int iters)
{
  spdylay_hd_deflater def;
  spdylay_hd_inflater inf;
  spdylay_buffer buf, nvbuf, hb;
  char **nvcopy;
  double t0, t1;
  int i;

  spdylay_hd_deflater_init(&def, 3, server);
  spdylay_hd_inflater_init(&inf, 3);
  spdylay_buffer_init(&buf);
  spdylay_buffer_init(&nvbuf);
  spdylay_buffer_init(&hb);
  spdylay_nv_normalized_clone(&nvcopy, nv);
  t0 = cpu_now();
  for(i = 0; i < iters; ++i) {
    spdylay_frame frame;
    spdylay_syn_stream out;
    ssize_t n;
    int overflow = 0;
    size_t inflated = 0;
    spdylay_frame_begin(&frame, 3, SPDYLAY_SYN_STREAM, SPDYLAY_CTRL_FLAG_FIN);
    frame.syn_stream.stream_id = 2 * i + 1;
    frame.syn_stream.pri = 3;
    frame.syn_stream.nv = nvcopy;
    n = spdylay_frame_encode_syn_stream(&buf, &nvbuf, &frame.syn_stream, &def);
    if(n < 0) {
      fprintf(stderr, "pack failed\n");
      exit(1);
    }
    spdylay_buffer_reset(&hb);
    if(inflate_into(&inf, &hb, 1 << 24, &overflow, &inflated,
                    1 << 24, buf.buf + 18, (size_t)n - 18) != 0 ||
       spdylay_frame_decode_syn_stream(&out, buf.buf, buf.buf + 8, 10,
                                       hb.buf, hb.len) != 0) {
      fprintf(stderr, "unpack failed\n");
      exit(1);
    }
    spdylay_nv_free(out.nv);
  }
  t1 = cpu_now();
  spdylay_nv_free(nvcopy);
  spdylay_buffer_free(&buf);
  spdylay_buffer_free(&nvbuf);
  spdylay_buffer_free(&hb);
  spdylay_hd_deflater_end(&def);
  spdylay_hd_inflater_end(&inf);
  return iters / (t1 - t0);
}

/* ------------------------------------------------------------------ */
/* client/server pair wired back to back: the send callback of one side
   feeds the other side's spdylay_session_mem_recv directly */

typedef struct {
  spdylay_session *client, *server;
  size_t body_len;
  long completed;
  long submitted;
  long target;
  uint64_t received;
} pair_ctx;

static uint8_t pattern[4096];

static ssize_t client_send(spdylay_session *session, const uint8_t *data,
                           size_t length, int flags, void *user_data)
{
  pair_ctx *ctx = user_data;
  (void)session; (void)flags;
  spdylay_session_mem_recv(ctx->server, data, length);
  return (ssize_t)length;
}

static ssize_t server_send(spdylay_session *session, const uint8_t *data,
                           size_t length, int flags, void *user_data)
{
  pair_ctx *ctx = user_data;
  (void)session; (void)flags;
  spdylay_session_mem_recv(ctx->client, data, length);
  return (ssize_t)length;
}

static ssize_t body_read(spdylay_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, int *eof,
                         spdylay_data_source *source, void *user_data)
{
  size_t *left = source->ptr;
  size_t n = *left < length ? *left : length;
  (void)session; (void)stream_id; (void)user_data;
  memcpy(buf, pattern, n);
  *left -= n;
  if(*left == 0) {
    *eof = 1;
  }
  return (ssize_t)n;
}

static size_t response_left[1 << 16];

static void server_on_request(spdylay_session *session, int32_t stream_id,
                              void *user_data)
{
  static const char *res[] = { ":status", "200 OK", ":version", "HTTP/1.1",
                               "content-type", "text/plain",
                               "server", "bench", NULL };
  pair_ctx *ctx = user_data;
  spdylay_data_provider prd;
  size_t *left = &response_left[(stream_id >> 1) & 0xffff];
  *left = ctx->body_len;
  prd.source.ptr = left;
  prd.read_callback = body_read;
  spdylay_submit_response(session, stream_id, res, &prd);
}

static void client_on_close(spdylay_session *session, int32_t stream_id,
                            spdylay_status_code status, void *user_data)
{
  pair_ctx *ctx = user_data;
  (void)session; (void)stream_id; (void)status;
  ++ctx->completed;
  if(ctx->submitted < ctx->target) {
    ++ctx->submitted;
    spdylay_submit_request(ctx->client, 3, nv_a, NULL, NULL);
  }
}

static void on_chunk(spdylay_session *session, uint8_t flags,
                     int32_t stream_id, const uint8_t *data, size_t len,
                     void *user_data)
{
  pair_ctx *ctx = user_data;
  (void)session; (void)flags; (void)stream_id; (void)data;
  ctx->received += len;
}

static double bench_round_trips(uint16_t version, long total, int inflight)
{
  spdylay_session_callbacks ccb, scb;
  pair_ctx ctx;
  double t0, t1;
  int i;
  memset(&ctx, 0, sizeof(ctx));
  memset(&ccb, 0, sizeof(ccb));
  memset(&scb, 0, sizeof(scb));
  ccb.send_callback = client_send;
  ccb.on_stream_close_callback = client_on_close;
  ccb.on_data_chunk_recv_callback = on_chunk;
  scb.send_callback = server_send;
  scb.on_request_recv_callback = server_on_request;
  ctx.body_len = 100;
  ctx.target = total;
  spdylay_session_client_new(&ctx.client, version, &ccb, &ctx);
  spdylay_session_server_new(&ctx.server, version, &scb, &ctx);
  t0 = cpu_now();
  for(i = 0; i < inflight; ++i) {
    ++ctx.submitted;
    spdylay_submit_request(ctx.client, 3, nv_a, NULL, NULL);
  }
  while(ctx.completed < total) {
    if(spdylay_session_send(ctx.client) != 0 ||
       spdylay_session_send(ctx.server) != 0) {
      fprintf(stderr, "send failed\n");
      exit(1);
    }
  }
  t1 = cpu_now();
  spdylay_session_del(ctx.client);
  spdylay_session_del(ctx.server);
  return total / (t1 - t0);
}

static double bench_data(uint16_t version, size_t body)
{
  static const char *req[] = { ":method", "POST", ":scheme", "https",
                               ":path", "/upload", ":version", "HTTP/1.1",
                               ":host", "localhost:3000", NULL };
  spdylay_session_callbacks ccb, scb;
  spdylay_data_provider prd;
  pair_ctx ctx;
  size_t left = body;
  double t0, t1;
  memset(&ctx, 0, sizeof(ctx));
  memset(&ccb, 0, sizeof(ccb));
  memset(&scb, 0, sizeof(scb));
  ccb.send_callback = client_send;
  scb.send_callback = server_send;
  scb.on_data_chunk_recv_callback = on_chunk;
  spdylay_session_client_new(&ctx.client, version, &ccb, &ctx);
  spdylay_session_server_new(&ctx.server, version, &scb, &ctx);
  prd.source.ptr = &left;
  prd.read_callback = body_read;
  t0 = cpu_now();
  spdylay_submit_request(ctx.client, 3, req, &prd, NULL);
  while(ctx.received < body) {
    if(spdylay_session_send(ctx.client) != 0 ||
       spdylay_session_send(ctx.server) != 0) {
      fprintf(stderr, "send failed\n");
      exit(1);
    }
  }
  t1 = cpu_now();
  spdylay_session_del(ctx.client);
  spdylay_session_del(ctx.server);
  return (double)body / (1024.0 * 1024.0) / (t1 - t0);
}

/* ------------------------------------------------------------------ */

static void row(const char *what, double ours, double ref, const char *unit)
{
  if(ref > 0) {
    printf("%-58s %12.0f %12.0f %-9s %6.2fx\n", what, ours, ref, unit,
           ours / ref);
  } else {
    printf("%-58s %12.0f %12s %-9s %7s\n", what, ours, "-", unit, "-");
  }
}

int main(int argc, char **argv)
{
  double v[64];
  int r;
  size_t i;
  if(argc > 1) {
    nruns = atoi(argv[1]);
    if(nruns < 1 || nruns > 64) nruns = 5;
  }
  for(i = 0; i < sizeof(pattern); ++i) pattern[i] = (uint8_t)(i % 251);

  printf("spdylay C library benchmark (medians of %d runs, CPU time)\n",
         nruns);
  printf("%-58s %12s %12s %-9s %7s\n", "work", "ours", "reference", "unit",
         "ratio");

  for(r = 0; r < nruns; ++r) v[r] = bench_pack_unpack(nv_a, 1, 100000);
  row("SYN_STREAM pack+unpack, SPDY/3, header set A, level 9",
      median(v, nruns), 450000, "frames/s");
  for(r = 0; r < nruns; ++r) v[r] = bench_pack_unpack(nv_a, 0, 100000);
  row("SYN_STREAM pack+unpack, SPDY/3, header set A, level 0",
      median(v, nruns), 890000, "frames/s");
  for(r = 0; r < nruns; ++r) v[r] = bench_pack_unpack(nv_browser, 1, 50000);
  row("SYN_STREAM pack+unpack, SPDY/3, browser headers, level 9",
      median(v, nruns), 0, "frames/s");
  for(r = 0; r < nruns; ++r) v[r] = bench_pack_unpack(nv_browser, 0, 50000);
  row("SYN_STREAM pack+unpack, SPDY/3, browser headers, level 0",
      median(v, nruns), 0, "frames/s");

  for(r = 0; r < nruns; ++r) v[r] = bench_round_trips(2, 100000, 10);
  row("round trips, SPDY/2, 100-byte bodies, 10 in flight",
      median(v, nruns), 225000, "req/s");
  for(r = 0; r < nruns; ++r) v[r] = bench_round_trips(3, 100000, 10);
  row("round trips, SPDY/3, 100-byte bodies, 10 in flight",
      median(v, nruns), 273000, "req/s");
  for(r = 0; r < nruns; ++r) v[r] = bench_round_trips(4, 100000, 10);
  row("round trips, SPDY/3.1, 100-byte bodies, 10 in flight",
      median(v, nruns), 262000, "req/s");

  for(r = 0; r < nruns; ++r) v[r] = bench_data(3, (size_t)64 << 20);
  row("DATA, 64 MiB body, SPDY/3", median(v, nruns), 21000.0 * 1000 * 1000 /
      (1024.0 * 1024.0), "MiB/s");
  printf("(reference figures: real spdylay 1.4 with zlib 1.2.13, gcc -O2, "
         "from golden/spdylay/README.md;\n compare ratios measured on the "
         "same machine, not absolute numbers)\n");
  return 0;
}
