// Module entry point of the spdylay native addon: registers the wrapped
// classes and a few module-level functions.
#include <nghttp2/nghttp2.h>
#include <napi.h>
#include <zlib.h>

#include "nghttp2/client_session.h"
#include "nghttp2/server_session.h"
#include "nghttp2/hd_deflater.h"
#include "nghttp2/hd_inflater.h"
#include "spdylay/helpers.h"
#include "spdylay/session.h"
#include "util/mem_pool.h"

#ifndef SPDYLAY_NGHTTP2_PACKAGE
#define SPDYLAY_NGHTTP2_PACKAGE ""
#endif

namespace spdylay_binding {

// versions(): the versions of the C libraries linked into this addon.
static Napi::Value Versions(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("nghttp2", nghttp2_version(0)->version_str);
  // Debian revision of libnghttp2-dev at configure time ("" when not a Debian build).
  result.Set("nghttp2Package", SPDYLAY_NGHTTP2_PACKAGE);
  result.Set("zlib", zlibVersion());
  result.Set("napi", NAPI_VERSION);
  return result;
}

// nghttp2Strerror(code): nghttp2's message for an error code.
static Napi::Value Nghttp2Strerror(const Napi::CallbackInfo &info) {
  int code = info[0].As<Napi::Number>().Int32Value();
  return Napi::String::New(info.Env(), nghttp2_strerror(code));
}

// The addon's napi instance data is the environment's HPACK allocator
// (MemPool::ForEnv); anything else per environment belongs in it.

// hpackPoolCachedBytes(): bytes of idle blocks in this environment's HPACK
// allocator free lists (MemPool), for tests of their bound.
static Napi::Value HpackPoolCachedBytes(const Napi::CallbackInfo &info) {
  MemPool *pool = MemPool::ForEnv(info.Env());
  if (!pool) throw Napi::Error::New(info.Env(), "cannot set the addon's instance data");
  size_t n = pool->cached_bytes();
  pool->Unref();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// externalMemoryReported(): V8's count of external memory, in bytes, which
// includes what every live SPDY session reports (ExternalMemory), for tests
// of that accounting.
static Napi::Value ExternalMemoryReported(const Napi::CallbackInfo &info) {
  int64_t total = 0;
  NAPI_THROW_IF_FAILED(info.Env(), napi_adjust_external_memory(info.Env(), 0, &total), Napi::Value());
  return Napi::Number::New(info.Env(), static_cast<double>(total));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New<Versions>(env, "versions"));
  exports.Set("nghttp2Strerror", Napi::Function::New<Nghttp2Strerror>(env, "nghttp2Strerror"));
  exports.Set("hpackPoolCachedBytes", Napi::Function::New<HpackPoolCachedBytes>(env, "hpackPoolCachedBytes"));
  exports.Set("externalMemoryReported",
              Napi::Function::New<ExternalMemoryReported>(env, "externalMemoryReported"));
  exports.Set("HDDeflater", HDDeflater::Init(env));
  exports.Set("HDInflater", HDInflater::Init(env));
  exports.Set("Http2Session", Http2Session::Init(env));
  exports.Set("Http2ClientSession", Http2ClientSession::Init(env));
  exports.Set("SpdylaySession", SpdylaySession::Init(env));
  exports.Set("spdylay", SpdylayHelpers(env));
  return exports;
}

}  // namespace spdylay_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return spdylay_binding::Init(env, exports);
}

NODE_API_MODULE(spdylay_native, InitModule)
