// DynamicTableToArray: the dynamic part of an HPACK table (HDDeflater's or
// HDInflater's) as JS [name, value] pairs, for their getHdTable().
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>

#include "../util/common.h"

namespace spdylay_binding {

// The dynamic part of an HPACK table as [name, value] Buffer pairs, newest
// first. `total` is nghttp2's entry count (static table included) and
// `get(idx)` returns entry idx (1-based, nghttp2_hd_*_get_table_entry).
template <typename GetEntry>
Napi::Array DynamicTableToArray(Napi::Env env, size_t total, GetEntry get) {
  // Indexes 1..61 are the static table; the dynamic table starts at 62.
  constexpr size_t kStaticEntries = 61;
  size_t dynamic = total > kStaticEntries ? total - kStaticEntries : 0;
  Napi::Array result = Napi::Array::New(env, dynamic);
  for (size_t i = 0; i < dynamic; ++i) {
    const nghttp2_nv *nv = get(kStaticEntries + 1 + i);
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, CopyToBuffer(env, nv->name, nv->namelen));
    pair.Set(1u, CopyToBuffer(env, nv->value, nv->valuelen));
    result.Set(static_cast<uint32_t>(i), pair);
  }
  return result;
}

}  // namespace spdylay_binding
