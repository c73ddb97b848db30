/*
 * golden_driver.c - replays a golden scenario script with this library
 * and prints what happened as JSON lines.
 *
 * The script (stdin) is produced by golden_compare.py from the recorded
 * traces.  One command per line:
 *
 *   proto <2|3|4>                       create a client and a server session
 *   call <side> <api> <args...>         call an API function on a session
 *   hook <side> <stream_id>             following calls (until endhook) run
 *   endhook                             inside on_request_recv_cb(stream_id)
 *   deliver <from> <to>                 move <from>'s sent bytes to <to>
 *   inject <to> <hex>                   set <to>'s pending input bytes
 *   state <label>                       print want_read/want_write/...
 *
 * <side> is "client" or "server".  Strings are hex encoded; a name/value
 * list is "-" (empty) or "hexname=hexvalue,..." .  A data provider is "-"
 * or "len,chunk_limit,defer_first,salt" (chunk_limit 0 = none).
 *
 * Output: one JSON object per line: {"side","kind":"call","call"},
 * {"side","kind":"ret","rc"}, {"side","kind":"callback","cb","args"},
 * {"kind":"deliver",...}, {"kind":"state",...}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spdylay/spdylay.h>

#define MAX_LINE (1 << 20)
#define MAX_HOOK_CALLS 64
#define MAX_PROVIDERS 256

typedef struct {
  size_t len;
  size_t chunk_limit;
  int defer_first;
  int deferred_once;
  unsigned salt;
  size_t pos;
} body_source;

typedef struct {
  spdylay_session *session;
  const char *name;
  /* bytes sent by this side, not yet delivered */
  uint8_t *out;
  size_t outlen, outcap;
  /* bytes to be fed to this side */
  uint8_t *in;
  size_t inlen;
  /* hook: calls to run in on_request_recv_cb */
  int32_t hook_stream_id[MAX_HOOK_CALLS];
  char *hook_calls[MAX_HOOK_CALLS];
  int nhooks;
} side_t;

static side_t sides[2];
static body_source providers[MAX_PROVIDERS];
static int nproviders;

static void run_call(side_t *side, char *line);

/* ---------------- output helpers ---------------- */

static void put_hex(const uint8_t *data, size_t len)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;
  putchar('"');
  for(i = 0; i < len; ++i) {
    putchar(digits[data[i] >> 4]);
    putchar(digits[data[i] & 0xf]);
  }
  putchar('"');
}

static void put_str_hex(const char *s)
{
  put_hex((const uint8_t*)s, strlen(s));
}

static void put_nv(char **nv)
{
  size_t i;
  printf("[");
  if(nv) {
    for(i = 0; nv[i]; i += 2) {
      printf(i ? ",[" : "[");
      put_str_hex(nv[i]);
      printf(",");
      put_str_hex(nv[i + 1]);
      printf("]");
    }
  }
  printf("]");
}

static void put_frame(spdylay_frame *frame)
{
  spdylay_ctrl_hd *hd = &frame->ctrl.hd;
  size_t i;
  printf("{\"frame_type\":%u,\"version\":%u,\"flags\":%u,\"length\":%d",
         hd->type, hd->version, hd->flags, hd->length);
  switch(hd->type) {
  case SPDYLAY_SYN_STREAM:
    printf(",\"stream_id\":%d,\"assoc_stream_id\":%d,\"pri\":%u,\"nv\":",
           frame->syn_stream.stream_id, frame->syn_stream.assoc_stream_id,
           frame->syn_stream.pri);
    put_nv(frame->syn_stream.nv);
    break;
  case SPDYLAY_SYN_REPLY:
    printf(",\"stream_id\":%d,\"nv\":", frame->syn_reply.stream_id);
    put_nv(frame->syn_reply.nv);
    break;
  case SPDYLAY_HEADERS:
    printf(",\"stream_id\":%d,\"nv\":", frame->headers.stream_id);
    put_nv(frame->headers.nv);
    break;
  case SPDYLAY_RST_STREAM:
    printf(",\"stream_id\":%d,\"status_code\":%u",
           frame->rst_stream.stream_id, frame->rst_stream.status_code);
    break;
  case SPDYLAY_SETTINGS:
    printf(",\"iv\":[");
    for(i = 0; i < frame->settings.niv; ++i) {
      printf("%s[%d,%u,%u]", i ? "," : "",
             frame->settings.iv[i].settings_id, frame->settings.iv[i].flags,
             frame->settings.iv[i].value);
    }
    printf("]");
    break;
  case SPDYLAY_PING:
    printf(",\"unique_id\":%u", frame->ping.unique_id);
    break;
  case SPDYLAY_GOAWAY:
    printf(",\"last_good_stream_id\":%d,\"status_code\":%u",
           frame->goaway.last_good_stream_id, frame->goaway.status_code);
    break;
  case SPDYLAY_WINDOW_UPDATE:
    printf(",\"stream_id\":%d,\"delta_window_size\":%d",
           frame->window_update.stream_id,
           frame->window_update.delta_window_size);
    break;
  default:
    break;
  }
  printf("}");
}

static side_t* side_of(spdylay_session *session)
{
  return sides[0].session == session ? &sides[0] : &sides[1];
}

static void cb_head(spdylay_session *session, const char *cb)
{
  printf("{\"side\":\"%s\",\"kind\":\"callback\",\"cb\":\"%s\",\"args\":",
         side_of(session)->name, cb);
}

/* ---------------- callbacks ---------------- */

static ssize_t send_cb(spdylay_session *session, const uint8_t *data,
                       size_t length, int flags, void *user_data)
{
  side_t *side = side_of(session);
  (void)flags;
  (void)user_data;
  cb_head(session, "send_cb");
  printf("{\"len\":%zu,\"hex\":", length);
  put_hex(data, length);
  printf("}}\n");
  if(side->outlen + length > side->outcap) {
    side->outcap = (side->outlen + length) * 2;
    side->out = realloc(side->out, side->outcap);
  }
  memcpy(side->out + side->outlen, data, length);
  side->outlen += length;
  return (ssize_t)length;
}

static void frame_cb(spdylay_session *session, const char *cb,
                     spdylay_frame *frame)
{
  cb_head(session, cb);
  printf("{\"frame\":");
  put_frame(frame);
  printf("}}\n");
}

static void on_ctrl_recv_cb(spdylay_session *session, spdylay_frame_type type,
                            spdylay_frame *frame, void *user_data)
{
  (void)type;
  (void)user_data;
  frame_cb(session, "on_ctrl_recv_cb", frame);
}

static void before_ctrl_send_cb(spdylay_session *session,
                                spdylay_frame_type type,
                                spdylay_frame *frame, void *user_data)
{
  (void)type;
  (void)user_data;
  frame_cb(session, "before_ctrl_send_cb", frame);
}

static void on_ctrl_send_cb(spdylay_session *session, spdylay_frame_type type,
                            spdylay_frame *frame, void *user_data)
{
  (void)type;
  (void)user_data;
  frame_cb(session, "on_ctrl_send_cb", frame);
}

static void on_invalid_ctrl_recv_cb(spdylay_session *session,
                                    spdylay_frame_type type,
                                    spdylay_frame *frame,
                                    uint32_t status_code, void *user_data)
{
  (void)type;
  (void)user_data;
  cb_head(session, "on_invalid_ctrl_recv_cb");
  printf("{\"frame\":");
  put_frame(frame);
  printf(",\"status_code\":%u}}\n", status_code);
}

static void on_ctrl_not_send_cb(spdylay_session *session,
                                spdylay_frame_type type,
                                spdylay_frame *frame, int error_code,
                                void *user_data)
{
  (void)type;
  (void)user_data;
  cb_head(session, "on_ctrl_not_send_cb");
  printf("{\"frame\":");
  put_frame(frame);
  printf(",\"error_code\":%d}}\n", error_code);
}

static void on_data_chunk_recv_cb(spdylay_session *session, uint8_t flags,
                                  int32_t stream_id, const uint8_t *data,
                                  size_t len, void *user_data)
{
  (void)user_data;
  cb_head(session, "on_data_chunk_recv_cb");
  printf("{\"flags\":%u,\"stream_id\":%d,\"data\":", flags, stream_id);
  put_hex(data, len);
  printf("}}\n");
}

static void on_data_recv_cb(spdylay_session *session, uint8_t flags,
                            int32_t stream_id, int32_t length,
                            void *user_data)
{
  (void)user_data;
  cb_head(session, "on_data_recv_cb");
  printf("{\"flags\":%u,\"stream_id\":%d,\"length\":%d}}\n", flags,
         stream_id, length);
}

static void on_data_send_cb(spdylay_session *session, uint8_t flags,
                            int32_t stream_id, int32_t length,
                            void *user_data)
{
  (void)user_data;
  cb_head(session, "on_data_send_cb");
  printf("{\"flags\":%u,\"stream_id\":%d,\"length\":%d}}\n", flags,
         stream_id, length);
}

static void on_stream_close_cb(spdylay_session *session, int32_t stream_id,
                               spdylay_status_code status_code,
                               void *user_data)
{
  (void)user_data;
  cb_head(session, "on_stream_close_cb");
  printf("{\"stream_id\":%d,\"status_code\":%d}}\n", stream_id,
         (int)status_code);
}

static void on_request_recv_cb(spdylay_session *session, int32_t stream_id,
                               void *user_data)
{
  side_t *side = side_of(session);
  int i;
  (void)user_data;
  cb_head(session, "on_request_recv_cb");
  printf("{\"stream_id\":%d}}\n", stream_id);
  for(i = 0; i < side->nhooks; ++i) {
    if(side->hook_stream_id[i] == stream_id && side->hook_calls[i]) {
      char *line = side->hook_calls[i];
      side->hook_calls[i] = NULL;
      run_call(side, line);
      free(line);
    }
  }
}

static void on_parse_error_cb(spdylay_session *session,
                              spdylay_frame_type type, const uint8_t *head,
                              size_t headlen, const uint8_t *payload,
                              size_t payloadlen, int error_code,
                              void *user_data)
{
  (void)user_data;
  cb_head(session, "on_ctrl_recv_parse_error_cb");
  printf("{\"frame_type\":%d,\"head_hex\":", (int)type);
  put_hex(head, headlen);
  printf(",\"payload\":");
  put_hex(payload, payloadlen);
  printf(",\"error_code\":%d}}\n", error_code);
}

static void on_unknown_cb(spdylay_session *session, const uint8_t *head,
                          size_t headlen, const uint8_t *payload,
                          size_t payloadlen, void *user_data)
{
  (void)user_data;
  cb_head(session, "on_unknown_ctrl_recv_cb");
  printf("{\"head_hex\":");
  put_hex(head, headlen);
  printf(",\"payload\":");
  put_hex(payload, payloadlen);
  printf("}}\n");
}

static ssize_t read_cb(spdylay_session *session, int32_t stream_id,
                       uint8_t *buf, size_t length, int *eof,
                       spdylay_data_source *source, void *user_data)
{
  body_source *src = source->ptr;
  size_t n, i;
  (void)user_data;
  cb_head(session, "read_cb");
  if(src->defer_first && !src->deferred_once) {
    src->deferred_once = 1;
    printf("{\"stream_id\":%d,\"length\":%zu,\"returned\":\"ERR_DEFERRED\","
           "\"eof\":false}}\n", stream_id, length);
    return SPDYLAY_ERR_DEFERRED;
  }
  n = src->len - src->pos;
  if(n > length) n = length;
  if(src->chunk_limit && n > src->chunk_limit) n = src->chunk_limit;
  for(i = 0; i < n; ++i) {
    buf[i] = (uint8_t)((src->pos + i + src->salt) % 251);
  }
  src->pos += n;
  if(src->pos == src->len) {
    *eof = 1;
  }
  printf("{\"stream_id\":%d,\"length\":%zu,\"returned\":%zu,\"eof\":%s}}\n",
         stream_id, length, n, *eof ? "true" : "false");
  return (ssize_t)n;
}

/* ---------------- script parsing ---------------- */

static int unhex_nibble(char c)
{
  if(c >= '0' && c <= '9') return c - '0';
  if(c >= 'a' && c <= 'f') return c - 'a' + 10;
  if(c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* decodes |len| hex digits at |hex| into a new NUL-terminated buffer */
static uint8_t* unhex(const char *hex, size_t len, size_t *outlen)
{
  uint8_t *out = malloc(len / 2 + 1);
  size_t i;
  for(i = 0; i + 1 < len; i += 2) {
    out[i / 2] = (uint8_t)(unhex_nibble(hex[i]) << 4 | unhex_nibble(hex[i + 1]));
  }
  out[len / 2] = 0;
  if(outlen) *outlen = len / 2;
  return out;
}

/* parses "-" or "hexname=hexvalue,..." into a NULL-terminated array */
static const char** parse_nv(const char *s)
{
  size_t n = 0, i = 0;
  const char *p;
  const char **nv;
  if(strcmp(s, "-") != 0) {
    n = 1;
    for(p = s; *p; ++p) if(*p == ',') ++n;
  }
  nv = calloc(n * 2 + 1, sizeof(char*));
  p = s;
  for(i = 0; i < n; ++i) {
    const char *eq = strchr(p, '=');
    const char *end = strchr(eq, ',');
    if(end == NULL) end = eq + strlen(eq);
    nv[i * 2] = (char*)unhex(p, (size_t)(eq - p), NULL);
    nv[i * 2 + 1] = (char*)unhex(eq + 1, (size_t)(end - eq - 1), NULL);
    p = end + 1;
  }
  return nv;
}

static void free_nv(const char **nv)
{
  size_t i;
  for(i = 0; nv[i]; ++i) free((void*)nv[i]);
  free(nv);
}

static int parse_prd(const char *s, spdylay_data_provider *prd)
{
  body_source *src;
  unsigned long len, chunk, defer, salt;
  if(strcmp(s, "-") == 0) {
    return 0;
  }
  if(sscanf(s, "%lu,%lu,%lu,%lu", &len, &chunk, &defer, &salt) != 4 ||
     nproviders == MAX_PROVIDERS) {
    fprintf(stderr, "bad provider %s\n", s);
    exit(2);
  }
  src = &providers[nproviders++];
  memset(src, 0, sizeof(*src));
  src->len = len;
  src->chunk_limit = chunk;
  src->defer_first = (int)defer;
  src->salt = (unsigned)salt;
  prd->source.ptr = src;
  prd->read_callback = read_cb;
  return 1;
}

static side_t* parse_side(const char *s)
{
  if(strcmp(s, "client") == 0) return &sides[0];
  if(strcmp(s, "server") == 0) return &sides[1];
  fprintf(stderr, "bad side %s\n", s);
  exit(2);
}

#define NEXT() strtok(NULL, " \n")

/* |line| is "<api> <args...>" */
static void run_call(side_t *side, char *line)
{
  char *api = strtok(line, " \n");
  spdylay_session *session = side->session;
  long rc = 0;
  printf("{\"side\":\"%s\",\"kind\":\"call\",\"call\":\"%s\"}\n", side->name,
         api);
  if(strcmp(api, "send") == 0) {
    rc = spdylay_session_send(session);
  } else if(strcmp(api, "recv") == 0) {
    uint8_t *in = side->in;
    size_t inlen = side->inlen;
    side->in = NULL;
    side->inlen = 0;
    rc = spdylay_session_mem_recv(session, in, inlen);
    if(rc == (long)inlen) rc = 0;
    free(in);
  } else if(strcmp(api, "submit_request") == 0) {
    int pri = atoi(NEXT());
    const char **nv = parse_nv(NEXT());
    spdylay_data_provider prd;
    int has = parse_prd(NEXT(), &prd);
    rc = spdylay_submit_request(session, (uint8_t)pri, nv, has ? &prd : NULL,
                                NULL);
    free_nv(nv);
  } else if(strcmp(api, "submit_response") == 0) {
    int32_t stream_id = atoi(NEXT());
    const char **nv = parse_nv(NEXT());
    spdylay_data_provider prd;
    int has = parse_prd(NEXT(), &prd);
    rc = spdylay_submit_response(session, stream_id, nv, has ? &prd : NULL);
    free_nv(nv);
  } else if(strcmp(api, "submit_syn_stream") == 0) {
    int flags = atoi(NEXT());
    int pri = atoi(NEXT());
    const char **nv = parse_nv(NEXT());
    int32_t assoc = atoi(NEXT());
    rc = spdylay_submit_syn_stream(session, (uint8_t)flags, assoc,
                                   (uint8_t)pri, nv, NULL);
    free_nv(nv);
  } else if(strcmp(api, "submit_ping") == 0) {
    rc = spdylay_submit_ping(session);
  } else if(strcmp(api, "submit_settings") == 0) {
    int flags = atoi(NEXT());
    char *ivs = NEXT();
    spdylay_settings_entry iv[16];
    size_t niv = 0;
    if(strcmp(ivs, "-") != 0) {
      char *tok, *save = NULL;
      for(tok = strtok_r(ivs, ",", &save); tok && niv < 16;
          tok = strtok_r(NULL, ",", &save)) {
        unsigned long id, fl, value;
        sscanf(tok, "%lu:%lu:%lu", &id, &fl, &value);
        iv[niv].settings_id = (int32_t)id;
        iv[niv].flags = (uint8_t)fl;
        iv[niv].value = (uint32_t)value;
        ++niv;
      }
    }
    rc = spdylay_submit_settings(session, (uint8_t)flags, iv, niv);
  } else if(strcmp(api, "submit_window_update") == 0) {
    int32_t stream_id = atoi(NEXT());
    int32_t delta = atoi(NEXT());
    rc = spdylay_submit_window_update(session, stream_id, delta);
  } else if(strcmp(api, "submit_rst_stream") == 0) {
    int32_t stream_id = atoi(NEXT());
    uint32_t status = (uint32_t)strtoul(NEXT(), NULL, 10);
    rc = spdylay_submit_rst_stream(session, stream_id, status);
  } else if(strcmp(api, "submit_goaway") == 0) {
    uint32_t status = (uint32_t)strtoul(NEXT(), NULL, 10);
    rc = spdylay_submit_goaway(session, status);
  } else if(strcmp(api, "resume_data") == 0) {
    int32_t stream_id = atoi(NEXT());
    rc = spdylay_session_resume_data(session, stream_id);
  } else {
    fprintf(stderr, "unknown api %s\n", api);
    exit(2);
  }
  printf("{\"side\":\"%s\",\"kind\":\"ret\",\"call\":\"%s\",\"rc\":%ld}\n",
         side->name, api, rc);
}

static void put_state(side_t *side)
{
  printf("\"%s\":{\"want_read\":%s,\"want_write\":%s,"
         "\"outbound_queue_size\":%zu,\"pri_lowest\":%u}", side->name,
         spdylay_session_want_read(side->session) ? "true" : "false",
         spdylay_session_want_write(side->session) ? "true" : "false",
         spdylay_session_get_outbound_queue_size(side->session),
         spdylay_session_get_pri_lowest(side->session));
}

int main(void)
{
  char *line = malloc(MAX_LINE);
  side_t *hook_side = NULL;
  int32_t hook_stream = 0;
  spdylay_session_callbacks callbacks;
  int i;

  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = send_cb;
  callbacks.on_ctrl_recv_callback = on_ctrl_recv_cb;
  callbacks.on_invalid_ctrl_recv_callback = on_invalid_ctrl_recv_cb;
  callbacks.on_data_chunk_recv_callback = on_data_chunk_recv_cb;
  callbacks.on_data_recv_callback = on_data_recv_cb;
  callbacks.before_ctrl_send_callback = before_ctrl_send_cb;
  callbacks.on_ctrl_send_callback = on_ctrl_send_cb;
  callbacks.on_ctrl_not_send_callback = on_ctrl_not_send_cb;
  callbacks.on_data_send_callback = on_data_send_cb;
  callbacks.on_stream_close_callback = on_stream_close_cb;
  callbacks.on_request_recv_callback = on_request_recv_cb;
  callbacks.on_ctrl_recv_parse_error_callback = on_parse_error_cb;
  callbacks.on_unknown_ctrl_recv_callback = on_unknown_cb;

  memset(sides, 0, sizeof(sides));
  sides[0].name = "client";
  sides[1].name = "server";

  while(fgets(line, MAX_LINE, stdin)) {
    char *cmd;
    char *rest;
    size_t l = strlen(line);
    if(l && line[l - 1] == '\n') line[--l] = '\0';
    if(l == 0) continue;
    rest = strchr(line, ' ');
    if(rest) *rest++ = '\0';
    cmd = line;
    if(hook_side && strcmp(cmd, "call") == 0) {
      char *sp = strchr(rest, ' ');
      side_t *s = parse_side(strtok(rest, " "));
      (void)s;
      hook_side->hook_stream_id[hook_side->nhooks] = hook_stream;
      hook_side->hook_calls[hook_side->nhooks] = strdup(sp + 1);
      ++hook_side->nhooks;
      continue;
    }
    if(strcmp(cmd, "proto") == 0) {
      int v = atoi(rest);
      if(spdylay_session_client_new(&sides[0].session, (uint16_t)v,
                                    &callbacks, NULL) != 0 ||
         spdylay_session_server_new(&sides[1].session, (uint16_t)v,
                                    &callbacks, NULL) != 0) {
        fprintf(stderr, "session creation failed\n");
        return 2;
      }
    } else if(strcmp(cmd, "call") == 0) {
      char *sp = strchr(rest, ' ');
      *sp = '\0';
      run_call(parse_side(rest), sp + 1);
    } else if(strcmp(cmd, "hook") == 0) {
      hook_side = parse_side(strtok(rest, " "));
      hook_stream = atoi(strtok(NULL, " "));
    } else if(strcmp(cmd, "endhook") == 0) {
      hook_side = NULL;
    } else if(strcmp(cmd, "deliver") == 0) {
      side_t *from = parse_side(strtok(rest, " "));
      side_t *to = parse_side(strtok(NULL, " "));
      printf("{\"kind\":\"deliver\",\"frm\":\"%s\",\"to\":\"%s\","
             "\"len\":%zu}\n", from->name, to->name, from->outlen);
      free(to->in);
      to->in = malloc(from->outlen + 1);
      memcpy(to->in, from->out, from->outlen);
      to->inlen = from->outlen;
      from->outlen = 0;
    } else if(strcmp(cmd, "inject") == 0) {
      side_t *to = parse_side(strtok(rest, " "));
      char *hex = strtok(NULL, " ");
      free(to->in);
      to->in = unhex(hex, strlen(hex), &to->inlen);
    } else if(strcmp(cmd, "state") == 0) {
      printf("{\"kind\":\"state\",\"label\":\"%s\",",
             rest ? rest : "final_state");
      put_state(&sides[0]);
      printf(",");
      put_state(&sides[1]);
      printf("}\n");
    } else {
      fprintf(stderr, "unknown command %s\n", cmd);
      return 2;
    }
    fflush(stdout);
  }
  for(i = 0; i < 2; ++i) {
    int j;
    spdylay_session_del(sides[i].session);
    free(sides[i].out);
    free(sides[i].in);
    for(j = 0; j < sides[i].nhooks; ++j) free(sides[i].hook_calls[j]);
  }
  free(line);
  return 0;
}
