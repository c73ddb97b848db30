// EventBatch: the packed events of an nghttp2 session handed to JS in one
// crossing, and the recv()/takeEvents() steps built on it.
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common.h"

namespace spdylay_binding {

// The events a session collects while nghttp2 processes a chunk of input or
// output (binding/nghttp2/server_session.h and client_session.h give their layouts): uint32
// words and byte areas padded to 4, handed to JS as one ArrayBuffer so that a
// whole chunk costs one crossing.
class EventBatch {
 public:
  void PushU32(uint32_t v) { Append(reinterpret_cast<const uint8_t *>(&v), sizeof(v)); }
  // Appends `len` bytes and pads them with zeros to a multiple of 4.
  void PushBytesPadded(const uint8_t *data, size_t len);
  // An event record of three words: type, stream ID, one value.
  void PushStreamEvent(uint32_t type, int32_t stream_id, uint32_t value) {
    PushU32(type);
    PushU32(static_cast<uint32_t>(stream_id));
    PushU32(value);
  }
  // A DATA record: type, stream ID, length, then the bytes padded to 4.
  void PushStreamData(uint32_t type, int32_t stream_id, const uint8_t *data, size_t len) {
    PushStreamEvent(type, stream_id, static_cast<uint32_t>(len));
    PushBytesPadded(data, len);
  }
  void Append(const uint8_t *data, size_t len) { bytes_.insert(bytes_.end(), data, data + len); }
  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  void clear() { bytes_.clear(); }
  // Releases the buffer when it is empty and its capacity exceeds `keep`.
  void Trim(size_t keep) {
    if (bytes_.empty() && bytes_.capacity() > keep) std::vector<uint8_t>().swap(bytes_);
  }
  size_t capacity() const { return bytes_.capacity(); }
  // Moves the batch into a new ArrayBuffer; the batch is empty afterwards
  // and keeps at most kKeepCapacity bytes of capacity.
  Napi::ArrayBuffer Take(Napi::Env env);

 private:
  static constexpr size_t kKeepCapacity = 256 * 1024;
  std::vector<uint8_t> bytes_;
};

// takeEvents() of an nghttp2 session whose callbacks fill `events`: the
// events as an ArrayBuffer, or undefined when there are none. `update`
// refreshes the session's JS-visible state afterwards.
template <typename Update>
Napi::Value TakeBatch(Napi::Env env, EventBatch &events, Update update) {
  if (events.empty()) {
    update();
    return env.Undefined();
  }
  Napi::ArrayBuffer ab = events.Take(env);
  update();
  return ab;
}

// recv(chunk) of such a session: nghttp2_session_mem_recv over the bytes
// of `chunk`, then TakeBatch; or the negative nghttp2 error code.
template <typename Update>
Napi::Value MemRecvBatch(Napi::Env env, nghttp2_session *session, const Napi::Value &chunk,
                         EventBatch &events, Update update) {
  ByteView in = GetBytes(chunk, "chunk");
  ssize_t rv = nghttp2_session_mem_recv(session, in.data, in.length);
  if (rv < 0) {
    update();
    return Napi::Number::New(env, static_cast<double>(rv));
  }
  return TakeBatch(env, events, update);
}

}  // namespace spdylay_binding
