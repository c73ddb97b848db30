#include "common.h"

#include <cstring>

namespace spdylay_binding {

namespace {

// napi_get_typedarray_info's type, data and element count of a TypedArray.
// False when `value` is not a TypedArray (a failed call throws).
bool TypedArrayInfo(const Napi::Value &value, napi_typedarray_type *type, void **data, size_t *length) {
  if (!value.IsTypedArray()) return false;
  napi_env env = value.Env();
  napi_value arraybuffer;
  size_t offset;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, type, length, data, &arraybuffer, &offset),
                       false);
  return true;
}

}  // namespace

ByteView GetBytes(const Napi::Value &value, const char *what) {
  ByteView view;
  napi_typedarray_type type;
  void *data;
  size_t length;
  if (TypedArrayInfo(value, &type, &data, &length)) {
    if (type == napi_uint8_array || type == napi_uint8_clamped_array || type == napi_int8_array) {
      view.data = static_cast<uint8_t *>(data);
      view.length = length;
      return view;
    }
  } else if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = value.As<Napi::ArrayBuffer>();
    view.data = static_cast<uint8_t *>(ab.Data());
    view.length = ab.ByteLength();
    return view;
  }
  throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a Buffer or Uint8Array");
}

U32View GetU32Array(const Napi::Value &value, const char *what) {
  U32View view;
  napi_typedarray_type type;
  void *data;
  size_t length;
  if (TypedArrayInfo(value, &type, &data, &length) && type == napi_uint32_array) {
    view.data = static_cast<uint32_t *>(data);
    view.length = length;
    return view;
  }
  throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a Uint32Array");
}

Napi::Value CopyToBuffer(Napi::Env env, const uint8_t *data, size_t length) {
  napi_value result;
  void *dest;
  NAPI_THROW_IF_FAILED(env, napi_create_buffer_copy(env, length, data, &dest, &result),
                       Napi::Value());
  return Napi::Value(env, result);
}

SlabView GetSlab(const Napi::Value &slab, const Napi::Value &offset) {
  napi_env env = slab.Env();
  void *data;
  size_t byte_length;
  NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, slab, &data, &byte_length),
                       (SlabView{nullptr, 0}));
  double off = offset.As<Napi::Number>().DoubleValue();
  if (!(off >= 0) || off > static_cast<double>(byte_length)) {
    throw Napi::RangeError::New(env, "slab offset out of range");
  }
  size_t o = static_cast<size_t>(off);
  return {static_cast<uint8_t *>(data) + o, byte_length - o};
}

bool WriteToSlab(const Napi::Value &slab, const Napi::Value &offset, const uint8_t *src,
                 size_t len) {
  SlabView v = GetSlab(slab, offset);
  if (len > v.room) return false;
  if (len) std::memcpy(v.data, src, len);
  return true;
}

}  // namespace spdylay_binding
