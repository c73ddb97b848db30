#include "nv_args.h"

#include <spdylay/spdylay.h>

#include <cstring>

namespace spdylay_binding {

int NvArgs::Split(napi_env env, napi_value v, size_t jslen, size_t count, Entry *e) {
  e->id = 0;
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  e->bytes.resize(jslen * 3 + 1);
  size_t n = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, v, &e->bytes[0], e->bytes.size(), &n),
                       SPDYLAY_ERR_INVALID_ARGUMENT);
  std::vector<const char *> &ptrs = e->ptrs;
  ptrs.clear();
  char *start = &e->bytes[0];
  char *end = start + n;
  while (start < end) {
    char *z = static_cast<char *>(std::memchr(start, '\0', static_cast<size_t>(end - start)));
    if (!z) break;
    ptrs.push_back(start);
    start = z + 1;
  }
  if (start != end || ptrs.size() != 2 * count) return kErrNvNul;
  ptrs.push_back(nullptr);
  return 0;
}

int NvArgs::Parse(const Napi::CallbackInfo &info, size_t idx, size_t count, size_t id_idx) {
  napi_env env = info.Env();
  uint32_t id = 0;
  napi_value idv = info[id_idx];
  napi_valuetype t;
  if (napi_typeof(env, idv, &t) == napi_ok && t == napi_number) napi_get_value_uint32(env, idv, &id);
  if (id != 0) {
    for (Entry &e : entries_) {
      if (e.id == id && e.ptrs.size() == 2 * count + 1) {
        cur_ = &e;
        return 0;
      }
    }
  }
  size_t jslen = info[idx + 1].As<Napi::Number>().Uint32Value();
  Entry *e = id != 0 ? &entries_[next_] : &entries_[kEntries];
  int rv = Split(env, info[idx], jslen, count, e);
  if (rv != 0) return rv;
  if (id != 0) {
    e->id = id;
    next_ = (next_ + 1) % kEntries;
  }
  cur_ = e;
  return 0;
}

}  // namespace spdylay_binding
