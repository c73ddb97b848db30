/*
 * spdylay_gzip.c - gzip/zlib body inflater helper.
 */
#include <stdlib.h>
#include <zlib.h>

#include "spdylay_int.h"

struct spdylay_gzip {
  z_stream zst;
  /* nonzero once Z_STREAM_END was seen */
  int finished;
};

int spdylay_gzip_inflate_new(spdylay_gzip **inflater_ptr)
{
  spdylay_gzip *inflater = calloc(1, sizeof(spdylay_gzip));
  if(inflater == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  /* 32 + 15: detect gzip or zlib framing */
  if(inflateInit2(&inflater->zst, 47) != Z_OK) {
    free(inflater);
    return SPDYLAY_ERR_GZIP;
  }
  *inflater_ptr = inflater;
  return 0;
}

void spdylay_gzip_inflate_del(spdylay_gzip *inflater)
{
  if(inflater == NULL) {
    return;
  }
  inflateEnd(&inflater->zst);
  free(inflater);
}

int spdylay_gzip_inflate(spdylay_gzip *inflater,
                         uint8_t *out, size_t *outlen_ptr,
                         const uint8_t *in, size_t *inlen_ptr)
{
  int rv;
  if(inflater->finished) {
    return SPDYLAY_ERR_GZIP;
  }
  inflater->zst.next_in = (Bytef*)in;
  inflater->zst.avail_in = (uInt)*inlen_ptr;
  inflater->zst.next_out = out;
  inflater->zst.avail_out = (uInt)*outlen_ptr;
  rv = inflate(&inflater->zst, Z_NO_FLUSH);
  *inlen_ptr -= inflater->zst.avail_in;
  *outlen_ptr -= inflater->zst.avail_out;
  switch(rv) {
  case Z_STREAM_END:
    inflater->finished = 1;
    /* fall through */
  case Z_OK:
  case Z_BUF_ERROR:
    return 0;
  default:
    return SPDYLAY_ERR_GZIP;
  }
}
