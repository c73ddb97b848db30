/*
 * spdylay_helper.h - byte order helpers and small utilities.
 */
#ifndef SPDYLAY_HELPER_H
#define SPDYLAY_HELPER_H

#include <stdint.h>
#include <stddef.h>

#include "spdylay_int.h"

#define spdylay_min(a, b) ((a) < (b) ? (a) : (b))
#define spdylay_max(a, b) ((a) > (b) ? (a) : (b))

static inline void spdylay_write_u16(uint8_t *p, uint16_t n)
{
  p[0] = (uint8_t)(n >> 8);
  p[1] = (uint8_t)n;
}

static inline void spdylay_write_u32(uint8_t *p, uint32_t n)
{
  p[0] = (uint8_t)(n >> 24);
  p[1] = (uint8_t)(n >> 16);
  p[2] = (uint8_t)(n >> 8);
  p[3] = (uint8_t)n;
}

static inline uint16_t spdylay_read_u16(const uint8_t *p)
{
  return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t spdylay_read_u32(const uint8_t *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/*
 * Grows the heap buffer |*buf_ptr| of capacity |*cap_ptr| so that it can
 * hold at least |need| bytes.  Existing content is kept.  Returns 0 or
 * SPDYLAY_ERR_NOMEM.
 */
int spdylay_grow_heap_buffer(uint8_t **buf_ptr, size_t *cap_ptr, size_t need);

#endif /* SPDYLAY_HELPER_H */
