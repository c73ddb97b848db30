// Nghttp2Engine: what the server and client nghttp2 session wrappers share:
// the nghttp2_session driven with nghttp2_session_mem_recv/mem_send, the
// shared state array JS reads, the event batch, the output buffer, the
// header block being received, and the send()/GOAWAY/RST_STREAM steps.
// Each wrapper deletes its session in its own destructor (its nghttp2
// callbacks may use its members).
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "../util/event_batch.h"

namespace spdylay_binding {

class Nghttp2Engine {
 protected:
  // A JS object of named numbers, for the classes' exported layouts.
  static Napi::Object NumberTable(Napi::Env env,
                                  std::initializer_list<std::pair<const char *, uint32_t>> entries);
  // want_read (bit 0) and want_write (bit 1) of the session; 0 without one.
  int32_t WantBits() const;
  // Pulls frames with nghttp2_session_mem_send into out_ (cleared first)
  // until nothing is pending or at least max_bytes were produced. Returns 0
  // or the negative nghttp2 error that stopped it.
  ssize_t PullOutput(size_t max_bytes);
  // send()'s result: the negative `err` when nothing was produced, else out_
  // copied to a Buffer, or undefined when it is empty.
  Napi::Value OutputValue(Napi::Env env, ssize_t err) const;
  // nghttp2_submit_rst_stream.
  int RstStream(int32_t stream_id, uint32_t error_code);
  // nghttp2_submit_goaway with the last processed stream ID.
  int Goaway(uint32_t error_code);
  // Starts collecting the header block of `stream_id`.
  void BeginHeaderBlock(int32_t stream_id);
  // Appends a field's name and value to hdr_bytes_ and their lengths to hdr_lens_.
  void AppendHeaderField(const uint8_t *name, size_t namelen, const uint8_t *value, size_t valuelen);

  nghttp2_session *session_ = nullptr;
  // The shared Int32Array (kept alive by state_ref_).
  Napi::Reference<Napi::Value> state_ref_;
  int32_t *state_ = nullptr;
  EventBatch events_;
  std::vector<uint8_t> out_;
  // Header block being received (committed to events_ on frame recv).
  int32_t hdr_stream_id_ = 0;
  std::vector<uint32_t> hdr_lens_;
  std::vector<uint8_t> hdr_bytes_;
};

}  // namespace spdylay_binding
