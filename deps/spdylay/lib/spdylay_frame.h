/*
 * spdylay_frame.h - control/DATA frame serialisation and name/value
 * header block handling for SPDY/2 and SPDY/3.
 */
#ifndef SPDYLAY_FRAME_H
#define SPDYLAY_FRAME_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "spdylay_int.h"
#include "spdylay_buffer.h"
#include "spdylay_hdcomp.h"

#define SPDYLAY_FRAME_HEAD_LENGTH 8
/* Largest DATA payload this library sends. */
#define SPDYLAY_DATA_PAYLOAD_LENGTH 4096
/* Largest value of the 24-bit length field. */
#define SPDYLAY_MAX_FRAME_LENGTH 0xffffff
#define SPDYLAY_STREAM_ID_MASK 0x7fffffff
#define SPDYLAY_LENGTH_MASK 0xffffff
#define SPDYLAY_VERSION_MASK 0x7fff
#define SPDYLAY_MAX_WINDOW_SIZE 0x7fffffff

/* Payload bytes before the header block of SYN_STREAM */
#define SPDYLAY_SYN_STREAM_FIXED_LENGTH 10
#define SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH 6
#define SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH 4

/* Internal DATA "frame" description used by the outbound queue. */
typedef struct {
  int32_t stream_id;
  /* SPDYLAY_DATA_FLAG_FIN if the last frame must carry FIN */
  uint8_t flags;
  /* nonzero once the read callback has signalled EOF */
  uint8_t eof;
  spdylay_data_provider data_prd;
} spdylay_data_job;

/* Width (bytes) of the length fields of a header block. */
static inline size_t spdylay_nv_len_width(uint16_t version)
{
  return version == 2 ? 2 : 4;
}

/*
 * Bytes of fixed payload in front of the header block for |type| and
 * wire |version|, or 0 if the frame has no header block.
 */
size_t spdylay_frame_fixed_part_length(uint16_t type, uint16_t version);

/* Writes a control frame header. */
void spdylay_frame_write_head(uint8_t *buf, const spdylay_ctrl_hd *hd);

/* Reads a control frame header. */
void spdylay_frame_read_head(spdylay_ctrl_hd *hd, const uint8_t *buf);

/* Writes a DATA frame header. */
void spdylay_frame_write_data_head(uint8_t *buf, int32_t stream_id,
                                   uint8_t flags, uint32_t length);

/* ---- name/value arrays ---- */

/* Returns 1 if every name of |nv| is non-empty, printable ASCII
   (0x20..0x7e) and every value is non-NULL, else 0. */
int spdylay_nv_valid(const char **nv);

/* Deep-copies |nv| into a single allocation.  Returns 0 or NOMEM. */
int spdylay_nv_clone(char ***nv_ptr, const char **nv);

/* Frees an nv array allocated by this module. */
void spdylay_nv_free(char **nv);

/* Lower-cases ASCII letters of every name of |nv|. */
void spdylay_nv_lowercase_names(char **nv);

/* Stable sort of the pairs of |nv| by name (strcmp order).  0 or NOMEM. */
int spdylay_nv_sort_by_name(char **nv);

/* Copy, downcase and sort (submit-time normalisation). */
int spdylay_nv_normalized_clone(char ***nv_ptr, const char **nv);

/* SPDY/2 -> SPDY/3 name translation in place (no re-sort). */
void spdylay_nv_names_2to3(char **nv);

/*
 * Serialises |nv| (normalised) as an uncompressed header block into
 * |nvbuf| (reset first).  If |v2| is nonzero, names are translated to
 * SPDY/2 spelling and re-sorted before packing and 16-bit length fields
 * are used.  Returns the block length, SPDYLAY_ERR_FRAME_TOO_LARGE or
 * SPDYLAY_ERR_NOMEM.
 */
ssize_t spdylay_nv_serialize(spdylay_buffer *nvbuf, char **nv, int v2);

/*
 * Parses the uncompressed header block |in| of |inlen| bytes.
 * Returns 0 (|*nv_ptr| set, sorted), SPDYLAY_ERR_INVALID_FRAME (bad
 * structure, |*nv_ptr| NULL), SPDYLAY_ERR_INVALID_HEADER_BLOCK (content
 * error; |*nv_ptr| still set) or SPDYLAY_ERR_NOMEM.
 */
int spdylay_nv_parse(char ***nv_ptr, const uint8_t *in, size_t inlen,
                     size_t len_size);

/* ---- building and releasing frames ---- */

/*
 * Starts |frame| as a control frame of |type| (spdylay_frame_type) for
 * wire |version| with |flags|: every field is zeroed, then the common
 * header is filled.  hd.length is set to the payload size where the type
 * fixes it (PING 4, GOAWAY 4 in SPDY/2 and 8 in SPDY/3, RST_STREAM and
 * WINDOW_UPDATE 8) and to 4 for SETTINGS (the caller adds 8 per entry);
 * it is 0 for the header-block frames, whose packing sets it.  The caller
 * then fills the type's own fields through the union member of |type|.
 * Pointers it stores there (nv of SYN_STREAM / SYN_REPLY / HEADERS, iv
 * of SETTINGS) become owned by the frame.
 */
void spdylay_frame_begin(spdylay_frame *frame, uint16_t version,
                         uint16_t type, uint8_t flags);

/*
 * Frees what |frame| owns according to hd.type (the nv array of
 * SYN_STREAM, SYN_REPLY and HEADERS, the entries of SETTINGS) and clears
 * those pointers; the frame itself is not freed.
 */
void spdylay_frame_release(spdylay_frame *frame);

/* ---- packing (into |buf|, which is reset first) ----
 * All return the total frame length (header included), or
 * SPDYLAY_ERR_ZLIB, SPDYLAY_ERR_FRAME_TOO_LARGE, SPDYLAY_ERR_NOMEM.
 * hd.length of the frame is updated. */

ssize_t spdylay_frame_encode_syn_stream(spdylay_buffer *buf,
                                        spdylay_buffer *nvbuf,
                                        spdylay_syn_stream *frame,
                                        spdylay_hd_deflater *deflater);
ssize_t spdylay_frame_encode_syn_reply(spdylay_buffer *buf,
                                       spdylay_buffer *nvbuf,
                                       spdylay_syn_reply *frame,
                                       spdylay_hd_deflater *deflater);
ssize_t spdylay_frame_encode_headers(spdylay_buffer *buf,
                                     spdylay_buffer *nvbuf,
                                     spdylay_headers *frame,
                                     spdylay_hd_deflater *deflater);
ssize_t spdylay_frame_encode_rst_stream(spdylay_buffer *buf,
                                        spdylay_rst_stream *frame);
ssize_t spdylay_frame_encode_settings(spdylay_buffer *buf,
                                      spdylay_settings *frame);
ssize_t spdylay_frame_encode_ping(spdylay_buffer *buf, spdylay_ping *frame);
ssize_t spdylay_frame_encode_goaway(spdylay_buffer *buf, spdylay_goaway *frame);
ssize_t spdylay_frame_encode_window_update(spdylay_buffer *buf,
                                           spdylay_window_update *frame);

/* ---- unpacking ----
 * |head| is the 8-byte header, |payload| the (fixed part of the) payload,
 * and for header-block frames |hb| the inflated header block.
 * Return 0, SPDYLAY_ERR_INVALID_FRAME, SPDYLAY_ERR_UNSUPPORTED_VERSION,
 * SPDYLAY_ERR_INVALID_HEADER_BLOCK (frame filled, nv set) or NOMEM. */

int spdylay_frame_decode_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head,
                                    const uint8_t *payload, size_t payloadlen,
                                    const uint8_t *hb, size_t hblen);
int spdylay_frame_decode_syn_stream_fixed(spdylay_syn_stream *frame,
                                          const uint8_t *head,
                                          const uint8_t *payload,
                                          size_t payloadlen);
int spdylay_frame_decode_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head,
                                   const uint8_t *payload, size_t payloadlen,
                                   const uint8_t *hb, size_t hblen);
int spdylay_frame_decode_syn_reply_fixed(spdylay_syn_reply *frame,
                                         const uint8_t *head,
                                         const uint8_t *payload,
                                         size_t payloadlen);
int spdylay_frame_decode_headers(spdylay_headers *frame,
                                 const uint8_t *head,
                                 const uint8_t *payload, size_t payloadlen,
                                 const uint8_t *hb, size_t hblen);
int spdylay_frame_decode_headers_fixed(spdylay_headers *frame,
                                       const uint8_t *head,
                                       const uint8_t *payload,
                                       size_t payloadlen);
int spdylay_frame_decode_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head,
                                    const uint8_t *payload,
                                    size_t payloadlen);
int spdylay_frame_decode_settings(spdylay_settings *frame,
                                  const uint8_t *head,
                                  const uint8_t *payload, size_t payloadlen);
int spdylay_frame_decode_ping(spdylay_ping *frame, const uint8_t *head,
                              const uint8_t *payload, size_t payloadlen);
int spdylay_frame_decode_goaway(spdylay_goaway *frame, const uint8_t *head,
                                const uint8_t *payload, size_t payloadlen);
int spdylay_frame_decode_window_update(spdylay_window_update *frame,
                                       const uint8_t *head,
                                       const uint8_t *payload,
                                       size_t payloadlen);

#endif /* SPDYLAY_FRAME_H */
