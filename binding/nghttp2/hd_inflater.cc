#include "hd_inflater.h"

#include <cstring>

#include "../util/common.h"
#include "../util/raw_method.h"
#include "hd_table.h"

namespace spdylay_binding {

Napi::Function HDInflater::Init(Napi::Env env) {
  Napi::Function ctor = DefineRawMethods(DefineClass(env, "HDInflater", {
      StaticValue("ERR_NO_SPACE", Napi::Number::New(env, kErrNoSpace)),
      StaticValue("ERR_HEADER_LIST_TOO_LARGE", Napi::Number::New(env, kErrHeaderListTooLarge))
  }),
                          {
                              {"inflate", RawMethod<HDInflater, &HDInflater::Inflate>},
                              {"takePending", RawMethod<HDInflater, &HDInflater::TakePending>},
                              {"pendingLength", RawMethod<HDInflater, &HDInflater::PendingLength>},
                              {"changeTableSize", RawMethod<HDInflater, &HDInflater::ChangeTableSize>},
                              {"getHdTable", RawMethod<HDInflater, &HDInflater::GetHdTable>},
                              {"dynamicTableSize", RawMethod<HDInflater, &HDInflater::DynamicTableSize>},
                              {"isUsable", RawMethod<HDInflater, &HDInflater::IsUsable>},
                          });
  return ctor;
}

// new HDInflater(maxHeaderListSize): 0 means no limit.
HDInflater::HDInflater(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HDInflater>(info) {
  max_header_list_size_ = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  int rv = nghttp2_hd_inflate_new2(&inflater_, pool_.mem());
  if (rv != 0) throw Napi::Error::New(info.Env(), nghttp2_strerror(rv));
}

HDInflater::~HDInflater() {
  if (inflater_) nghttp2_hd_inflate_del(inflater_);
}

// Decodes one complete header block and writes the header list into the
// slab (info[1], an ArrayBuffer) at the offset (info[2], 4-aligned) as:
//   uint32 count, uint32 nbytes, the names and values back to back (nbytes,
//   padded to 4), then count pairs of uint32 (name length, value length)
// and returns the bytes written. Names and values are copied from nghttp2
// straight into the slab as they are decoded; the JS side makes Buffer views
// of them: one crossing, one copy and no allocation per block.
// Returns kErrNoSpace when the list does not fit (it waits in out_ for
// TakePending), a negative nghttp2 error code, or kErrHeaderListTooLarge
// (after decoding the whole block, so that the dynamic table stays in step
// with the encoder).
Napi::Value HDInflater::Inflate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ByteView in = GetBytes(info[0], "data");
  if (!usable_) return Napi::Number::New(env, NGHTTP2_ERR_HEADER_COMP);

  SlabView slab = GetSlab(info[1], info[2]);
  constexpr size_t kHead = 2 * sizeof(uint32_t);
  // Bytes go to the slab while they fit, else ("spilled") to bytes_.
  uint8_t *dst = slab.data + kHead;
  size_t room = slab.room >= kHead ? slab.room - kHead : 0;
  bool spilled = room == 0;
  size_t nbytes = 0;

  lens_.clear();
  bytes_.clear();
  size_t list_size = 0;
  bool too_large = false;
  const uint8_t *p = in.data;
  size_t left = in.length;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, p, left, 1);
    if (n < 0) {
      // nghttp2 marks the context bad: the encoder's state is lost for good.
      usable_ = false;
      return Napi::Number::New(env, static_cast<double>(n));
    }
    p += n;
    left -= static_cast<size_t>(n);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      // RFC 7540 6.5.2 accounting: name + value + 32 octets per field.
      list_size += nv.namelen + nv.valuelen + 32;
      if (max_header_list_size_ && list_size > max_header_list_size_) too_large = true;
      if (!too_large) {
        lens_.push_back(static_cast<uint32_t>(nv.namelen));
        lens_.push_back(static_cast<uint32_t>(nv.valuelen));
        size_t need = nv.namelen + nv.valuelen;
        if (!spilled && need > room - nbytes) {
          bytes_.assign(dst, dst + nbytes);
          spilled = true;
        }
        if (!spilled) {
          std::memcpy(dst + nbytes, nv.name, nv.namelen);
          std::memcpy(dst + nbytes + nv.namelen, nv.value, nv.valuelen);
        } else {
          bytes_.insert(bytes_.end(), nv.name, nv.name + nv.namelen);
          bytes_.insert(bytes_.end(), nv.value, nv.value + nv.valuelen);
        }
        nbytes += need;
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      break;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) {
      // Unreachable with in_final set; keep the loop finite regardless.
      usable_ = false;
      return Napi::Number::New(env, NGHTTP2_ERR_HEADER_COMP);
    }
  }
  if (too_large) return Napi::Number::New(env, kErrHeaderListTooLarge);

  uint32_t head[2] = {static_cast<uint32_t>(lens_.size() / 2), static_cast<uint32_t>(nbytes)};
  size_t lens_at = kHead + ((nbytes + 3) & ~static_cast<size_t>(3));
  size_t total = lens_at + lens_.size() * sizeof(uint32_t);
  if (!spilled && total <= slab.room) {
    uint8_t *base = slab.data;
    std::memcpy(base, head, kHead);
    if (!lens_.empty()) std::memcpy(base + lens_at, lens_.data(), lens_.size() * sizeof(uint32_t));
    return Napi::Number::New(env, static_cast<double>(total));
  }
  if (!spilled) bytes_.assign(dst, dst + nbytes);
  out_.assign(total, 0);
  std::memcpy(out_.data(), head, kHead);
  if (nbytes) std::memcpy(out_.data() + kHead, bytes_.data(), nbytes);
  if (!lens_.empty()) {
    std::memcpy(out_.data() + lens_at, lens_.data(), lens_.size() * sizeof(uint32_t));
  }
  return Napi::Number::New(env, kErrNoSpace);
}

Napi::Value HDInflater::PendingLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(out_.size()));
}

Napi::Value HDInflater::TakePending(const Napi::CallbackInfo &info) {
  if (!WriteToSlab(info[0], info[1], out_.data(), out_.size())) {
    throw Napi::RangeError::New(info.Env(), "slab too small for the pending header list");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(out_.size()));
}

Napi::Value HDInflater::ChangeTableSize(const Napi::CallbackInfo &info) {
  size_t size = info[0].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), nghttp2_hd_inflate_change_table_size(inflater_, size));
}

Napi::Value HDInflater::GetHdTable(const Napi::CallbackInfo &info) {
  return DynamicTableToArray(info.Env(), nghttp2_hd_inflate_get_num_table_entries(inflater_),
                             [this](size_t idx) { return nghttp2_hd_inflate_get_table_entry(inflater_, idx); });
}

Napi::Value HDInflater::DynamicTableSize(const Napi::CallbackInfo &info) {
  return Napi::Number::New(
      info.Env(), static_cast<double>(nghttp2_hd_inflate_get_dynamic_table_size(inflater_)));
}

Napi::Value HDInflater::IsUsable(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), usable_);
}

}  // namespace spdylay_binding
