// MemPool: an nghttp2_mem allocator with per-size-class free lists, one per
// codec or session object (which is only ever used from the JS thread).
//
// nghttp2 allocates and frees a small buffer for nearly every header field
// it decodes (nghttp2_rcbuf); glibc malloc/free cost more than the decoding
// of a typical field. Recycling those blocks through free lists removes that
// cost. Each class keeps at most kMaxCachedPerClass idle blocks; requests
// above the largest class go to malloc directly.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>

namespace spdylay_binding {

class MemPool {
 public:
  MemPool();
  ~MemPool();
  MemPool(const MemPool &) = delete;
  MemPool &operator=(const MemPool &) = delete;

  // The allocator to pass to nghttp2_*_new2 / nghttp2_session_*_new3.
  nghttp2_mem *mem() { return &mem_; }

 private:
  static constexpr int kClasses = 8;  // 32, 64, ..., 4096 bytes
  static constexpr size_t kMinClassSize = 32;
  static constexpr int kMaxCachedPerClass = 256;
  static constexpr uint32_t kLarge = 0xff;

  struct FreeBlock {
    FreeBlock *next;
  };

  static int ClassOf(size_t size);
  static size_t ClassSize(int cls) { return kMinClassSize << cls; }

  static void *Malloc(size_t size, void *user_data);
  static void Free(void *ptr, void *user_data);
  static void *Calloc(size_t nmemb, size_t size, void *user_data);
  static void *Realloc(void *ptr, size_t size, void *user_data);

  void *Allocate(size_t size);
  void Release(void *ptr);

  FreeBlock *free_[kClasses] = {};
  int cached_[kClasses] = {};
  nghttp2_mem mem_;
};

}  // namespace spdylay_binding
