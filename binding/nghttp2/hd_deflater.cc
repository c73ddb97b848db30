#include "hd_deflater.h"

#include "../util/common.h"
#include "../util/raw_method.h"
#include "hd_table.h"

namespace spdylay_binding {

Napi::Function HDDeflater::Init(Napi::Env env) {
  return DefineRawMethods(DefineClass(env, "HDDeflater", {
      StaticValue("ERR_NO_SPACE", Napi::Number::New(env, kErrNoSpace))
  }),
                          {
                              {"deflateString", RawMethod<HDDeflater, &HDDeflater::DeflateString>},
                              {"deflateBytes", RawMethod<HDDeflater, &HDDeflater::DeflateBytes>},
                              {"takePending", RawMethod<HDDeflater, &HDDeflater::TakePending>},
                              {"pendingLength", RawMethod<HDDeflater, &HDDeflater::PendingLength>},
                              {"changeTableSize", RawMethod<HDDeflater, &HDDeflater::ChangeTableSize>},
                              {"getHdTable", RawMethod<HDDeflater, &HDDeflater::GetHdTable>},
                              {"dynamicTableSize", RawMethod<HDDeflater, &HDDeflater::DynamicTableSize>},
                              {"maxDynamicTableSize", RawMethod<HDDeflater, &HDDeflater::MaxDynamicTableSize>},
                          });
}

// new HDDeflater(maxDeflateDynamicTableSize)
HDDeflater::HDDeflater(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HDDeflater>(info) {
  size_t max_size = info[0].As<Napi::Number>().Uint32Value();
  pool_ = MemPool::ForEnv(info.Env());
  if (!pool_) throw Napi::Error::New(info.Env(), "cannot set the addon's instance data");
  int rv = nghttp2_hd_deflate_new2(&deflater_, max_size, pool_->mem());
  if (rv != 0) {
    pool_->Unref();
    pool_ = nullptr;
  }
  if (rv != 0) {
    throw Napi::Error::New(info.Env(), nghttp2_strerror(rv));
  }
  // Own functions of the object: a call skips napi_unwrap (the prototype
  // methods of the same names stay, for other receivers).
  cell_ = BindMethods(this, info.This().As<Napi::Object>(),
                     {{"deflateString", BoundMethod<HDDeflater, &HDDeflater::DeflateString>},
                  {"deflateBytes", BoundMethod<HDDeflater, &HDDeflater::DeflateBytes>}});
}

HDDeflater::~HDDeflater() {
  UnbindMethods(cell_);
  if (deflater_) nghttp2_hd_deflate_del(deflater_);
  if (pool_) pool_->Unref();
}

// Encodes `count` fields whose names and values are laid out back to back in
// `bytes`; lens[2i] and lens[2i+1] are the byte lengths of field i's name and
// value. One call per header block. Writes the block into the slab
// (info[4]) at the offset (info[5]) and returns its length; or returns
// kErrNoSpace (the block waits for TakePending), or a negative nghttp2 error
// code (NGHTTP2_ERR_INVALID_ARGUMENT when the lengths do not add up).
Napi::Value HDDeflater::Deflate(const Napi::CallbackInfo &info, const uint8_t *bytes,
                                size_t bytes_len, const uint32_t *lens, size_t count,
                                const uint8_t *sensitive) {
  Napi::Env env = info.Env();
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
  // Straight into the slab when the worst case fits (a deflater that fails
  // is unusable, so nghttp2 is never given less than the bound).
  SlabView slab = GetSlab(info[4], info[5]);
  if (bound <= slab.room) {
    ssize_t n = nghttp2_hd_deflate_hd(deflater_, slab.data, bound, nva_.data(), count);
    return Napi::Number::New(env, static_cast<double>(n));
  }
  if (out_.size() < bound) out_.resize(bound);
  ssize_t n = nghttp2_hd_deflate_hd(deflater_, out_.data(), bound, nva_.data(), count);
  if (n < 0) return Napi::Number::New(env, static_cast<double>(n));
  out_len_ = static_cast<size_t>(n);
  if (!WriteToSlab(info[4], info[5], out_.data(), out_len_)) {
    return Napi::Number::New(env, kErrNoSpace);
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value HDDeflater::PendingLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(out_len_));
}

Napi::Value HDDeflater::TakePending(const Napi::CallbackInfo &info) {
  if (!WriteToSlab(info[0], info[1], out_.data(), out_len_)) {
    throw Napi::RangeError::New(info.Env(), "slab too small for the pending header block");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(out_len_));
}

static const uint8_t *GetSensitive(const Napi::Value &v, size_t count) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  ByteView view = GetBytes(v, "sensitive");
  if (view.length < count) {
    throw Napi::RangeError::New(v.Env(), "sensitive flags shorter than the field count");
  }
  return view.data;
}

// Header lists made only of strings: the JS side joins every name and value
// into one string and passes their UTF-16 lengths. The string is written as
// UTF-8 straight into scratch_ in one call. When that gives one byte per
// UTF-16 unit (pure ASCII, the common case) the lengths are the byte
// lengths; otherwise each field's byte length is found by walking the UTF-8
// (1-3 bytes per unit, 4 per surrogate pair; a lone surrogate is U+FFFD, 3
// bytes, as Buffer.from writes it). Returns undefined when a surrogate pair
// spans two fields (the caller then encodes each string itself).
Napi::Value HDDeflater::DeflateString(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  size_t expected = 0;
  for (size_t i = 0; i < 2 * count; ++i) expected += lens.data[i];

  size_t cap = 3 * expected + 1;
  if (scratch_.size() < cap) scratch_.resize(cap);
  size_t written;
  NAPI_THROW_IF_FAILED(env,
                       napi_get_value_string_utf8(env, info[0], reinterpret_cast<char *>(scratch_.data()),
                                                  cap, &written),
                       Napi::Value());
  const uint8_t *p = scratch_.data();
  if (written == expected) {
    unsigned any = 0;
    for (size_t i = 0; i < written; ++i) any |= p[i];
    if ((any & 0x80u) == 0) return Deflate(info, p, written, lens.data, count, sensitive);
  }
  // Not ASCII: byte lengths from the UTF-8.
  if (blens_.size() < 2 * count) blens_.resize(2 * count);
  size_t pos = 0;
  for (size_t i = 0; i < 2 * count; ++i) {
    size_t units = lens.data[i];
    size_t start = pos;
    while (units > 0) {
      if (pos >= written) throw Napi::RangeError::New(env, "lens do not match the string");
      uint8_t b = p[pos];
      size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      size_t u = n == 4 ? 2 : 1;
      if (u > units) return env.Undefined();
      pos += n;
      units -= u;
    }
    blens_[i] = static_cast<uint32_t>(pos - start);
  }
  if (pos != written) throw Napi::RangeError::New(env, "lens do not match the string");
  return Deflate(info, p, written, blens_.data(), count, sensitive);
}

Napi::Value HDDeflater::DeflateBytes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ByteView bytes = GetBytes(info[0], "bytes");
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  return Deflate(info, bytes.data, bytes.length, lens.data, count, sensitive);
}

Napi::Value HDDeflater::ChangeTableSize(const Napi::CallbackInfo &info) {
  size_t size = info[0].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), nghttp2_hd_deflate_change_table_size(deflater_, size));
}

Napi::Value HDDeflater::GetHdTable(const Napi::CallbackInfo &info) {
  return DynamicTableToArray(info.Env(), nghttp2_hd_deflate_get_num_table_entries(deflater_),
                             [this](size_t idx) { return nghttp2_hd_deflate_get_table_entry(deflater_, idx); });
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
