// HDInflater: HPACK decoder (wraps nghttp2_hd_inflater).
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <vector>

namespace spdylay_binding {

// Returned by inflate() when the decoded header list exceeds the limit given
// to the constructor. Not an nghttp2 code: nghttp2's codes are all >= -999.
constexpr int kErrHeaderListTooLarge = -30001;

class HDInflater : public Napi::ObjectWrap<HDInflater> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit HDInflater(const Napi::CallbackInfo &info);
  ~HDInflater() override;

 private:
  // inflate(block): ArrayBuffer | number
  Napi::Value Inflate(const Napi::CallbackInfo &info);
  Napi::Value ChangeTableSize(const Napi::CallbackInfo &info);
  Napi::Value GetHdTable(const Napi::CallbackInfo &info);
  Napi::Value DynamicTableSize(const Napi::CallbackInfo &info);
  Napi::Value IsUsable(const Napi::CallbackInfo &info);

  nghttp2_hd_inflater *inflater_ = nullptr;
  size_t max_header_list_size_ = 0;  // 0: no limit
  bool usable_ = true;
  std::vector<uint32_t> lens_;
  std::vector<uint8_t> bytes_;
};

}  // namespace spdylay_binding
