#include "helpers.h"

#include <spdylay/spdylay.h>

#include <string>

namespace spdylay_binding {

static Napi::Value Strerror(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), spdylay_strerror(info[0].As<Napi::Number>().Int32Value()));
}

static Napi::Value NpnProtocols(const Napi::CallbackInfo &info) {
  size_t n = 0;
  const spdylay_npn_proto *list = spdylay_npn_get_proto_list(&n);
  Napi::Array result = Napi::Array::New(info.Env(), n);
  for (size_t i = 0; i < n; ++i) {
    result.Set(static_cast<uint32_t>(i),
               Napi::String::New(info.Env(), reinterpret_cast<const char *>(list[i].proto),
                                 list[i].len));
  }
  return result;
}

static Napi::Value NpnGetVersion(const Napi::CallbackInfo &info) {
  std::string proto = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(
      info.Env(),
      spdylay_npn_get_version(reinterpret_cast<const unsigned char *>(proto.data()), proto.size()));
}

Napi::Object SpdylayHelpers(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("strerror", Napi::Function::New<Strerror>(env, "strerror"));
  o.Set("npnProtocols", Napi::Function::New<NpnProtocols>(env, "npnProtocols"));
  o.Set("npnGetVersion", Napi::Function::New<NpnGetVersion>(env, "npnGetVersion"));
  o.Set("version", Napi::String::New(env, SPDYLAY_VERSION));
  return o;
}

}  // namespace spdylay_binding
