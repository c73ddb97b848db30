#include "session.h"

#include <cstring>
#include <utility>

#include "../util/raw_method.h"

namespace spdylay_binding {

Napi::Function SpdylaySession::Init(Napi::Env env) {
  Napi::Function cls = DefineClass(
      env, "SpdylaySession",
      {
          StaticValue("ERR_REENTRANT", Napi::Number::New(env, kErrReentrant)),
          StaticValue("ERR_NV_NUL", Napi::Number::New(env, kErrNvNul)),
          StaticValue("BODY_NOT_READ", Napi::Number::New(env, kBodyNotRead)),
          StaticValue("FLAG_REUSE_SEND_BUFFER", Napi::Number::New(env, kFlagReuseSendBuffer)),
          StaticValue("FLAG_SENT_AFTER_SEND_CB", Napi::Number::New(env, kFlagSentAfterSendCb)),
          StaticValue("FLAG_BATCH_RECV", Napi::Number::New(env, kFlagBatchRecv)),
          StaticValue("FLAG_INTERN_NV", Napi::Number::New(env, kFlagInternNv)),
          StaticValue("layout", RecordLayout(env)),
      });
  return DefineRawMethods(cls, {
      {"send", RawMethod<SpdylaySession, &SpdylaySession::Send>},
      {"recv", RawMethod<SpdylaySession, &SpdylaySession::Recv>},
      {"resumeData", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_resume_data>>},
      {"wantRead", RawMethod<SpdylaySession, &SpdylaySession::WantRead>},
      {"wantWrite", RawMethod<SpdylaySession, &SpdylaySession::WantWrite>},
      {"getStreamUserData", RawMethod<SpdylaySession, &SpdylaySession::GetStreamUserData>},
      {"getOutboundQueueSize", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_get_outbound_queue_size>>},
      {"getPriLowest", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_get_pri_lowest>>},
      {"getStreamRecvDataLength", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_get_stream_recv_data_length>>},
      {"failSession", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_fail_session>>},
      {"setOption", RawMethod<SpdylaySession, &SpdylaySession::SetOption>},
      {"consume", RawMethod<SpdylaySession, &SpdylaySession::Consume>},
      {"submitRequest", RawMethod<SpdylaySession, &SpdylaySession::SubmitRequest>},
      {"submitSynStream", RawMethod<SpdylaySession, &SpdylaySession::SubmitSynStream>},
      {"submitResponse", RawMethod<SpdylaySession, &SpdylaySession::SubmitResponse>},
      {"submitSynReply", RawMethod<SpdylaySession, &SpdylaySession::SubmitSynReply>},
      {"submitHeaders", RawMethod<SpdylaySession, &SpdylaySession::SubmitHeaders>},
      {"submitData", RawMethod<SpdylaySession, &SpdylaySession::SubmitData>},
      {"submitRstStream", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_submit_rst_stream>>},
      {"submitPing", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_submit_ping>>},
      {"submitGoaway", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_submit_goaway>>},
      {"submitSettings", RawMethod<SpdylaySession, &SpdylaySession::SubmitSettings>},
      {"submitWindowUpdate", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_submit_window_update>>},
      {"pendingSendLength", RawMethod<SpdylaySession, &SpdylaySession::PendingSendLength>},
      {"inCall", RawMethod<SpdylaySession, &SpdylaySession::InCall>},
      {"getLimitExceeded", RawMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_get_limit_exceeded>>},
      {"inCtrlFrame", RawMethod<SpdylaySession, &SpdylaySession::InCtrlFrame>},
  });
}

// ---------------------------------------------------------------------------
// Construction

SpdylaySession::SpdylaySession(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<SpdylaySession>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  int side = info[0].As<Napi::Number>().Int32Value();
  int version = info[1].As<Napi::Number>().Int32Value();
  mask_ = info[2].As<Napi::Number>().Uint32Value();
  if (!info[3].IsTypedArray()) throw Napi::TypeError::New(env, "record must be an Int32Array");
  Napi::TypedArray ta = info[3].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_int32_array || ta.ElementLength() < kRecSize) {
    throw Napi::TypeError::New(env, "record must be an Int32Array of at least kRecSize elements");
  }
  Napi::Int32Array rec = info[3].As<Napi::Int32Array>();
  rec_.Attach(rec.Data());
  rec_ref_ = Napi::Persistent(info[3]);
  uint32_t flags = info[4].IsNumber() ? info[4].As<Napi::Number>().Uint32Value() : 0;
  out_.Init(env, (flags & kFlagReuseSendBuffer) != 0);
  if (flags & kFlagSentAfterSendCb) {
    hand_over_ = static_cast<uint8_t>((Has(kCtrlSend) ? 1 : 0) | (Has(kDataSend) ? 2 : 0));
  }
  batch_recv_ = (flags & kFlagBatchRecv) != 0;
  intern_on_ = (flags & kFlagInternNv) != 0;
  sources_.Init(env);

  spdylay_session_callbacks cbs;
  std::memset(&cbs, 0, sizeof(cbs));
  cbs.send_callback = SendCb;
  cbs.recv_callback = RecvCb;
  cbs.on_ctrl_recv_callback = CtrlRecvCb;
  cbs.on_invalid_ctrl_recv_callback = InvalidCtrlRecvCb;
  cbs.on_data_chunk_recv_callback = DataChunkRecvCb;
  cbs.on_data_recv_callback = DataRecvCb;
  cbs.before_ctrl_send_callback = BeforeCtrlSendCb;
  cbs.on_ctrl_send_callback = CtrlSendCb;
  cbs.on_ctrl_not_send_callback = CtrlNotSendCb;
  cbs.on_data_send_callback = DataSendCb;
  cbs.on_stream_close_callback = StreamCloseCb;
  cbs.on_request_recv_callback = RequestRecvCb;
  cbs.on_ctrl_recv_parse_error_callback = ParseErrorCb;
  cbs.on_unknown_ctrl_recv_callback = UnknownCtrlCb;
  int rv;
  if (side == 1) {
    rv = spdylay_session_client_new(&session_, static_cast<uint16_t>(version), &cbs, this);
  } else if (side == 2) {
    server_ = true;
    rv = spdylay_session_server_new(&session_, static_cast<uint16_t>(version), &cbs, this);
  } else {
    rv = SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (rv == 0) spdylay_session_set_data_buffer_callback(session_, DataBufferCb);
  if (rv != 0) {
    session_ = nullptr;
    // The JS half checks `side` and `version` first; this is the C verdict.
    Napi::Error e = Napi::Error::New(env, spdylay_strerror(rv));
    e.Set("code", Napi::Number::New(env, rv));
    throw e;
  }
  BindHotMethods(info.This().As<Napi::Object>());
  external_.Report(env, kReportedBytes);
}

SpdylaySession::~SpdylaySession() {
  if (session_) spdylay_session_del(session_);
  session_ = nullptr;
  UnbindMethods(cell_);
  if (env_ && error_ref_) napi_delete_reference(env_, error_ref_);
}

void SpdylaySession::BindHotMethods(Napi::Object self) {
  cell_ = BindMethods(this, self,
                      {
                          {"send", BoundMethod<SpdylaySession, &SpdylaySession::Send>},
                          {"recv", BoundMethod<SpdylaySession, &SpdylaySession::Recv>},
                          {"submitRequest", BoundMethod<SpdylaySession, &SpdylaySession::SubmitRequest>},
                          {"submitResponse", BoundMethod<SpdylaySession, &SpdylaySession::SubmitResponse>},
                          {"submitSynReply", BoundMethod<SpdylaySession, &SpdylaySession::SubmitSynReply>},
                          {"submitData", BoundMethod<SpdylaySession, &SpdylaySession::SubmitData>},
                          {"resumeData", BoundMethod<SpdylaySession, &SpdylaySession::CallC<spdylay_session_resume_data>>},
                          {"wantRead", BoundMethod<SpdylaySession, &SpdylaySession::WantRead>},
                          {"wantWrite", BoundMethod<SpdylaySession, &SpdylaySession::WantWrite>},
                          {"consume", BoundMethod<SpdylaySession, &SpdylaySession::Consume>},
                          {"getStreamUserData", BoundMethod<SpdylaySession, &SpdylaySession::GetStreamUserData>},
                      });
}

// ---------------------------------------------------------------------------
// Methods

static inline Napi::Value Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

#define REQUIRE_SESSION()                                                            \
  do {                                                                               \
    if (!session_) throw Napi::Error::New(info.Env(), "spdylay session not created"); \
  } while (0)

// The JS arguments of a C call, by parameter type.
template <typename T>
static T CArg(const Napi::CallbackInfo &info, size_t i);
template <>
int32_t CArg<int32_t>(const Napi::CallbackInfo &info, size_t i) {
  return info[i].As<Napi::Number>().Int32Value();
}
template <>
uint32_t CArg<uint32_t>(const Napi::CallbackInfo &info, size_t i) {
  return info[i].As<Napi::Number>().Uint32Value();
}

template <typename R, typename... A, size_t... I>
static R CallWithArgs(R (*f)(spdylay_session *, A...), spdylay_session *session,
                      const Napi::CallbackInfo &info, std::index_sequence<I...>) {
  return f(session, CArg<A>(info, I)...);
}

template <typename R, typename... A>
static R CallWithArgs(R (*f)(spdylay_session *, A...), spdylay_session *session,
                      const Napi::CallbackInfo &info) {
  return CallWithArgs(f, session, info, std::index_sequence_for<A...>{});
}

template <auto F>
Napi::Value SpdylaySession::CallC(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), static_cast<double>(CallWithArgs(F, session_, info)));
}

// send(dispatch) -> 0 or a negative spdylay error code.
Napi::Value SpdylaySession::Send(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  REQUIRE_SESSION();
  if (!Enter(info[0])) return Num(env, kErrReentrant);
  int rv = 0;
  if (out_.pending() > 0) rv = out_.Flush();
  if (rv == 0 && out_.pending() == 0) {
    rv = spdylay_session_send(session_);
    if (rv == 0 && !js_failed_) rv = out_.Flush();
  }
  if (js_failed_ && rv == 0) rv = SPDYLAY_ERR_CALLBACK_FAILURE;
  if (!Leave()) return Napi::Value();
  return Num(env, rv);
}

// recv(dispatch, data?) -> bytes consumed (mem_recv), 0 (recv), or a
// negative spdylay error code.
Napi::Value SpdylaySession::Recv(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  REQUIRE_SESSION();
  napi_value data = info[1];
  const uint8_t *bytes = nullptr;
  size_t len = 0;
  napi_value ab = nullptr;
  const uint8_t *base = nullptr;
  napi_typedarray_type type;
  void *p;
  size_t off;
  // One call tells a typed array (napi_ok) from anything else.
  bool mem = napi_get_typedarray_info(env, data, &type, &len, &p, &ab, &off) == napi_ok;
  if (mem) {
    if (type != napi_uint8_array) throw Napi::TypeError::New(env, "data must be a Uint8Array");
    bytes = static_cast<const uint8_t *>(p);
    base = bytes ? bytes - off : nullptr;
  } else {
    napi_valuetype t;
    napi_typeof(env, data, &t);
    if (t != napi_undefined && t != napi_null) {
      throw Napi::TypeError::New(env, "data must be a Buffer or Uint8Array");
    }
    len = 0;
    ab = nullptr;
  }
  if (!Enter(info[0])) return Num(env, kErrReentrant);
  double rv;
  if (mem) {
    input_ab_ = ab;
    input_base_ = base;
    input_begin_ = bytes;
    input_end_ = bytes + len;
    static const uint8_t empty = 0;
    rv = static_cast<double>(spdylay_session_mem_recv(session_, bytes ? bytes : &empty, len));
  } else {
    rv = spdylay_session_recv(session_);
  }
  if (js_failed_ && rv >= 0) rv = SPDYLAY_ERR_CALLBACK_FAILURE;
  if (!Leave()) return Napi::Value();
  return Num(env, rv);
}

Napi::Value SpdylaySession::WantRead(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(), spdylay_session_want_read(session_) != 0);
}

Napi::Value SpdylaySession::WantWrite(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(),
                            out_.pending() > 0 || spdylay_session_want_write(session_) != 0);
}

Napi::Value SpdylaySession::GetStreamUserData(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  void *p =
      spdylay_session_get_stream_user_data(session_, info[0].As<Napi::Number>().Int32Value());
  return Num(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(p)));
}

// setOption(optname, value) -> 0 or a spdylay error code. The two window
// options take an int; the control-frame buffer limit and our limit
// options (SPDYLAY_OPT_MAX_HEADER_LIST_SIZE..MAX_HEADER_BLOCK_INFLATE) a
// uint32_t (the C library checks their ranges).
Napi::Value SpdylaySession::SetOption(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int optname = info[0].As<Napi::Number>().Int32Value();
  double v = info[1].As<Napi::Number>().DoubleValue();
  if (optname == SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER ||
      (optname >= SPDYLAY_OPT_MAX_HEADER_LIST_SIZE &&
       optname <= SPDYLAY_OPT_MAX_HEADER_BLOCK_INFLATE)) {
    if (!(v >= 0 && v <= 4294967295.0)) return Num(info.Env(), SPDYLAY_ERR_INVALID_ARGUMENT);
    uint32_t u = static_cast<uint32_t>(v);
    return Num(info.Env(), spdylay_session_set_option(session_, optname, &u, sizeof(u)));
  }
  int i = v != 0 ? 1 : 0;
  return Num(info.Env(), spdylay_session_set_option(session_, optname, &i, sizeof(i)));
}

// consume(streamId, size) -> 0 or a spdylay error code.
Napi::Value SpdylaySession::Consume(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int32_t stream_id = info[0].As<Napi::Number>().Int32Value();
  double size = info[1].As<Napi::Number>().DoubleValue();
  if (!(size >= 0 && size <= 2147483647.0)) return Num(info.Env(), SPDYLAY_ERR_INVALID_ARGUMENT);
  return Num(info.Env(), spdylay_session_consume(session_, stream_id, static_cast<size_t>(size)));
}

Napi::Value SpdylaySession::PendingSendLength(const Napi::CallbackInfo &info) {
  return Num(info.Env(), static_cast<double>(out_.pending()));
}

Napi::Value SpdylaySession::InCall(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), in_call_);
}

// inCtrlFrame() -> spdylay_session_in_ctrl_frame != 0.
Napi::Value SpdylaySession::InCtrlFrame(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(), spdylay_session_in_ctrl_frame(session_) != 0);
}

// submitRequest(pri, nv, nvLen, count, providerToken, userToken, body?, nvId?)
Napi::Value SpdylaySession::SubmitRequest(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int pri = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  int rv = nv_.Parse(info, 1, count, 7);
  if (rv != 0) return Num(info.Env(), rv);
  uint32_t utoken = info[5].As<Napi::Number>().Uint32Value();
  spdylay_data_provider prd;
  DataSources::BufSource *bs;
  bool has = MakeProvider(info, 4, 6, 0, &prd, &bs);
  rv = spdylay_submit_request(session_, static_cast<uint8_t>(pri), nv_.data(),
                              has ? &prd : nullptr,
                              reinterpret_cast<void *>(static_cast<uintptr_t>(utoken)));
  if (rv != 0 && bs) sources_.Release(bs);
  return Num(info.Env(), rv);
}

// submitSynStream(flags, assocStreamId, pri, nv, nvLen, count, userToken, nvId?)
Napi::Value SpdylaySession::SubmitSynStream(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int flags = info[0].As<Napi::Number>().Int32Value();
  int32_t assoc = info[1].As<Napi::Number>().Int32Value();
  int pri = info[2].As<Napi::Number>().Int32Value();
  size_t count = info[5].As<Napi::Number>().Uint32Value();
  int rv = nv_.Parse(info, 3, count, 7);
  if (rv != 0) return Num(info.Env(), rv);
  uint32_t utoken = info[6].As<Napi::Number>().Uint32Value();
  rv = spdylay_submit_syn_stream(session_, static_cast<uint8_t>(flags), assoc,
                                 static_cast<uint8_t>(pri), nv_.data(),
                                 reinterpret_cast<void *>(static_cast<uintptr_t>(utoken)));
  return Num(info.Env(), rv);
}

// submitResponse(streamId, nv, nvLen, count, providerToken, body?, nvId?)
Napi::Value SpdylaySession::SubmitResponse(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int32_t sid = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  int rv = nv_.Parse(info, 1, count, 6);
  if (rv != 0) return Num(info.Env(), rv);
  spdylay_data_provider prd;
  DataSources::BufSource *bs;
  bool has = MakeProvider(info, 4, 5, sid, &prd, &bs);
  rv = spdylay_submit_response(session_, sid, nv_.data(), has ? &prd : nullptr);
  if (rv != 0) {
    if (bs) sources_.Release(bs);
  } else if (has && ClosedForGood(sid)) {
    if (bs) sources_.Release(bs);
    rv = kBodyNotRead;
  } else if (has && !bs) {
    sources_.JsOpen(sid);
  }
  return Num(info.Env(), rv);
}

// Shared by submitSynReply and submitHeaders: (flags, streamId, nv, nvLen,
// count, nvId?) for a C submit function of the shape (session, flags, stream_id, nv).
Napi::Value SpdylaySession::SubmitFlagsStreamNv(
    const Napi::CallbackInfo &info,
    int (*submit)(spdylay_session *, uint8_t, int32_t, const char **)) {
  REQUIRE_SESSION();
  int flags = info[0].As<Napi::Number>().Int32Value();
  int32_t sid = info[1].As<Napi::Number>().Int32Value();
  size_t count = info[4].As<Napi::Number>().Uint32Value();
  int rv = nv_.Parse(info, 2, count, 5);
  if (rv != 0) return Num(info.Env(), rv);
  return Num(info.Env(), submit(session_, static_cast<uint8_t>(flags), sid, nv_.data()));
}

// submitSynReply(flags, streamId, nv, nvLen, count, nvId?): spdylay_submit_syn_reply
Napi::Value SpdylaySession::SubmitSynReply(const Napi::CallbackInfo &info) {
  return SubmitFlagsStreamNv(info, spdylay_submit_syn_reply);
}

// submitHeaders(flags, streamId, nv, nvLen, count, nvId?): spdylay_submit_headers
Napi::Value SpdylaySession::SubmitHeaders(const Napi::CallbackInfo &info) {
  return SubmitFlagsStreamNv(info, spdylay_submit_headers);
}

// submitData(streamId, flags, providerToken, body?)
Napi::Value SpdylaySession::SubmitData(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int32_t sid = info[0].As<Napi::Number>().Int32Value();
  int flags = info[1].As<Napi::Number>().Int32Value();
  spdylay_data_provider prd;
  DataSources::BufSource *bs;
  if (!MakeProvider(info, 2, 3, sid, &prd, &bs)) {
    return Num(info.Env(), SPDYLAY_ERR_INVALID_ARGUMENT);
  }
  int rv = spdylay_submit_data(session_, sid, static_cast<uint8_t>(flags), &prd);
  if (rv != 0) {
    if (bs) sources_.Release(bs);
  } else if (ClosedForGood(sid)) {
    if (bs) sources_.Release(bs);
    rv = kBodyNotRead;
  } else if (!bs) {
    sources_.JsOpen(sid);
  }
  return Num(info.Env(), rv);
}

// A stream that is not open (closed, or an ID the peer skipped) and can
// never be: its queued frames are dropped unread, and no close will come to
// release a body submitted for it. The library has no "stream exists" call;
// spdylay_session_set_stream_user_data fails exactly when there is no stream
// (setting back the value it holds changes nothing).
bool SpdylaySession::ClosedForGood(int32_t stream_id) {
  if (stream_id <= 0) return false;
  bool own = ((stream_id & 1) == 1) != server_;  // clients open odd IDs, servers even
  if (stream_id > (own ? max_own_sid_ : max_peer_sid_)) return false;
  void *ud = spdylay_session_get_stream_user_data(session_, stream_id);
  return spdylay_session_set_stream_user_data(session_, stream_id, ud) != 0;
}

// submitSettings(flags, iv: Uint32Array of (id, flags, value) triples)
Napi::Value SpdylaySession::SubmitSettings(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  Napi::Env env = info.Env();
  int flags = info[0].As<Napi::Number>().Int32Value();
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "iv must be a Uint32Array");
  Napi::Uint32Array arr = info[1].As<Napi::Uint32Array>();
  size_t niv = arr.ElementLength() / 3;
  std::vector<spdylay_settings_entry> iv(niv);
  for (size_t i = 0; i < niv; ++i) {
    iv[i].settings_id = static_cast<int32_t>(arr[3 * i]);
    iv[i].flags = static_cast<uint8_t>(arr[3 * i + 1]);
    iv[i].value = arr[3 * i + 2];
  }
  return Num(env, spdylay_submit_settings(session_, static_cast<uint8_t>(flags),
                                          niv ? iv.data() : nullptr, niv));
}

}  // namespace spdylay_binding
