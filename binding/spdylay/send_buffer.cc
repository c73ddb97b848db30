#include "send_buffer.h"

#include <spdylay/spdylay.h>

#include <cstring>

namespace spdylay_binding {

SendBuffer::~SendBuffer() {
  if (env_ && ref_) napi_delete_reference(env_, ref_);
}

void SendBuffer::DropSlab() {
  if (ref_) napi_delete_reference(env_, ref_);
  ref_ = nullptr;
  data_ = nullptr;
  size_ = 0;
  pending_off_ = 0;
}

bool SendBuffer::EnsureSlab(size_t len) {
  size_t end = pending_off_ + pending_len_;
  if (data_ && len <= size_ - end) return true;
  if (pending_len_ != 0) return false;
  size_t size = len > next_size_ ? len : next_size_;
  if (next_size_ < kOutSlabMax) next_size_ *= 2;
  void *data;
  napi_value ab;
  size_t actual;
  if (!host_.NewSlab(size, &data, &actual, &ab)) return false;
  if (ref_) napi_delete_reference(env_, ref_);
  napi_create_reference(env_, ab, 1, &ref_);
  data_ = static_cast<uint8_t *>(data);
  size_ = actual;
  pending_off_ = 0;
  return true;
}

int SendBuffer::MakeRoom(size_t length) {
  size_t room = size_ - pending_off_ - pending_len_;
  if (pending_len_ > 0 &&
      (blocked_ || pending_len_ + length > kFlushThreshold || length > room)) {
    // A slab too small for its output is replaced by a larger one once
    // flushed (a reused slab would otherwise stay at its first size).
    bool grow = length > room && size_ < kOutSlabMax;
    if (Flush() != 0) return SPDYLAY_ERR_CALLBACK_FAILURE;
    if (pending_len_ > 0) return SPDYLAY_ERR_WOULDBLOCK;
    if (grow) DropSlab();
  }
  if (!EnsureSlab(length)) return SPDYLAY_ERR_CALLBACK_FAILURE;
  return 0;
}

int SendBuffer::Flush() {
  if (pending_len_ == 0) {
    blocked_ = false;
    return 0;
  }
  napi_value slab;
  napi_get_reference_value(env_, ref_, &slab);
  // As spdylay_session_send's contract: offer the rest again after a
  // partial write, until the send callback takes nothing (would block).
  while (pending_len_ > 0) {
    size_t taken = 0;
    if (!host_.Deliver(slab, pending_off_, pending_len_, &taken)) return SPDYLAY_ERR_CALLBACK_FAILURE;
    if (taken == 0) break;
    pending_off_ += taken;
    pending_len_ -= taken;
  }
  // With `reuse`, the send callback's data is valid only during the call
  // (C's contract): once all of it is taken the slab is written again from
  // its start.
  if (reuse_ && pending_len_ == 0) pending_off_ = 0;
  blocked_ = pending_len_ != 0;
  return 0;
}

RecvSlab::~RecvSlab() {
  if (env_ && ref_) napi_delete_reference(env_, ref_);
}

bool RecvSlab::Copy(napi_env env, SlabHost &host, const uint8_t *data, size_t len, napi_value *ab,
                    size_t *off) {
  if (!data_ || len > size_ - off_) {
    size_t size = len > kSize ? len : kSize;
    void *mem;
    napi_value nab;
    size_t actual;
    if (!host.NewSlab(size, &mem, &actual, &nab)) return false;
    env_ = env;
    if (ref_) napi_delete_reference(env_, ref_);
    napi_create_reference(env_, nab, 1, &ref_);
    data_ = static_cast<uint8_t *>(mem);
    size_ = actual;
    off_ = 0;
  }
  std::memcpy(data_ + off_, data, len);
  napi_get_reference_value(env_, ref_, ab);
  *off = off_;
  off_ = (off_ + len + 7) & ~static_cast<size_t>(7);
  if (off_ > size_) off_ = size_;
  return true;
}

}  // namespace spdylay_binding
