// The JS-visible slabs of a SpdylaySession: SendBuffer, where outgoing
// frames are coalesced before the JS send callback takes them, and
// RecvSlab, where received DATA chunks that are not in the caller's input
// are copied for JS to view.
//
// Slabs come from JS (Buffer.allocUnsafeSlow: no zero fill) through
// SlabHost::NewSlab. A SendBuffer's slab is never rewritten (views handed
// to JS stay valid) unless it was made with `reuse`: then the send
// callback's data is valid only during the call, and once a call has taken
// all it was given the slab is written again from its start, while it is
// still in the CPU cache. Output slabs start at kOutSlabMin (idle sessions
// stay cheap) and double up to kOutSlabMax while the session keeps
// producing output.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace spdylay_binding {

// What the slabs need of their session: memory from JS, and a JS send
// callback to hand output to.
class SlabHost {
 public:
  // A new slab of at least `size` bytes: its bytes, their number, and the
  // ArrayBuffer. False when it could not be made (exception captured).
  virtual bool NewSlab(size_t size, void **data, size_t *actual, napi_value *ab) = 0;
  // Offers bytes [off, off + len) of `slab` to the JS send callback; sets
  // `*taken` to the number it took. False when the call failed or its
  // answer was not a byte count in 0..len.
  virtual bool Deliver(napi_value slab, size_t off, size_t len, size_t *taken) = 0;

 protected:
  ~SlabHost() = default;
};

// Outgoing bytes not yet taken by the JS send callback.
class SendBuffer {
 public:
  // Pending output is handed over before it would pass this many bytes.
  static constexpr size_t kFlushThreshold = 72 * 1024;
  static constexpr size_t kOutSlabMin = 16 * 1024;
  static constexpr size_t kOutSlabMax = 256 * 1024;

  explicit SendBuffer(SlabHost &host) : host_(host) {}
  SendBuffer(const SendBuffer &) = delete;
  SendBuffer &operator=(const SendBuffer &) = delete;
  ~SendBuffer();

  void Init(napi_env env, bool reuse) {
    env_ = env;
    reuse_ = reuse;
  }

  size_t pending() const { return pending_len_; }
  // Where the next frame goes.
  uint8_t *tail() const { return data_ + pending_off_ + pending_len_; }
  // Whether [data, data + length) was written at tail() (DATA frames packed
  // in place by the library).
  bool IsAtTail(const uint8_t *data, size_t length) const {
    return data_ && data == tail() && length <= size_ - pending_off_ - pending_len_;
  }
  // Counts `length` bytes written at tail() as pending.
  void Commit(size_t length) { pending_len_ += length; }
  // Makes room for a frame of `length` bytes at tail(): hands the pending
  // output to JS first when it would pass kFlushThreshold, when the slab is
  // full, or when the last send callback did not take everything. Returns
  // 0, SPDYLAY_ERR_WOULDBLOCK (the send callback stopped taking bytes
  // before all were taken) or SPDYLAY_ERR_CALLBACK_FAILURE.
  int MakeRoom(size_t length);
  // Hands the pending output to JS, offering the rest again after each
  // partial take, until all is taken or a call takes nothing. Returns 0 or
  // SPDYLAY_ERR_CALLBACK_FAILURE.
  int Flush();

 private:
  // Makes room for `len` more bytes (pending must be 0 when a new slab is needed).
  bool EnsureSlab(size_t len);
  void DropSlab();

  SlabHost &host_;
  napi_env env_ = nullptr;
  bool reuse_ = false;
  napi_ref ref_ = nullptr;
  uint8_t *data_ = nullptr;
  size_t size_ = 0;
  size_t next_size_ = kOutSlabMin;
  size_t pending_off_ = 0;
  size_t pending_len_ = 0;
  bool blocked_ = false;
};

// Received DATA chunks copied for JS, 8-byte aligned, in 64 KiB slabs.
class RecvSlab {
 public:
  static constexpr size_t kSize = 64 * 1024;

  RecvSlab() = default;
  RecvSlab(const RecvSlab &) = delete;
  RecvSlab &operator=(const RecvSlab &) = delete;
  ~RecvSlab();

  // Copies [data, data + len); returns its slab and offset there.
  bool Copy(napi_env env, SlabHost &host, const uint8_t *data, size_t len, napi_value *ab,
            size_t *off);

 private:
  napi_env env_ = nullptr;
  napi_ref ref_ = nullptr;
  uint8_t *data_ = nullptr;
  size_t size_ = 0;
  size_t off_ = 0;
};

}  // namespace spdylay_binding
