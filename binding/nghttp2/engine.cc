#include "engine.h"

#include <string>

#include "../util/common.h"

namespace spdylay_binding {

namespace {
// Header buffers above this capacity are released once a block is over (an
// idle connection then holds none of its peak buffers).
constexpr size_t kKeepHeaderBytes = 16 * 1024;
}  // namespace

nghttp2_session_callbacks *Nghttp2Engine::NewCallbacks(Napi::Env env) {
  nghttp2_session_callbacks *cbs;
  int rv = nghttp2_session_callbacks_new(&cbs);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataChunkRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamClose);
  return cbs;
}

// ---------------------------------------------------------------- callbacks

int Nghttp2Engine::OnBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Nghttp2Engine *self = Self<Nghttp2Engine>(user_data);
  if (!self->HeaderBlockBegins(frame)) {
    self->hdr_stream_id_ = 0;
    return 0;
  }
  self->BeginHeaderBlock(frame->hd.stream_id);
  return 0;
}

int Nghttp2Engine::OnHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                            size_t namelen, const uint8_t *value, size_t valuelen, uint8_t,
                            void *user_data) {
  Nghttp2Engine *self = Self<Nghttp2Engine>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != self->hdr_stream_id_) return 0;
  return self->HeaderField(frame, name, namelen, value, valuelen);
}

int Nghttp2Engine::OnFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Self<Nghttp2Engine>(user_data)->FrameReceived(frame);
  return 0;
}

int Nghttp2Engine::OnDataChunkRecv(nghttp2_session *, uint8_t, int32_t stream_id, const uint8_t *data,
                                   size_t len, void *user_data) {
  Self<Nghttp2Engine>(user_data)->events_.PushStreamData(kEvData, stream_id, data, len);
  return 0;
}

int Nghttp2Engine::OnStreamClose(nghttp2_session *, int32_t stream_id, uint32_t error_code,
                                 void *user_data) {
  Nghttp2Engine *self = Self<Nghttp2Engine>(user_data);
  self->StreamClosed(stream_id);
  self->events_.PushStreamEvent(kEvClose, stream_id, error_code);
  return 0;
}

// ------------------------------------------------------------------ methods

Napi::Value Nghttp2Engine::TakeEvents(const Napi::CallbackInfo &info) { return TakeEventBatch(info.Env()); }

Napi::Value Nghttp2Engine::SubmitRstStream(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Destroyed(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  uint32_t code = info[1].As<Napi::Number>().Uint32Value();
  int rv = nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, code);
  UpdateState();
  return Napi::Number::New(env, rv);
}

Napi::Value Nghttp2Engine::SubmitGoaway(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Destroyed(env);
  uint32_t code = info[0].As<Napi::Number>().Uint32Value();
  int rv = nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                                 code, nullptr, 0);
  UpdateState();
  return Napi::Number::New(env, rv);
}

Napi::Value Nghttp2Engine::Destroy(const Napi::CallbackInfo &info) {
  if (session_) nghttp2_session_del(session_);
  session_ = nullptr;
  ReleaseBodies();
  events_.clear();
  UpdateState();
  return info.Env().Undefined();
}

// ------------------------------------------------------------------ helpers

void Nghttp2Engine::AttachState(const Napi::Value &state, size_t count) {
  if (!state.IsTypedArray() || state.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      state.As<Napi::TypedArray>().ElementLength() < count) {
    throw Napi::TypeError::New(state.Env(),
                               "state must be an Int32Array of length >= " + std::to_string(count));
  }
  state_ = state.As<Napi::Int32Array>().Data();
  state_ref_ = Napi::Persistent(state);
}

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

Napi::Value Nghttp2Engine::TakeEventBatch(Napi::Env env) {
  return TakeBatch(env, events_, [this] {
    events_.Trim(events_keep_);
    UpdateState();
  });
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

void Nghttp2Engine::CommitHeaderBlock(const nghttp2_frame *frame, const uint32_t *extra, size_t nextra,
                                      uint32_t type) {
  events_.PushU32(type);
  events_.PushU32(static_cast<uint32_t>(frame->hd.stream_id));
  events_.PushU32((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) ? 1 : 0);
  events_.PushU32(static_cast<uint32_t>(hdr_lens_.size() / 2));
  events_.PushU32(static_cast<uint32_t>(hdr_bytes_.size()));
  for (size_t i = 0; i < nextra; ++i) events_.PushU32(extra[i]);
  events_.Append(reinterpret_cast<const uint8_t *>(hdr_lens_.data()), hdr_lens_.size() * 4);
  events_.PushBytesPadded(hdr_bytes_.data(), hdr_bytes_.size());
  EndHeaderBlock();
}

void Nghttp2Engine::EndHeaderBlock() {
  hdr_stream_id_ = 0;
  hdr_lens_.clear();
  hdr_bytes_.clear();
  if (hdr_bytes_.capacity() > kKeepHeaderBytes) std::vector<uint8_t>().swap(hdr_bytes_);
  if (hdr_lens_.capacity() > kKeepHeaderBytes / 4) std::vector<uint32_t>().swap(hdr_lens_);
}

bool Nghttp2Engine::ParseFields(const uint8_t *p, size_t len, size_t count, size_t reserve) {
  nva_.resize(reserve);
  if (count == 0) return true;
  size_t start = 0;
  size_t parts = 0;
  const uint8_t *fields[2];
  size_t lens[2];
  for (size_t i = 0; i <= len; ++i) {
    if (i == len || p[i] == 0) {
      fields[parts & 1] = p + start;
      lens[parts & 1] = i - start;
      ++parts;
      if ((parts & 1) == 0) {
        nghttp2_nv nv;
        nv.name = const_cast<uint8_t *>(fields[0]);
        nv.namelen = lens[0];
        nv.value = const_cast<uint8_t *>(fields[1]);
        nv.valuelen = lens[1];
        nv.flags = NGHTTP2_NV_FLAG_NONE;
        nva_.push_back(nv);
      }
      start = i + 1;
    }
  }
  return parts == 2 * count;
}

}  // namespace spdylay_binding
