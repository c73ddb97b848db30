// HDDeflater: HPACK encoder (wraps nghttp2_hd_deflater).
#pragma once

#include <nghttp2/nghttp2.h>

#include "../util/mem_pool.h"
#include "../util/bound_methods.h"
#include <napi.h>

#include <vector>

namespace spdylay_binding {

class HDDeflater : public Napi::ObjectWrap<HDDeflater> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit HDDeflater(const Napi::CallbackInfo &info);
  ~HDDeflater() override;

 private:
  // deflateString(joined, lens, count, sensitive|null, slab, offset): number | undefined
  Napi::Value DeflateString(const Napi::CallbackInfo &info);
  // deflateBytes(bytes, lens, count, sensitive|null, slab, offset): number
  Napi::Value DeflateBytes(const Napi::CallbackInfo &info);
  // takePending(slab, offset): number -- after kErrNoSpace
  Napi::Value TakePending(const Napi::CallbackInfo &info);
  // pendingLength(): bytes waiting for TakePending
  Napi::Value PendingLength(const Napi::CallbackInfo &info);
  Napi::Value ChangeTableSize(const Napi::CallbackInfo &info);
  Napi::Value GetHdTable(const Napi::CallbackInfo &info);
  Napi::Value DynamicTableSize(const Napi::CallbackInfo &info);
  Napi::Value MaxDynamicTableSize(const Napi::CallbackInfo &info);

  Napi::Value Deflate(const Napi::CallbackInfo &info, const uint8_t *bytes, size_t bytes_len,
                      const uint32_t *lens, size_t count, const uint8_t *sensitive);

  BoundCell<HDDeflater> *cell_ = nullptr;  // deflateString, deflateBytes bound to the object
  MemPool *pool_ = nullptr;  // the environment's, one reference
  nghttp2_hd_deflater *deflater_ = nullptr;
  std::vector<nghttp2_nv> nva_;
  std::vector<uint8_t> out_;
  size_t out_len_ = 0;  // bytes of out_ waiting for TakePending
  std::vector<uint32_t> blens_;  // UTF-8 byte lengths of a non-ASCII string list
  std::vector<uint8_t> scratch_;
};

}  // namespace spdylay_binding
