#include "response_bodies.h"

#include <cstring>
#include <vector>

#include "../util/common.h"

namespace spdylay_binding {

namespace {

// At most kPoolMax sources of finished bodies are kept per session for its
// next responses, each string holding at most kPoolKeepString bytes of
// capacity.
constexpr size_t kPoolMax = 16;
constexpr size_t kPoolKeepString = 256;

void ReleaseString(std::string &s) {
  if (s.capacity() > kPoolKeepString) std::string().swap(s);
  else s.clear();
}

}  // namespace

std::unique_ptr<ResponseBodies::Source> ResponseBodies::NewSource() {
  if (free_.empty()) return std::unique_ptr<Source>(new Source());
  std::unique_ptr<Source> src = std::move(free_.back());
  free_.pop_back();
  return src;
}

void ResponseBodies::Recycle(std::unique_ptr<Source> src) {
  if (free_.size() >= kPoolMax) return;  // freed here
  src->owner = nullptr;
  src->kind = kNone;
  ReleaseString(src->owned);
  src->ref.Reset();
  src->data = nullptr;
  src->length = 0;
  src->pos = 0;
  ReleaseString(src->pending);
  src->pending_pos = 0;
  src->eof_after_pending = false;
  src->has_trailers = false;
  ReleaseString(src->trailers);
  src->trailer_count = 0;
  free_.push_back(std::move(src));
}

void ResponseBodies::SetReader(Napi::Function read_fn, int32_t *read_flag) {
  read_fn_ = Napi::Persistent(read_fn);
  read_flag_ = read_flag;
}

std::unique_ptr<ResponseBodies::Source> ResponseBodies::Make(int kind, const Napi::Value &body) {
  std::unique_ptr<Source> src;
  if (kind == kBytes) {
    src = NewSource();
    src->kind = kBytes;
    if (body.IsString()) {
      src->owned = body.As<Napi::String>().Utf8Value();
      src->data = reinterpret_cast<const uint8_t *>(src->owned.data());
      src->length = src->owned.size();
    } else {
      ByteView view = GetBytes(body, "body");
      if (view.length <= kCopyBodyMax) {
        src->owned.assign(reinterpret_cast<const char *>(view.data), view.length);
        src->data = reinterpret_cast<const uint8_t *>(src->owned.data());
      } else {
        src->ref = Napi::Persistent(body);
        src->data = view.data;
      }
      src->length = view.length;
    }
    if (src->length == 0) Recycle(std::move(src));
  } else if (kind == kJs) {
    src = NewSource();
    src->kind = kJs;
  }
  if (src) src->owner = this;
  return src;
}

nghttp2_data_provider ResponseBodies::Provider(Source *src) {
  nghttp2_data_provider prd;
  prd.source.ptr = src;
  prd.read_callback = Read;
  return prd;
}

void ResponseBodies::Attach(int32_t stream_id, std::unique_ptr<Source> src) {
  bytes_ += src->owned.size();
  auto it = sources_.try_emplace(stream_id).first;
  if (it->second) {
    bytes_ -= it->second->owned.size();
    Recycle(std::move(it->second));
  }
  it->second = std::move(src);
}

void ResponseBodies::Drop(int32_t stream_id) {
  auto it = sources_.find(stream_id);
  if (it == sources_.end()) return;
  bytes_ -= it->second->owned.size();
  std::unique_ptr<Source> src = std::move(it->second);
  sources_.erase(it);
  Recycle(std::move(src));
}

void ResponseBodies::Clear() {
  sources_.clear();
  free_.clear();
  bytes_ = 0;
  read_fn_.Reset();
}

void ResponseBodies::ThrowPendingError(Napi::Env env) {
  has_pending_error_ = false;
  Napi::Value e = pending_error_.Value();
  pending_error_.Reset();
  throw Napi::Error(env, e);
}

bool ResponseBodies::SetTrailers(int32_t stream_id, std::string fields, size_t count) {
  auto it = sources_.find(stream_id);
  if (it == sources_.end()) return false;
  Source *src = it->second.get();
  src->trailers = std::move(fields);
  src->trailer_count = count;
  src->has_trailers = true;
  return true;
}

void ResponseBodies::SubmitTrailers(nghttp2_session *session, int32_t stream_id, Source *src,
                                    uint32_t *data_flags) {
  if (!src->has_trailers || !(*data_flags & NGHTTP2_DATA_FLAG_EOF)) return;
  src->has_trailers = false;
  std::vector<nghttp2_nv> nva;
  nva.reserve(src->trailer_count);
  const std::string &t = src->trailers;
  size_t start = 0;
  while (nva.size() < src->trailer_count && start <= t.size()) {
    size_t n_end = t.find('\0', start);
    if (n_end == std::string::npos) break;
    size_t v_end = t.find('\0', n_end + 1);
    if (v_end == std::string::npos) v_end = t.size();
    nghttp2_nv nv;
    nv.name = reinterpret_cast<uint8_t *>(const_cast<char *>(t.data() + start));
    nv.namelen = n_end - start;
    nv.value = reinterpret_cast<uint8_t *>(const_cast<char *>(t.data() + n_end + 1));
    nv.valuelen = v_end - n_end - 1;
    nv.flags = NGHTTP2_NV_FLAG_NONE;
    nva.push_back(nv);
    start = v_end + 1;
  }
  // nghttp2_submit_trailer copies the fields; the trailing HEADERS carries
  // END_STREAM, so the last DATA frame must not.
  if (nghttp2_submit_trailer(session, stream_id, nva.data(), nva.size()) == 0) {
    *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  }
}

ssize_t ResponseBodies::Read(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                             uint32_t *data_flags, nghttp2_data_source *source, void *) {
  Source *src = static_cast<Source *>(source->ptr);
  if (src->kind == kBytes) {
    size_t n = src->length - src->pos;
    if (n > length) n = length;
    if (src->pos + n == src->length) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    // The session's send_data_callback copies the payload straight into
    // its output (one copy).
    *data_flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    SubmitTrailers(session, stream_id, src, data_flags);
    return static_cast<ssize_t>(n);
  }
  ssize_t rv = src->owner->ReadJs(stream_id, src, buf, length, data_flags);
  if (rv >= 0) SubmitTrailers(session, stream_id, src, data_flags);
  return rv;
}

ssize_t ResponseBodies::ReadJs(int32_t stream_id, Source *src, uint8_t *buf, size_t length,
                               uint32_t *data_flags) {
  if (src->pending_pos < src->pending.size()) {
    size_t n = src->pending.size() - src->pending_pos;
    if (n > length) n = length;
    std::memcpy(buf, src->pending.data() + src->pending_pos, n);
    src->pending_pos += n;
    if (src->pending_pos == src->pending.size()) {
      // Releases the buffer (shrink_to_fit would need GCC 11's libstdc++).
      std::string().swap(src->pending);
      src->pending_pos = 0;
      if (src->eof_after_pending) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
  }
  Napi::Env env = read_fn_.Env();
  Napi::HandleScope scope(env);
  Napi::Value chunk;
  *read_flag_ = kReadError;
  try {
    chunk = read_fn_.Call({Napi::Number::New(env, stream_id),
                           Napi::Number::New(env, static_cast<double>(length))});
  } catch (const Napi::Error &e) {
    // Never unwind through nghttp2: keep the exception for the session's
    // send() to rethrow and reset this stream (RST_STREAM INTERNAL_ERROR).
    if (!has_pending_error_) {
      pending_error_ = Napi::Persistent(static_cast<Napi::Value>(e.Value()));
      has_pending_error_ = true;
    }
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  int flag = *read_flag_;
  if (flag == kReadDeferred) return NGHTTP2_ERR_DEFERRED;
  if (flag != kReadOk && flag != kReadEof) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  size_t n = 0;
  if (chunk.IsTypedArray() || chunk.IsArrayBuffer()) {
    ByteView view;
    try {
      view = GetBytes(chunk, "chunk");
    } catch (const Napi::Error &) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    n = view.length > length ? length : view.length;
    std::memcpy(buf, view.data, n);
    if (view.length > n) {
      src->pending.assign(reinterpret_cast<const char *>(view.data + n), view.length - n);
      src->pending_pos = 0;
      src->eof_after_pending = flag == kReadEof;
      return static_cast<ssize_t>(n);
    }
  }
  if (flag == kReadEof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace spdylay_binding
