/*
 * bench/spdy-session/session_c.c: the same work as bench/spdy-session/index.js
 * done by our C library (deps/spdylay) driven from C, for the ratios.
 *
 *   session_c rt VERSION SECONDS INFLIGHT BODY [HEADERS] -> {"rps": ...}
 *   session_c data VERSION SECONDS SIZE          -> {"mbps": ...}
 *
 * rt:   a client and a server session wired in memory; the client keeps
 *       INFLIGHT GET requests open, the server answers each from
 *       on_request_recv_callback with a BODY-byte response; counts completed
 *       round trips per second. With HEADERS=1 (default) both sides look at
 *       received SYN_STREAM / SYN_REPLY name/value lists and the client at
 *       DATA chunks (as the JS side does); HEADERS=0 registers neither.
 * data: one GET whose response is SIZE bytes (read_callback copies from a
 *       buffer of that size); MB/s (1 MB = 2^20 bytes) of DATA payload
 *       through both sessions.
 */
#include <spdylay/spdylay.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  spdylay_session *peer; /* send_cb feeds it directly */
  size_t moved;
  /* client */
  long completed, submitted, target;
  size_t body_bytes;
  /* server */
  const uint8_t *resp;
  size_t resp_len;
  size_t nv_seen;
} side_t;

typedef struct {
  size_t pos;
} src_t;

static ssize_t send_cb(spdylay_session *s, const uint8_t *data, size_t len, int flags, void *ud) {
  (void)s; (void)flags;
  side_t *side = ud;
  side->moved += len;
  if (spdylay_session_mem_recv(side->peer, data, len) != (ssize_t)len) exit(3);
  return (ssize_t)len;
}

static void ctrl_recv_cb(spdylay_session *s, spdylay_frame_type type, spdylay_frame *frame, void *ud) {
  (void)s;
  side_t *side = ud;
  char **nv = NULL;
  if (type == SPDYLAY_SYN_STREAM) nv = frame->syn_stream.nv;
  else if (type == SPDYLAY_SYN_REPLY) nv = frame->syn_reply.nv;
  if (nv) for (char **p = nv; *p; p += 2) side->nv_seen += strlen(p[0]) + strlen(p[1]);
}

static void chunk_cb(spdylay_session *s, uint8_t flags, int32_t sid, const uint8_t *data, size_t len, void *ud) {
  (void)s; (void)flags; (void)sid; (void)data;
  ((side_t *)ud)->body_bytes += len;
}

static ssize_t read_cb(spdylay_session *s, int32_t sid, uint8_t *buf, size_t len, int *eof,
                       spdylay_data_source *source, void *ud) {
  (void)s; (void)sid;
  side_t *side = ud;
  src_t *src = source->ptr;
  size_t n = side->resp_len - src->pos;
  if (n > len) n = len;
  memcpy(buf, side->resp + src->pos, n);
  src->pos += n;
  if (src->pos >= side->resp_len) {
    *eof = 1;
    free(src);
  }
  return (ssize_t)n;
}

static const char *req_nv[] = {":method", "GET", ":path", "/", ":version", "HTTP/1.1",
                               ":host", "localhost", ":scheme", "http", NULL};
static const char *res_nv[] = {":status", "200 OK", ":version", "HTTP/1.1", NULL};

static void request_recv_cb(spdylay_session *s, int32_t sid, void *ud) {
  (void)ud;
  spdylay_data_provider prd;
  prd.source.ptr = calloc(1, sizeof(src_t));
  prd.read_callback = read_cb;
  spdylay_submit_response(s, sid, res_nv, &prd);
}

static void stream_close_cb(spdylay_session *s, int32_t sid, spdylay_status_code code, void *ud) {
  (void)sid; (void)code;
  side_t *side = ud;
  side->completed++;
  if (side->submitted < side->target) {
    side->submitted++;
    spdylay_submit_request(s, 3, req_nv, NULL, NULL);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time, as the JS side */
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int observe = 1;

static void make_pair(int version, side_t *cs, side_t *ss, spdylay_session **c, spdylay_session **s) {
  spdylay_session_callbacks cb;
  memset(&cb, 0, sizeof(cb));
  cb.send_callback = send_cb;
  if (observe) {
    cb.on_ctrl_recv_callback = ctrl_recv_cb;
    cb.on_data_chunk_recv_callback = chunk_cb;
  }
  cb.on_stream_close_callback = stream_close_cb;
  spdylay_session_client_new(c, (uint16_t)version, &cb, cs);
  cb.on_stream_close_callback = NULL;
  cb.on_request_recv_callback = request_recv_cb;
  spdylay_session_server_new(s, (uint16_t)version, &cb, ss);
  cs->peer = *s;
  ss->peer = *c;
}

/* One pump round; returns bytes moved. Each send callback feeds the
 * peer's mem_recv directly. */
static size_t pump(spdylay_session *c, spdylay_session *s, side_t *cs, side_t *ss) {
  size_t before = cs->moved + ss->moved;
  if (spdylay_session_send(c) != 0) exit(2);
  if (spdylay_session_send(s) != 0) exit(2);
  return cs->moved + ss->moved - before;
}

int main(int argc, char **argv) {
  if (argc < 5) return 1;
  const char *mode = argv[1];
  int version = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (strcmp(mode, "rt") == 0) {
    int inflight = atoi(argv[4]);
    size_t body = (size_t)atol(argv[5]);
    if (argc > 6) observe = atoi(argv[6]);
    uint8_t *resp = malloc(body);
    memset(resp, 'x', body);
    long total = 0;
    double t0 = now(), dt;
    do {
      /* a connection carries 10000 requests, then a fresh pair */
      side_t cs = {0}, ss = {0};
      ss.resp = resp;
      ss.resp_len = body;
      cs.target = 10000;
      spdylay_session *c, *s;
      make_pair(version, &cs, &ss, &c, &s);
      for (int i = 0; i < inflight; i++) {
        cs.submitted++;
        spdylay_submit_request(c, 3, req_nv, NULL, NULL);
      }
      while (cs.completed < cs.target && pump(c, s, &cs, &ss) > 0) {
      }
      total += cs.completed;
      spdylay_session_del(c);
      spdylay_session_del(s);
      dt = now() - t0;
    } while (dt < seconds);
    printf("{\"rps\": %.1f}\n", total / dt);
  } else {
    size_t size = (size_t)atol(argv[4]);
    uint8_t *resp = malloc(size);
    for (size_t i = 0; i < size; i++) resp[i] = (uint8_t)i;
    double bytes = 0;
    double t0 = now(), dt;
    do {
      side_t cs = {0}, ss = {0};
      ss.resp = resp;
      ss.resp_len = size;
      spdylay_session *c, *s;
      make_pair(version, &cs, &ss, &c, &s);
      cs.target = 0;
      spdylay_submit_request(c, 3, req_nv, NULL, NULL);
      while (pump(c, s, &cs, &ss) > 0) {
      }
      if (cs.body_bytes != size) {
        fprintf(stderr, "got %zu of %zu bytes\n", cs.body_bytes, size);
        return 3;
      }
      bytes += (double)cs.body_bytes;
      spdylay_session_del(c);
      spdylay_session_del(s);
      dt = now() - t0;
    } while (dt < seconds);
    printf("{\"mbps\": %.1f}\n", bytes / 1048576.0 / dt);
  }
  return 0;
}
