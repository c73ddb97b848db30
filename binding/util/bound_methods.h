// Bound methods: the hot methods of a wrapped object (an HPACK codec, an
// HTTP/2 or SPDY session) as own functions of its JS object, whose callback
// data leads to the C++ object, so that a call skips napi_unwrap (about 60 ns
// a call). The prototype keeps every method, for other receivers.
#pragma once

#include <napi.h>

#include <initializer_list>

#include "raw_method.h"

namespace spdylay_binding {

// Shared by the functions bound to one object and the object itself: `self`
// is the object while it lives (nullptr after UnbindMethods); `refs` counts
// the object plus each function not yet finalized.
template <typename T>
struct BoundCell {
  T *self;
  int refs;
};

template <typename T>
void ReleaseBoundCell(napi_env, void *data, void *) {
  auto *cell = static_cast<BoundCell<T> *>(data);
  if (--cell->refs == 0) delete cell;
}

// Method M of B (T itself or one of its bases) on the T whose cell is the
// function's data. A call after the object is gone (the function outlived
// its wrapper) returns nothing, as a prototype method whose napi_unwrap
// fails does (GuardedCall).
template <typename T, typename B, Napi::Value (B::*M)(const Napi::CallbackInfo &)>
napi_value BoundBaseMethod(napi_env env, napi_callback_info cbinfo) {
  return GuardedCall<B, M>(env, cbinfo, [](const Napi::CallbackInfo &info) -> B * {
    return static_cast<BoundCell<T> *>(info.Data())->self;
  });
}

template <typename T, Napi::Value (T::*M)(const Napi::CallbackInfo &)>
napi_value BoundMethod(napi_env env, napi_callback_info cbinfo) {
  return BoundBaseMethod<T, T, M>(env, cbinfo);
}

struct BoundEntry {
  const char *name;
  napi_callback cb;
};

// Makes one function per entry with a new cell for `self` and sets them as
// own properties of `obj`. Returns the cell: the object holds one ref and
// calls UnbindMethods from its destructor. On failure releases what it made
// and throws.
template <typename T>
BoundCell<T> *BindMethods(T *self, Napi::Object obj, std::initializer_list<BoundEntry> methods) {
  Napi::Env env = obj.Env();
  auto *cell = new BoundCell<T>{self, 1};
  for (const BoundEntry &m : methods) {
    napi_value fn;
    napi_status st = napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, cell, &fn);
    if (st == napi_ok) {
      ++cell->refs;
      st = napi_add_finalizer(env, fn, cell, ReleaseBoundCell<T>, nullptr, nullptr);
      if (st != napi_ok) --cell->refs;
    }
    if (st == napi_ok) st = napi_set_named_property(env, obj, m.name, fn);
    if (st != napi_ok) {
      cell->self = nullptr;
      ReleaseBoundCell<T>(env, cell, nullptr);
      throw Napi::Error::New(env);
    }
  }
  return cell;
}

// From the object's destructor: its functions return nothing from now on.
template <typename T>
void UnbindMethods(BoundCell<T> *&cell) {
  if (!cell) return;
  cell->self = nullptr;
  ReleaseBoundCell<T>(nullptr, cell, nullptr);
  cell = nullptr;
}

}  // namespace spdylay_binding
