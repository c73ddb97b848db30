/*
 * spdylay_buffer.h - growable contiguous byte buffer.
 */
#ifndef SPDYLAY_BUFFER_H
#define SPDYLAY_BUFFER_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
  uint8_t *buf;
  /* number of bytes in use */
  size_t len;
  /* allocated bytes */
  size_t cap;
} spdylay_buffer;

void spdylay_buffer_init(spdylay_buffer *buffer);

void spdylay_buffer_free(spdylay_buffer *buffer);

/* Makes room for at least |n| more bytes after len.  0 or NOMEM. */
int spdylay_buffer_reserve(spdylay_buffer *buffer, size_t n);

/* Appends |n| bytes.  0 or NOMEM. */
int spdylay_buffer_append(spdylay_buffer *buffer, const uint8_t *data,
                          size_t n);

/* Sets len to 0, keeping the allocation. */
void spdylay_buffer_reset(spdylay_buffer *buffer);

#endif /* SPDYLAY_BUFFER_H */
