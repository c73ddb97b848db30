#include "client_session.h"

#include <cstring>

#include "../util/common.h"
#include "../util/raw_method.h"

namespace spdylay_binding {

namespace {
inline Http2ClientSession *Self(void *user_data) { return static_cast<Http2ClientSession *>(user_data); }
}  // namespace

Napi::Function Http2ClientSession::Init(Napi::Env env) {
  return DefineRawMethods(DefineClass(env, "Http2ClientSession", {StaticValue("layout", Layout(env))}),
                          {
                              {"recv", RawMethod<Http2ClientSession, &Http2ClientSession::Recv>},
                              {"send", RawMethod<Http2ClientSession, &Http2ClientSession::Send>},
                              {"takeEvents", RawMethod<Http2ClientSession, &Http2ClientSession::TakeEvents>},
                              {"submitRequest", RawMethod<Http2ClientSession, &Http2ClientSession::SubmitRequest>},
                              {"submitRstStream", RawMethod<Http2ClientSession, &Http2ClientSession::SubmitRstStream>},
                              {"submitGoaway", RawMethod<Http2ClientSession, &Http2ClientSession::SubmitGoaway>},
                              {"destroy", RawMethod<Http2ClientSession, &Http2ClientSession::Destroy>},
                          });
}

Napi::Object Http2ClientSession::Layout(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("events", NumberTable(env, {{"headers", kEvHeaders}, {"data", kEvData}, {"close", kEvClose},
                                         {"frame", kEvFrame}, {"goaway", kEvGoaway}}));
  layout.Set("state", NumberTable(env, {{"want", kStateWant}, {"events", kStateEvents}, {"count", kStateCount}}));
  return layout;
}

// new Http2ClientSession(state: Int32Array(2), trace: boolean, windowSize)
//
// Creates a client session (nghttp2_session_client_new), queues the client
// preface's SETTINGS (ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS 100,
// INITIAL_WINDOW_SIZE windowSize) and widens the connection window to
// windowSize. With `trace`, FRAME events report every frame sent/received.
Http2ClientSession::Http2ClientSession(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<Http2ClientSession>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[0].As<Napi::TypedArray>().ElementLength() < kStateCount) {
    throw Napi::TypeError::New(env, "state must be an Int32Array of length >= 2");
  }
  state_ = info[0].As<Napi::Int32Array>().Data();
  state_ref_ = Napi::Persistent(info[0]);
  trace_ = info[1].ToBoolean().Value();
  uint32_t window = info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 65535;
  if (window < 65535) window = 65535;
  if (window > 0x7fffffff) window = 0x7fffffff;

  nghttp2_session_callbacks *cbs;
  int rv = nghttp2_session_callbacks_new(&cbs);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameRecv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, OnFrameSend);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataChunkRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamClose);
  rv = nghttp2_session_client_new(&session_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  nghttp2_settings_entry iv[3] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window},
  };
  rv = nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, 3);
  if (rv == 0 && window > 65535) {
    rv = nghttp2_submit_window_update(session_, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(window - 65535));
  }
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  UpdateState();
}

Http2ClientSession::~Http2ClientSession() {
  if (session_) nghttp2_session_del(session_);
  session_ = nullptr;
}

void Http2ClientSession::UpdateState() {
  state_[kStateWant] = WantBits();
  state_[kStateEvents] = static_cast<int32_t>(events_.size());
}

void Http2ClientSession::PushFrame(uint32_t dir, const nghttp2_frame *frame) {
  uint32_t a = 0, b = 0;
  switch (frame->hd.type) {
    case NGHTTP2_GOAWAY:
      a = static_cast<uint32_t>(frame->goaway.last_stream_id);
      b = frame->goaway.error_code;
      break;
    case NGHTTP2_RST_STREAM:
      a = frame->rst_stream.error_code;
      break;
    case NGHTTP2_WINDOW_UPDATE:
      a = static_cast<uint32_t>(frame->window_update.window_size_increment);
      break;
    case NGHTTP2_SETTINGS:
      a = static_cast<uint32_t>(frame->settings.niv);
      break;
    default:
      break;
  }
  events_.PushU32(kEvFrame);
  events_.PushU32(dir);
  events_.PushU32(frame->hd.type);
  events_.PushU32(frame->hd.flags);
  events_.PushU32(static_cast<uint32_t>(frame->hd.stream_id));
  events_.PushU32(static_cast<uint32_t>(frame->hd.length));
  events_.PushU32(a);
  events_.PushU32(b);
}

int Http2ClientSession::OnBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Http2ClientSession *self = Self(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  self->BeginHeaderBlock(frame->hd.stream_id);
  return 0;
}

int Http2ClientSession::OnHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                                 size_t namelen, const uint8_t *value, size_t valuelen, uint8_t,
                                 void *user_data) {
  Http2ClientSession *self = Self(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != self->hdr_stream_id_) return 0;
  self->AppendHeaderField(name, namelen, value, valuelen);
  return 0;
}

int Http2ClientSession::OnFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Http2ClientSession *self = Self(user_data);
  if (self->trace_) self->PushFrame(1, frame);
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (frame->hd.stream_id == self->hdr_stream_id_) {
        self->events_.PushU32(kEvHeaders);
        self->events_.PushU32(static_cast<uint32_t>(frame->hd.stream_id));
        self->events_.PushU32((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) ? 1 : 0);
        self->events_.PushU32(static_cast<uint32_t>(self->hdr_lens_.size() / 2));
        self->events_.PushU32(static_cast<uint32_t>(self->hdr_bytes_.size()));
        const uint8_t *lens = reinterpret_cast<const uint8_t *>(self->hdr_lens_.data());
        self->events_.Append(lens, self->hdr_lens_.size() * 4);
        self->events_.PushBytesPadded(self->hdr_bytes_.data(), self->hdr_bytes_.size());
        self->hdr_stream_id_ = 0;
      }
      break;
    case NGHTTP2_GOAWAY:
      self->events_.PushU32(kEvGoaway);
      self->events_.PushU32(static_cast<uint32_t>(frame->goaway.last_stream_id));
      self->events_.PushU32(frame->goaway.error_code);
      break;
    default:
      break;
  }
  return 0;
}

int Http2ClientSession::OnFrameSend(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Http2ClientSession *self = Self(user_data);
  if (self->trace_) self->PushFrame(0, frame);
  return 0;
}

int Http2ClientSession::OnDataChunkRecv(nghttp2_session *, uint8_t, int32_t stream_id, const uint8_t *data,
                                        size_t len, void *user_data) {
  Http2ClientSession *self = Self(user_data);
  self->events_.PushStreamData(kEvData, stream_id, data, len);
  return 0;
}

int Http2ClientSession::OnStreamClose(nghttp2_session *, int32_t stream_id, uint32_t error_code,
                                      void *user_data) {
  Http2ClientSession *self = Self(user_data);
  self->bodies_.erase(stream_id);
  self->events_.PushStreamEvent(kEvClose, stream_id, error_code);
  return 0;
}

ssize_t Http2ClientSession::ReadBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length,
                                     uint32_t *data_flags, nghttp2_data_source *source, void *) {
  Body *b = static_cast<Body *>(source->ptr);
  size_t n = b->data.size() - b->pos;
  if (n > length) n = length;
  std::memcpy(buf, b->data.data() + b->pos, n);
  b->pos += n;
  if (b->pos == b->data.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

// recv(chunk): nghttp2_session_mem_recv over the chunk. Returns the events
// (ArrayBuffer), undefined when none, or a negative nghttp2 error code.
Napi::Value Http2ClientSession::Recv(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
  return MemRecvBatch(env, session_, info[0], events_, [this] { UpdateState(); });
}

// takeEvents(): events produced while sending (closes, trace), or undefined.
Napi::Value Http2ClientSession::TakeEvents(const Napi::CallbackInfo &info) {
  return TakeBatch(info.Env(), events_, [this] { UpdateState(); });
}

// send(maxBytes): frames from nghttp2_session_mem_send until none is pending
// or maxBytes were produced: a Buffer, undefined, or a negative error code.
Napi::Value Http2ClientSession::Send(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
  size_t max_bytes = info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 65536;
  ssize_t err = PullOutput(max_bytes);
  UpdateState();
  return OutputValue(env, err);
}

// submitRequest(headers, count, body): nghttp2_submit_request with the
// `count` fields of `headers` ("name\0value\0...", UTF-8; pseudo-headers
// first) and, when `body` (bytes) is given, a body served natively (copied).
// Returns the stream ID or a negative nghttp2 error code (-501 for a
// malformed header string).
Napi::Value Http2ClientSession::SubmitRequest(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
  scratch_ = info[0].As<Napi::String>().Utf8Value();
  size_t count = info[1].As<Napi::Number>().Uint32Value();
  std::vector<nghttp2_nv> nva;
  nva.reserve(count);
  const uint8_t *p = reinterpret_cast<const uint8_t *>(scratch_.data());
  size_t len = scratch_.size();
  size_t start = 0, parts = 0;
  const uint8_t *fields[2];
  size_t lens[2];
  for (size_t i = 0; i < len; ++i) {
    if (p[i] != 0) continue;
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
      nva.push_back(nv);
    }
    start = i + 1;
  }
  if (parts != 2 * count) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_ARGUMENT);
  int32_t rv;
  if (info[2].IsTypedArray() || info[2].IsArrayBuffer()) {
    ByteView view = GetBytes(info[2], "body");
    std::unique_ptr<Body> body(new Body());
    body->data.assign(reinterpret_cast<const char *>(view.data), view.length);
    nghttp2_data_provider prd;
    prd.source.ptr = body.get();
    prd.read_callback = ReadBody;
    rv = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &prd, nullptr);
    if (rv > 0) bodies_[rv] = std::move(body);
  } else {
    rv = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
  }
  UpdateState();
  return Napi::Number::New(env, rv);
}

// submitRstStream(streamId, errorCode): nghttp2_submit_rst_stream.
Napi::Value Http2ClientSession::SubmitRstStream(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
  int rv = RstStream(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Uint32Value());
  UpdateState();
  return Napi::Number::New(env, rv);
}

// submitGoaway(errorCode): GOAWAY with the last processed stream ID.
Napi::Value Http2ClientSession::SubmitGoaway(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!session_) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
  int rv = Goaway(info[0].As<Napi::Number>().Uint32Value());
  UpdateState();
  return Napi::Number::New(env, rv);
}

// destroy(): frees the session. Idempotent.
Napi::Value Http2ClientSession::Destroy(const Napi::CallbackInfo &info) {
  if (session_) nghttp2_session_del(session_);
  session_ = nullptr;
  bodies_.clear();
  events_.clear();
  UpdateState();
  return info.Env().Undefined();
}

}  // namespace spdylay_binding
