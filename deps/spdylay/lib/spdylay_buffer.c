/*
 * spdylay_buffer.c - growable contiguous byte buffer.
 */
#include "spdylay_buffer.h"

#include <string.h>

#include "spdylay_helper.h"

void spdylay_buffer_init(spdylay_buffer *buffer)
{
  buffer->buf = NULL;
  buffer->len = 0;
  buffer->cap = 0;
}

void spdylay_buffer_free(spdylay_buffer *buffer)
{
  free(buffer->buf);
  spdylay_buffer_init(buffer);
}

int spdylay_buffer_reserve(spdylay_buffer *buffer, size_t n)
{
  if(buffer->len + n < buffer->len) {
    return SPDYLAY_ERR_NOMEM;
  }
  return spdylay_grow_heap_buffer(&buffer->buf, &buffer->cap, buffer->len + n);
}

int spdylay_buffer_append(spdylay_buffer *buffer, const uint8_t *data,
                          size_t n)
{
  int rv;
  if(n == 0) {
    return 0;
  }
  rv = spdylay_buffer_reserve(buffer, n);
  if(rv != 0) {
    return rv;
  }
  memcpy(buffer->buf + buffer->len, data, n);
  buffer->len += n;
  return 0;
}

void spdylay_buffer_reset(spdylay_buffer *buffer)
{
  buffer->len = 0;
}
