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
  // deflateFields(slab, offset, sensitive|null, name0, value0, name1,
  // value1, ...): number -- a raw napi callback (any number of arguments;
  // node-addon-api's CallbackInfo would allocate past six).
  static napi_value DeflateFieldsCallback(napi_env env, napi_callback_info cbinfo);
  napi_value DeflateFields(napi_env env, const napi_value *argv, size_t argc);
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
  // Encodes nva[0, count) into the slab (or out_); the block's length, a
  // negative nghttp2 error code, or kErrNoSpace.
  double DeflateNva(napi_env env, napi_value slab, napi_value offset, const nghttp2_nv *nva, size_t count);

  BoundCell<HDDeflater> *cell_ = nullptr;  // deflateFields bound to the object
  MemPool *pool_ = nullptr;  // the environment's, one reference
  nghttp2_hd_deflater *deflater_ = nullptr;
  std::vector<nghttp2_nv> nva_;
  std::vector<uint8_t> out_;
  size_t out_len_ = 0;  // bytes of out_ waiting for TakePending
  std::vector<uint32_t> blens_;  // UTF-8 byte lengths of a non-ASCII string list
  std::vector<uint8_t> scratch_;
  std::vector<napi_value> argv_;  // arguments of DeflateFields
  // DeflateFields's stack buffers: units of one string, bytes of a block,
  // fields of a block (about 9 KiB of stack).
  static constexpr size_t kStackUnits = 1024;
  static constexpr size_t kStackBytes = 4096;
  static constexpr size_t kStackFields = 64;
  static constexpr size_t kSlack = 8;  // spare units and bytes for NarrowAscii
  std::vector<uint16_t> units_;   // a string's UTF-16 code units, past kStackUnits
};

}  // namespace spdylay_binding
