/*
 * spdylay_helper.c - small utilities and spdylay_strerror.
 */
#include "spdylay_helper.h"

#include <stdlib.h>

int spdylay_grow_heap_buffer(uint8_t **buf_ptr, size_t *cap_ptr, size_t need)
{
  size_t cap;
  uint8_t *p;
  if(need <= *cap_ptr) {
    return 0;
  }
  cap = *cap_ptr ? *cap_ptr : 256;
  while(cap < need) {
    cap *= 2;
  }
  p = realloc(*buf_ptr, cap);
  if(p == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  *buf_ptr = p;
  *cap_ptr = cap;
  return 0;
}

const char* spdylay_strerror(int error_code)
{
  switch(error_code) {
  case 0: return "Success";
  case SPDYLAY_ERR_INVALID_ARGUMENT: return "Invalid argument";
  case SPDYLAY_ERR_ZLIB: return "Zlib error";
  case SPDYLAY_ERR_UNSUPPORTED_VERSION: return "Unsupported SPDY version";
  case SPDYLAY_ERR_WOULDBLOCK: return "Operation would block";
  case SPDYLAY_ERR_PROTO: return "Protocol error";
  case SPDYLAY_ERR_INVALID_FRAME: return "Invalid frame octets";
  case SPDYLAY_ERR_EOF: return "EOF";
  case SPDYLAY_ERR_DEFERRED: return "Data transfer deferred";
  case SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE:
    return "No more Stream ID available";
  case SPDYLAY_ERR_STREAM_CLOSED:
    return "Stream was already closed or invalid";
  case SPDYLAY_ERR_STREAM_CLOSING: return "Stream is closing";
  case SPDYLAY_ERR_STREAM_SHUT_WR:
    return "The transmission is not allowed for this stream";
  case SPDYLAY_ERR_INVALID_STREAM_ID: return "Stream ID is invalid";
  case SPDYLAY_ERR_INVALID_STREAM_STATE: return "Invalid stream state";
  case SPDYLAY_ERR_DEFERRED_DATA_EXIST:
    return "Another DATA frame has already been deferred";
  case SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED: return "SYN_STREAM is not allowed";
  case SPDYLAY_ERR_GOAWAY_ALREADY_SENT: return "GOAWAY has already been sent";
  case SPDYLAY_ERR_INVALID_HEADER_BLOCK: return "Invalid header block";
  case SPDYLAY_ERR_INVALID_STATE: return "Invalid state";
  case SPDYLAY_ERR_GZIP: return "Gzip error";
  case SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE:
    return "The user callback function failed due to the temporal error";
  case SPDYLAY_ERR_FRAME_TOO_LARGE:
    return "The length of the frame is too large";
  case SPDYLAY_ERR_NOMEM: return "Out of memory";
  case SPDYLAY_ERR_CALLBACK_FAILURE: return "The user callback function failed";
  case SPDYLAY_ERR_FLOODED:
    return "The peer exceeded a flood or resource limit";
  default: return "Unknown error code";
  }
}
