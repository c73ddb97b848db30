/*
 * hd_inflate_into.h - spdylay_hd_inflate() with its sink spelled out as
 * arguments, for the unit tests and bench/spdylay-c (which carry the sink's
 * state across the calls of one header block in plain variables).
 */
#ifndef SPDYLAY_HD_INFLATE_INTO_H
#define SPDYLAY_HD_INFLATE_INTO_H

#include "spdylay_hdcomp.h"

/*
 * Inflates |inlen| bytes at |in| with |inf|, keeping output up to |keep|
 * bytes in |out|; *overflow (the sink's discarding flag) and *total (bytes
 * produced so far) are read and updated, so they carry across the pieces of
 * one block; |cap| is the most the block may inflate to.  Returns what
 * spdylay_hd_inflate() returns.
 */
static inline int inflate_into(spdylay_hd_inflater *inf, spdylay_buffer *out,
                               size_t keep, int *overflow, size_t *total,
                               size_t cap, const uint8_t *in, size_t inlen)
{
  spdylay_hd_sink sink;
  int rv;
  sink.kept = out;
  sink.keep_max = keep;
  sink.discarding = *overflow;
  sink.produced = *total;
  sink.produced_max = cap;
  rv = spdylay_hd_inflate(inf, &sink, in, inlen);
  *overflow = sink.discarding;
  *total = sink.produced;
  return rv;
}

#endif /* SPDYLAY_HD_INFLATE_INTO_H */
