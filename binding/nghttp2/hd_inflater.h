// HDInflater: HPACK decoder (wraps nghttp2_hd_inflater).
#pragma once

#include <nghttp2/nghttp2.h>

#include "../util/mem_pool.h"
#include "../util/bound_methods.h"
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
  // inflate(block, slab, offset): number
  Napi::Value Inflate(const Napi::CallbackInfo &info);
  // takePending(slab, offset): number -- after kErrNoSpace
  Napi::Value TakePending(const Napi::CallbackInfo &info);
  // pendingLength(): bytes waiting for TakePending (or TakePendingStrings)
  Napi::Value PendingLength(const Napi::CallbackInfo &info);
  // inflateStrings(block, scratch): string | number -- the string mode
  Napi::Value InflateStrings(const Napi::CallbackInfo &info);
  // takePendingStrings(scratch): string -- after kErrNoSpace from InflateStrings
  Napi::Value TakePendingStrings(const Napi::CallbackInfo &info);
  // staticTable(): the 61 static table entries as [name, value] Buffer pairs
  static Napi::Value StaticTable(const Napi::CallbackInfo &info);
  bool WriteOut(const Napi::Value &slab, const Napi::Value &offset);
  Napi::Value ChangeTableSize(const Napi::CallbackInfo &info);
  Napi::Value GetHdTable(const Napi::CallbackInfo &info);
  Napi::Value DynamicTableSize(const Napi::CallbackInfo &info);
  Napi::Value IsUsable(const Napi::CallbackInfo &info);
  // keptBytes(): capacity of the output vectors kept between calls (tests of their bound)
  Napi::Value KeptBytes(const Napi::CallbackInfo &info);

  BoundCell<HDInflater> *cell_ = nullptr;  // inflate, inflateStrings bound to the object
  MemPool *pool_ = nullptr;  // the environment's, one reference
  nghttp2_hd_inflater *inflater_ = nullptr;
  size_t max_header_list_size_ = 0;  // 0: no limit
  bool usable_ = true;
  // Lengths and (when they did not fit in the slab) bytes of the block being
  // decoded; out_ holds a block that did not fit, in the slab layout, until
  // TakePending.
  std::vector<uint32_t> lens_;
  std::vector<uint8_t> bytes_;
  std::vector<uint8_t> out_;
  // String mode: the records and literal bytes of the last block.
  std::vector<uint32_t> recs_;
  size_t strings_pending_ = 0;  // bytes waiting for TakePendingStrings
};

}  // namespace spdylay_binding
