#include "data_sources.h"

#include <cstring>

namespace spdylay_binding {

DataSources::~DataSources() {
  while (bufs_) Release(bufs_);
}

bool DataSources::Make(const Napi::Value &token, const Napi::Value &body, int32_t stream_id,
                       spdylay_data_source_read_callback js_read, spdylay_data_provider *prd,
                       BufSource **out) {
  *out = nullptr;
  napi_typedarray_type type;
  size_t len;
  void *data;
  // One call tells a typed array (napi_ok) from anything else.
  if (napi_get_typedarray_info(env_, body, &type, &len, &data, nullptr, nullptr) == napi_ok) {
    if (type != napi_uint8_array) throw Napi::TypeError::New(body.Env(), "body must be a Uint8Array");
    const uint8_t *bytes = static_cast<const uint8_t *>(data);
    bool copy = len <= kCopyMax;
    auto *bs = static_cast<BufSource *>(::operator new(sizeof(BufSource) + (copy ? len : 0)));
    bs->owner = this;
    bs->ref = nullptr;
    if (copy) {
      uint8_t *own = reinterpret_cast<uint8_t *>(bs + 1);
      if (len) std::memcpy(own, bytes, len);
      bs->data = own;
    } else {
      bs->data = bytes;
    }
    bs->len = len;
    bs->pos = 0;
    bs->stream_id = stream_id;
    bs->prev = nullptr;
    bs->next = bufs_;
    if (bufs_) bufs_->prev = bs;
    bufs_ = bs;
    if (!copy) napi_create_reference(env_, body, 1, &bs->ref);
    prd->source.ptr = bs;
    prd->read_callback = ReadBuf;
    *out = bs;
    return true;
  }
  uint32_t t = token.As<Napi::Number>().Uint32Value();
  if (!t) return false;
  prd->source.ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(t));
  prd->read_callback = js_read;
  return true;
}

ssize_t DataSources::ReadBuf(spdylay_session *, int32_t stream_id, uint8_t *buf, size_t length,
                             int *eof, spdylay_data_source *source, void *) {
  auto *bs = static_cast<BufSource *>(source->ptr);
  bs->stream_id = stream_id;
  size_t n = bs->len - bs->pos;
  if (n > length) n = length;
  if (n) std::memcpy(buf, bs->data + bs->pos, n);
  bs->pos += n;
  if (bs->pos >= bs->len) {
    *eof = 1;
    bs->owner->Release(bs);  // the library never reads a provider again after EOF
  }
  return static_cast<ssize_t>(n);
}

void DataSources::Release(BufSource *bs) {
  if (bs->prev) bs->prev->next = bs->next;
  else bufs_ = bs->next;
  if (bs->next) bs->next->prev = bs->prev;
  if (env_ && bs->ref) napi_delete_reference(env_, bs->ref);
  ::operator delete(bs);
}

void DataSources::ReleaseStream(int32_t stream_id) {
  for (BufSource *bs = bufs_; bs;) {
    BufSource *next = bs->next;
    if (bs->stream_id == stream_id) Release(bs);
    bs = next;
  }
}

}  // namespace spdylay_binding
