// MemPool: an nghttp2_mem allocator with per-size-class free lists, shared
// by the HPACK codecs of one Node environment (the main thread or one
// worker) and used only from that environment's JS thread.
//
// nghttp2 allocates and frees a small buffer for nearly every header field
// it decodes (nghttp2_rcbuf); glibc malloc/free cost more than the decoding
// of a typical field. Recycling those blocks through free lists removes that
// cost, and sharing the lists across the environment's codecs means that a
// new codec (one per connection) starts with warm lists instead of going to
// malloc for its first blocks and back to free when it is collected.
//
// Idle blocks are bounded: each class keeps at most kMaxCachedBytesPerClass
// bytes of them (at least kMinCachedPerClass blocks), about 0.6 MiB per
// environment in all; requests above the largest class go to malloc directly.
//
// Lifetime: the environment's instance data holds one reference and each
// codec one (ForEnv / Unref), so the pool outlives whichever goes last.
#pragma once

#include <nghttp2/nghttp2.h>
#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace spdylay_binding {

class MemPool {
 public:
  // The pool of `env`, with one more reference held by the caller (who
  // calls Unref once every nghttp2 object made with mem() is deleted), or
  // nullptr if the instance data cannot be set.
  static MemPool *ForEnv(napi_env env);
  void Unref();

  MemPool(const MemPool &) = delete;
  MemPool &operator=(const MemPool &) = delete;

  // The allocator to pass to nghttp2_*_new2 / nghttp2_session_*_new3.
  nghttp2_mem *mem() { return &mem_; }

  // Idle blocks now cached, all classes (for tests of the bound).
  size_t cached_bytes() const;

 private:
  MemPool();
  ~MemPool();

  static constexpr int kClasses = 8;  // 32, 64, ..., 4096 bytes
  static constexpr size_t kMinClassSize = 32;
  static constexpr size_t kMaxCachedBytesPerClass = 64 * 1024;
  static constexpr int kMinCachedPerClass = 16;
  static constexpr uint32_t kLarge = 0xff;

  struct FreeBlock {
    FreeBlock *next;
  };

  static int ClassOf(size_t size);
  static size_t ClassSize(int cls) { return kMinClassSize << cls; }
  static int MaxCached(int cls);
  static void FinalizeEnv(napi_env env, void *data, void *hint);

  static void *Malloc(size_t size, void *user_data);
  static void Free(void *ptr, void *user_data);
  static void *Calloc(size_t nmemb, size_t size, void *user_data);
  static void *Realloc(void *ptr, size_t size, void *user_data);

  void *Allocate(size_t size);
  void Release(void *ptr);

  FreeBlock *free_[kClasses] = {};
  int cached_[kClasses] = {};
  int refs_ = 0;
  nghttp2_mem mem_;
};

}  // namespace spdylay_binding
