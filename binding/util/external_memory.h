// ExternalMemory: tells V8 how much native memory a wrapped object holds, for
// as long as it lives (napi_adjust_external_memory).
//
// A SPDY session's JS half is small (about 11 KiB) and its native half is
// not (the C session, its zlib streams, buffers). The native half is freed
// only when the garbage collector finalizes the JS half, and V8 schedules
// collections from what it can see. Without this, a SPDY server under
// connection churn kept the native halves of dead sessions waiting for a
// collection the JS heap alone did not call for (bench/attacks spdy-churn:
// 180-185 MiB peak against 115-122 MiB reported); reported, they count
// towards V8's external memory limit, which starts a collection once they
// grow past it.
//
// Not used for the HPACK codecs: Node runs finalizers between event loop
// turns, so in a synchronous loop that creates codecs (bench/hpack) the
// reported memory only grows and V8 kept collecting for memory it could not
// free (the native halves of that bench 30-70% slower).
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
