// The name/value list argument of a SpdylaySession submit: one JS string
// holding every name and value followed by NUL, split into the NULL-ended
// `const char *` array spdylay takes. The JS half numbers the strings it
// caches per header array (an id never names two different strings): the
// lists of the last kEntries ids are kept split, so submitting the same
// header array again reads no string from JS.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spdylay_binding {

class NvArgs {
 public:
  // A name or value held a NUL (the caller cuts them there and retries).
  static constexpr int kErrNvNul = -30011;
  // Split lists kept by id.
  static constexpr int kEntries = 4;

  // Splits argument `idx` (the string; `idx + 1` is its length in UTF-16
  // units) of `count` pairs; argument `id_idx` is the string's id (a
  // positive integer), or anything else for none. Returns 0, kErrNvNul or
  // SPDYLAY_ERR_INVALID_ARGUMENT.
  int Parse(const Napi::CallbackInfo &info, size_t idx, size_t count, size_t id_idx);
  // The list of the last successful Parse.
  const char **data() { return cur_->ptrs.data(); }

 private:
  struct Entry {
    uint32_t id = 0;  // 0: none
    std::string bytes;
    std::vector<const char *> ptrs;
  };
  // Splits into `e`; 0 or an error code (e->id is 0 then).
  static int Split(napi_env env, napi_value v, size_t jslen, size_t count, Entry *e);

  Entry entries_[kEntries + 1];  // the last one: lists without an id
  Entry *cur_ = &entries_[kEntries];
  int next_ = 0;
};

}  // namespace spdylay_binding
