// ExternalMemory: tells V8 how much native memory a wrapped object holds, for
// as long as it lives (napi_adjust_external_memory).
//
// A wrapped object's JS half is small (a few hundred bytes to a few KiB) and
// its native half is not: a SPDY session's zlib streams, an HPACK codec's
// dynamic table and buffers. The native half is freed only when the garbage
// collector finalizes the JS half, and V8 schedules collections from what it
// can see. Without this, a process that creates and drops many sessions or
// codecs (a server under connection churn) kept the native halves of
// hundreds of megabytes of dead objects waiting for a collection the JS heap
// alone did not call for; reported, they count towards V8's external memory
// limit, which starts a collection once they grow past it.
//
// The figure reported is a per-class estimate (what one object typically
// holds, measured as resident memory per object), not an exact count.
#pragma once

#include <node_api.h>

#include <cstdint>

namespace spdylay_binding {

class ExternalMemory {
 public:
  ExternalMemory() = default;
  ExternalMemory(const ExternalMemory &) = delete;
  ExternalMemory &operator=(const ExternalMemory &) = delete;
  ~ExternalMemory() {
    if (env_) {
      int64_t total;
      napi_adjust_external_memory(env_, -bytes_, &total);
    }
  }
  // Reports `bytes` for `env` (once; the destructor takes them back).
  void Report(napi_env env, int64_t bytes) {
    int64_t total;
    if (env_ || napi_adjust_external_memory(env, bytes, &total) != napi_ok) return;
    env_ = env;
    bytes_ = bytes;
  }

 private:
  napi_env env_ = nullptr;
  int64_t bytes_ = 0;
};

}  // namespace spdylay_binding
