#include "event_batch.h"

#include <cstring>

namespace spdylay_binding {

void EventBatch::PushBytesPadded(const uint8_t *data, size_t len) {
  Append(data, len);
  bytes_.insert(bytes_.end(), (4 - (len & 3)) & 3, 0);
}

Napi::ArrayBuffer EventBatch::Take(Napi::Env env) {
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes_.size());
  if (!bytes_.empty()) std::memcpy(ab.Data(), bytes_.data(), bytes_.size());
  bytes_.clear();
  // A big batch (a large read chunk) leaves no large capacity behind.
  if (bytes_.capacity() > kKeepCapacity) std::vector<uint8_t>().swap(bytes_);
  return ab;
}

}  // namespace spdylay_binding
