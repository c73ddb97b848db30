/*
 * spdylay_npn.c - NPN protocol list and selection helpers.
 */
#include <string.h>

#include "spdylay_int.h"

static const spdylay_npn_proto proto_list[] = {
  { (const unsigned char*)"spdy/3.1", 8, SPDYLAY_PROTO_SPDY3_1 },
  { (const unsigned char*)"spdy/3", 6, SPDYLAY_PROTO_SPDY3 },
  { (const unsigned char*)"spdy/2", 6, SPDYLAY_PROTO_SPDY2 }
};

#define PROTO_LIST_LEN (sizeof(proto_list) / sizeof(proto_list[0]))

const spdylay_npn_proto* spdylay_npn_get_proto_list(size_t *len_ptr)
{
  *len_ptr = PROTO_LIST_LEN;
  return proto_list;
}

uint16_t spdylay_npn_get_version(const unsigned char *proto,
                                 size_t protolen)
{
  size_t i;
  if(proto == NULL) {
    return 0;
  }
  for(i = 0; i < PROTO_LIST_LEN; ++i) {
    if(protolen == proto_list[i].len &&
       memcmp(proto, proto_list[i].proto, protolen) == 0) {
      return proto_list[i].version;
    }
  }
  return 0;
}

int spdylay_select_next_protocol(unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen)
{
  size_t best = PROTO_LIST_LEN;
  int http = 0;
  unsigned int i = 0;
  while(i < inlen) {
    unsigned int len = in[i];
    int fits = (size_t)i + 1 + len <= inlen;
    size_t j;
    for(j = 0; j < PROTO_LIST_LEN && j < best; ++j) {
      if(len == proto_list[j].len && fits &&
         memcmp(&in[i + 1], proto_list[j].proto, len) == 0) {
        best = j;
        *out = (unsigned char*)&in[i + 1];
        *outlen = (unsigned char)len;
        break;
      }
    }
    if(best == PROTO_LIST_LEN && len == 8 && fits &&
       memcmp(&in[i + 1], "http/1.1", 8) == 0) {
      http = 1;
      *out = (unsigned char*)&in[i + 1];
      *outlen = 8;
    }
    i += len + 1;
  }
  if(best < PROTO_LIST_LEN) {
    return proto_list[best].version;
  }
  return http ? 0 : -1;
}
