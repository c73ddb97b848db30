#include "hd_deflater.h"

#include "../util/common.h"
#include "../util/raw_method.h"
#include "hd_table.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace spdylay_binding {

Napi::Function HDDeflater::Init(Napi::Env env) {
  return DefineRawMethods(DefineClass(env, "HDDeflater", {
      StaticValue("ERR_NO_SPACE", Napi::Number::New(env, kErrNoSpace))
  }),
                          {
                              {"deflateString", RawMethod<HDDeflater, &HDDeflater::DeflateString>},
                              {"deflateBytes", RawMethod<HDDeflater, &HDDeflater::DeflateBytes>},
                              {"takePending", RawMethod<HDDeflater, &HDDeflater::TakePending>},
                              {"pendingLength", RawMethod<HDDeflater, &HDDeflater::PendingLength>},
                              {"changeTableSize", RawMethod<HDDeflater, &HDDeflater::ChangeTableSize>},
                              {"getHdTable", RawMethod<HDDeflater, &HDDeflater::GetHdTable>},
                              {"dynamicTableSize", RawMethod<HDDeflater, &HDDeflater::DynamicTableSize>},
                              {"maxDynamicTableSize", RawMethod<HDDeflater, &HDDeflater::MaxDynamicTableSize>},
                          });
}

// new HDDeflater(maxDeflateDynamicTableSize)
HDDeflater::HDDeflater(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HDDeflater>(info) {
  size_t max_size = info[0].As<Napi::Number>().Uint32Value();
  pool_ = MemPool::ForEnv(info.Env());
  if (!pool_) throw Napi::Error::New(info.Env(), "cannot set the addon's instance data");
  int rv = nghttp2_hd_deflate_new2(&deflater_, max_size, pool_->mem());
  if (rv != 0) {
    pool_->Unref();
    pool_ = nullptr;
  }
  if (rv != 0) {
    throw Napi::Error::New(info.Env(), nghttp2_strerror(rv));
  }
  // deflateFields is an own function of the object, which reaches it through
  // the function's data without napi_unwrap; it has no prototype method.
  cell_ = BindMethods(this, info.This().As<Napi::Object>(),
                     {{"deflateFields", &HDDeflater::DeflateFieldsCallback}});
}

HDDeflater::~HDDeflater() {
  UnbindMethods(cell_);
  if (deflater_) nghttp2_hd_deflate_del(deflater_);
  if (pool_) pool_->Unref();
}

// Encodes `count` fields whose names and values are laid out back to back in
// `bytes`; lens[2i] and lens[2i+1] are the byte lengths of field i's name and
// value. One call per header block. Writes the block into the slab
// (info[4]) at the offset (info[5]) and returns its length; or returns
// kErrNoSpace (the block waits for TakePending), or a negative nghttp2 error
// code (NGHTTP2_ERR_INVALID_ARGUMENT when the lengths do not add up).
Napi::Value HDDeflater::Deflate(const Napi::CallbackInfo &info, const uint8_t *bytes,
                                size_t bytes_len, const uint32_t *lens, size_t count,
                                const uint8_t *sensitive) {
  Napi::Env env = info.Env();
  nva_.resize(count);
  size_t off = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t namelen = lens[2 * i];
    size_t valuelen = lens[2 * i + 1];
    if (namelen > bytes_len - off || valuelen > bytes_len - off - namelen) {
      return Napi::Number::New(env, NGHTTP2_ERR_INVALID_ARGUMENT);
    }
    nghttp2_nv &nv = nva_[i];
    nv.name = const_cast<uint8_t *>(bytes + off);
    nv.namelen = namelen;
    nv.value = const_cast<uint8_t *>(bytes + off + namelen);
    nv.valuelen = valuelen;
    nv.flags = (sensitive && sensitive[i]) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
    off += namelen + valuelen;
  }
  return Napi::Number::New(env, DeflateNva(env, info[4], info[5], nva_.data(), count));
}

double HDDeflater::DeflateNva(napi_env env, napi_value slab_value, napi_value offset, const nghttp2_nv *nva,
                              size_t count) {
  Napi::Value slab_arg(env, slab_value);
  Napi::Value offset_arg(env, offset);
  size_t bound = nghttp2_hd_deflate_bound(deflater_, nva, count);
  // Straight into the slab when the worst case fits (a deflater that fails
  // is unusable, so nghttp2 is never given less than the bound).
  SlabView slab = GetSlab(slab_arg, offset_arg);
  if (bound <= slab.room) {
    return static_cast<double>(nghttp2_hd_deflate_hd(deflater_, slab.data, bound, nva, count));
  }
  if (out_.size() < bound) out_.resize(bound);
  ssize_t n = nghttp2_hd_deflate_hd(deflater_, out_.data(), bound, nva, count);
  if (n < 0) return static_cast<double>(n);
  out_len_ = static_cast<size_t>(n);
  if (!WriteToSlab(slab_arg, offset_arg, out_.data(), out_len_)) return kErrNoSpace;
  return static_cast<double>(n);
}

Napi::Value HDDeflater::PendingLength(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(out_len_));
}

Napi::Value HDDeflater::TakePending(const Napi::CallbackInfo &info) {
  if (!WriteToSlab(info[0], info[1], out_.data(), out_len_)) {
    throw Napi::RangeError::New(info.Env(), "slab too small for the pending header block");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(out_len_));
}

static const uint8_t *GetSensitive(const Napi::Value &v, size_t count) {
  napi_valuetype type;
  NAPI_THROW_IF_FAILED(v.Env(), napi_typeof(v.Env(), v, &type), nullptr);
  if (type == napi_null || type == napi_undefined) return nullptr;
  ByteView view = GetBytes(v, "sensitive");
  if (view.length < count) {
    throw Napi::RangeError::New(v.Env(), "sensitive flags shorter than the field count");
  }
  return view.data;
}

// Long header lists (past the JS side's argument limit) made only of
// strings: the JS side joins every name and value into one string and passes
// their UTF-16 lengths. The string is written as UTF-8 straight into
// scratch_ in one call. When that gives one byte per UTF-16 unit (pure
// ASCII, the common case) the lengths are the byte lengths; otherwise each
// field's byte length is found by walking the UTF-8 (1-3 bytes per unit, 4
// per surrogate pair; a lone surrogate is U+FFFD, 3 bytes, as Buffer.from
// writes it). Returns undefined when a surrogate pair spans two fields (the
// caller then encodes each string itself).
Napi::Value HDDeflater::DeflateString(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  size_t expected = 0;
  for (size_t i = 0; i < 2 * count; ++i) expected += lens.data[i];

  size_t cap = 3 * expected + 1;
  if (scratch_.size() < cap) scratch_.resize(cap);
  size_t written;
  NAPI_THROW_IF_FAILED(env,
                       napi_get_value_string_utf8(env, info[0], reinterpret_cast<char *>(scratch_.data()),
                                                  cap, &written),
                       Napi::Value());
  const uint8_t *p = scratch_.data();
  if (written == expected) {
    unsigned any = 0;
    for (size_t i = 0; i < written; ++i) any |= p[i];
    if ((any & 0x80u) == 0) return Deflate(info, p, written, lens.data, count, sensitive);
  }
  // Not ASCII: byte lengths from the UTF-8.
  if (blens_.size() < 2 * count) blens_.resize(2 * count);
  size_t pos = 0;
  for (size_t i = 0; i < 2 * count; ++i) {
    size_t units = lens.data[i];
    size_t start = pos;
    while (units > 0) {
      if (pos >= written) throw Napi::RangeError::New(env, "lens do not match the string");
      uint8_t b = p[pos];
      size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      size_t u = n == 4 ? 2 : 1;
      if (u > units) return env.Undefined();
      pos += n;
      units -= u;
    }
    blens_[i] = static_cast<uint32_t>(pos - start);
  }
  if (pos != written) throw Napi::RangeError::New(env, "lens do not match the string");
  return Deflate(info, p, written, blens_.data(), count, sensitive);
}

Napi::Value HDDeflater::DeflateBytes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ByteView bytes = GetBytes(info[0], "bytes");
  U32View lens = GetU32Array(info[1], "lens");
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  if (lens.length < 2 * count) throw Napi::RangeError::New(env, "lens too short");
  const uint8_t *sensitive = GetSensitive(info[3], count);
  return Deflate(info, bytes.data, bytes.length, lens.data, count, sensitive);
}

// Writes `n` UTF-16 code units as UTF-8 at `out` (room for 3 bytes a unit),
// as Buffer.from(string, 'utf8') does: a surrogate pair is one 4-byte
// sequence, a lone surrogate is U+FFFD. Returns the bytes written.
static size_t EncodeUtf8(const uint16_t *u, size_t n, uint8_t *out) {
  uint8_t *p = out;
  for (size_t i = 0; i < n; ++i) {
    uint32_t c = u[i];
    if (c < 0x80) {
      *p++ = static_cast<uint8_t>(c);
    } else if (c < 0x800) {
      *p++ = static_cast<uint8_t>(0xc0 | (c >> 6));
      *p++ = static_cast<uint8_t>(0x80 | (c & 0x3f));
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c <= 0xdbff && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00);
          ++i;
          *p++ = static_cast<uint8_t>(0xf0 | (c >> 18));
          *p++ = static_cast<uint8_t>(0x80 | ((c >> 12) & 0x3f));
          *p++ = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3f));
          *p++ = static_cast<uint8_t>(0x80 | (c & 0x3f));
          continue;
        }
        c = 0xfffd;
      }
      *p++ = static_cast<uint8_t>(0xe0 | (c >> 12));
      *p++ = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3f));
      *p++ = static_cast<uint8_t>(0x80 | (c & 0x3f));
    }
  }
  return static_cast<size_t>(p - out);
}

// Narrows `n` UTF-16 code units to bytes at `out`; true when every unit is
// ASCII (the bytes are then the string's UTF-8). With SSE2 it works 8 units
// at a time and may read up to 7 units past `n` (units_ keeps kSlack spare
// units) and write up to 7 bytes past `n` (scratch_ keeps kSlack spare
// bytes; the next string overwrites them).
static bool NarrowAscii(const uint16_t *u, size_t n, uint8_t *out) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i high = _mm_set1_epi16(static_cast<short>(0xff80));
  __m128i acc = _mm_setzero_si128();
  for (; i + 8 <= n; i += 8) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(u + i));
    acc = _mm_or_si128(acc, _mm_and_si128(a, high));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(out + i), _mm_packus_epi16(a, a));
  }
  if (i < n) {
    // The last 1-7 units; lanes at or past n do not count.
    static const int16_t kLane[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(u + i));
    __m128i live = _mm_cmplt_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(kLane)),
                                   _mm_set1_epi16(static_cast<short>(n - i)));
    acc = _mm_or_si128(acc, _mm_and_si128(_mm_and_si128(a, high), live));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(out + i), _mm_packus_epi16(a, a));
  }
  return _mm_movemask_epi8(_mm_cmpeq_epi16(acc, _mm_setzero_si128())) == 0xffff;
#else
  unsigned any = 0;
  for (; i < n; ++i) {
    any |= u[i];
    out[i] = static_cast<uint8_t>(u[i]);
  }
  return any < 0x80;
#endif
}

// Fields as arguments: no joined string, and one napi call per name or value
// (the copy of a string's UTF-16 code units, which also gives its length). A
// string of ASCII units is narrowed to bytes; any other string is encoded as
// UTF-8 on its own (EncodeUtf8, as Buffer.from(string) would). A Uint8Array
// part is copied as is.
napi_value HDDeflater::DeflateFieldsCallback(napi_env env, napi_callback_info cbinfo) {
  return GuardedBody(env, [&]() -> napi_value {
    // The arguments of a list of up to 30 fields fit `local`: one
    // napi_get_cb_info.
    napi_value local[64];
    size_t argc = 64;
    void *data = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_cb_info(env, cbinfo, &argc, local, nullptr, &data), nullptr);
    auto *cell = static_cast<BoundCell<HDDeflater> *>(data);
    if (!cell || !cell->self) return nullptr;
    HDDeflater *self = cell->self;
    if (argc <= 64) return self->DeflateFields(env, local, argc);
    std::vector<napi_value> &argv = self->argv_;
    if (argv.size() < argc) argv.resize(argc);
    NAPI_THROW_IF_FAILED(env, napi_get_cb_info(env, cbinfo, &argc, argv.data(), nullptr, nullptr), nullptr);
    return self->DeflateFields(env, argv.data(), argc);
  });
}

// deflateFields(slab, offset, sensitive|null, name0, value0, name1, ...).
napi_value HDDeflater::DeflateFields(napi_env env, const napi_value *argv, size_t argc) {
  if (argc < 3 || (argc - 3) % 2 != 0) {
    throw Napi::TypeError::New(env, "deflateFields(slab, offset, sensitive, ...namesAndValues)");
  }
  size_t nparts = argc - 3;
  size_t count = nparts / 2;
  const uint8_t *sensitive = GetSensitive(Napi::Value(env, argv[2]), count);
  // A block of up to kStackFields fields and kStackBytes bytes, each string
  // under kStackUnits units, is built on the stack: a new deflater allocates
  // nothing for it. Past those, the member vectors take over.
  uint16_t stack_units[kStackUnits + kSlack];
  uint8_t stack_bytes[kStackBytes];
  nghttp2_nv stack_nva[kStackFields];
  nghttp2_nv *nva = stack_nva;
  if (count > kStackFields) {
    nva_.resize(count);
    nva = nva_.data();
  }
  uint8_t *buf = stack_bytes;
  size_t cap = kStackBytes;
  // Makes room for `need` more bytes at `pos` (moving what is written to
  // scratch_ the first time the stack buffer is short).
  auto reserve = [&](size_t pos, size_t need) {
    if (pos + need <= cap) return;
    size_t want = std::max(pos + need, 2 * cap);
    if (buf == stack_bytes) {
      if (scratch_.size() < want) scratch_.resize(want);
      std::memcpy(scratch_.data(), stack_bytes, pos);
    } else {
      scratch_.resize(want);
    }
    buf = scratch_.data();
    cap = scratch_.size();
  };
  // Offsets into buf while it may move; pointers once it is complete.
  size_t pos = 0;
  const napi_value *parts = argv + 3;
  for (size_t k = 0; k < nparts; ++k) {
    size_t start = pos;
    size_t n = 0;
    const uint16_t *units = stack_units;
    napi_status st = napi_get_value_string_utf16(env, parts[k], reinterpret_cast<char16_t *>(stack_units),
                                                 kStackUnits, &n);
    if (st == napi_ok) {
      if (n + 1 >= kStackUnits) {  // may have been cut short: ask for the length
        NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf16(env, parts[k], nullptr, 0, &n), nullptr);
        if (units_.size() < n + 1 + kSlack) units_.resize(n + 1 + kSlack);
        NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf16(env, parts[k],
                                                              reinterpret_cast<char16_t *>(units_.data()),
                                                              n + 1, &n),
                             nullptr);
        units = units_.data();
      }
      reserve(pos, 3 * n + kSlack);
      uint8_t *out = buf + pos;
      pos += NarrowAscii(units, n, out) ? n : EncodeUtf8(units, n, out);
    } else {
      ByteView bytes = GetBytes(Napi::Value(env, parts[k]), "a header name or value");
      n = bytes.length;
      reserve(pos, n);
      if (n) std::memcpy(buf + pos, bytes.data, n);
      pos += n;
    }
    nghttp2_nv &nv = nva[k >> 1];
    if ((k & 1) == 0) {
      nv.namelen = pos - start;
    } else {
      nv.valuelen = pos - start;
      nv.flags = (sensitive && sensitive[k >> 1]) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
    }
  }
  uint8_t *p = buf;
  for (size_t i = 0; i < count; ++i) {
    nghttp2_nv &nv = nva[i];
    nv.name = p;
    p += nv.namelen;
    nv.value = p;
    p += nv.valuelen;
  }
  napi_value result;
  NAPI_THROW_IF_FAILED(env, napi_create_double(env, DeflateNva(env, argv[0], argv[1], nva, count), &result),
                       nullptr);
  return result;
}

Napi::Value HDDeflater::ChangeTableSize(const Napi::CallbackInfo &info) {
  size_t size = info[0].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), nghttp2_hd_deflate_change_table_size(deflater_, size));
}

Napi::Value HDDeflater::GetHdTable(const Napi::CallbackInfo &info) {
  return DynamicTableToArray(info.Env(), nghttp2_hd_deflate_get_num_table_entries(deflater_),
                             [this](size_t idx) { return nghttp2_hd_deflate_get_table_entry(deflater_, idx); });
}

Napi::Value HDDeflater::DynamicTableSize(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(),
                           static_cast<double>(nghttp2_hd_deflate_get_dynamic_table_size(deflater_)));
}

Napi::Value HDDeflater::MaxDynamicTableSize(const Napi::CallbackInfo &info) {
  return Napi::Number::New(
      info.Env(), static_cast<double>(nghttp2_hd_deflate_get_max_dynamic_table_size(deflater_)));
}

}  // namespace spdylay_binding
