/*
 * spdylay_zlib.c - header block compression with the SPDY dictionaries.
 */
#include "spdylay_zlib.h"

#include <string.h>
#include <stdlib.h>

#include "spdylay_int.h"
#include "spdylay_helper.h"

#define SPDYLAY_HD_WINDOW_BITS 11
#define SPDYLAY_HD_MEM_LEVEL 1

static const unsigned char* hd_dict(uint16_t version, size_t *len_ptr)
{
  if(version == 2) {
    *len_ptr = sizeof(spdylay_hd_dict_v2);
    return spdylay_hd_dict_v2;
  }
  if(version == 3) {
    *len_ptr = sizeof(spdylay_hd_dict_v3);
    return spdylay_hd_dict_v3;
  }
  *len_ptr = 0;
  return NULL;
}

int spdylay_zlib_deflate_hd_init(spdylay_zlib *deflater, int server,
                                 uint16_t version)
{
  size_t dictlen;
  const unsigned char *dict = hd_dict(version, &dictlen);
  if(dict == NULL) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  memset(deflater, 0, sizeof(*deflater));
  deflater->version = version;
  if(deflateInit2(&deflater->zst, server ? 9 : Z_NO_COMPRESSION, Z_DEFLATED,
                  SPDYLAY_HD_WINDOW_BITS, SPDYLAY_HD_MEM_LEVEL,
                  Z_DEFAULT_STRATEGY) != Z_OK) {
    return SPDYLAY_ERR_ZLIB;
  }
  if(deflateSetDictionary(&deflater->zst, dict, (uInt)dictlen) != Z_OK) {
    deflateEnd(&deflater->zst);
    return SPDYLAY_ERR_ZLIB;
  }
  return 0;
}

int spdylay_zlib_inflate_hd_init(spdylay_zlib *inflater, uint16_t version)
{
  size_t dictlen;
  if(hd_dict(version, &dictlen) == NULL) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  memset(inflater, 0, sizeof(*inflater));
  inflater->version = version;
  if(inflateInit(&inflater->zst) != Z_OK) {
    return SPDYLAY_ERR_ZLIB;
  }
  return 0;
}

void spdylay_zlib_deflate_free(spdylay_zlib *deflater)
{
  deflateEnd(&deflater->zst);
}

void spdylay_zlib_inflate_free(spdylay_zlib *inflater)
{
  inflateEnd(&inflater->zst);
}

size_t spdylay_zlib_deflate_hd_bound(spdylay_zlib *deflater, size_t len)
{
  return deflateBound(&deflater->zst, (uLong)len);
}

ssize_t spdylay_zlib_deflate_hd(spdylay_zlib *deflater,
                                uint8_t *out, size_t outlen,
                                const uint8_t *in, size_t inlen)
{
  int rv;
  deflater->zst.next_in = (Bytef*)in;
  deflater->zst.avail_in = (uInt)inlen;
  deflater->zst.next_out = out;
  deflater->zst.avail_out = (uInt)outlen;
  rv = deflate(&deflater->zst, Z_SYNC_FLUSH);
  if(rv != Z_OK || deflater->zst.avail_in != 0) {
    return SPDYLAY_ERR_ZLIB;
  }
  return (ssize_t)(outlen - deflater->zst.avail_out);
}

/* Grows |buf| towards room for 4096 more bytes, never past |keep| bytes
   of capacity (an existing larger allocation is used as it is). */
static int reserve_kept(spdylay_buffer *buf, size_t keep)
{
  size_t want, newcap;
  uint8_t *p;
  if(buf->cap - buf->len >= 4096 || buf->cap >= keep) {
    return 0;
  }
  want = buf->len + 4096;
  newcap = buf->cap ? buf->cap * 2 : 4096;
  if(newcap < want) {
    newcap = want;
  }
  if(newcap > keep) {
    newcap = keep;
  }
  p = realloc(buf->buf, newcap);
  if(p == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  buf->buf = p;
  buf->cap = newcap;
  return 0;
}

int spdylay_zlib_inflate_hd(spdylay_zlib *inflater, spdylay_buffer *buf,
                            size_t keep, int *overflow,
                            size_t *total, size_t cap,
                            const uint8_t *in, size_t inlen)
{
  uint8_t scratch[4096];
  inflater->zst.next_in = (Bytef*)in;
  inflater->zst.avail_in = (uInt)inlen;
  for(;;) {
    int rv;
    int discard = *overflow;
    size_t avail, produced;
    uint8_t *outp;
    if(!discard) {
      if(buf->len >= keep) {
        /* the kept part is full: any further output overflows */
        discard = 1;
      } else {
        if(reserve_kept(buf, keep) != 0) {
          return SPDYLAY_ERR_NOMEM;
        }
        avail = spdylay_min(buf->cap, keep) - buf->len;
      }
    }
    if(discard) {
      outp = scratch;
      avail = sizeof(scratch);
    } else {
      outp = buf->buf + buf->len;
    }
    inflater->zst.next_out = outp;
    inflater->zst.avail_out = (uInt)avail;
    rv = inflate(&inflater->zst, Z_NO_FLUSH);
    if(rv == Z_NEED_DICT) {
      size_t dictlen;
      const unsigned char *dict = hd_dict(inflater->version, &dictlen);
      if(inflateSetDictionary(&inflater->zst, dict, (uInt)dictlen) != Z_OK) {
        return SPDYLAY_ERR_ZLIB;
      }
      rv = inflate(&inflater->zst, Z_NO_FLUSH);
    }
    if(rv != Z_OK && rv != Z_BUF_ERROR) {
      return SPDYLAY_ERR_ZLIB;
    }
    produced = avail - inflater->zst.avail_out;
    if(discard) {
      if(produced > 0) {
        *overflow = 1;
      }
    } else {
      buf->len += produced;
    }
    *total += produced;
    if(*total > cap) {
      return SPDYLAY_ERR_FLOODED;
    }
    if(inflater->zst.avail_in == 0 && inflater->zst.avail_out != 0) {
      break;
    }
    if(rv == Z_BUF_ERROR && inflater->zst.avail_out != 0) {
      break;
    }
  }
  return 0;
}
