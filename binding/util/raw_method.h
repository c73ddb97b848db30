// RawMethod: the worker-termination guard every wrapped class's methods go
// through.
//
// Methods are plain prototype functions through this wrapper rather than
// ObjectWrap::InstanceMethod: node-addon-api's wrapper rethrows a C++
// exception when it cannot throw the JS one, inside a noexcept function, so
// any call while a worker is being terminated (napi_unwrap then fails)
// would std::terminate the whole process. Here such a call just returns.
#pragma once

#include <napi.h>

#include <initializer_list>

namespace spdylay_binding {

// Runs `body` (returning a napi_value) inside a napi callback: a C++
// exception becomes the JS exception, or nothing when JS cannot run (a
// terminating worker): never an exception out of a napi callback.
template <typename Body>
napi_value GuardedBody(napi_env env, Body body) {
  try {
    return body();
  } catch (const Napi::Error &e) {
    napi_throw(env, e.Value());  // fails harmlessly when JS cannot run
    return nullptr;
  } catch (...) {
    return nullptr;
  }
}

// Calls method M of the B* that `find(info)` returns (nothing when it returns
// nullptr), guarded as GuardedBody.
template <typename B, Napi::Value (B::*M)(const Napi::CallbackInfo &), typename Find>
napi_value GuardedCall(napi_env env, napi_callback_info cbinfo, Find find) {
  return GuardedBody(env, [&]() -> napi_value {
    Napi::CallbackInfo info(env, cbinfo);
    B *self = find(info);
    if (!self) return nullptr;
    return (self->*M)(info);
  });
}

// A method M of B (T itself or one of its bases) called on the T wrapped by
// the receiver.
template <typename T, typename B, Napi::Value (B::*M)(const Napi::CallbackInfo &)>
napi_value RawBaseMethod(napi_env env, napi_callback_info cbinfo) {
  return GuardedCall<B, M>(env, cbinfo, [env](const Napi::CallbackInfo &info) -> B * {
    void *p = nullptr;
    if (napi_unwrap(env, info.This(), &p) != napi_ok || !p) return nullptr;
    return static_cast<T *>(p);
  });
}

template <typename T, Napi::Value (T::*M)(const Napi::CallbackInfo &)>
napi_value RawMethod(napi_env env, napi_callback_info cbinfo) {
  return RawBaseMethod<T, T, M>(env, cbinfo);
}

struct RawMethodEntry {
  const char *name;
  napi_callback cb;
};

// Puts `methods` on `cls.prototype` as plain functions; returns `cls`.
inline Napi::Function DefineRawMethods(Napi::Function cls, std::initializer_list<RawMethodEntry> methods) {
  Napi::Env env = cls.Env();
  Napi::Object proto = cls.Get("prototype").As<Napi::Object>();
  for (const RawMethodEntry &m : methods) {
    napi_value fn;
    NAPI_THROW_IF_FAILED(env, napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, nullptr, &fn),
                         Napi::Function());
    proto.Set(m.name, Napi::Value(env, fn));
  }
  return cls;
}

}  // namespace spdylay_binding
