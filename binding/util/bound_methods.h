// Bound methods: the hot methods of a wrapped object (an HPACK codec, an
// HTTP/2 or SPDY session) as own functions of its JS object, whose callback
// data leads to the C++ object, so that a call skips napi_unwrap (about 60 ns
// a call). The prototype keeps every method, for other receivers.
#pragma once

#include <napi.h>

#include <initializer_list>

#include "raw_method.h"

namespace spdylay_binding {

// The cell the functions bound to one object reach it through: `self` is
// the object while it lives. Each bound function holds its object (a
// non-enumerable `owner` property), so a function can never outlive the
// object: the cell lives exactly as long as the object and needs no
// finalizer of its own (one per function used to cost a napi reference
// each, a good part of creating a codec or a session).
template <typename T>
struct BoundCell {
  T *self;
};

// Method M of B (T itself or one of its bases) on the T whose cell is the
// function's data. A call while the object is being torn down (self already
// nullptr) returns nothing, as a prototype method whose napi_unwrap fails
// does (GuardedCall).
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

// Makes one function per entry, each holding `obj` and reaching `self`
// through a new cell, and sets them as own properties of `obj`. Returns the
// cell, which the object deletes from its destructor (UnbindMethods). On
// failure throws, leaving the cell to the functions already made (they hold
// an object whose constructor failed: nothing can reach them).
template <typename T>
BoundCell<T> *BindMethods(T *self, Napi::Object obj, std::initializer_list<BoundEntry> methods) {
  Napi::Env env = obj.Env();
  auto *cell = new BoundCell<T>{self};
  for (const BoundEntry &m : methods) {
    napi_value fn;
    napi_status st = napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, cell, &fn);
    if (st == napi_ok) {
      napi_property_descriptor owner = {"owner", nullptr, nullptr, nullptr, nullptr, obj, napi_default, nullptr};
      st = napi_define_properties(env, fn, 1, &owner);
    }
    if (st == napi_ok) st = napi_set_named_property(env, obj, m.name, fn);
    if (st != napi_ok) {
      // Functions made so far hold `obj` and are unreachable without it;
      // they are never called once this throws out of the constructor.
      cell->self = nullptr;
      throw Napi::Error::New(env);
    }
  }
  return cell;
}

// From the object's destructor (the object, and so every function bound to
// it, is unreachable): deletes the cell.
template <typename T>
void UnbindMethods(BoundCell<T> *&cell) {
  delete cell;
  cell = nullptr;
}

}  // namespace spdylay_binding
