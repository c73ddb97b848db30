// Small helpers shared by the binding's wrapped classes.
//
// Convention of the glue: native methods return the C library's error codes
// (negative integers) instead of throwing; lib/ turns them into typed
// exceptions. Only misuse from JS (wrong argument types) and allocation
// failure throw from here.
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spdylay_binding {

// A view of the bytes of a Buffer/Uint8Array/ArrayBuffer argument. Throws a
// TypeError when the value is none of those.
struct ByteView {
  uint8_t *data = nullptr;
  size_t length = 0;
};
ByteView GetBytes(const Napi::Value &value, const char *what);

// A view of a Uint32Array argument (throws TypeError otherwise).
struct U32View {
  uint32_t *data = nullptr;
  size_t length = 0;
};
U32View GetU32Array(const Napi::Value &value, const char *what);

// Creates a Node Buffer holding a copy of [data, data + length).
Napi::Value CopyToBuffer(Napi::Env env, const uint8_t *data, size_t length);

// Returned when an output does not fit in the slab the caller offered. The
// output is kept; the caller offers a larger slab to TakePending. Not an
// nghttp2 code (those are all >= -999).
constexpr int kErrNoSpace = -30002;

// Output slabs: JS allocates an ArrayBuffer once and hands it, with an
// offset, to the calls that produce bytes; native code writes there and JS
// creates Buffer views, so producing a header block allocates nothing.

// The bytes of `slab` (an ArrayBuffer) from `offset` (a number) on, and how
// many there are. Throws RangeError when the offset lies outside the slab.
struct SlabView {
  uint8_t *data;
  size_t room;
};
SlabView GetSlab(const Napi::Value &slab, const Napi::Value &offset);

// Writes `len` bytes of `src` at `offset` of the ArrayBuffer `slab`; returns
// false (writing nothing) when they do not fit.
bool WriteToSlab(const Napi::Value &slab, const Napi::Value &offset, const uint8_t *src,
                 size_t len);

}  // namespace spdylay_binding
