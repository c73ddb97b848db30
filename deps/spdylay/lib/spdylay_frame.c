/*
 * spdylay_frame.c - control/DATA frame serialisation and name/value
 * header block handling for SPDY/2 and SPDY/3.
 */
#include "spdylay_frame.h"

#include <string.h>
#include <stdlib.h>
#include <assert.h>

#include "spdylay_helper.h"

/* One name/value entry used while sorting and packing. */
typedef struct {
  const char *name;
  const char *value;
  /* index of the wire pair the entry came from (unpack only) */
  size_t idx;
} spdylay_nv_ent;

/* SPDY/3 name, SPDY/2 name */
static const char *const nv_2to3_table[][2] = {
  { ":host", "host" },
  { ":method", "method" },
  { ":path", "url" },
  { ":scheme", "scheme" },
  { ":status", "status" },
  { ":version", "version" }
};

#define NV_TABLE_LEN (sizeof(nv_2to3_table) / sizeof(nv_2to3_table[0]))

size_t spdylay_frame_fixed_part_length(uint16_t type, uint16_t version)
{
  switch(type) {
  case SPDYLAY_SYN_STREAM:
    return SPDYLAY_SYN_STREAM_FIXED_LENGTH;
  case SPDYLAY_SYN_REPLY:
  case SPDYLAY_HEADERS:
    if(version == 2) {
      return SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH;
    }
    if(version == 3) {
      return SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH;
    }
    return 0;
  default:
    return 0;
  }
}

void spdylay_frame_write_head(uint8_t *buf, const spdylay_ctrl_hd *hd)
{
  spdylay_write_u16(buf, hd->version);
  buf[0] |= 0x80;
  spdylay_write_u16(buf + 2, hd->type);
  spdylay_write_u32(buf + 4, (uint32_t)hd->length);
  buf[4] = hd->flags;
}

void spdylay_frame_read_head(spdylay_ctrl_hd *hd, const uint8_t *buf)
{
  hd->version = spdylay_read_u16(buf) & SPDYLAY_VERSION_MASK;
  hd->type = spdylay_read_u16(buf + 2);
  hd->flags = buf[4];
  hd->length = (int32_t)(spdylay_read_u32(buf + 4) & SPDYLAY_LENGTH_MASK);
}

void spdylay_frame_write_data_head(uint8_t *buf, int32_t stream_id,
                                   uint8_t flags, uint32_t length)
{
  spdylay_write_u32(buf, (uint32_t)stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_write_u32(buf + 4, length);
  buf[4] = flags;
}

/* ---- name/value arrays ---- */

int spdylay_nv_valid(const char **nv)
{
  size_t i;
  for(i = 0; nv[i]; i += 2) {
    const unsigned char *p = (const unsigned char*)nv[i];
    if(*p == '\0' || nv[i + 1] == NULL) {
      return 0;
    }
    for(; *p; ++p) {
      if(*p < 0x20 || *p > 0x7e) {
        return 0;
      }
    }
  }
  return 1;
}

int spdylay_nv_clone(char ***nv_ptr, const char **nv)
{
  size_t i, n, buflen = 0;
  char **out;
  char *p;
  for(i = 0; nv[i]; ++i) {
    buflen += strlen(nv[i]) + 1;
  }
  n = i;
  out = malloc((n + 1) * sizeof(char*) + buflen);
  if(out == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  p = (char*)(out + n + 1);
  for(i = 0; i < n; ++i) {
    size_t len = strlen(nv[i]);
    memcpy(p, nv[i], len + 1);
    out[i] = p;
    p += len + 1;
  }
  out[n] = NULL;
  *nv_ptr = out;
  return 0;
}

void spdylay_nv_free(char **nv)
{
  free(nv);
}

void spdylay_nv_lowercase_names(char **nv)
{
  size_t i;
  for(i = 0; nv[i]; i += 2) {
    char *p;
    for(p = nv[i]; *p; ++p) {
      if('A' <= *p && *p <= 'Z') {
        *p += 'a' - 'A';
      }
    }
  }
}

/* Stable merge sort of |ents| by name; |tmp| has room for n entries. */
static void nv_ent_sort(spdylay_nv_ent *ents, spdylay_nv_ent *tmp, size_t n)
{
  size_t mid, i, j, k;
  if(n < 2) {
    return;
  }
  if(n <= 12) {
    for(i = 1; i < n; ++i) {
      spdylay_nv_ent e = ents[i];
      for(j = i; j > 0 && strcmp(ents[j - 1].name, e.name) > 0; --j) {
        ents[j] = ents[j - 1];
      }
      ents[j] = e;
    }
    return;
  }
  mid = n / 2;
  nv_ent_sort(ents, tmp, mid);
  nv_ent_sort(ents + mid, tmp, n - mid);
  if(strcmp(ents[mid - 1].name, ents[mid].name) <= 0) {
    return;
  }
  memcpy(tmp, ents, n * sizeof(spdylay_nv_ent));
  for(i = 0, j = mid, k = 0; i < mid && j < n; ) {
    if(strcmp(tmp[j].name, tmp[i].name) < 0) {
      ents[k++] = tmp[j++];
    } else {
      ents[k++] = tmp[i++];
    }
  }
  while(i < mid) {
    ents[k++] = tmp[i++];
  }
  while(j < n) {
    ents[k++] = tmp[j++];
  }
}

#define NV_STACK_ENTS 64

/* Sorts |ents| (n entries), using the stack for small inputs. */
static int nv_ent_sort_alloc(spdylay_nv_ent *ents, size_t n)
{
  spdylay_nv_ent stacktmp[NV_STACK_ENTS];
  spdylay_nv_ent *tmp = stacktmp;
  if(n > 12) {
    if(n > NV_STACK_ENTS) {
      tmp = malloc(n * sizeof(spdylay_nv_ent));
      if(tmp == NULL) {
        return SPDYLAY_ERR_NOMEM;
      }
    }
  }
  nv_ent_sort(ents, tmp, n);
  if(tmp != stacktmp) {
    free(tmp);
  }
  return 0;
}

int spdylay_nv_sort_by_name(char **nv)
{
  spdylay_nv_ent stackents[NV_STACK_ENTS];
  spdylay_nv_ent *ents = stackents;
  size_t n, i;
  int rv;
  for(n = 0; nv[n * 2]; ++n);
  if(n < 2) {
    return 0;
  }
  if(n > NV_STACK_ENTS) {
    ents = malloc(n * sizeof(spdylay_nv_ent));
    if(ents == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
  }
  for(i = 0; i < n; ++i) {
    ents[i].name = nv[i * 2];
    ents[i].value = nv[i * 2 + 1];
    ents[i].idx = i;
  }
  rv = nv_ent_sort_alloc(ents, n);
  if(rv == 0) {
    for(i = 0; i < n; ++i) {
      nv[i * 2] = (char*)ents[i].name;
      nv[i * 2 + 1] = (char*)ents[i].value;
    }
  }
  if(ents != stackents) {
    free(ents);
  }
  return rv;
}

int spdylay_nv_normalized_clone(char ***nv_ptr, const char **nv)
{
  int rv = spdylay_nv_clone(nv_ptr, nv);
  if(rv != 0) {
    return rv;
  }
  spdylay_nv_lowercase_names(*nv_ptr);
  rv = spdylay_nv_sort_by_name(*nv_ptr);
  if(rv != 0) {
    spdylay_nv_free(*nv_ptr);
    *nv_ptr = NULL;
  }
  return rv;
}

void spdylay_nv_names_2to3(char **nv)
{
  size_t i, j;
  for(i = 0; nv[i]; i += 2) {
    for(j = 0; j < NV_TABLE_LEN; ++j) {
      if(strcmp(nv[i], nv_2to3_table[j][1]) == 0) {
        nv[i] = (char*)nv_2to3_table[j][0];
        break;
      }
    }
  }
}

static const char* nv_3to2_name(const char *name)
{
  size_t j;
  if(name[0] != ':') {
    return name;
  }
  for(j = 0; j < NV_TABLE_LEN; ++j) {
    if(strcmp(name, nv_2to3_table[j][0]) == 0) {
      return nv_2to3_table[j][1];
    }
  }
  return name;
}

static void put_len(uint8_t *p, size_t len_size, size_t n)
{
  if(len_size == 2) {
    spdylay_write_u16(p, (uint16_t)n);
  } else {
    spdylay_write_u32(p, (uint32_t)n);
  }
}

static size_t get_len(const uint8_t *p, size_t len_size)
{
  if(len_size == 2) {
    return spdylay_read_u16(p);
  }
  return spdylay_read_u32(p);
}

ssize_t spdylay_nv_serialize(spdylay_buffer *nvbuf, char **nv, int v2)
{
  spdylay_nv_ent stackents[NV_STACK_ENTS];
  spdylay_nv_ent *ents = stackents;
  size_t len_size = v2 ? 2 : 4;
  size_t maxlen = v2 ? 0xffff : 0xffffffffu;
  size_t n, i, need, count = 0, curvlen = 0, prev_len = 0;
  const char *prev_name = NULL;
  uint8_t *p, *vlenpos = NULL;
  ssize_t rv = 0;

  for(n = 0; nv[n * 2]; ++n);
  if(n > NV_STACK_ENTS) {
    ents = malloc(n * sizeof(spdylay_nv_ent));
    if(ents == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
  }
  need = len_size;
  for(i = 0; i < n; ++i) {
    ents[i].name = v2 ? nv_3to2_name(nv[i * 2]) : nv[i * 2];
    ents[i].value = nv[i * 2 + 1];
    ents[i].idx = i;
    need += 2 * len_size + strlen(nv[i * 2]) + strlen(nv[i * 2 + 1]) + 1;
  }
  if(v2) {
    rv = nv_ent_sort_alloc(ents, n);
    if(rv != 0) {
      goto out;
    }
  }
  spdylay_buffer_reset(nvbuf);
  rv = spdylay_buffer_reserve(nvbuf, need);
  if(rv != 0) {
    goto out;
  }
  p = nvbuf->buf + len_size;
  for(i = 0; i < n; ++i) {
    const char *name = ents[i].name;
    const char *value = ents[i].value;
    size_t vlen = strlen(value);
    if(prev_name && strcmp(name, prev_name) == 0) {
      if(vlen > 0) {
        if(prev_len > 0) {
          *p++ = '\0';
          ++curvlen;
          prev_len = vlen;
        }
        memcpy(p, value, vlen);
        p += vlen;
        curvlen += vlen;
      }
    } else {
      size_t nlen = strlen(name);
      if(vlenpos) {
        if(curvlen > maxlen) {
          rv = SPDYLAY_ERR_FRAME_TOO_LARGE;
          goto out;
        }
        put_len(vlenpos, len_size, curvlen);
      }
      if(nlen > maxlen) {
        rv = SPDYLAY_ERR_FRAME_TOO_LARGE;
        goto out;
      }
      put_len(p, len_size, nlen);
      p += len_size;
      memcpy(p, name, nlen);
      p += nlen;
      vlenpos = p;
      p += len_size;
      memcpy(p, value, vlen);
      p += vlen;
      curvlen = vlen;
      ++count;
      prev_name = name;
      prev_len = vlen;
    }
  }
  if(vlenpos) {
    if(curvlen > maxlen) {
      rv = SPDYLAY_ERR_FRAME_TOO_LARGE;
      goto out;
    }
    put_len(vlenpos, len_size, curvlen);
  }
  if(count > maxlen) {
    rv = SPDYLAY_ERR_FRAME_TOO_LARGE;
    goto out;
  }
  put_len(nvbuf->buf, len_size, count);
  nvbuf->len = (size_t)(p - nvbuf->buf);
  rv = (ssize_t)nvbuf->len;
 out:
  if(ents != stackents) {
    free(ents);
  }
  return rv;
}

static int valid_name_byte(uint8_t c)
{
  return c >= 0x20 && c <= 0x7e && !('A' <= c && c <= 'Z');
}

static int valid_value_byte(uint8_t c)
{
  return !((0x01 <= c && c <= 0x08) || (0x0a <= c && c <= 0x1f) ||
           c == 0x7f);
}

int spdylay_nv_parse(char ***nv_ptr, const uint8_t *in, size_t inlen,
                     size_t len_size)
{
  size_t npairs, i, nents = 0, buflen = 0, off, e;
  spdylay_nv_ent stackents[NV_STACK_ENTS];
  spdylay_nv_ent *ents = stackents;
  char **nv;
  char *p;
  int invalid = 0;
  int rv = 0;

  *nv_ptr = NULL;
  if(inlen < len_size) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  npairs = get_len(in, len_size);
  off = len_size;
  /* pass 1: structure check and sizing */
  for(i = 0; i < npairs; ++i) {
    size_t nlen, vlen, j;
    if(inlen - off < len_size) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    nlen = get_len(in + off, len_size);
    off += len_size;
    if(inlen - off < nlen) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    off += nlen;
    if(inlen - off < len_size) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    vlen = get_len(in + off, len_size);
    off += len_size;
    if(inlen - off < vlen) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    /* one entry per NUL separated piece; the pieces share one copy of
       the name and the NUL separators become terminators */
    ++nents;
    buflen += nlen + 1 + vlen + 1;
    for(j = 0; j < vlen; ++j) {
      if(in[off + j] == '\0') {
        ++nents;
      }
    }
    off += vlen;
  }
  if(off != inlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  nv = malloc((nents * 2 + 1) * sizeof(char*) + buflen);
  if(nv == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  if(nents > NV_STACK_ENTS) {
    ents = malloc(nents * sizeof(spdylay_nv_ent));
    if(ents == NULL) {
      free(nv);
      return SPDYLAY_ERR_NOMEM;
    }
  }
  p = (char*)(nv + nents * 2 + 1);
  off = len_size;
  e = 0;
  /* pass 2: build entries and check content */
  for(i = 0; i < npairs; ++i) {
    size_t nlen, vlen, j, start;
    const uint8_t *name, *value;
    char *namecopy, *valuecopy;
    nlen = get_len(in + off, len_size);
    off += len_size;
    name = in + off;
    off += nlen;
    vlen = get_len(in + off, len_size);
    off += len_size;
    value = in + off;
    off += vlen;
    if(nlen == 0) {
      invalid = 1;
    }
    for(j = 0; j < nlen; ++j) {
      if(!valid_name_byte(name[j])) {
        invalid = 1;
        break;
      }
    }
    namecopy = p;
    memcpy(p, name, nlen);
    p[nlen] = '\0';
    p += nlen + 1;
    valuecopy = p;
    memcpy(p, value, vlen);
    p[vlen] = '\0';
    p += vlen + 1;
    start = 0;
    for(j = 0; j <= vlen; ++j) {
      if(j == vlen || value[j] == '\0') {
        if(j == start && vlen > 0) {
          /* empty piece from NUL splitting */
          invalid = 1;
        }
        ents[e].name = namecopy;
        ents[e].value = valuecopy + start;
        ents[e].idx = i;
        ++e;
        start = j + 1;
      } else if(!valid_value_byte(value[j])) {
        invalid = 1;
      }
    }
  }
  assert(e == nents);
  if(!invalid) {
    rv = nv_ent_sort_alloc(ents, nents);
    if(rv != 0) {
      goto fail;
    }
    for(e = 1; e < nents; ++e) {
      if(ents[e - 1].idx != ents[e].idx &&
         strcmp(ents[e - 1].name, ents[e].name) == 0) {
        invalid = 1;
        break;
      }
    }
  }
  for(e = 0; e < nents; ++e) {
    nv[e * 2] = (char*)ents[e].name;
    nv[e * 2 + 1] = (char*)ents[e].value;
  }
  nv[nents * 2] = NULL;
  if(ents != stackents) {
    free(ents);
  }
  *nv_ptr = nv;
  return invalid ? SPDYLAY_ERR_INVALID_HEADER_BLOCK : 0;
 fail:
  if(ents != stackents) {
    free(ents);
  }
  free(nv);
  return rv;
}

/* ---- building and releasing frames ---- */

/* Payload length of the control frames whose payload size is fixed by
   |type| and |version|; 0 for the others (their length is known once the
   content is: SETTINGS from its entry count, header-block frames when
   packed). */
static int32_t fixed_payload_length(uint16_t type, uint16_t version)
{
  switch(type) {
  case SPDYLAY_PING:
    return 4;
  case SPDYLAY_GOAWAY:
    /* the status code field exists from SPDY/3 on */
    return version == 2 ? 4 : 8;
  case SPDYLAY_RST_STREAM:
  case SPDYLAY_WINDOW_UPDATE:
    return 8;
  case SPDYLAY_SETTINGS:
    /* the entry count alone */
    return 4;
  default:
    return 0;
  }
}

void spdylay_frame_begin(spdylay_frame *frame, uint16_t version,
                         uint16_t type, uint8_t flags)
{
  static const spdylay_frame blank;
  *frame = blank;
  frame->ctrl.hd.version = version;
  frame->ctrl.hd.type = type;
  frame->ctrl.hd.flags = flags;
  frame->ctrl.hd.length = fixed_payload_length(type, version);
}

void spdylay_frame_release(spdylay_frame *frame)
{
  char ***nvp = NULL;
  switch(frame->ctrl.hd.type) {
  case SPDYLAY_SYN_STREAM:
    nvp = &frame->syn_stream.nv;
    break;
  case SPDYLAY_SYN_REPLY:
    nvp = &frame->syn_reply.nv;
    break;
  case SPDYLAY_HEADERS:
    nvp = &frame->headers.nv;
    break;
  case SPDYLAY_SETTINGS:
    free(frame->settings.iv);
    frame->settings.iv = NULL;
    frame->settings.niv = 0;
    return;
  default:
    return;
  }
  spdylay_nv_free(*nvp);
  *nvp = NULL;
}

/* ---- packing ---- */

/*
 * Packs a header-block frame: |fixedlen| bytes of fixed payload are
 * left for the caller at buf->buf + 8; the compressed block follows.
 * Returns the total frame length.
 */
static ssize_t pack_hb_frame(spdylay_buffer *buf, spdylay_buffer *nvbuf,
                             spdylay_ctrl_hd *hd, char **nv, size_t fixedlen,
                             spdylay_hd_deflater *deflater)
{
  ssize_t nvlen, zlen;
  size_t bound, off = SPDYLAY_FRAME_HEAD_LENGTH + fixedlen;
  int rv;
  nvlen = spdylay_nv_serialize(nvbuf, nv, hd->version == 2);
  if(nvlen < 0) {
    return nvlen;
  }
  if(hd->version == 2) {
    /* the frame shown to callbacks carries SPDY/3 style names, also for
       names the application gave in SPDY/2 spelling */
    spdylay_nv_names_2to3(nv);
    rv = spdylay_nv_sort_by_name(nv);
    if(rv != 0) {
      return rv;
    }
  }
  bound = spdylay_hd_deflate_bound(deflater, (size_t)nvlen);
  spdylay_buffer_reset(buf);
  rv = spdylay_buffer_reserve(buf, off + bound);
  if(rv != 0) {
    return rv;
  }
  zlen = spdylay_hd_deflate(deflater, buf->buf + off, bound,
                            nvbuf->buf, (size_t)nvlen);
  if(zlen < 0) {
    return zlen;
  }
  if(fixedlen + (size_t)zlen > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_FRAME_TOO_LARGE;
  }
  hd->length = (int32_t)(fixedlen + (size_t)zlen);
  spdylay_frame_write_head(buf->buf, hd);
  memset(buf->buf + SPDYLAY_FRAME_HEAD_LENGTH, 0, fixedlen);
  buf->len = off + (size_t)zlen;
  return (ssize_t)buf->len;
}

ssize_t spdylay_frame_encode_syn_stream(spdylay_buffer *buf,
                                        spdylay_buffer *nvbuf,
                                        spdylay_syn_stream *frame,
                                        spdylay_hd_deflater *deflater)
{
  uint8_t *p;
  ssize_t len = pack_hb_frame(buf, nvbuf, &frame->hd, frame->nv,
                              SPDYLAY_SYN_STREAM_FIXED_LENGTH, deflater);
  if(len < 0) {
    return len;
  }
  p = buf->buf + SPDYLAY_FRAME_HEAD_LENGTH;
  spdylay_write_u32(p, (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_write_u32(p + 4,
                    (uint32_t)frame->assoc_stream_id &
                    SPDYLAY_STREAM_ID_MASK);
  if(frame->hd.version == 2) {
    p[8] = (uint8_t)(frame->pri << 6);
    p[9] = 0;
  } else {
    p[8] = (uint8_t)(frame->pri << 5);
    p[9] = frame->slot;
  }
  return len;
}

ssize_t spdylay_frame_encode_syn_reply(spdylay_buffer *buf,
                                       spdylay_buffer *nvbuf,
                                       spdylay_syn_reply *frame,
                                       spdylay_hd_deflater *deflater)
{
  ssize_t len = pack_hb_frame(buf, nvbuf, &frame->hd, frame->nv,
                              spdylay_frame_fixed_part_length
                              (SPDYLAY_SYN_REPLY, frame->hd.version),
                              deflater);
  if(len < 0) {
    return len;
  }
  spdylay_write_u32(buf->buf + SPDYLAY_FRAME_HEAD_LENGTH,
                    (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  return len;
}

ssize_t spdylay_frame_encode_headers(spdylay_buffer *buf,
                                     spdylay_buffer *nvbuf,
                                     spdylay_headers *frame,
                                     spdylay_hd_deflater *deflater)
{
  ssize_t len = pack_hb_frame(buf, nvbuf, &frame->hd, frame->nv,
                              spdylay_frame_fixed_part_length
                              (SPDYLAY_HEADERS, frame->hd.version),
                              deflater);
  if(len < 0) {
    return len;
  }
  spdylay_write_u32(buf->buf + SPDYLAY_FRAME_HEAD_LENGTH,
                    (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  return len;
}

static int prepare_fixed(spdylay_buffer *buf, spdylay_ctrl_hd *hd,
                         size_t payloadlen)
{
  int rv;
  spdylay_buffer_reset(buf);
  rv = spdylay_buffer_reserve(buf, SPDYLAY_FRAME_HEAD_LENGTH + payloadlen);
  if(rv != 0) {
    return rv;
  }
  hd->length = (int32_t)payloadlen;
  spdylay_frame_write_head(buf->buf, hd);
  buf->len = SPDYLAY_FRAME_HEAD_LENGTH + payloadlen;
  return 0;
}

ssize_t spdylay_frame_encode_rst_stream(spdylay_buffer *buf,
                                        spdylay_rst_stream *frame)
{
  int rv = prepare_fixed(buf, &frame->hd, 8);
  if(rv != 0) {
    return rv;
  }
  spdylay_write_u32(buf->buf + 8,
                    (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_write_u32(buf->buf + 12, frame->status_code);
  return (ssize_t)buf->len;
}

ssize_t spdylay_frame_encode_settings(spdylay_buffer *buf,
                                      spdylay_settings *frame)
{
  size_t i;
  uint8_t *p;
  int rv;
  if(4 + frame->niv * 8 > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_FRAME_TOO_LARGE;
  }
  rv = prepare_fixed(buf, &frame->hd, 4 + frame->niv * 8);
  if(rv != 0) {
    return rv;
  }
  p = buf->buf + 8;
  spdylay_write_u32(p, (uint32_t)frame->niv);
  p += 4;
  for(i = 0; i < frame->niv; ++i, p += 8) {
    uint32_t id = (uint32_t)frame->iv[i].settings_id & 0xffffff;
    if(frame->hd.version == 2) {
      p[0] = (uint8_t)id;
      p[1] = (uint8_t)(id >> 8);
      p[2] = (uint8_t)(id >> 16);
      p[3] = frame->iv[i].flags;
    } else {
      spdylay_write_u32(p, id);
      p[0] = frame->iv[i].flags;
    }
    spdylay_write_u32(p + 4, frame->iv[i].value);
  }
  return (ssize_t)buf->len;
}

ssize_t spdylay_frame_encode_ping(spdylay_buffer *buf, spdylay_ping *frame)
{
  int rv = prepare_fixed(buf, &frame->hd, 4);
  if(rv != 0) {
    return rv;
  }
  spdylay_write_u32(buf->buf + 8, frame->unique_id);
  return (ssize_t)buf->len;
}

ssize_t spdylay_frame_encode_goaway(spdylay_buffer *buf, spdylay_goaway *frame)
{
  int v2 = frame->hd.version == 2;
  int rv = prepare_fixed(buf, &frame->hd, v2 ? 4 : 8);
  if(rv != 0) {
    return rv;
  }
  spdylay_write_u32(buf->buf + 8,
                    (uint32_t)frame->last_good_stream_id &
                    SPDYLAY_STREAM_ID_MASK);
  if(!v2) {
    spdylay_write_u32(buf->buf + 12, frame->status_code);
  }
  return (ssize_t)buf->len;
}

ssize_t spdylay_frame_encode_window_update(spdylay_buffer *buf,
                                           spdylay_window_update *frame)
{
  int rv = prepare_fixed(buf, &frame->hd, 8);
  if(rv != 0) {
    return rv;
  }
  spdylay_write_u32(buf->buf + 8,
                    (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_write_u32(buf->buf + 12,
                    (uint32_t)frame->delta_window_size &
                    SPDYLAY_STREAM_ID_MASK);
  return (ssize_t)buf->len;
}

/* ---- unpacking ---- */

static int check_version(uint16_t version)
{
  return version == 2 || version == 3;
}

int spdylay_frame_decode_syn_stream_fixed(spdylay_syn_stream *frame,
                                          const uint8_t *head,
                                          const uint8_t *payload,
                                          size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(!check_version(frame->hd.version)) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  if(payloadlen < SPDYLAY_SYN_STREAM_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id = (int32_t)(spdylay_read_u32(payload) &
                               SPDYLAY_STREAM_ID_MASK);
  frame->assoc_stream_id = (int32_t)(spdylay_read_u32(payload + 4) &
                                     SPDYLAY_STREAM_ID_MASK);
  if(frame->hd.version == 2) {
    frame->pri = payload[8] >> 6;
    frame->slot = 0;
  } else {
    frame->pri = payload[8] >> 5;
    frame->slot = payload[9];
  }
  return 0;
}

int spdylay_frame_decode_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head,
                                    const uint8_t *payload, size_t payloadlen,
                                    const uint8_t *hb, size_t hblen)
{
  int rv = spdylay_frame_decode_syn_stream_fixed(frame, head, payload,
                                                 payloadlen);
  if(rv != 0) {
    return rv;
  }
  if(frame->hd.length <= SPDYLAY_SYN_STREAM_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  return spdylay_nv_parse(&frame->nv, hb, hblen,
                          spdylay_nv_len_width
                          (frame->hd.version));
}

/* SYN_REPLY and HEADERS share their layout */
/*
 * Unpacks the name/value header block |hb| of a SYN_REPLY or HEADERS frame
 * whose fixed part is already in |hd|: SPDYLAY_ERR_INVALID_FRAME when the
 * frame has nothing past its fixed part, else spdylay_nv_parse's
 * result.
 */
static int unpack_nv_after_fixed(const spdylay_ctrl_hd *hd, char ***nv_ptr,
                                 const uint8_t *hb, size_t hblen)
{
  if((size_t)hd->length <= spdylay_frame_fixed_part_length(hd->type,
                                                           hd->version)) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  return spdylay_nv_parse(nv_ptr, hb, hblen,
                          spdylay_nv_len_width(hd->version));
}

static int unpack_reply_like(spdylay_ctrl_hd *hd, int32_t *stream_id_ptr,
                             const uint8_t *head, const uint8_t *payload,
                             size_t payloadlen)
{
  size_t fixedlen;
  spdylay_frame_read_head(hd, head);
  if(!check_version(hd->version)) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  fixedlen = spdylay_frame_fixed_part_length(hd->type, hd->version);
  if(payloadlen < fixedlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  *stream_id_ptr = (int32_t)(spdylay_read_u32(payload) &
                             SPDYLAY_STREAM_ID_MASK);
  return 0;
}

int spdylay_frame_decode_syn_reply_fixed(spdylay_syn_reply *frame,
                                         const uint8_t *head,
                                         const uint8_t *payload,
                                         size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  return unpack_reply_like(&frame->hd, &frame->stream_id, head, payload,
                           payloadlen);
}

int spdylay_frame_decode_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head,
                                   const uint8_t *payload, size_t payloadlen,
                                   const uint8_t *hb, size_t hblen)
{
  int rv = spdylay_frame_decode_syn_reply_fixed(frame, head, payload,
                                                payloadlen);
  if(rv != 0) {
    return rv;
  }
  return unpack_nv_after_fixed(&frame->hd, &frame->nv, hb, hblen);
}

int spdylay_frame_decode_headers_fixed(spdylay_headers *frame,
                                       const uint8_t *head,
                                       const uint8_t *payload,
                                       size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  return unpack_reply_like(&frame->hd, &frame->stream_id, head, payload,
                           payloadlen);
}

int spdylay_frame_decode_headers(spdylay_headers *frame,
                                 const uint8_t *head,
                                 const uint8_t *payload, size_t payloadlen,
                                 const uint8_t *hb, size_t hblen)
{
  int rv = spdylay_frame_decode_headers_fixed(frame, head, payload,
                                              payloadlen);
  if(rv != 0) {
    return rv;
  }
  return unpack_nv_after_fixed(&frame->hd, &frame->nv, hb, hblen);
}

int spdylay_frame_decode_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head,
                                    const uint8_t *payload,
                                    size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(payloadlen != 8 || frame->hd.length != 8) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id = (int32_t)(spdylay_read_u32(payload) &
                               SPDYLAY_STREAM_ID_MASK);
  frame->status_code = spdylay_read_u32(payload + 4);
  return 0;
}

int spdylay_frame_decode_settings(spdylay_settings *frame,
                                  const uint8_t *head,
                                  const uint8_t *payload, size_t payloadlen)
{
  size_t i, niv;
  const uint8_t *p;
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(!check_version(frame->hd.version)) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  if(payloadlen < 4 || (size_t)frame->hd.length != payloadlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  niv = spdylay_read_u32(payload);
  if((payloadlen - 4) % 8 != 0 || (payloadlen - 4) / 8 != niv) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  if(niv > 0) {
    frame->iv = malloc(niv * sizeof(spdylay_settings_entry));
    if(frame->iv == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
  }
  frame->niv = niv;
  p = payload + 4;
  for(i = 0; i < niv; ++i, p += 8) {
    if(frame->hd.version == 2) {
      frame->iv[i].settings_id = (int32_t)(p[0] | (p[1] << 8) | (p[2] << 16));
      frame->iv[i].flags = p[3];
    } else {
      frame->iv[i].settings_id = (int32_t)(spdylay_read_u32(p) & 0xffffff);
      frame->iv[i].flags = p[0];
    }
    frame->iv[i].value = spdylay_read_u32(p + 4);
  }
  return 0;
}

int spdylay_frame_decode_ping(spdylay_ping *frame, const uint8_t *head,
                              const uint8_t *payload, size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(payloadlen != 4 || frame->hd.length != 4) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->unique_id = spdylay_read_u32(payload);
  return 0;
}

int spdylay_frame_decode_goaway(spdylay_goaway *frame, const uint8_t *head,
                                const uint8_t *payload, size_t payloadlen)
{
  size_t expected;
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(!check_version(frame->hd.version)) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  expected = frame->hd.version == 2 ? 4 : 8;
  if(payloadlen != expected || (size_t)frame->hd.length != expected) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->last_good_stream_id = (int32_t)(spdylay_read_u32(payload) &
                                         SPDYLAY_STREAM_ID_MASK);
  if(frame->hd.version == 3) {
    frame->status_code = spdylay_read_u32(payload + 4);
  }
  return 0;
}

int spdylay_frame_decode_window_update(spdylay_window_update *frame,
                                       const uint8_t *head,
                                       const uint8_t *payload,
                                       size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  spdylay_frame_read_head(&frame->hd, head);
  if(payloadlen != 8 || frame->hd.length != 8) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id = (int32_t)(spdylay_read_u32(payload) &
                               SPDYLAY_STREAM_ID_MASK);
  frame->delta_window_size = (int32_t)(spdylay_read_u32(payload + 4) &
                                       SPDYLAY_STREAM_ID_MASK);
  return 0;
}
