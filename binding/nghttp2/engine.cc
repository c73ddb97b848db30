#include "engine.h"

#include "../util/common.h"

namespace spdylay_binding {

Napi::Object Nghttp2Engine::NumberTable(Napi::Env env,
                                        std::initializer_list<std::pair<const char *, uint32_t>> entries) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto &e : entries) o.Set(e.first, Napi::Number::New(env, e.second));
  return o;
}

int32_t Nghttp2Engine::WantBits() const {
  if (!session_) return 0;
  return (nghttp2_session_want_read(session_) ? 1 : 0) | (nghttp2_session_want_write(session_) ? 2 : 0);
}

ssize_t Nghttp2Engine::PullOutput(size_t max_bytes) {
  out_.clear();
  while (out_.size() < max_bytes) {
    const uint8_t *data;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return n;
    if (n == 0) break;
    out_.insert(out_.end(), data, data + n);
  }
  return 0;
}

Napi::Value Nghttp2Engine::OutputValue(Napi::Env env, ssize_t err) const {
  if (err < 0 && out_.empty()) return Napi::Number::New(env, static_cast<double>(err));
  if (out_.empty()) return env.Undefined();
  return CopyToBuffer(env, out_.data(), out_.size());
}

int Nghttp2Engine::RstStream(int32_t stream_id, uint32_t error_code) {
  return nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

int Nghttp2Engine::Goaway(uint32_t error_code) {
  return nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                               error_code, nullptr, 0);
}

void Nghttp2Engine::BeginHeaderBlock(int32_t stream_id) {
  hdr_stream_id_ = stream_id;
  hdr_lens_.clear();
  hdr_bytes_.clear();
}

void Nghttp2Engine::AppendHeaderField(const uint8_t *name, size_t namelen, const uint8_t *value,
                                      size_t valuelen) {
  hdr_bytes_.insert(hdr_bytes_.end(), name, name + namelen);
  hdr_bytes_.insert(hdr_bytes_.end(), value, value + valuelen);
  hdr_lens_.push_back(static_cast<uint32_t>(namelen));
  hdr_lens_.push_back(static_cast<uint32_t>(valuelen));
}

}  // namespace spdylay_binding
