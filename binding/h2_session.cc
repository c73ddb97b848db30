#include "h2_session.h"

namespace spdylay_binding {

Napi::Function Http2Session::Init(Napi::Env env) { return DefineClass(env, "Http2Session", {}); }

Http2Session::Http2Session(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Http2Session>(info) {}

}  // namespace spdylay_binding
