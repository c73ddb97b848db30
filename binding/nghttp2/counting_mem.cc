#include "counting_mem.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace spdylay_binding {

namespace {
inline CountingMem *Self(void *mem_user_data) { return static_cast<CountingMem *>(mem_user_data); }
}  // namespace

CountingMem::CountingMem() : mem_{this, Malloc, Free, Calloc, Realloc} {}

void *CountingMem::Malloc(size_t size, void *mem_user_data) {
  uint8_t *p = static_cast<uint8_t *>(std::malloc(size + kPrefix));
  if (!p) return nullptr;
  std::memcpy(p, &size, sizeof(size));
  Self(mem_user_data)->bytes_ += size + kPrefix;
  return p + kPrefix;
}

void CountingMem::Free(void *ptr, void *mem_user_data) {
  if (!ptr) return;
  uint8_t *p = static_cast<uint8_t *>(ptr) - kPrefix;
  size_t size;
  std::memcpy(&size, p, sizeof(size));
  Self(mem_user_data)->bytes_ -= size + kPrefix;
  std::free(p);
}

void *CountingMem::Calloc(size_t nmemb, size_t size, void *mem_user_data) {
  if (size != 0 && nmemb > (SIZE_MAX - kPrefix) / size) return nullptr;
  size_t total = nmemb * size;
  void *p = Malloc(total, mem_user_data);
  if (p) std::memset(p, 0, total);
  return p;
}

void *CountingMem::Realloc(void *ptr, size_t size, void *mem_user_data) {
  if (!ptr) return Malloc(size, mem_user_data);
  uint8_t *old = static_cast<uint8_t *>(ptr) - kPrefix;
  size_t old_size;
  std::memcpy(&old_size, old, sizeof(old_size));
  uint8_t *p = static_cast<uint8_t *>(std::realloc(old, size + kPrefix));
  if (!p) return nullptr;
  std::memcpy(p, &size, sizeof(size));
  CountingMem *self = Self(mem_user_data);
  self->bytes_ = self->bytes_ - old_size + size;
  return p + kPrefix;
}

}  // namespace spdylay_binding
