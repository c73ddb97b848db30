// The name/value list argument of a SpdylaySession submit: one JS string
// holding every name and value followed by NUL, split into the NULL-ended
// `const char *` array spdylay takes.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>
#include <vector>

namespace spdylay_binding {

class NvArgs {
 public:
  // A name or value held a NUL (the caller cuts them there and retries).
  static constexpr int kErrNvNul = -30011;

  // Splits argument `idx` (the string; `idx + 1` is its length in UTF-16
  // units) of `count` pairs. Returns 0, kErrNvNul or
  // SPDYLAY_ERR_INVALID_ARGUMENT.
  int Parse(const Napi::CallbackInfo &info, size_t idx, size_t count);
  // The list of the last successful Parse.
  const char **data() { return ptrs_.data(); }

 private:
  std::string scratch_;
  std::vector<const char *> ptrs_;
};

}  // namespace spdylay_binding
