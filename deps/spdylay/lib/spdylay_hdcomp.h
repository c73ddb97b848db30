/*
 * spdylay_hdcomp.h - compression of SPDY name/value header blocks.
 *
 * One deflate stream per session and direction, primed with the preset
 * dictionary of the wire version (SPDY/2: 907 bytes, SPDY/3: 1423 bytes),
 * windowBits 11, memLevel 1; every header block ends with a sync flush
 * so that the peer can decode it on its own.
 */
#ifndef SPDYLAY_HDCOMP_H
#define SPDYLAY_HDCOMP_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

#include "spdylay_buffer.h"

/* The preset dictionaries (spdylay_hdcomp_dict.c). */
extern const unsigned char spdylay_spdy2_dictionary[907];
extern const unsigned char spdylay_spdy3_dictionary[1423];

/* Compressing side of a session. */
typedef struct {
  z_stream z;
} spdylay_hd_deflater;

/* Decompressing side of a session. */
typedef struct {
  z_stream z;
  /* the preset dictionary, handed to zlib when the stream asks for it */
  const unsigned char *dict;
  size_t dictlen;
} spdylay_hd_inflater;

/*
 * Where spdylay_hd_inflate() puts the decompressed bytes of one header
 * block, and the limits that apply to it.  The caller fills |kept|,
 * |keep_max| and |produced_max|, zeroes |discarding| and |produced| at the
 * start of a block, and keeps the struct across the calls of one block.
 */
typedef struct {
  /* output is appended here while kept->len stays <= keep_max; the
     buffer's capacity never grows past keep_max (an existing larger
     allocation is used as it is) */
  spdylay_buffer *kept;
  size_t keep_max;
  /* set once output did not fit under keep_max: from then on all output
     goes to a scratch area and is dropped (zlib stays in step) */
  int discarding;
  /* every byte of output of the block so far, kept and dropped */
  size_t produced;
  /* once |produced| exceeds it, decompression stops at once */
  size_t produced_max;
} spdylay_hd_sink;

/*
 * Prepares |d| for wire |version| (2 or 3); |server| nonzero selects
 * compression level 9 (what a server uses), zero level 0 (a client).
 * Returns 0, SPDYLAY_ERR_UNSUPPORTED_VERSION (|d| untouched) or
 * SPDYLAY_ERR_ZLIB (nothing to release).
 */
int spdylay_hd_deflater_init(spdylay_hd_deflater *d, uint16_t version,
                             int server);

/* Releases what spdylay_hd_deflater_init() allocated. */
void spdylay_hd_deflater_end(spdylay_hd_deflater *d);

/* Largest compressed size of |len| bytes of input in one call. */
size_t spdylay_hd_deflate_bound(spdylay_hd_deflater *d, size_t len);

/*
 * Compresses the |inlen| bytes at |in| into |out| (|outcap| bytes, at
 * least spdylay_hd_deflate_bound(d, inlen)) and ends them with a sync
 * flush.  Returns the number of bytes written, or SPDYLAY_ERR_ZLIB (also
 * when |out| was too small).
 */
ssize_t spdylay_hd_deflate(spdylay_hd_deflater *d, uint8_t *out,
                           size_t outcap, const uint8_t *in, size_t inlen);

/*
 * Prepares |inf| for wire |version| (2 or 3).  Returns 0,
 * SPDYLAY_ERR_UNSUPPORTED_VERSION (|inf| untouched) or SPDYLAY_ERR_ZLIB
 * (nothing to release).
 */
int spdylay_hd_inflater_init(spdylay_hd_inflater *inf, uint16_t version);

/* Releases what spdylay_hd_inflater_init() allocated. */
void spdylay_hd_inflater_end(spdylay_hd_inflater *inf);

/*
 * Decompresses all |inlen| bytes at |in| (a piece of a header block)
 * into |sink| (see spdylay_hd_sink).  Returns 0; SPDYLAY_ERR_ZLIB for
 * corrupt input or a wrong dictionary; SPDYLAY_ERR_NOMEM when the kept
 * buffer could not grow; SPDYLAY_ERR_FLOODED as soon as sink->produced
 * exceeds sink->produced_max (the rest of the input is not read, so the
 * stream is out of step with the peer from then on).
 */
int spdylay_hd_inflate(spdylay_hd_inflater *inf, spdylay_hd_sink *sink,
                       const uint8_t *in, size_t inlen);

#endif /* SPDYLAY_HDCOMP_H */
