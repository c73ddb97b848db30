#include "nv_args.h"

#include <spdylay/spdylay.h>

#include <cstring>

namespace spdylay_binding {

int NvArgs::Parse(const Napi::CallbackInfo &info, size_t idx, size_t count) {
  napi_env env = info.Env();
  napi_value v = info[idx];
  size_t jslen = info[idx + 1].As<Napi::Number>().Uint32Value();
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  scratch_.resize(jslen * 3 + 1);
  size_t n = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, v, &scratch_[0], scratch_.size(), &n),
                       SPDYLAY_ERR_INVALID_ARGUMENT);
  ptrs_.clear();
  char *start = &scratch_[0];
  char *end = start + n;
  while (start < end) {
    char *z = static_cast<char *>(std::memchr(start, '\0', static_cast<size_t>(end - start)));
    if (!z) break;
    ptrs_.push_back(start);
    start = z + 1;
  }
  if (start != end || ptrs_.size() != 2 * count) return kErrNvNul;
  ptrs_.push_back(nullptr);
  return 0;
}

}  // namespace spdylay_binding
