// Http2Session: server-side HTTP/2 connection engine (wraps nghttp2_session).
#pragma once

#include <napi.h>

namespace spdylay_binding {

class Http2Session : public Napi::ObjectWrap<Http2Session> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Http2Session(const Napi::CallbackInfo &info);
};

}  // namespace spdylay_binding
