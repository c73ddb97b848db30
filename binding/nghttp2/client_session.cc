#include "client_session.h"

#include <cstring>

#include "../util/common.h"
#include "../util/raw_method.h"

namespace spdylay_binding {

Napi::Function Http2ClientSession::Init(Napi::Env env) {
  return DefineRawMethods(DefineClass(env, "Http2ClientSession", {StaticValue("layout", Layout(env))}),
                          {
                              {"recv", RawMethod<Http2ClientSession, &Http2ClientSession::Recv>},
                              {"send", RawMethod<Http2ClientSession, &Http2ClientSession::Send>},
                              {"takeEvents", RawBaseMethod<Http2ClientSession, Nghttp2Engine, &Nghttp2Engine::TakeEvents>},
                              {"submitRequest", RawMethod<Http2ClientSession, &Http2ClientSession::SubmitRequest>},
                              {"submitRstStream", RawBaseMethod<Http2ClientSession, Nghttp2Engine, &Nghttp2Engine::SubmitRstStream>},
                              {"submitGoaway", RawBaseMethod<Http2ClientSession, Nghttp2Engine, &Nghttp2Engine::SubmitGoaway>},
                              {"destroy", RawBaseMethod<Http2ClientSession, Nghttp2Engine, &Nghttp2Engine::Destroy>},
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
  AttachState(info[0], kStateCount);
  trace_ = info[1].ToBoolean().Value();
  uint32_t window = info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 65535;
  if (window < 65535) window = 65535;
  if (window > 0x7fffffff) window = 0x7fffffff;

  nghttp2_session_callbacks *cbs = NewCallbacks(env);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, OnFrameSend);
  int rv = nghttp2_session_client_new(&session_, cbs, UserData());
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

Napi::Value Http2ClientSession::Destroyed(Napi::Env env) {
  return Napi::Number::New(env, NGHTTP2_ERR_INVALID_STATE);
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

bool Http2ClientSession::HeaderBlockBegins(const nghttp2_frame *frame) {
  return frame->hd.type == NGHTTP2_HEADERS;
}

int Http2ClientSession::HeaderField(const nghttp2_frame *, const uint8_t *name, size_t namelen,
                                    const uint8_t *value, size_t valuelen) {
  AppendHeaderField(name, namelen, value, valuelen);
  return 0;
}

void Http2ClientSession::FrameReceived(const nghttp2_frame *frame) {
  if (trace_) PushFrame(1, frame);
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (frame->hd.stream_id == hdr_stream_id_) CommitHeaderBlock(frame, nullptr, 0);
      break;
    case NGHTTP2_GOAWAY:
      events_.PushU32(kEvGoaway);
      events_.PushU32(static_cast<uint32_t>(frame->goaway.last_stream_id));
      events_.PushU32(frame->goaway.error_code);
      break;
    default:
      break;
  }
}

int Http2ClientSession::OnFrameSend(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  Http2ClientSession *self = Self<Http2ClientSession>(user_data);
  if (self->trace_) self->PushFrame(0, frame);
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
  // Every field ends in NUL here; ParseFields takes none after the last.
  size_t len = scratch_.size();
  if (len > 0 && scratch_[len - 1] == '\0') --len;
  if (!ParseFields(reinterpret_cast<const uint8_t *>(scratch_.data()), len, count, 0)) {
    return Napi::Number::New(env, NGHTTP2_ERR_INVALID_ARGUMENT);
  }
  int32_t rv;
  if (info[2].IsTypedArray() || info[2].IsArrayBuffer()) {
    ByteView view = GetBytes(info[2], "body");
    std::unique_ptr<Body> body(new Body());
    body->data.assign(reinterpret_cast<const char *>(view.data), view.length);
    nghttp2_data_provider prd;
    prd.source.ptr = body.get();
    prd.read_callback = ReadBody;
    rv = nghttp2_submit_request(session_, nullptr, nva_.data(), nva_.size(), &prd, nullptr);
    if (rv > 0) bodies_[rv] = std::move(body);
  } else {
    rv = nghttp2_submit_request(session_, nullptr, nva_.data(), nva_.size(), nullptr, nullptr);
  }
  UpdateState();
  return Napi::Number::New(env, rv);
}

}  // namespace spdylay_binding
