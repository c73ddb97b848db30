#include "server_session.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../util/common.h"
#include "../util/raw_method.h"

namespace spdylay_binding {

namespace {

// Connection-level receive window (nghttp2_session_set_local_window_size).
constexpr int32_t kConnectionWindow = 1 << 20;
// Largest DATA payload produced per frame, whatever the client's
// SETTINGS_MAX_FRAME_SIZE (so that one frame never exceeds a send budget by much).
constexpr ssize_t kMaxDataPayload = 16384;
// Output, event and header buffers above this capacity are released once
// the connection has nothing more to do with them (an idle connection then
// holds none of its peak buffers).
constexpr size_t kKeepCapacity = 16 * 1024;
// Initial size of the scratch buffer string header lists are read into.
constexpr size_t kScratchMin = 256;
// NGHTTP2_ENHANCE_YOUR_CALM.
constexpr uint32_t kEnhanceYourCalm = 0xb;

uint32_t LimitOption(Napi::Object opts, const char *name, uint32_t dflt) {
  Napi::Value v = opts.Get(name);
  if (!v.IsNumber()) return dflt;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 1)) return dflt;
  if (d > 4294967295.0) return 0xffffffffu;
  return static_cast<uint32_t>(d);
}

}  // namespace

Napi::Function Http2Session::Init(Napi::Env env) {
  return DefineRawMethods(DefineClass(env, "Http2Session", {
      StaticValue("layout", Layout(env))
  }),
                          {
                              {"recv", RawMethod<Http2Session, &Http2Session::Recv>},
                              {"send", RawMethod<Http2Session, &Http2Session::Send>},
                              {"takeEvents", RawBaseMethod<Http2Session, Nghttp2Engine, &Nghttp2Engine::TakeEvents>},
                              {"submitResponse", RawMethod<Http2Session, &Http2Session::SubmitResponse>},
                              {"submitPushPromise", RawMethod<Http2Session, &Http2Session::SubmitPushPromise>},
                              {"submitTrailers", RawMethod<Http2Session, &Http2Session::SubmitTrailers>},
                              {"submitInfo", RawMethod<Http2Session, &Http2Session::SubmitInfo>},
                              {"resumeData", RawMethod<Http2Session, &Http2Session::ResumeData>},
                              {"consume", RawMethod<Http2Session, &Http2Session::Consume>},
                              {"submitRstStream", RawBaseMethod<Http2Session, Nghttp2Engine, &Nghttp2Engine::SubmitRstStream>},
                              {"submitGoaway", RawBaseMethod<Http2Session, Nghttp2Engine, &Nghttp2Engine::SubmitGoaway>},
                              {"terminate", RawMethod<Http2Session, &Http2Session::Terminate>},
                              {"destroy", RawBaseMethod<Http2Session, Nghttp2Engine, &Nghttp2Engine::Destroy>},
                          });
}

Napi::Object Http2Session::Layout(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("events", NumberTable(env, {{"headers", kEvHeaders}, {"data", kEvData}, {"endStream", kEvEndStream},
      {"close", kEvClose}, {"settingsAck", kEvSettingsAck},
      {"limitReset", kEvLimitReset}, {"trailers", kEvTrailers},
      {"xForwardedFor", kEvXForwardedFor}}));
  layout.Set("limits", NumberTable(env, {{"maxHeaderListSize", kLimitHeaderList}, {"maxOutboundAck", kLimitOutboundAck},
      {"maxEmptyFrames", kLimitEmptyFrames}, {"streamResetRate", kLimitStreamResets},
      {"maxContinuations", kLimitContinuations}}));
  layout.Set("state", NumberTable(env, {{"readFlag", kStateReadFlag}, {"want", kStateWant}, {"events", kStateEvents},
      {"memory", kStateMemory}, {"limit", kStateLimit},
      {"midHeaders", kStateMidHeaders}, {"count", kStateCount}}));
  layout.Set("readFlags", NumberTable(env, {{"ok", ResponseBodies::kReadOk}, {"eof", ResponseBodies::kReadEof},
      {"deferred", ResponseBodies::kReadDeferred}, {"error", ResponseBodies::kReadError}}));
  layout.Set("bodyKinds", NumberTable(env, {{"none", ResponseBodies::kNone}, {"bytes", ResponseBodies::kBytes},
      {"js", ResponseBodies::kJs}}));
  layout.Set("record", NumberTable(env, {{"streamId", kRecStreamId}, {"value", kRecValue}, {"dataBytes", kRecDataBytes},
      {"headersFlags", kRecHeadersFlags}, {"fieldCount", kRecFieldCount},
      {"byteCount", kRecByteCount}, {"method", kRecMethod}, {"scheme", kRecScheme},
      {"path", kRecPath}, {"authority", kRecAuthority}, {"host", kRecHost},
      {"fieldLengths", kRecFieldLengths}}));
  layout.Set("absent", Napi::Number::New(env, kAbsent));
  layout.Set("errLimit", Napi::Number::New(env, kErrLimit));
  return layout;
}

// new Http2Session(readFn, state: Int32Array(6), maxConcurrentStreams, limits?)
//
// Creates a server session (nghttp2_session_server_new3, its allocations
// counted through a per-session nghttp2_mem) and queues the initial SETTINGS
// (MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE 65535, MAX_HEADER_LIST_SIZE).
// `limits` (optional object): maxHeaderListSize, maxOutboundAck
// (nghttp2_option_set_max_outbound_ack), maxEmptyFrames, streamResetBurst,
// streamResetRate, maxContinuations; missing or non-positive fields keep
// the defaults of lib/limits.ts.
// readFn(streamId, maxLength) is called for generator/stream bodies only; it
// returns a chunk (Uint8Array) or undefined and stores its flag in state[0].
Http2Session::Http2Session(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Http2Session>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "readFn must be a function");
  Napi::Function read_fn = info[0].As<Napi::Function>();
  AttachState(info[1], kStateCount);
  bodies_.SetReader(read_fn, &state_[kStateReadFlag]);
  uint32_t max_streams = info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 100;
  uint32_t max_outbound_ack = 1000;
  FrameHeadScanner::Limits scan_limits;
  if (info[3].IsObject()) {
    Napi::Object opts = info[3].As<Napi::Object>();
    max_header_list_ = LimitOption(opts, "maxHeaderListSize", max_header_list_);
    max_outbound_ack = LimitOption(opts, "maxOutboundAck", max_outbound_ack);
    scan_limits.max_empty_frames = LimitOption(opts, "maxEmptyFrames", scan_limits.max_empty_frames);
    scan_limits.reset_burst = LimitOption(opts, "streamResetBurst", scan_limits.reset_burst);
    scan_limits.reset_rate = LimitOption(opts, "streamResetRate", scan_limits.reset_rate);
    scan_limits.max_continuations = LimitOption(opts, "maxContinuations", scan_limits.max_continuations);
  }
  scanner_ = FrameHeadScanner(scan_limits);
  events_keep_ = kKeepCapacity;
  for (int i = kStateMemory; i < kStateCount; ++i) state_[i] = 0;
  state_[kStateMidHeaders] = 1;  // the client preface is awaited

  nghttp2_session_callbacks *cbs = NewCallbacks(env);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, OnFrameNotSend);
  nghttp2_session_callbacks_set_send_data_callback(cbs, SendData);
  nghttp2_session_callbacks_set_data_source_read_length_callback(cbs, ReadLength);
  nghttp2_session_callbacks_set_on_extension_chunk_recv_callback(cbs, OnExtensionChunk);
  nghttp2_session_callbacks_set_unpack_extension_callback(cbs, UnpackExtension);
  // Request bodies are flow-controlled by the application: WINDOW_UPDATE
  // follows consume() (bytes the handlers have taken), not arrival.
  nghttp2_option *opt;
  int rv = nghttp2_option_new(&opt);
  if (rv != 0) {
    nghttp2_session_callbacks_del(cbs);
    throw Napi::Error::New(env, nghttp2_strerror(rv));
  }
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_outbound_ack(opt, max_outbound_ack);
  nghttp2_option_set_user_recv_extension_type(opt, kXForwardedForType);
  rv = nghttp2_session_server_new3(&session_, cbs, UserData(), opt, mem_.mem());
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));

  nghttp2_settings_entry iv[3] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, max_header_list_},
  };
  rv = nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, 3);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  // A 1 MiB connection window: streams whose handlers hold their (64 KiB)
  // stream window do not stop the others at the connection level.
  rv = nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  if (rv != 0) throw Napi::Error::New(env, nghttp2_strerror(rv));
  UpdateState();
  BindHotMethods(info.This().As<Napi::Object>());
}

Http2Session::~Http2Session() {
  if (session_) nghttp2_session_del(session_);
  session_ = nullptr;
  UnbindMethods(cell_);
}

void Http2Session::BindHotMethods(Napi::Object self) {
  cell_ = BindMethods(this, self,
                      {
                          {"recv", BoundMethod<Http2Session, &Http2Session::Recv>},
                          {"send", BoundMethod<Http2Session, &Http2Session::Send>},
                          {"takeEvents", BoundBaseMethod<Http2Session, Nghttp2Engine, &Nghttp2Engine::TakeEvents>},
                          {"submitResponse", BoundMethod<Http2Session, &Http2Session::SubmitResponse>},
                          {"consume", BoundMethod<Http2Session, &Http2Session::Consume>},
                      });
}

void Http2Session::CheckSession(Napi::Env env) {
  if (!session_) Destroyed(env);
}

Napi::Value Http2Session::Destroyed(Napi::Env env) {
  throw Napi::Error::New(env, "Http2Session has been destroyed");
}

void Http2Session::ReleaseBodies() {
  bodies_.Clear();
}

size_t Http2Session::NativeBytes() const {
  return mem_.bytes() + bodies_.bytes() + hdr_bytes_.capacity() + hdr_lens_.capacity() * 4 +
         events_.capacity() + out_.capacity() + nva_.capacity() * sizeof(nghttp2_nv) +
         hdr_scratch_.capacity();
}

void Http2Session::UpdateState() {
  size_t bytes = NativeBytes();
  state_[kStateMemory] = bytes > static_cast<size_t>(INT32_MAX) ? INT32_MAX : static_cast<int32_t>(bytes);
  state_[kStateLimit] = limit_;
  state_[kStateWant] = WantBits();
  state_[kStateEvents] = static_cast<int32_t>(events_.size());
}

// ---------------------------------------------------------------- receiving

bool Http2Session::HeaderBlockBegins(const nghttp2_frame *frame) {
  if (frame->hd.type != NGHTTP2_HEADERS) return false;
  // A request's trailers: a HEADERS frame after the request HEADERS on a
  // stream the client opened (odd ID).
  hdr_trailers_ = frame->headers.cat == NGHTTP2_HCAT_HEADERS && (frame->hd.stream_id & 1) == 1;
  if (frame->headers.cat != NGHTTP2_HCAT_REQUEST && !hdr_trailers_) return false;
  hdr_list_size_ = 0;
  for (int i = 0; i < 10; i += 2) {
    hdr_pseudo_[i] = 0;
    hdr_pseudo_[i + 1] = kAbsent;
  }
  return true;
}

int Http2Session::HeaderField(const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                              const uint8_t *value, size_t valuelen) {
  // maxHeaderListSize as RFC 9113 counts it: name + value + 32 per field.
  hdr_list_size_ += namelen + valuelen + 32;
  if (hdr_list_size_ > max_header_list_) {
    int32_t stream_id = frame->hd.stream_id;
    // Reset with ENHANCE_YOUR_CALM (queued before the INTERNAL_ERROR
    // nghttp2 adds for the callback failure), keep nothing of the block,
    // and let nghttp2 skip the rest of it.
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, kEnhanceYourCalm);
    hdr_list_size_ = 0;
    EndHeaderBlock();
    events_.PushStreamEvent(kEvLimitReset, stream_id, kLimitHeaderList);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  int slot = -1;
  if (namelen > 0 && name[0] == ':') {
    if (namelen == 7 && std::memcmp(name, ":method", 7) == 0) slot = 0;
    else if (namelen == 7 && std::memcmp(name, ":scheme", 7) == 0) slot = 1;
    else if (namelen == 5 && std::memcmp(name, ":path", 5) == 0) slot = 2;
    else if (namelen == 10 && std::memcmp(name, ":authority", 10) == 0) slot = 3;
  } else if (namelen == 4 && std::memcmp(name, "host", 4) == 0) {
    slot = 4;
  }
  if (slot >= 0) {
    hdr_pseudo_[2 * slot] = static_cast<uint32_t>(hdr_bytes_.size() + namelen);
    hdr_pseudo_[2 * slot + 1] = static_cast<uint32_t>(valuelen);
  }
  AppendHeaderField(name, namelen, value, valuelen);
  return 0;
}

void Http2Session::FrameReceived(const nghttp2_frame *frame) {
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST && frame->hd.stream_id == hdr_stream_id_) {
        CommitHeaderBlock(frame, hdr_pseudo_, 10);
        break;
      }
      if (frame->headers.cat == NGHTTP2_HCAT_HEADERS && hdr_trailers_ && frame->hd.stream_id == hdr_stream_id_) {
        for (int i = 0; i < 10; i += 2) {
          hdr_pseudo_[i] = 0;
          hdr_pseudo_[i + 1] = kAbsent;
        }
        CommitHeaderBlock(frame, hdr_pseudo_, 10, kEvTrailers);
      }
      if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
        events_.PushU32(kEvEndStream);
        events_.PushU32(static_cast<uint32_t>(frame->hd.stream_id));
      }
      break;
    case NGHTTP2_DATA:
      if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
        events_.PushU32(kEvEndStream);
        events_.PushU32(static_cast<uint32_t>(frame->hd.stream_id));
      }
      break;
    case NGHTTP2_SETTINGS:
      if (frame->hd.flags & NGHTTP2_FLAG_ACK) {
        events_.PushU32(kEvSettingsAck);
        events_.PushU32(0);
      }
      break;
    default:
      break;
  }
}

// X_FORWARDED_FOR (type 0xde) on stream 0: its payload is collected (at
// most kXForwardedForMax bytes) and reported when the frame is complete.
int Http2Session::OnExtensionChunk(nghttp2_session *, const nghttp2_frame_hd *hd, const uint8_t *data,
                                   size_t len, void *user_data) {
  Http2Session *self = Self<Http2Session>(user_data);
  if (hd->type != kXForwardedForType || hd->stream_id != 0) return 0;
  size_t room = kXForwardedForMax - std::min(self->xff_.size(), kXForwardedForMax);
  self->xff_.append(reinterpret_cast<const char *>(data), std::min(len, room));
  return 0;
}

int Http2Session::UnpackExtension(nghttp2_session *, void **payload, const nghttp2_frame_hd *hd,
                                  void *user_data) {
  Http2Session *self = Self<Http2Session>(user_data);
  *payload = nullptr;
  if (hd->type == kXForwardedForType && hd->stream_id == 0) {
    self->events_.PushStreamData(kEvXForwardedFor, 0, reinterpret_cast<const uint8_t *>(self->xff_.data()),
                                 self->xff_.size());
  }
  self->xff_.clear();
  return 0;
}

int Http2Session::OnFrameNotSend(nghttp2_session *session, const nghttp2_frame *frame, int,
                                 void *user_data) {
  Http2Session *self = Self<Http2Session>(user_data);
  if (frame->hd.type == NGHTTP2_HEADERS) {
    int32_t stream_id = frame->hd.stream_id;
    self->bodies_.Drop(stream_id);
    // A response whose stream is already gone: tell JS the stream is over
    // (it ignores the event when the handler already got its close).
    if (nghttp2_session_find_stream(session, stream_id) == nullptr) {
      self->events_.PushU32(kEvClose);
      self->events_.PushU32(static_cast<uint32_t>(stream_id));
      self->events_.PushU32(NGHTTP2_INTERNAL_ERROR);
    }
  }
  return 0;
}

// recv(chunk): scans the chunk's frame heads (flood limits, header-block
// tracking), then runs nghttp2_session_mem_recv over it. Returns the events
// it produced (ArrayBuffer, layout in server_session.h), undefined when there are
// none, or a negative code (fatal for the connection): an nghttp2 error
// code, or kErrLimit when a frame broke a limit (the bytes before that frame
// were processed; their events wait for takeEvents()). Either way
// state[kStateLimit] names the limit when one was hit (NGHTTP2_ERR_FLOODED
// reports as kLimitOutboundAck). state[kStateMidHeaders] is 1 afterwards
// while the connection is inside an incomplete header block: client
// preface, frame head, HEADERS/PUSH_PROMISE/CONTINUATION payload, or a
// CONTINUATION still awaited.
Napi::Value Http2Session::Recv(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  ByteView in = GetBytes(info[0], "chunk");
  if (limit_ != kLimitNone) {
    UpdateState();
    return Napi::Number::New(env, kErrLimit);
  }
  size_t n = scanner_.Scan(in.data, in.length);
  switch (scanner_.broken()) {
    case FrameHeadScanner::Broken::kNone:
      break;
    case FrameHeadScanner::Broken::kEmptyFrames:
      limit_ = kLimitEmptyFrames;
      break;
    case FrameHeadScanner::Broken::kStreamResets:
      limit_ = kLimitStreamResets;
      break;
    case FrameHeadScanner::Broken::kContinuations:
      limit_ = kLimitContinuations;
      break;
  }
  ssize_t rv = n > 0 ? nghttp2_session_mem_recv(session_, in.data, n) : 0;
  if (rv == NGHTTP2_ERR_FLOODED && limit_ == kLimitNone) limit_ = kLimitOutboundAck;
  state_[kStateMidHeaders] = scanner_.InHeaderBlock() ? 1 : 0;
  if (rv < 0) {
    UpdateState();
    return Napi::Number::New(env, static_cast<double>(rv));
  }
  if (n < in.length) {
    UpdateState();
    return Napi::Number::New(env, kErrLimit);
  }
  return TakeEventBatch(env);
}

// ------------------------------------------------------------------ sending

// send(maxBytes): pulls frames with nghttp2_session_mem_send until nothing is
// pending or at least maxBytes were produced. Returns them as one Buffer, or
// undefined when nothing was pending, or a negative nghttp2 error code.
// Rethrows an exception raised by the JS read callback once the frames
// produced before it have been returned.
Napi::Value Http2Session::Send(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  size_t max_bytes = info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 65536;
  if (bodies_.has_pending_error()) bodies_.ThrowPendingError(env);
  out_.clear();
  send_budget_ = max_bytes;
  // Room for the budget plus one DATA frame, allocated once per busy period.
  size_t room = max_bytes + kMaxDataPayload + 64;
  if (out_.capacity() < room && nghttp2_session_want_write(session_)) out_.reserve(room);
  ssize_t err = PullOutput(max_bytes);
  UpdateState();
  // An exception from the JS read callback: rethrow it now when no output
  // would be lost, else on the next call (the frames pulled must be written).
  if (bodies_.has_pending_error() && out_.empty()) bodies_.ThrowPendingError(env);
  Napi::Value result = OutputValue(env, err);
  if (out_.empty()) return result;
  // Keep no large capacity between calls: none once nothing more is
  // pending, and never more than two budgets' worth.
  if (out_.capacity() > kKeepCapacity &&
      (!(state_[kStateWant] & 2) || out_.capacity() > 2 * room)) {
    std::vector<uint8_t>().swap(out_);
    UpdateState();
  }
  return result;
}

ssize_t Http2Session::ReadLength(nghttp2_session *, uint8_t, int32_t, int32_t, int32_t, uint32_t,
                                 void *) {
  // nghttp2 clamps this to the windows and the peer's SETTINGS_MAX_FRAME_SIZE.
  return kMaxDataPayload;
}

int Http2Session::SendData(nghttp2_session *, nghttp2_frame *frame, const uint8_t *framehd,
                           size_t length, nghttp2_data_source *source, void *user_data) {
  Http2Session *self = Self<Http2Session>(user_data);
  auto *src = static_cast<ResponseBodies::Source *>(source->ptr);
  std::vector<uint8_t> &out = self->out_;
  // nghttp2_session_mem_send calls this for every NO_COPY DATA frame it can
  // send within one call; stop once this send()'s budget is reached. nghttp2
  // then returns from mem_send and calls again with the same frame on the
  // next call (the frame is kept, nothing is lost or reordered).
  if (!out.empty() && out.size() >= self->send_budget_) return NGHTTP2_ERR_WOULDBLOCK;
  out.insert(out.end(), framehd, framehd + 9);
  size_t padlen = frame->data.padlen;
  if (padlen > 0) out.push_back(static_cast<uint8_t>(padlen - 1));
  out.insert(out.end(), src->data + src->pos, src->data + src->pos + length);
  src->pos += length;
  if (padlen > 1) out.insert(out.end(), padlen - 1, 0);
  return 0;
}

void Http2Session::SetStatusField(int32_t status) {
  // The status is checked to be 100..999 on the JS side; the digits of any
  // other int are written as snprintf("%d") would.
  int slen;
  if (status >= 100 && status <= 999) {
    status_buf_[0] = static_cast<char>('0' + status / 100);
    status_buf_[1] = static_cast<char>('0' + status / 10 % 10);
    status_buf_[2] = static_cast<char>('0' + status % 10);
    slen = 3;
  } else {
    slen = std::snprintf(status_buf_, sizeof(status_buf_), "%d", status);
  }
  nva_[0].name = const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(":status"));
  nva_[0].namelen = 7;
  nva_[0].value = reinterpret_cast<uint8_t *>(status_buf_);
  nva_[0].valuelen = static_cast<size_t>(slen);
  nva_[0].flags = NGHTTP2_NV_FLAG_NONE;
}

void Http2Session::ParseHeaders(const Napi::Value &value, size_t count, size_t reserve) {
  Napi::Env env = value.Env();
  if (count == 0) {
    nva_.resize(reserve);
    return;
  }
  const uint8_t *p;
  size_t len;
  if (value.IsString()) {
    napi_value v = value;
    // One call when the string fits the scratch buffer (no separate length
    // pass); a result this close to the end may have been cut before a
    // multi-byte character, so the exact length is asked for then.
    if (hdr_scratch_.size() < kScratchMin) hdr_scratch_.resize(kScratchMin);
    size_t got;
    NAPI_THROW_IF_FAILED_VOID(
        env, napi_get_value_string_utf8(env, v, hdr_scratch_.data(), hdr_scratch_.size(), &got));
    if (got + 4 >= hdr_scratch_.size()) {
      NAPI_THROW_IF_FAILED_VOID(env, napi_get_value_string_utf8(env, v, nullptr, 0, &got));
      hdr_scratch_.resize(got + 1);
      NAPI_THROW_IF_FAILED_VOID(
          env, napi_get_value_string_utf8(env, v, hdr_scratch_.data(), got + 1, &got));
    }
    p = reinterpret_cast<const uint8_t *>(hdr_scratch_.data());
    len = got;
  } else {
    ByteView view = GetBytes(value, "headers");
    p = view.data;
    len = view.length;
  }
  if (!ParseFields(p, len, count, reserve)) {
    throw Napi::TypeError::New(env, "header names and values must not contain NUL characters");
  }
}

// submitResponse(streamId, status, headers, count, bodyKind, body):
// nghttp2_submit_response with ":status" first, then the `count` fields of
// `headers` ("name\0value\0..." as a string (UTF-8) or bytes, or null).
// bodyKind 0: no body (END_STREAM on HEADERS); 1: `body` (string or bytes)
// served natively; 2: body produced by the JS read callback.
// Returns 0 or a negative nghttp2 error code.
Napi::Value Http2Session::SubmitResponse(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  int32_t status = info[1].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  int kind = info[4].As<Napi::Number>().Int32Value();
  ParseHeaders(info[2], count, 1);
  SetStatusField(status);

  std::unique_ptr<ResponseBodies::Source> src = bodies_.Make(kind, info[5]);
  int rv;
  if (src) {
    nghttp2_data_provider prd = ResponseBodies::Provider(src.get());
    rv = nghttp2_submit_response(session_, stream_id, nva_.data(), nva_.size(), &prd);
    if (rv == 0) bodies_.Attach(stream_id, std::move(src));
  } else {
    rv = nghttp2_submit_response(session_, stream_id, nva_.data(), nva_.size(), nullptr);
  }
  UpdateState();
  return Napi::Number::New(env, rv);
}

// submitPushPromise(streamId, headers, count): nghttp2_submit_push_promise
// with the given request fields (pseudo-headers included by the caller).
// Returns the promised stream ID or a negative nghttp2 error code.
Napi::Value Http2Session::SubmitPushPromise(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  ParseHeaders(info[1], count, 0);
  // nghttp2 checks SETTINGS_ENABLE_PUSH only when the frame is sent; report
  // a client that disabled push right away, as the reference did.
  if (nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_ENABLE_PUSH) == 0) {
    return Napi::Number::New(env, NGHTTP2_ERR_PUSH_DISABLED);
  }
  int32_t rv = nghttp2_submit_push_promise(session_, NGHTTP2_FLAG_NONE, stream_id, nva_.data(),
                                           nva_.size(), nullptr);
  UpdateState();
  return Napi::Number::New(env, rv);
}

// submitTrailers(streamId, headers, count): the response's trailer fields
// ("name\0value\0..." as a string or bytes): sent with
// nghttp2_submit_trailer (HEADERS with END_STREAM) once the stream's body
// reaches EOF, its last DATA frame then without END_STREAM. Returns 0, or
// NGHTTP2_ERR_INVALID_ARGUMENT when the stream has no body being served
// (submit the response with a body, possibly empty and produced by JS).
Napi::Value Http2Session::SubmitTrailers(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[2].As<Napi::Number>().Uint32Value();
  std::string fields;
  if (info[1].IsString()) {
    fields = info[1].As<Napi::String>().Utf8Value();
  } else {
    ByteView view = GetBytes(info[1], "headers");
    fields.assign(reinterpret_cast<const char *>(view.data), view.length);
  }
  bool ok = bodies_.SetTrailers(stream_id, std::move(fields), count);
  if (ok) nghttp2_session_resume_data(session_, stream_id);
  UpdateState();
  return Napi::Number::New(env, ok ? 0 : NGHTTP2_ERR_INVALID_ARGUMENT);
}

// submitInfo(streamId, status, headers, count): a non-final (1xx) response
// HEADERS frame (nghttp2_submit_headers without END_STREAM), ":status"
// first. Returns 0 or a negative nghttp2 error code.
Napi::Value Http2Session::SubmitInfo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  int32_t status = info[1].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  if (status < 100 || status > 199) return Napi::Number::New(env, NGHTTP2_ERR_INVALID_ARGUMENT);
  ParseHeaders(info[2], count, 1);
  SetStatusField(status);
  int32_t rv = nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, stream_id, nullptr, nva_.data(),
                                      nva_.size(), nullptr);
  UpdateState();
  return Napi::Number::New(env, rv < 0 ? rv : 0);
}

// resumeData(streamId): nghttp2_session_resume_data; 0 or a negative code
// (NGHTTP2_ERR_INVALID_ARGUMENT when the stream is not deferred).
Napi::Value Http2Session::ResumeData(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  int rv = nghttp2_session_resume_data(session_, stream_id);
  UpdateState();
  return Napi::Number::New(env, rv);
}

// consume(list: Int32Array, count): nghttp2_session_consume for `count`
// (streamId, bytes) pairs: request body bytes the handlers have taken (or
// that were dropped). A stream that has closed counts for the connection
// window only. Returns 0 or the first fatal nghttp2 error code.
Napi::Value Http2Session::Consume(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  Napi::Int32Array list = info[0].As<Napi::Int32Array>();
  size_t count = info[1].As<Napi::Number>().Uint32Value();
  if (2 * count > list.ElementLength()) throw Napi::RangeError::New(env, "count past the list");
  const int32_t *p = list.Data();
  int result = 0;
  for (size_t i = 0; i < count; ++i) {
    int32_t stream_id = p[2 * i];
    int32_t n = p[2 * i + 1];
    if (stream_id <= 0 || n <= 0) continue;
    int rv = nghttp2_session_consume(session_, stream_id, static_cast<size_t>(n));
    if (rv != 0 && nghttp2_is_fatal(rv) && result == 0) result = rv;
  }
  UpdateState();
  return Napi::Number::New(env, result);
}

// terminate(errorCode): nghttp2_session_terminate_session.
Napi::Value Http2Session::Terminate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CheckSession(env);
  uint32_t code = info[0].As<Napi::Number>().Uint32Value();
  int rv = nghttp2_session_terminate_session(session_, code);
  UpdateState();
  return Napi::Number::New(env, rv);
}

}  // namespace spdylay_binding
