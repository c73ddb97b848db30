// Small helpers shared by the binding's wrapped classes.
//
// Convention of the glue: native methods return the C library's error codes
// (negative integers) instead of throwing; lib/ turns them into typed
// exceptions. Only misuse from JS (wrong argument types) and allocation
// failure throw from here.
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spdylay_binding {

// A view of the bytes of a Buffer/Uint8Array/ArrayBuffer argument. Throws a
// TypeError when the value is none of those.
struct ByteView {
  uint8_t *data = nullptr;
  size_t length = 0;
};
ByteView GetBytes(const Napi::Value &value, const char *what);

// A view of a Uint32Array argument (throws TypeError otherwise).
struct U32View {
  uint32_t *data = nullptr;
  size_t length = 0;
};
U32View GetU32Array(const Napi::Value &value, const char *what);

// Creates a Node Buffer holding a copy of [data, data + length).
Napi::Value CopyToBuffer(Napi::Env env, const uint8_t *data, size_t length);

// The dynamic part of an HPACK table as [name, value] Buffer pairs, newest
// first. `total` is nghttp2's entry count (static table included) and
// `get(idx)` returns entry idx (1-based, nghttp2_hd_*_get_table_entry).
template <typename GetEntry>
Napi::Array DynamicTableToArray(Napi::Env env, size_t total, GetEntry get) {
  // Indexes 1..61 are the static table; the dynamic table starts at 62.
  constexpr size_t kStaticEntries = 61;
  size_t dynamic = total > kStaticEntries ? total - kStaticEntries : 0;
  Napi::Array result = Napi::Array::New(env, dynamic);
  for (size_t i = 0; i < dynamic; ++i) {
    const nghttp2_nv *nv = get(kStaticEntries + 1 + i);
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, CopyToBuffer(env, nv->name, nv->namelen));
    pair.Set(1u, CopyToBuffer(env, nv->value, nv->valuelen));
    result.Set(static_cast<uint32_t>(i), pair);
  }
  return result;
}

// The events a session collects while nghttp2 processes a chunk of input or
// output (binding/h2_session.h and h2_client.h give their layouts): uint32
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

// Returned when an output does not fit in the slab the caller offered. The
// output is kept; the caller offers a larger slab to TakePending. Not an
// nghttp2 code (those are all >= -999).
constexpr int kErrNoSpace = -30002;

// Output slabs: JS allocates an ArrayBuffer once and hands it, with an
// offset, to the calls that produce bytes; native code writes there and JS
// creates Buffer views, so producing a header block allocates nothing.

// The bytes of `slab` (an ArrayBuffer) from `offset` (a number) on, and how
// many there are. Throws RangeError when the offset lies outside the slab.
struct SlabView {
  uint8_t *data;
  size_t room;
};
SlabView GetSlab(const Napi::Value &slab, const Napi::Value &offset);

// Writes `len` bytes of `src` at `offset` of the ArrayBuffer `slab`; returns
// false (writing nothing) when they do not fit.
bool WriteToSlab(const Napi::Value &slab, const Napi::Value &offset, const uint8_t *src,
                 size_t len);

}  // namespace spdylay_binding
