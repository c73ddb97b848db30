#include "mem_pool.h"

#include <cstdlib>
#include <cstring>

namespace spdylay_binding {

namespace {
// Every block starts with this header; 16 bytes keep the payload aligned
// for any type, as malloc's is.
struct alignas(16) BlockHeader {
  uint32_t cls;   // size class, or MemPool::kLarge
  uint32_t pad;
  size_t size;    // usable bytes (for realloc)
};
static_assert(sizeof(BlockHeader) == 16, "header must keep 16-byte alignment");

BlockHeader *HeaderOf(void *ptr) { return static_cast<BlockHeader *>(ptr) - 1; }
}  // namespace

MemPool::MemPool() : mem_{this, Malloc, Free, Calloc, Realloc} {}

MemPool *MemPool::ForEnv(napi_env env) {
  void *data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) data = nullptr;
  auto *pool = static_cast<MemPool *>(data);
  if (!pool) {
    pool = new MemPool();
    pool->refs_ = 1;  // the environment's
    if (napi_set_instance_data(env, pool, FinalizeEnv, nullptr) != napi_ok) {
      delete pool;
      return nullptr;
    }
  }
  ++pool->refs_;
  return pool;
}

void MemPool::FinalizeEnv(napi_env, void *data, void *) { static_cast<MemPool *>(data)->Unref(); }

void MemPool::Unref() {
  if (--refs_ == 0) delete this;
}

int MemPool::MaxCached(int cls) {
  size_t n = kMaxCachedBytesPerClass / ClassSize(cls);
  return n < kMinCachedPerClass ? kMinCachedPerClass : static_cast<int>(n);
}

size_t MemPool::cached_bytes() const {
  size_t n = 0;
  for (int c = 0; c < kClasses; ++c) n += static_cast<size_t>(cached_[c]) * ClassSize(c);
  return n;
}

MemPool::~MemPool() {
  for (int c = 0; c < kClasses; ++c) {
    while (free_[c]) {
      FreeBlock *b = free_[c];
      free_[c] = b->next;
      std::free(HeaderOf(b));
    }
  }
}

int MemPool::ClassOf(size_t size) {
  size_t s = kMinClassSize;
  for (int c = 0; c < kClasses; ++c, s <<= 1) {
    if (size <= s) return c;
  }
  return -1;
}

void *MemPool::Allocate(size_t size) {
  int cls = ClassOf(size);
  if (cls >= 0 && free_[cls]) {
    FreeBlock *b = free_[cls];
    free_[cls] = b->next;
    --cached_[cls];
    return b;
  }
  size_t usable = cls >= 0 ? ClassSize(cls) : size;
  auto *h = static_cast<BlockHeader *>(std::malloc(sizeof(BlockHeader) + usable));
  if (!h) return nullptr;
  h->cls = cls >= 0 ? static_cast<uint32_t>(cls) : kLarge;
  h->size = usable;
  return h + 1;
}

void MemPool::Release(void *ptr) {
  if (!ptr) return;
  BlockHeader *h = HeaderOf(ptr);
  if (h->cls != kLarge && cached_[h->cls] < MaxCached(static_cast<int>(h->cls))) {
    auto *b = static_cast<FreeBlock *>(ptr);
    b->next = free_[h->cls];
    free_[h->cls] = b;
    ++cached_[h->cls];
    return;
  }
  std::free(h);
}

void *MemPool::Malloc(size_t size, void *user_data) {
  return static_cast<MemPool *>(user_data)->Allocate(size);
}

void MemPool::Free(void *ptr, void *user_data) { static_cast<MemPool *>(user_data)->Release(ptr); }

void *MemPool::Calloc(size_t nmemb, size_t size, void *user_data) {
  if (size && nmemb > SIZE_MAX / size) return nullptr;
  void *p = static_cast<MemPool *>(user_data)->Allocate(nmemb * size);
  if (p) std::memset(p, 0, nmemb * size);
  return p;
}

void *MemPool::Realloc(void *ptr, size_t size, void *user_data) {
  auto *pool = static_cast<MemPool *>(user_data);
  if (!ptr) return pool->Allocate(size);
  BlockHeader *h = HeaderOf(ptr);
  if (size <= h->size) return ptr;
  void *p = pool->Allocate(size);
  if (!p) return nullptr;
  std::memcpy(p, ptr, h->size);
  pool->Release(ptr);
  return p;
}

}  // namespace spdylay_binding
