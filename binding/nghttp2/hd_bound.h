// HdBoundMethods: the hot methods of an HPACK codec (HDDeflater, HDInflater)
// as own functions of each JS object, called without napi_unwrap.
#pragma once

#include <napi.h>

#include <initializer_list>

namespace spdylay_binding {

// Shared by the functions bound to one codec object and the codec itself:
// `self` is the codec while it lives (nullptr after its destructor); `refs`
// counts the codec plus each function not yet finalized.
template <typename T>
struct HdMethodCell {
  T *self;
  int refs;
};

template <typename T>
void HdReleaseCell(napi_env, void *data, void *) {
  auto *cell = static_cast<HdMethodCell<T> *>(data);
  if (--cell->refs == 0) delete cell;
}

// Method M of the codec whose cell is the function's data. A call after the
// codec is gone (the function outlived its wrapper) returns nothing, as a
// prototype method whose napi_unwrap fails does; a C++ exception becomes the
// JS exception (or nothing when JS cannot run, e.g. a terminating worker).
template <typename T, Napi::Value (T::*M)(const Napi::CallbackInfo &)>
napi_value HdBound(napi_env env, napi_callback_info cbinfo) {
  try {
    Napi::CallbackInfo info(env, cbinfo);
    T *self = static_cast<HdMethodCell<T> *>(info.Data())->self;
    if (!self) return nullptr;
    return (self->*M)(info);
  } catch (const Napi::Error &e) {
    napi_throw(env, e.Value());
    return nullptr;
  } catch (...) {
    return nullptr;
  }
}

struct HdBoundEntry {
  const char *name;
  napi_callback cb;
};

// Makes one function per entry with a new cell for `codec` and sets them as
// own properties of `obj`. Returns the cell (the codec holds one ref and
// calls HdUnbind from its destructor). On failure releases what it made and
// throws.
template <typename T>
HdMethodCell<T> *HdBind(T *codec, Napi::Object obj, std::initializer_list<HdBoundEntry> methods) {
  Napi::Env env = obj.Env();
  auto *cell = new HdMethodCell<T>{codec, 1};
  for (const HdBoundEntry &m : methods) {
    napi_value fn;
    napi_status st = napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, cell, &fn);
    if (st == napi_ok) {
      ++cell->refs;
      st = napi_add_finalizer(env, fn, cell, HdReleaseCell<T>, nullptr, nullptr);
      if (st != napi_ok) --cell->refs;
    }
    if (st == napi_ok) st = napi_set_named_property(env, obj, m.name, fn);
    if (st != napi_ok) {
      cell->self = nullptr;
      HdReleaseCell<T>(env, cell, nullptr);
      throw Napi::Error::New(env);
    }
  }
  return cell;
}

// From the codec's destructor: its functions return nothing from now on.
template <typename T>
void HdUnbind(HdMethodCell<T> *&cell) {
  if (!cell) return;
  cell->self = nullptr;
  HdReleaseCell<T>(nullptr, cell, nullptr);
  cell = nullptr;
}

}  // namespace spdylay_binding
