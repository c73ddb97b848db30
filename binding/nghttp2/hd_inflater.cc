#include "hd_inflater.h"

#include <cstring>

#include "../util/common.h"
#include "../util/raw_method.h"
#include "hd_table.h"

namespace spdylay_binding {

namespace {

// Output kept between calls is trimmed back once a block needed more than
// this: the size a peer's largest block needed is not kept for the life of
// the inflater.
constexpr size_t kKeepBytes = 64 * 1024;

template <typename V>
void TrimIfLarge(V &v) {
  if (v.capacity() * sizeof(typename V::value_type) > kKeepBytes) V().swap(v);
}

}  // namespace

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
                              {"keptBytes", RawMethod<HDInflater, &HDInflater::KeptBytes>},
                              {"inflateStrings", RawMethod<HDInflater, &HDInflater::InflateStrings>},
                              {"takePendingStrings", RawMethod<HDInflater, &HDInflater::TakePendingStrings>},
                          });
  ctor.Set("staticTable", Napi::Function::New(env, &HDInflater::StaticTable, "staticTable"));
  return ctor;
}

// new HDInflater(maxHeaderListSize): 0 means no limit.
HDInflater::HDInflater(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HDInflater>(info) {
  max_header_list_size_ = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  pool_ = MemPool::ForEnv(info.Env());
  if (!pool_) throw Napi::Error::New(info.Env(), "cannot set the addon's instance data");
  int rv = nghttp2_hd_inflate_new2(&inflater_, pool_->mem());
  if (rv != 0) {
    pool_->Unref();
    pool_ = nullptr;
  }
  if (rv != 0) throw Napi::Error::New(info.Env(), nghttp2_strerror(rv));
  // Own functions of the object: a call skips napi_unwrap (the prototype
  // methods of the same names stay, for other receivers).
  cell_ = BindMethods(this, info.This().As<Napi::Object>(),
                     {{"inflate", BoundMethod<HDInflater, &HDInflater::Inflate>},
                  {"inflateStrings", BoundMethod<HDInflater, &HDInflater::InflateStrings>}});
}

HDInflater::~HDInflater() {
  UnbindMethods(cell_);
  if (inflater_) nghttp2_hd_inflate_del(inflater_);
  if (pool_) pool_->Unref();
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
    TrimIfLarge(lens_);
    return Napi::Number::New(env, static_cast<double>(total));
  }
  if (!spilled) bytes_.assign(dst, dst + nbytes);
  out_.assign(total, 0);
  std::memcpy(out_.data(), head, kHead);
  if (nbytes) std::memcpy(out_.data() + kHead, bytes_.data(), nbytes);
  if (!lens_.empty()) {
    std::memcpy(out_.data() + lens_at, lens_.data(), lens_.size() * sizeof(uint32_t));
  }
  TrimIfLarge(lens_);
  TrimIfLarge(bytes_);
  return Napi::Number::New(env, kErrNoSpace);
}

namespace {

// Record kinds of the string mode (InflateStrings).
constexpr uint32_t kRecIndexed = 0;   // name and value from table entry `index`
constexpr uint32_t kRecLiteral = 1;   // literal value; name from `index` (0: literal)
constexpr uint32_t kRecInserted = 2;  // as kRecLiteral, and the field entered the dynamic table
constexpr size_t kStringsHeadWords = 4;
constexpr size_t kRecordWords = 4;
constexpr size_t kStaticEntries = 61;

// An HPACK integer with an N-bit prefix (RFC 7541 5.1) starting at *q, which
// nghttp2 has already accepted; advances *q past it.
uint32_t ReadHpackInt(const uint8_t *&q, const uint8_t *end, int prefix) {
  const uint32_t max = (1u << prefix) - 1;
  uint32_t v = *q++ & max;
  if (v < max) return v;
  for (uint32_t shift = 0; q < end && shift <= 28; shift += 7) {
    uint8_t c = *q++;
    v += static_cast<uint32_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) break;
  }
  return v;
}

}  // namespace

// The string mode of inflate(): decodes one complete header block and writes,
// into the scratch ArrayBuffer (info[1], its length a multiple of 8), uint32
// words
//   [0] field count, [1] literal bytes, [2] 1 if the list exceeded the limit,
//   [3] byte offset of the literal bytes in the scratch,
// then 4 words per field: kind | (dynamic entries after the field) << 2,
// table index (HPACK's 1-based index; for a literal, of its name, 0 for a
// literal name), literal name length, literal value length; and the literal
// bytes (literal names and values in field order). Returns those literal
// bytes as one latin1 string, from which the JS side takes the literal names
// and values; names and values of table entries come from its own copies of
// the static table and of the dynamic table (kept by following the
// kRecInserted records), so that a field that is an index costs no string.
// The representation of each field is read from the block itself (RFC 7541
// 6.1-6.3) after nghttp2 has decoded and accepted it.
// Past the limit, only fields that entered the dynamic table are recorded
// (the JS side must still follow the table).
// Records go to the first half of the scratch and literal bytes to the second
// half; when either does not fit, the output moves to recs_/bytes_ and this
// returns kErrNoSpace (TakePendingStrings then writes it into a scratch of
// PendingLength() bytes). Or returns a negative nghttp2 error code.
Napi::Value HDInflater::InflateStrings(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ByteView in = GetBytes(info[0], "data");
  if (!usable_) return Napi::Number::New(env, NGHTTP2_ERR_HEADER_COMP);
  void *scratch_data;
  size_t room;
  NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, info[1], &scratch_data, &room), Napi::Value());
  room &= ~static_cast<size_t>(7);
  if (room < 64) throw Napi::RangeError::New(env, "scratch too small");

  uint32_t *words = static_cast<uint32_t *>(scratch_data);
  const size_t bytes_at = room / 2;
  const size_t word_cap = bytes_at / sizeof(uint32_t);
  uint8_t *byte_base = static_cast<uint8_t *>(scratch_data) + bytes_at;
  const size_t byte_cap = room - bytes_at;
  size_t nwords = kStringsHeadWords;
  size_t nbytes = 0;
  bool spilled = false;

  size_t list_size = 0;
  bool too_large = false;
  const uint8_t *p = in.data;
  const uint8_t *end = in.data + in.length;
  const uint8_t *field_at = p;  // where the next field's representation starts
  size_t count = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, p, static_cast<size_t>(end - p), 1);
    if (n < 0) {
      usable_ = false;
      return Napi::Number::New(env, static_cast<double>(n));
    }
    p += n;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      const uint8_t *q = field_at;
      while (q < p && (*q & 0xe0) == 0x20) ReadHpackInt(q, p, 5);  // table size updates
      uint32_t kind;
      uint32_t index;
      if (*q & 0x80) {
        kind = kRecIndexed;
        index = ReadHpackInt(q, p, 7);
      } else if (*q & 0x40) {
        kind = kRecInserted;
        index = ReadHpackInt(q, p, 6);
      } else {
        kind = kRecLiteral;
        index = ReadHpackInt(q, p, 4);
      }
      field_at = p;
      uint32_t live = 0;
      if (kind == kRecInserted) {
        // An entry larger than the whole table empties it and is not added
        // (RFC 7541 4.4): then the table is empty.
        size_t entries = nghttp2_hd_inflate_get_num_table_entries(inflater_);
        live = static_cast<uint32_t>(entries > kStaticEntries ? entries - kStaticEntries : 0);
        if (live == 0) kind = kRecLiteral;
      }
      list_size += nv.namelen + nv.valuelen + 32;
      if (max_header_list_size_ && list_size > max_header_list_size_) too_large = true;
      if (!too_large || kind == kRecInserted) {
        uint32_t namelen = 0;
        uint32_t valuelen = 0;
        if (kind != kRecIndexed) {
          if (index == 0) namelen = static_cast<uint32_t>(nv.namelen);
          valuelen = static_cast<uint32_t>(nv.valuelen);
        }
        size_t need = size_t{namelen} + valuelen;
        if (!spilled && (nwords + kRecordWords > word_cap || need > byte_cap - nbytes)) {
          recs_.assign(words, words + nwords);
          bytes_.assign(byte_base, byte_base + nbytes);
          spilled = true;
        }
        uint32_t rec[kRecordWords] = {kind | (live << 2), index, namelen, valuelen};
        if (!spilled) {
          std::memcpy(words + nwords, rec, sizeof rec);
          if (namelen) std::memcpy(byte_base + nbytes, nv.name, namelen);
          if (valuelen) std::memcpy(byte_base + nbytes + namelen, nv.value, valuelen);
        } else {
          recs_.insert(recs_.end(), rec, rec + kRecordWords);
          if (namelen) bytes_.insert(bytes_.end(), nv.name, nv.name + namelen);
          if (valuelen) bytes_.insert(bytes_.end(), nv.value, nv.value + valuelen);
        }
        nwords += kRecordWords;
        nbytes += need;
        ++count;
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      break;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && p == end) {
      usable_ = false;
      return Napi::Number::New(env, NGHTTP2_ERR_HEADER_COMP);
    }
  }
  uint32_t head[kStringsHeadWords] = {static_cast<uint32_t>(count), static_cast<uint32_t>(nbytes),
                                      too_large ? 1u : 0u, static_cast<uint32_t>(bytes_at)};
  if (spilled) {
    head[3] = static_cast<uint32_t>(nwords * sizeof(uint32_t));
    std::memcpy(recs_.data(), head, sizeof head);
    strings_pending_ = head[3] + nbytes;
    return Napi::Number::New(env, kErrNoSpace);
  }
  std::memcpy(words, head, sizeof head);
  napi_value str;
  NAPI_THROW_IF_FAILED(env,
                       napi_create_string_latin1(env, reinterpret_cast<const char *>(byte_base), nbytes, &str),
                       Napi::Value());
  return Napi::Value(env, str);
}

// After kErrNoSpace from InflateStrings: writes the records and literal bytes
// into the scratch ArrayBuffer (info[0]), the bytes right after the records,
// and returns the literal bytes as a string.
Napi::Value HDInflater::TakePendingStrings(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  void *data;
  size_t room;
  NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, info[0], &data, &room), Napi::Value());
  size_t head = recs_.size() * sizeof(uint32_t);
  if (strings_pending_ == 0 || head + bytes_.size() > room) {
    throw Napi::RangeError::New(env, "no pending header list, or the scratch is too small for it");
  }
  uint8_t *base = static_cast<uint8_t *>(data);
  std::memcpy(base, recs_.data(), head);
  if (!bytes_.empty()) std::memcpy(base + head, bytes_.data(), bytes_.size());
  strings_pending_ = 0;
  size_t nbytes = bytes_.size();
  TrimIfLarge(recs_);
  TrimIfLarge(bytes_);
  napi_value str;
  NAPI_THROW_IF_FAILED(env,
                       napi_create_string_latin1(env, reinterpret_cast<const char *>(base + head),
                                                 nbytes, &str),
                       Napi::Value());
  return Napi::Value(env, str);
}

// The static table (RFC 7541 Appendix A) as nghttp2 has it: 61 [name, value]
// Buffer pairs, index 1 first.
Napi::Value HDInflater::StaticTable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  nghttp2_hd_inflater *inflater;
  int rv = nghttp2_hd_inflate_new(&inflater);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  Napi::Array result = Napi::Array::New(env, kStaticEntries);
  for (size_t i = 0; i < kStaticEntries; ++i) {
    const nghttp2_nv *nv = nghttp2_hd_inflate_get_table_entry(inflater, i + 1);
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, CopyToBuffer(env, nv->name, nv->namelen));
    pair.Set(1u, CopyToBuffer(env, nv->value, nv->valuelen));
    result.Set(static_cast<uint32_t>(i), pair);
  }
  nghttp2_hd_inflate_del(inflater);
  return result;
}

Napi::Value HDInflater::PendingLength(const Napi::CallbackInfo &info) {
  size_t n = out_.empty() ? strings_pending_ : out_.size();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value HDInflater::TakePending(const Napi::CallbackInfo &info) {
  if (!WriteToSlab(info[0], info[1], out_.data(), out_.size())) {
    throw Napi::RangeError::New(info.Env(), "slab too small for the pending header list");
  }
  double n = static_cast<double>(out_.size());
  TrimIfLarge(out_);
  return Napi::Number::New(info.Env(), n);
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

Napi::Value HDInflater::KeptBytes(const Napi::CallbackInfo &info) {
  size_t n = lens_.capacity() * sizeof(uint32_t) + bytes_.capacity() + out_.capacity() +
             recs_.capacity() * sizeof(uint32_t);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

}  // namespace spdylay_binding
