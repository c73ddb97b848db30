/*
 * spdylay_zlib.h - header block compression with the SPDY dictionaries.
 */
#ifndef SPDYLAY_ZLIB_H
#define SPDYLAY_ZLIB_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

#include "spdylay_buffer.h"

extern const unsigned char spdylay_hd_dict_v2[907];
extern const unsigned char spdylay_hd_dict_v3[1423];

typedef struct {
  z_stream zst;
  /* wire version: 2 or 3 */
  uint16_t version;
} spdylay_zlib;

/*
 * Initialises a header compressor for wire |version| (2 or 3);
 * |server| selects level 9 (server) or level 0 (client).
 * Returns 0, SPDYLAY_ERR_UNSUPPORTED_VERSION or SPDYLAY_ERR_ZLIB.
 */
int spdylay_zlib_deflate_hd_init(spdylay_zlib *deflater, int server,
                                 uint16_t version);

int spdylay_zlib_inflate_hd_init(spdylay_zlib *inflater, uint16_t version);

void spdylay_zlib_deflate_free(spdylay_zlib *deflater);

void spdylay_zlib_inflate_free(spdylay_zlib *inflater);

/* Upper bound of the compressed size of |len| input bytes. */
size_t spdylay_zlib_deflate_hd_bound(spdylay_zlib *deflater, size_t len);

/*
 * Compresses |inlen| bytes at |in| into |out| (|outlen| bytes available,
 * at least spdylay_zlib_deflate_hd_bound) with one Z_SYNC_FLUSH.
 * Returns the number of bytes written or SPDYLAY_ERR_ZLIB.
 */
ssize_t spdylay_zlib_deflate_hd(spdylay_zlib *deflater,
                                uint8_t *out, size_t outlen,
                                const uint8_t *in, size_t inlen);

/*
 * Decompresses |inlen| bytes at |in|, appending the output to |buf| while
 * buf->len stays <= |keep|; the buffer is never grown past |keep| bytes of
 * capacity (beyond what it already has).  Output past |keep| is discarded
 * into a scratch buffer and *overflow is set to 1 (with *overflow already
 * 1 on entry everything is discarded).  *total counts all output of the
 * header block (kept and discarded, across calls); once it exceeds |cap|
 * decompression stops at once and SPDYLAY_ERR_FLOODED is returned (the
 * zlib stream is then out of step).  Returns 0, SPDYLAY_ERR_ZLIB,
 * SPDYLAY_ERR_NOMEM or SPDYLAY_ERR_FLOODED.
 */
int spdylay_zlib_inflate_hd(spdylay_zlib *inflater, spdylay_buffer *buf,
                            size_t keep, int *overflow,
                            size_t *total, size_t cap,
                            const uint8_t *in, size_t inlen);

#endif /* SPDYLAY_ZLIB_H */
