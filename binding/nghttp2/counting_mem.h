// CountingMem: an nghttp2_mem allocator that counts the bytes it holds, so
// that a session can report (and lib/ can bound, maxSessionMemory) what
// nghttp2 allocates on its behalf.
//
// Every block is malloc'd with a kPrefix-byte header in front of the bytes
// handed to nghttp2; the header stores the requested size, so that free and
// realloc can subtract it again. bytes() is the sum of requested sizes plus
// one header per live block. One instance per session, used from the JS
// thread only.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>

namespace spdylay_binding {

class CountingMem {
 public:
  CountingMem();
  CountingMem(const CountingMem &) = delete;
  CountingMem &operator=(const CountingMem &) = delete;

  // The allocator to pass to nghttp2_session_*_new3. It refers to this
  // object, which must outlive every session created with it.
  nghttp2_mem *mem() { return &mem_; }
  // Bytes of the blocks now allocated, headers included.
  size_t bytes() const { return bytes_; }

 private:
  // Size of the header in front of each block; 16 keeps the payload aligned
  // for any type (max_align_t), as malloc's is.
  static constexpr size_t kPrefix = 16;

  static void *Malloc(size_t size, void *mem_user_data);
  static void Free(void *ptr, void *mem_user_data);
  static void *Calloc(size_t nmemb, size_t size, void *mem_user_data);
  static void *Realloc(void *ptr, size_t size, void *mem_user_data);

  nghttp2_mem mem_;
  size_t bytes_ = 0;
};

}  // namespace spdylay_binding
