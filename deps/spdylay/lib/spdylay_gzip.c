/*
 * spdylay_gzip.c - the gzip helper of the public API: a body inflater
 * that accepts gzip or zlib framing (spdylay_gzip_inflate_new() and
 * friends in spdylay.h).
 */
#include <stdlib.h>
#include <zlib.h>

#include "spdylay_int.h"

/* zlib windowBits: 15 (32 KiB window) + 32 (detect gzip or zlib header) */
#define GZIP_OR_ZLIB_WINDOW_BITS (15 + 32)

struct spdylay_gzip {
  z_stream body;
  /* set by the end of the compressed stream; later calls fail */
  unsigned char ended;
};

int spdylay_gzip_inflate_new(spdylay_gzip **inflater_ptr)
{
  spdylay_gzip *gz = calloc(1, sizeof(*gz));
  if(gz == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  if(inflateInit2(&gz->body, GZIP_OR_ZLIB_WINDOW_BITS) != Z_OK) {
    free(gz);
    return SPDYLAY_ERR_GZIP;
  }
  *inflater_ptr = gz;
  return 0;
}

void spdylay_gzip_inflate_del(spdylay_gzip *inflater)
{
  if(inflater != NULL) {
    inflateEnd(&inflater->body);
    free(inflater);
  }
}

int spdylay_gzip_inflate(spdylay_gzip *inflater,
                         uint8_t *out, size_t *outlen_ptr,
                         const uint8_t *in, size_t *inlen_ptr)
{
  z_stream *z = &inflater->body;
  uInt in_avail = (uInt)*inlen_ptr, out_avail = (uInt)*outlen_ptr;
  int zr;
  if(inflater->ended) {
    return SPDYLAY_ERR_GZIP;
  }
  z->next_in = (Bytef*)in;
  z->avail_in = in_avail;
  z->next_out = out;
  z->avail_out = out_avail;
  zr = inflate(z, Z_NO_FLUSH);
  /* report what this one step consumed and produced */
  *inlen_ptr = in_avail - z->avail_in;
  *outlen_ptr = out_avail - z->avail_out;
  if(zr == Z_STREAM_END) {
    inflater->ended = 1;
    return 0;
  }
  return zr == Z_OK || zr == Z_BUF_ERROR ? 0 : SPDYLAY_ERR_GZIP;
}
