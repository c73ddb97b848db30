// Module-level spdylay functions of the addon (exported as `spdylay`).
#pragma once

#include <napi.h>

namespace spdylay_binding {

// { strerror(code), npnProtocols(), npnGetVersion(proto), version }.
Napi::Object SpdylayHelpers(Napi::Env env);

}  // namespace spdylay_binding
