/*
 * spdylay_hdcomp.c - compression of SPDY name/value header blocks (see
 * spdylay_hdcomp.h).
 */
#include "spdylay_hdcomp.h"

#include <string.h>
#include <stdlib.h>

#include "spdylay_int.h"

/* zlib parameters of the SPDY header compression */
#define HD_WINDOW_BITS 11
#define HD_MEM_LEVEL 1
/* scratch output while discarding; also the growth step of the kept
   buffer */
#define HD_CHUNK 4096

/* The preset dictionary of wire |version|; NULL for any other version. */
static const unsigned char* preset_dictionary(uint16_t version,
                                              size_t *len)
{
  switch(version) {
  case 2:
    *len = sizeof(spdylay_spdy2_dictionary);
    return spdylay_spdy2_dictionary;
  case 3:
    *len = sizeof(spdylay_spdy3_dictionary);
    return spdylay_spdy3_dictionary;
  default:
    *len = 0;
    return NULL;
  }
}

int spdylay_hd_deflater_init(spdylay_hd_deflater *d, uint16_t version,
                             int server)
{
  size_t len;
  const unsigned char *dict = preset_dictionary(version, &len);
  int level = server ? 9 : Z_NO_COMPRESSION;
  if(dict == NULL) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  memset(&d->z, 0, sizeof(d->z));
  if(deflateInit2(&d->z, level, Z_DEFLATED, HD_WINDOW_BITS, HD_MEM_LEVEL,
                  Z_DEFAULT_STRATEGY) != Z_OK) {
    return SPDYLAY_ERR_ZLIB;
  }
  if(deflateSetDictionary(&d->z, dict, (uInt)len) != Z_OK) {
    deflateEnd(&d->z);
    return SPDYLAY_ERR_ZLIB;
  }
  return 0;
}

void spdylay_hd_deflater_end(spdylay_hd_deflater *d)
{
  deflateEnd(&d->z);
}

size_t spdylay_hd_deflate_bound(spdylay_hd_deflater *d, size_t len)
{
  return (size_t)deflateBound(&d->z, (uLong)len);
}

ssize_t spdylay_hd_deflate(spdylay_hd_deflater *d, uint8_t *out,
                           size_t outcap, const uint8_t *in, size_t inlen)
{
  d->z.next_in = (Bytef*)in;
  d->z.avail_in = (uInt)inlen;
  d->z.next_out = out;
  d->z.avail_out = (uInt)outcap;
  if(deflate(&d->z, Z_SYNC_FLUSH) != Z_OK || d->z.avail_in > 0) {
    return SPDYLAY_ERR_ZLIB;
  }
  return (ssize_t)(outcap - d->z.avail_out);
}

int spdylay_hd_inflater_init(spdylay_hd_inflater *inf, uint16_t version)
{
  size_t len;
  const unsigned char *dict = preset_dictionary(version, &len);
  if(dict == NULL) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  memset(&inf->z, 0, sizeof(inf->z));
  inf->dict = dict;
  inf->dictlen = len;
  return inflateInit(&inf->z) == Z_OK ? 0 : SPDYLAY_ERR_ZLIB;
}

void spdylay_hd_inflater_end(spdylay_hd_inflater *inf)
{
  inflateEnd(&inf->z);
}

/*
 * Room for the next piece of kept output: grows sink->kept by doubling
 * (at least HD_CHUNK free bytes, never past keep_max of capacity) and
 * returns the number of bytes that may be written at kept->buf +
 * kept->len (0 when the kept part is full).  -1 when out of memory.
 */
static ssize_t kept_room(spdylay_hd_sink *sink)
{
  spdylay_buffer *b = sink->kept;
  size_t limit;
  if(b->len >= sink->keep_max) {
    return 0;
  }
  if(b->cap - b->len < HD_CHUNK && b->cap < sink->keep_max) {
    size_t want = b->cap == 0 ? HD_CHUNK : b->cap * 2;
    uint8_t *grown;
    if(want < b->len + HD_CHUNK) {
      want = b->len + HD_CHUNK;
    }
    if(want > sink->keep_max) {
      want = sink->keep_max;
    }
    grown = realloc(b->buf, want);
    if(grown == NULL) {
      return -1;
    }
    b->buf = grown;
    b->cap = want;
  }
  limit = b->cap < sink->keep_max ? b->cap : sink->keep_max;
  return (ssize_t)(limit - b->len);
}

int spdylay_hd_inflate(spdylay_hd_inflater *inf, spdylay_hd_sink *sink,
                       const uint8_t *in, size_t inlen)
{
  uint8_t scratch[HD_CHUNK];
  inf->z.next_in = (Bytef*)in;
  inf->z.avail_in = (uInt)inlen;
  for(;;) {
    uint8_t *dst = scratch;
    size_t room = sizeof(scratch), got;
    int zr, keeping = 0;
    if(!sink->discarding) {
      ssize_t r = kept_room(sink);
      if(r < 0) {
        return SPDYLAY_ERR_NOMEM;
      }
      if(r > 0) {
        keeping = 1;
        dst = sink->kept->buf + sink->kept->len;
        room = (size_t)r;
      }
    }
    inf->z.next_out = dst;
    inf->z.avail_out = (uInt)room;
    zr = inflate(&inf->z, Z_NO_FLUSH);
    if(zr == Z_NEED_DICT) {
      if(inflateSetDictionary(&inf->z, inf->dict, (uInt)inf->dictlen) !=
         Z_OK) {
        return SPDYLAY_ERR_ZLIB;
      }
      zr = inflate(&inf->z, Z_NO_FLUSH);
    }
    if(zr != Z_OK && zr != Z_BUF_ERROR) {
      return SPDYLAY_ERR_ZLIB;
    }
    got = room - inf->z.avail_out;
    if(keeping) {
      sink->kept->len += got;
    } else if(got > 0) {
      /* output with no place under keep_max: the block is too large */
      sink->discarding = 1;
    }
    sink->produced += got;
    if(sink->produced > sink->produced_max) {
      return SPDYLAY_ERR_FLOODED;
    }
    /* done when zlib has taken all input and did not fill the output
       area (nothing is left inside it), or could make no progress */
    if(inf->z.avail_out > 0 && (inf->z.avail_in == 0 || zr == Z_BUF_ERROR)) {
      return 0;
    }
  }
}
