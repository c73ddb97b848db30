#include "hd_deflater.h"

#include "common.h"

namespace spdylay_binding {

Napi::Function HDDeflater::Init(Napi::Env env) {
  return DefineClass(
      env, "HDDeflater",
      {
          InstanceMethod<&HDDeflater::DeflateString>("deflateString"),
          InstanceMethod<&HDDeflater::DeflateBytes>("deflateBytes"),
          InstanceMethod<&HDDeflater::ChangeTableSize>("changeTableSize"),
          InstanceMethod<&HDDeflater::GetHdTable>("getHdTable"),
          InstanceMethod<&HDDeflater::DynamicTableSize>("dynamicTableSize"),
          InstanceMethod<&HDDeflater::MaxDynamicTableSize>("maxDynamicTableSize"),
      });
}

// new HDDeflater(maxDeflateDynamicTableSize)
HDDeflater::HDDeflater(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HDDeflater>(info) {
  size_t max_size = info[0].As<Napi::Number>().Uint32Value();
  int rv = nghttp2_hd_deflate_new(&deflater_, max_size);
  if (rv != 0) {
    throw Napi::Error::New(info.Env(), nghttp2_strerror(rv));
  }
}

HDDeflater::~HDDeflater() {
  if (deflater_) nghttp2_hd_deflate_del(deflater_);
}

// Encodes `count` fields whose names and values are laid out back to back in
// `bytes`; lens[2i] and lens[2i+1] are the byte lengths of field i's name and
// value. One call per header block. Returns the block as a new Buffer, or a
// negative nghttp2 error code (NGHTTP2_ERR_INVALID_ARGUMENT when the lengths
// do not add up).
Napi::Value HDDeflater::Deflate(Napi::Env env, const uint8_t *bytes, size_t bytes_len,
                                const uint32_t *lens, size_t count,
                                const uint8_t *sensitive) {
  nva_.resize(count);
  size_t off = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t namelen = lens[2 * i];
    size_t valuelen = lens[2 * i + 1];
    if (namelen > bytes_len - off || valuelen > bytes_len - off - namelen) {
      return Napi::Number::New(env, NGHTTP2_ERR_INVALID_ARGUMENT);
    }
    nghttp2_nv &nv = nva_[i];
    nv.name = const_cast<uint8_t *>(bytes + off);
    nv.namelen = namelen;
    nv.value = const_cast<uint8_t *>(bytes + off + namelen);
    nv.valuelen = valuelen;
    nv.flags = (sensitive && sensitive[i]) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
    off += namelen + valuelen;
  }
  size_t bound = nghttp2_hd_deflate_bound(deflater_, nva_.data(), count);
  if (out_.size() < bound) out_.resize(bound);
  ssize_t n = nghttp2_hd_deflate_hd(deflater_, out_.data(), bound, nva_.data(), count);
  if (n < 0) return Napi::Number::New(env, static_cast<double>(n));
  return CopyToBuffer(env, out_.data(), static_cast<size_t>(n));
}

static const uint8_t *GetSensitive(const Napi::Value &v, size_t count) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  ByteView view = GetBytes(v, "sensitive");
  if (view.length < count) {
    throw Napi::RangeError::New(v.Env(), "sensitive flags shorter than the field count");
  }
  return view.data;
}

// Fast path for header lists made only of strings: the JS side joins every
// name and value into one string and passes their UTF-16 lengths. When the
// string is pure ASCII those equal the UTF-8 byte lengths; otherwise this
// returns undefined and the caller encodes the fields itself (deflateBytes).
Napi::Value HDDeflater::DeflateString(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  size_t expected = 0;
  for (size_t i = 0; i < 2 * count; ++i) expected += lens.data[i];

  size_t utf8_len;
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, info[0], nullptr, 0, &utf8_len),
                       Napi::Value());
  if (utf8_len != expected) return env.Undefined();
  scratch_.resize(utf8_len + 1);
  size_t copied;
  NAPI_THROW_IF_FAILED(
      env, napi_get_value_string_utf8(env, info[0], scratch_.data(), utf8_len + 1, &copied),
      Napi::Value());
  return Deflate(env, reinterpret_cast<const uint8_t *>(scratch_.data()), copied, lens.data,
                 count, sensitive);
}

Napi::Value HDDeflater::DeflateBytes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ByteView bytes = GetBytes(info[0], "bytes");
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  return Deflate(env, bytes.data, bytes.length, lens.data, count, sensitive);
}

Napi::Value HDDeflater::ChangeTableSize(const Napi::CallbackInfo &info) {
  size_t size = info[0].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), nghttp2_hd_deflate_change_table_size(deflater_, size));
}

// Dynamic table entries, newest first, as [name, value] Buffer pairs.
Napi::Value HDDeflater::GetHdTable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  size_t total = nghttp2_hd_deflate_get_num_table_entries(deflater_);
  // Indexes 1..61 are the static table; the dynamic table starts at 62.
  size_t dynamic = total > 61 ? total - 61 : 0;
  Napi::Array result = Napi::Array::New(env, dynamic);
  for (size_t i = 0; i < dynamic; ++i) {
    const nghttp2_nv *nv = nghttp2_hd_deflate_get_table_entry(deflater_, 62 + i);
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, CopyToBuffer(env, nv->name, nv->namelen));
    pair.Set(1u, CopyToBuffer(env, nv->value, nv->valuelen));
    result.Set(static_cast<uint32_t>(i), pair);
  }
  return result;
}

Napi::Value HDDeflater::DynamicTableSize(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(),
                           static_cast<double>(nghttp2_hd_deflate_get_dynamic_table_size(deflater_)));
}

Napi::Value HDDeflater::MaxDynamicTableSize(const Napi::CallbackInfo &info) {
  return Napi::Number::New(
      info.Env(), static_cast<double>(nghttp2_hd_deflate_get_max_dynamic_table_size(deflater_)));
}

}  // namespace spdylay_binding
