// HDDeflater: HPACK encoder (wraps nghttp2_hd_deflater).
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <string>
#include <vector>

namespace spdylay_binding {

class HDDeflater : public Napi::ObjectWrap<HDDeflater> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit HDDeflater(const Napi::CallbackInfo &info);
  ~HDDeflater() override;

 private:
  // deflateString(joined, lens, count, sensitive|null): Buffer | number | undefined
  Napi::Value DeflateString(const Napi::CallbackInfo &info);
  // deflateBytes(bytes, lens, count, sensitive|null): Buffer | number
  Napi::Value DeflateBytes(const Napi::CallbackInfo &info);
  Napi::Value ChangeTableSize(const Napi::CallbackInfo &info);
  Napi::Value GetHdTable(const Napi::CallbackInfo &info);
  Napi::Value DynamicTableSize(const Napi::CallbackInfo &info);
  Napi::Value MaxDynamicTableSize(const Napi::CallbackInfo &info);

  Napi::Value Deflate(Napi::Env env, const uint8_t *bytes, size_t bytes_len,
                      const uint32_t *lens, size_t count, const uint8_t *sensitive);

  nghttp2_hd_deflater *deflater_ = nullptr;
  std::vector<nghttp2_nv> nva_;
  std::vector<uint8_t> out_;
  std::string scratch_;
};

}  // namespace spdylay_binding
