#include "spdylay_session.h"

#include <cstring>

namespace spdylay_binding {


// Methods are plain prototype functions through this wrapper rather than
// ObjectWrap::InstanceMethod: node-addon-api's wrapper rethrows a C++
// exception when it cannot throw the JS one, inside a noexcept function, so
// any call while a worker is being terminated (napi_unwrap then fails)
// would std::terminate the whole process. Here such a call just returns.
template <Napi::Value (SpdylaySession::*M)(const Napi::CallbackInfo &)>
static napi_value RawMethod(napi_env env, napi_callback_info cbinfo) {
  try {
    Napi::CallbackInfo info(env, cbinfo);
    void *p = nullptr;
    if (napi_unwrap(env, info.This(), &p) != napi_ok || !p) return nullptr;
    return (static_cast<SpdylaySession *>(p)->*M)(info);
  } catch (const Napi::Error &e) {
    napi_throw(env, e.Value());  // fails harmlessly when JS cannot run
    return nullptr;
  } catch (...) {
    return nullptr;
  }
}

Napi::Function SpdylaySession::Init(Napi::Env env) {
  Napi::Function cls = DefineClass(
      env, "SpdylaySession",
      {
          StaticValue("ERR_REENTRANT", Napi::Number::New(env, kErrReentrant)),
          StaticValue("ERR_NV_NUL", Napi::Number::New(env, kErrNvNul)),
      });
  struct Entry {
    const char *name;
    napi_callback cb;
  };
  static const Entry methods[] = {
      {"send", RawMethod<&SpdylaySession::Send>},
      {"recv", RawMethod<&SpdylaySession::Recv>},
      {"resumeData", RawMethod<&SpdylaySession::ResumeData>},
      {"wantRead", RawMethod<&SpdylaySession::WantRead>},
      {"wantWrite", RawMethod<&SpdylaySession::WantWrite>},
      {"getStreamUserData", RawMethod<&SpdylaySession::GetStreamUserData>},
      {"getOutboundQueueSize", RawMethod<&SpdylaySession::GetOutboundQueueSize>},
      {"getPriLowest", RawMethod<&SpdylaySession::GetPriLowest>},
      {"failSession", RawMethod<&SpdylaySession::FailSession>},
      {"setOption", RawMethod<&SpdylaySession::SetOption>},
      {"consume", RawMethod<&SpdylaySession::Consume>},
      {"submitRequest", RawMethod<&SpdylaySession::SubmitRequest>},
      {"submitSynStream", RawMethod<&SpdylaySession::SubmitSynStream>},
      {"submitResponse", RawMethod<&SpdylaySession::SubmitResponse>},
      {"submitSynReply", RawMethod<&SpdylaySession::SubmitSynReply>},
      {"submitHeaders", RawMethod<&SpdylaySession::SubmitHeaders>},
      {"submitData", RawMethod<&SpdylaySession::SubmitData>},
      {"submitRstStream", RawMethod<&SpdylaySession::SubmitRstStream>},
      {"submitPing", RawMethod<&SpdylaySession::SubmitPing>},
      {"submitGoaway", RawMethod<&SpdylaySession::SubmitGoaway>},
      {"submitSettings", RawMethod<&SpdylaySession::SubmitSettings>},
      {"submitWindowUpdate", RawMethod<&SpdylaySession::SubmitWindowUpdate>},
      {"pendingSendLength", RawMethod<&SpdylaySession::PendingSendLength>},
      {"inCall", RawMethod<&SpdylaySession::InCall>},
      {"getLimitExceeded", RawMethod<&SpdylaySession::GetLimitExceeded>},
      {"inCtrlFrame", RawMethod<&SpdylaySession::InCtrlFrame>},
  };
  Napi::Object proto = cls.Get("prototype").As<Napi::Object>();
  for (const Entry &m : methods) {
    napi_value fn;
    NAPI_THROW_IF_FAILED(env, napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, nullptr, &fn),
                         Napi::Function());
    proto.Set(m.name, Napi::Value(env, fn));
  }
  return cls;
}

// ---------------------------------------------------------------------------
// Module helpers

static Napi::Value Strerror(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), spdylay_strerror(info[0].As<Napi::Number>().Int32Value()));
}

static Napi::Value NpnProtocols(const Napi::CallbackInfo &info) {
  size_t n = 0;
  const spdylay_npn_proto *list = spdylay_npn_get_proto_list(&n);
  Napi::Array result = Napi::Array::New(info.Env(), n);
  for (size_t i = 0; i < n; ++i) {
    result.Set(static_cast<uint32_t>(i),
               Napi::String::New(info.Env(), reinterpret_cast<const char *>(list[i].proto),
                                 list[i].len));
  }
  return result;
}

static Napi::Value NpnGetVersion(const Napi::CallbackInfo &info) {
  std::string proto = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(
      info.Env(),
      spdylay_npn_get_version(reinterpret_cast<const unsigned char *>(proto.data()), proto.size()));
}

Napi::Object SpdylaySession::Helpers(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("strerror", Napi::Function::New<Strerror>(env, "strerror"));
  o.Set("npnProtocols", Napi::Function::New<NpnProtocols>(env, "npnProtocols"));
  o.Set("npnGetVersion", Napi::Function::New<NpnGetVersion>(env, "npnGetVersion"));
  o.Set("version", Napi::String::New(env, SPDYLAY_VERSION));
  return o;
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
  rec_ = rec.Data();
  rec_ref_ = Napi::Persistent(info[3]);
  uint32_t flags = info[4].IsNumber() ? info[4].As<Napi::Number>().Uint32Value() : 0;
  reuse_send_buffer_ = (flags & kFlagReuseSendBuffer) != 0;

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
}

SpdylaySession::~SpdylaySession() {
  if (session_) spdylay_session_del(session_);
  session_ = nullptr;
  while (bufs_) ReleaseBuf(bufs_);
  if (env_) {
    if (error_ref_) napi_delete_reference(env_, error_ref_);
    if (out_ref_) napi_delete_reference(env_, out_ref_);
    if (rslab_ref_) napi_delete_reference(env_, rslab_ref_);
  }
}

// ---------------------------------------------------------------------------
// Calls into JS

void SpdylaySession::CaptureException() {
  js_failed_ = true;
  bool pending = false;
  if (napi_is_exception_pending(env_, &pending) != napi_ok || !pending) return;
  napi_value exc;
  if (napi_get_and_clear_last_exception(env_, &exc) != napi_ok) return;
  if (!error_ref_) napi_create_reference(env_, exc, 1, &error_ref_);
}

napi_value SpdylaySession::CallJs(size_t argc, napi_value *argv) {
  if (batch_n_) FlushBatch();   // batched DATA events go first,
  if (stash_nv_) FlushStash();  // and so does a stashed event
  if (!dispatch_ || js_failed_) return nullptr;
  napi_value result;
  napi_status s = napi_call_function(env_, undefined_, dispatch_, argc, argv, &result);
  if (s != napi_ok) {
    CaptureException();
    return nullptr;
  }
  return result;
}

static inline napi_value I32(napi_env env, int32_t v) {
  napi_value r = nullptr;
  napi_create_int32(env, v, &r);
  return r;
}

static inline napi_value U32(napi_env env, uint32_t v) {
  napi_value r = nullptr;
  napi_create_uint32(env, v, &r);
  return r;
}

bool SpdylaySession::Enter(napi_value dispatch) {
  if (in_call_) return false;
  in_call_ = true;
  js_failed_ = false;
  flush_failed_ = false;
  would_block_ = false;
  dispatch_ = dispatch;
  napi_get_undefined(env_, &undefined_);
  return true;
}

bool SpdylaySession::Leave() {
  FlushBatch();
  FlushStash();
  stash_nv_ = nullptr;
  in_call_ = false;
  dispatch_ = nullptr;
  input_ab_ = nullptr;
  input_base_ = input_begin_ = input_end_ = nullptr;
  if (error_ref_) {
    napi_value exc;
    napi_get_reference_value(env_, error_ref_, &exc);
    napi_delete_reference(env_, error_ref_);
    error_ref_ = nullptr;
    napi_throw(env_, exc);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Output slab

// Slabs come from JS (`Buffer.allocUnsafeSlow`): napi_create_arraybuffer
// zero-fills, which on bulk transfers costs more than the SPDY work.
bool SpdylaySession::NewSlab(size_t size, void **data, size_t *actual, napi_value *ab) {
  rec_[kRecA] = static_cast<int32_t>(size);
  napi_value argv[1] = {I32(env_, kNewSlab)};
  napi_value r = CallJs(1, argv);
  bool is_ab = false;
  if (r) napi_is_arraybuffer(env_, r, &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env_, r, data, actual) != napi_ok || *actual < size) {
    // No dispatcher answer (or a failed one): a zero-filled ArrayBuffer.
    if (js_failed_ || napi_create_arraybuffer(env_, size, data, ab) != napi_ok) {
      CaptureException();
      return false;
    }
    *actual = size;
    return true;
  }
  *ab = r;
  return true;
}

bool SpdylaySession::EnsureOutSlab(size_t len) {
  size_t end = pending_off_ + pending_len_;
  if (out_data_ && len <= out_size_ - end) return true;
  if (pending_len_ != 0) return false;
  size_t size = len > out_next_size_ ? len : out_next_size_;
  if (out_next_size_ < kOutSlabMax) out_next_size_ *= 2;
  void *data;
  napi_value ab;
  size_t actual;
  if (!NewSlab(size, &data, &actual, &ab)) return false;
  if (out_ref_) napi_delete_reference(env_, out_ref_);
  napi_create_reference(env_, ab, 1, &out_ref_);
  out_data_ = static_cast<uint8_t *>(data);
  out_size_ = actual;
  pending_off_ = 0;
  return true;
}

int SpdylaySession::MakeRoom(size_t length) {
  size_t room = out_size_ - pending_off_ - pending_len_;
  if (pending_len_ > 0 &&
      (blocked_ || pending_len_ + length > kFlushThreshold || length > room)) {
    // A slab too small for its output is replaced by a larger one once
    // flushed (a reused slab would otherwise stay at its first size).
    bool grow = length > room && out_size_ < kOutSlabMax;
    if (Flush() != 0) return SPDYLAY_ERR_CALLBACK_FAILURE;
    if (pending_len_ > 0) return SPDYLAY_ERR_WOULDBLOCK;
    if (grow) {
      if (out_ref_) napi_delete_reference(env_, out_ref_);
      out_ref_ = nullptr;
      out_data_ = nullptr;
      out_size_ = 0;
      pending_off_ = 0;
    }
  }
  if (!EnsureOutSlab(length)) return SPDYLAY_ERR_CALLBACK_FAILURE;
  return 0;
}

int SpdylaySession::Flush() {
  if (pending_len_ == 0) {
    blocked_ = false;
    return 0;
  }
  napi_value argv[2];
  argv[0] = I32(env_, kSend);
  napi_get_reference_value(env_, out_ref_, &argv[1]);
  rec_[kRecA] = static_cast<int32_t>(pending_off_);
  rec_[kRecB] = static_cast<int32_t>(pending_len_);
  napi_value r = CallJs(2, argv);
  if (!r) return SPDYLAY_ERR_CALLBACK_FAILURE;
  double n = -1;
  if (napi_get_value_double(env_, r, &n) != napi_ok) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if (!(n >= 0) || n > static_cast<double>(pending_len_)) return SPDYLAY_ERR_CALLBACK_FAILURE;
  size_t taken = static_cast<size_t>(n);
  pending_off_ += taken;
  pending_len_ -= taken;
  // Opt-in: sendCb data is valid only during the call (C's contract), so
  // once all of it is taken the slab is written again from its start,
  // while it is still in the CPU cache.
  if (reuse_send_buffer_ && pending_len_ == 0) pending_off_ = 0;
  blocked_ = pending_len_ != 0;
  return 0;
}

bool SpdylaySession::CopyToRecvSlab(const uint8_t *data, size_t len, napi_value *ab,
                                    size_t *off) {
  if (!rslab_data_ || len > rslab_size_ - rslab_off_) {
    size_t size = len > kRecvSlabSize ? len : kRecvSlabSize;
    void *mem;
    napi_value nab;
    size_t actual;
    if (!NewSlab(size, &mem, &actual, &nab)) return false;
    if (rslab_ref_) napi_delete_reference(env_, rslab_ref_);
    napi_create_reference(env_, nab, 1, &rslab_ref_);
    rslab_data_ = static_cast<uint8_t *>(mem);
    rslab_size_ = actual;
    rslab_off_ = 0;
  }
  std::memcpy(rslab_data_ + rslab_off_, data, len);
  napi_get_reference_value(env_, rslab_ref_, ab);
  *off = rslab_off_;
  rslab_off_ = (rslab_off_ + len + 7) & ~static_cast<size_t>(7);
  if (rslab_off_ > rslab_size_) rslab_off_ = rslab_size_;
  return true;
}

// ---------------------------------------------------------------------------
// C callbacks

// DATA frames are packed by the library straight into the output slab,
// where SendCb then finds them: the payload is copied once (data source ->
// slab), not twice (-> library buffer -> slab). Makes room as SendCb would
// for a frame of `length` bytes; NULL (library buffer) when the output is
// blocked or failed, and SendCb then handles the frame as any other.
uint8_t *SpdylaySession::DataBufferCb(spdylay_session *, size_t length, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->js_failed_ || self->flush_failed_) return nullptr;
  int rv = self->MakeRoom(length);
  if (rv == SPDYLAY_ERR_WOULDBLOCK) {
    self->would_block_ = true;  // SendCb answers this frame without a second sendCb
    return nullptr;
  }
  if (rv != 0) {
    self->flush_failed_ = true;
    return nullptr;
  }
  return self->out_data_ + self->pending_off_ + self->pending_len_;
}

ssize_t SpdylaySession::SendCb(spdylay_session *, const uint8_t *data, size_t length, int,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->js_failed_ || self->flush_failed_) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if (self->out_data_ && data == self->out_data_ + self->pending_off_ + self->pending_len_ &&
      length <= self->out_size_ - self->pending_off_ - self->pending_len_) {
    self->pending_len_ += length;  // packed in place (DataBufferCb)
    return static_cast<ssize_t>(length);
  }
  if (self->would_block_) {
    self->would_block_ = false;
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  int rv = self->MakeRoom(length);
  if (rv != 0) return rv;
  std::memcpy(self->out_data_ + self->pending_off_ + self->pending_len_, data, length);
  self->pending_len_ += length;
  return static_cast<ssize_t>(length);
}

ssize_t SpdylaySession::RecvCb(spdylay_session *, uint8_t *buf, size_t length, int,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  napi_env env = self->env_;
  self->rec_[kRecA] = static_cast<int32_t>(length);
  napi_value argv[1] = {I32(env, kRecv)};
  napi_value r = self->CallJs(1, argv);
  if (!r) return SPDYLAY_ERR_CALLBACK_FAILURE;
  napi_valuetype t;
  napi_typeof(env, r, &t);
  if (t == napi_number) {
    int32_t code = SPDYLAY_ERR_CALLBACK_FAILURE;
    napi_get_value_int32(env, r, &code);
    if (code == SPDYLAY_ERR_WOULDBLOCK || code == SPDYLAY_ERR_EOF) return code;
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  if (t == napi_null || t == napi_undefined) return SPDYLAY_ERR_WOULDBLOCK;
  bool is_ta = false;
  napi_is_typedarray(env, r, &is_ta);
  if (!is_ta) return SPDYLAY_ERR_CALLBACK_FAILURE;
  napi_typedarray_type type;
  size_t n;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, r, &type, &n, &data, &ab, &off) != napi_ok ||
      type != napi_uint8_array) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  if (n > length) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if (n == 0) return SPDYLAY_ERR_WOULDBLOCK;
  std::memcpy(buf, data, n);
  return static_cast<ssize_t>(n);
}

ssize_t SpdylaySession::ReadCb(spdylay_session *, int32_t stream_id, uint8_t *buf,
                               size_t length, int *eof, spdylay_data_source *source,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  napi_env env = self->env_;
  int32_t *rec = self->rec_;
  rec[kRecEof] = 0;
  rec[kRecA] = static_cast<int32_t>(reinterpret_cast<uintptr_t>(source->ptr));
  rec[kRecB] = stream_id;
  rec[kRecC] = static_cast<int32_t>(length);
  napi_value argv[1] = {I32(env, kRead)};
  napi_value r = self->CallJs(1, argv);
  if (!r) return SPDYLAY_ERR_CALLBACK_FAILURE;
  napi_valuetype t;
  napi_typeof(env, r, &t);
  if (t == napi_number) {
    int32_t code = SPDYLAY_ERR_CALLBACK_FAILURE;
    napi_get_value_int32(env, r, &code);
    if (code == SPDYLAY_ERR_DEFERRED || code == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
      self->js_provider_streams_.insert(stream_id);
      return code;
    }
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  size_t n = 0;
  if (t != napi_null && t != napi_undefined) {
    bool is_ta = false;
    napi_is_typedarray(env, r, &is_ta);
    if (!is_ta) return SPDYLAY_ERR_CALLBACK_FAILURE;
    napi_typedarray_type type;
    void *data;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, r, &type, &n, &data, &ab, &off) != napi_ok ||
        type != napi_uint8_array || n > length) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    if (n) std::memcpy(buf, data, n);
  }
  if (rec[kRecEof]) {
    *eof = 1;
    self->js_provider_streams_.erase(stream_id);
  } else {
    self->js_provider_streams_.insert(stream_id);
  }
  return static_cast<ssize_t>(n);
}

ssize_t SpdylaySession::ReadBufCb(spdylay_session *, int32_t stream_id, uint8_t *buf,
                                  size_t length, int *eof, spdylay_data_source *source,
                                  void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  auto *bs = static_cast<BufSource *>(source->ptr);
  bs->stream_id = stream_id;
  size_t n = bs->len - bs->pos;
  if (n > length) n = length;
  if (n) std::memcpy(buf, bs->data + bs->pos, n);
  bs->pos += n;
  if (bs->pos >= bs->len) {
    *eof = 1;
    self->ReleaseBuf(bs);  // the library never reads a provider again after EOF
  }
  return static_cast<ssize_t>(n);
}

void SpdylaySession::ReleaseBuf(BufSource *bs) {
  if (bs->prev) bs->prev->next = bs->next;
  else bufs_ = bs->next;
  if (bs->next) bs->next->prev = bs->prev;
  if (env_ && bs->ref) napi_delete_reference(env_, bs->ref);
  delete bs;
}

bool SpdylaySession::MakeProvider(const Napi::CallbackInfo &info, size_t token_idx,
                                  size_t buf_idx, int32_t stream_id, spdylay_data_provider *prd,
                                  BufSource **out) {
  *out = nullptr;
  Napi::Value b = info[buf_idx];
  if (b.IsTypedArray()) {
    Napi::TypedArray ta = b.As<Napi::TypedArray>();
    if (ta.TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(info.Env(), "body must be a Uint8Array");
    }
    Napi::Uint8Array u8 = b.As<Napi::Uint8Array>();
    auto *bs = new BufSource();
    bs->data = u8.Data();
    bs->len = u8.ElementLength();
    bs->pos = 0;
    bs->stream_id = stream_id;
    bs->prev = nullptr;
    bs->next = bufs_;
    if (bufs_) bufs_->prev = bs;
    bufs_ = bs;
    napi_create_reference(env_, b, 1, &bs->ref);
    prd->source.ptr = bs;
    prd->read_callback = ReadBufCb;
    *out = bs;
    return true;
  }
  uint32_t token = info[token_idx].As<Napi::Number>().Uint32Value();
  if (!token) return false;
  prd->source.ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(token));
  prd->read_callback = ReadCb;
  return true;
}

void SpdylaySession::FrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame,
                                int32_t extra, bool stash) {
  FlushStash();
  if (js_failed_ || !dispatch_) return;
  int32_t *rec = rec_;
  const spdylay_ctrl_hd &hd = frame->ctrl.hd;
  rec[kRecType] = type;
  rec[kRecVersion] = hd.version;
  rec[kRecFlags] = hd.flags;
  rec[kRecLength] = hd.length;
  rec[kRecExtra] = extra;
  char **nv = nullptr;
  bool has_nv = false;
  napi_value iv = nullptr;
  switch (type) {
    case SPDYLAY_SYN_STREAM:
      rec[kRecStreamId] = frame->syn_stream.stream_id;
      rec[kRecAssoc] = frame->syn_stream.assoc_stream_id;
      rec[kRecPri] = frame->syn_stream.pri;
      rec[kRecSlot] = frame->syn_stream.slot;
      nv = frame->syn_stream.nv;
      has_nv = true;
      break;
    case SPDYLAY_SYN_REPLY:
      rec[kRecStreamId] = frame->syn_reply.stream_id;
      nv = frame->syn_reply.nv;
      has_nv = true;
      break;
    case SPDYLAY_HEADERS:
      rec[kRecStreamId] = frame->headers.stream_id;
      nv = frame->headers.nv;
      has_nv = true;
      break;
    case SPDYLAY_RST_STREAM:
      rec[kRecStreamId] = frame->rst_stream.stream_id;
      rec[kRecStatus] = static_cast<int32_t>(frame->rst_stream.status_code);
      break;
    case SPDYLAY_SETTINGS: {
      size_t niv = frame->settings.niv;
      void *data;
      if (napi_create_arraybuffer(env_, niv * 12, &data, &iv) != napi_ok) {
        CaptureException();
        return;
      }
      uint32_t *u = static_cast<uint32_t *>(data);
      for (size_t i = 0; i < niv; ++i) {
        u[3 * i] = static_cast<uint32_t>(frame->settings.iv[i].settings_id);
        u[3 * i + 1] = frame->settings.iv[i].flags;
        u[3 * i + 2] = frame->settings.iv[i].value;
      }
      break;
    }
    case SPDYLAY_PING:
      rec[kRecUniqueId] = static_cast<int32_t>(frame->ping.unique_id);
      break;
    case SPDYLAY_GOAWAY:
      rec[kRecStreamId] = frame->goaway.last_good_stream_id;
      rec[kRecStatus] = static_cast<int32_t>(frame->goaway.status_code);
      break;
    case SPDYLAY_WINDOW_UPDATE:
      rec[kRecStreamId] = frame->window_update.stream_id;
      rec[kRecDelta] = frame->window_update.delta_window_size;
      break;
    default:
      return;  // NOOP, CREDENTIAL: no frame class (as the reference binding)
  }
  napi_value argv[2];
  argv[0] = I32(env_, kind);
  if (has_nv) {
    if (!nv) {
      rec[kRecNvCount] = -1;
      argv[1] = undefined_;
    } else {
      // Names and values, each followed by its NUL, are copied in one pass.
      std::string &s = nvjoin_;
      size_t total = 0;
      int32_t pairs = 0;
      for (char **p = nv; p[0] && p[1]; p += 2) {
        total += std::strlen(p[0]) + std::strlen(p[1]) + 2;
        ++pairs;
      }
      if (s.size() < total) s.resize(total * 2);
      char *out = &s[0];
      for (char **p = nv; p[0] && p[1]; p += 2) {
        for (int k = 0; k < 2; ++k) {
          size_t len = std::strlen(p[k]) + 1;
          std::memcpy(out, p[k], len);
          out += len;
        }
      }
      uint64_t high = 0;
      size_t i = 0;
      for (; i + 8 <= total; i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        high |= w;
      }
      for (; i < total; ++i) high |= static_cast<unsigned char>(s[i]);
      rec[kRecNvCount] = pairs;
      napi_status st = (high & 0x8080808080808080ull)
                           ? napi_create_string_utf8(env_, s.data(), total, &argv[1])
                           : napi_create_string_latin1(env_, s.data(), total, &argv[1]);
      if (st != napi_ok) {
        CaptureException();
        return;
      }
    }
  } else {
    rec[kRecNvCount] = 0;
    argv[1] = iv ? iv : undefined_;
  }
  if (stash) {
    stash_nv_ = argv[1];
    stash_stream_ = frame->syn_stream.stream_id;
    return;
  }
  CallJs(2, argv);
}

void SpdylaySession::FlushStash() {
  if (!stash_nv_) return;
  napi_value argv[2] = {I32(env_, kCtrlRecv), stash_nv_};
  stash_nv_ = nullptr;
  CallJs(2, argv);
}

void SpdylaySession::CtrlRecvCb(spdylay_session *, spdylay_frame_type type,
                                spdylay_frame *frame, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kCtrlRecv)) return;
  // A SYN_STREAM with FIN: the library calls on_request_recv_callback next,
  // with nothing in between, so both callbacks go to JS in one call.
  bool stash = type == SPDYLAY_SYN_STREAM &&
               (frame->syn_stream.hd.flags & SPDYLAY_CTRL_FLAG_FIN) && self->Has(kRequestRecv);
  self->FrameEvent(kCtrlRecv, type, frame, 0, stash);
}

void SpdylaySession::InvalidCtrlRecvCb(spdylay_session *, spdylay_frame_type type,
                                       spdylay_frame *frame, uint32_t status_code,
                                       void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kInvalidCtrlRecv)) {
    self->FrameEvent(kInvalidCtrlRecv, type, frame, static_cast<int32_t>(status_code));
  }
}

void SpdylaySession::BeforeCtrlSendCb(spdylay_session *, spdylay_frame_type type,
                                      spdylay_frame *frame, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kBeforeCtrlSend)) self->FrameEvent(kBeforeCtrlSend, type, frame, 0);
}

void SpdylaySession::CtrlSendCb(spdylay_session *, spdylay_frame_type type, spdylay_frame *frame,
                                void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kCtrlSend)) self->FrameEvent(kCtrlSend, type, frame, 0);
}

void SpdylaySession::CtrlNotSendCb(spdylay_session *, spdylay_frame_type type,
                                   spdylay_frame *frame, int error_code, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kCtrlNotSend)) self->FrameEvent(kCtrlNotSend, type, frame, error_code);
}

void SpdylaySession::FlushBatch() {
  int32_t n = batch_n_;
  if (n == 0) return;
  batch_n_ = 0;
  if (!dispatch_ || js_failed_) return;
  napi_value argv[3] = {I32(env_, kDataBatch), input_ab_ ? input_ab_ : undefined_, I32(env_, n)};
  napi_value result;
  if (napi_call_function(env_, undefined_, dispatch_, 3, argv, &result) != napi_ok) {
    CaptureException();
  }
}

void SpdylaySession::PushBatch(Kind kind, uint8_t flags, int32_t stream_id, int32_t a, int32_t b) {
  if (stash_nv_) FlushStash();
  int32_t *e = rec_ + kRecBatch + 4 * batch_n_;
  e[0] = (kind << 8) | flags;
  e[1] = stream_id;
  e[2] = a;
  e[3] = b;
  if (++batch_n_ == kBatchMax) FlushBatch();
}

// Chunks inside the caller's input buffer (recv(data)) are batched with
// DATA frame ends; the views JS makes of them are valid for the whole
// recv(). Other chunks are copied to the receive slab and sent at once.
void SpdylaySession::DataChunkRecvCb(spdylay_session *, uint8_t flags, int32_t stream_id,
                                     const uint8_t *data, size_t len, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kDataChunkRecv) || self->js_failed_ || !self->dispatch_) return;
  napi_env env = self->env_;
  napi_value ab;
  size_t off;
  if (self->input_ab_ && data >= self->input_begin_ && data + len <= self->input_end_) {
    self->PushBatch(kDataChunkRecv, flags, stream_id, static_cast<int32_t>(data - self->input_base_),
                    static_cast<int32_t>(len));
    return;
  }
  if (!self->CopyToRecvSlab(data, len, &ab, &off)) return;
  int32_t *rec = self->rec_;
  rec[kRecA] = flags;
  rec[kRecB] = stream_id;
  rec[kRecC] = static_cast<int32_t>(off);
  rec[kRecD] = static_cast<int32_t>(len);
  napi_value argv[2] = {I32(env, kDataChunkRecv), ab};
  self->CallJs(2, argv);
}

void SpdylaySession::DataRecvCb(spdylay_session *, uint8_t flags, int32_t stream_id,
                                int32_t length, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kDataRecv)) return;
  if (self->input_ab_ && self->dispatch_ && !self->js_failed_) {
    self->PushBatch(kDataRecv, flags, stream_id, length, 0);
    return;
  }
  self->rec_[kRecA] = flags;
  self->rec_[kRecB] = stream_id;
  self->rec_[kRecC] = length;
  napi_value argv[1] = {I32(self->env_, kDataRecv)};
  self->CallJs(1, argv);
}

void SpdylaySession::DataSendCb(spdylay_session *, uint8_t flags, int32_t stream_id,
                                int32_t length, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kDataSend)) return;
  self->rec_[kRecA] = flags;
  self->rec_[kRecB] = stream_id;
  self->rec_[kRecC] = length;
  napi_value argv[1] = {I32(self->env_, kDataSend)};
  self->CallJs(1, argv);
}

void SpdylaySession::StreamCloseCb(spdylay_session *session, int32_t stream_id,
                                   spdylay_status_code status_code, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  for (BufSource *bs = self->bufs_; bs;) {
    BufSource *next = bs->next;
    if (bs->stream_id == stream_id) self->ReleaseBuf(bs);
    bs = next;
  }
  uintptr_t token =
      reinterpret_cast<uintptr_t>(spdylay_session_get_stream_user_data(session, stream_id));
  // Dispatched when the user wants it, or when the JS half has to release
  // the stream's user data or an unfinished data provider.
  bool provider = self->js_provider_streams_.erase(stream_id) > 0;
  if (!self->Has(kStreamClose) && !token && !provider) return;
  int32_t *rec = self->rec_;
  rec[kRecA] = stream_id;
  rec[kRecB] = static_cast<int32_t>(status_code);
  rec[kRecC] = static_cast<int32_t>(token);
  rec[kRecD] = provider ? 1 : 0;
  napi_value argv[1] = {I32(self->env_, kStreamClose)};
  self->CallJs(1, argv);
}

void SpdylaySession::RequestRecvCb(spdylay_session *, int32_t stream_id, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kRequestRecv)) return;
  self->rec_[kRecA] = stream_id;
  if (self->stash_nv_ && self->stash_stream_ == stream_id) {
    napi_value argv[2] = {I32(self->env_, kCtrlRecvRequestRecv), self->stash_nv_};
    self->stash_nv_ = nullptr;
    self->CallJs(2, argv);
    return;
  }
  napi_value argv[1] = {I32(self->env_, kRequestRecv)};
  self->CallJs(1, argv);
}

static napi_value CopyBuf(napi_env env, const uint8_t *data, size_t len) {
  napi_value r = nullptr;
  void *dest;
  napi_create_buffer_copy(env, len, len ? data : nullptr, &dest, &r);
  return r;
}

void SpdylaySession::ParseErrorCb(spdylay_session *, spdylay_frame_type type,
                                  const uint8_t *head, size_t headlen, const uint8_t *payload,
                                  size_t payloadlen, int error_code, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kParseError) || self->js_failed_ || !self->dispatch_) return;
  napi_env env = self->env_;
  napi_value argv[3] = {I32(env, kParseError), CopyBuf(env, head, headlen),
                        CopyBuf(env, payload, payloadlen)};
  if (!argv[1] || !argv[2]) {
    self->CaptureException();
    return;
  }
  self->rec_[kRecA] = type;
  self->rec_[kRecB] = error_code;
  self->CallJs(3, argv);
}

void SpdylaySession::UnknownCtrlCb(spdylay_session *, const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kUnknownCtrl) || self->js_failed_ || !self->dispatch_) return;
  napi_env env = self->env_;
  napi_value argv[3] = {I32(env, kUnknownCtrl), CopyBuf(env, head, headlen),
                        CopyBuf(env, payload, payloadlen)};
  if (!argv[1] || !argv[2]) {
    self->CaptureException();
    return;
  }
  self->CallJs(3, argv);
}

// ---------------------------------------------------------------------------
// Methods

static inline Napi::Value Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

#define REQUIRE_SESSION()                                                            \
  do {                                                                               \
    if (!session_) throw Napi::Error::New(info.Env(), "spdylay session not created"); \
  } while (0)

// send(dispatch) -> 0 or a negative spdylay error code.
Napi::Value SpdylaySession::Send(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  REQUIRE_SESSION();
  if (!Enter(info[0])) return Num(env, kErrReentrant);
  int rv = 0;
  if (pending_len_ > 0) rv = Flush();
  if (rv == 0 && pending_len_ == 0) {
    rv = spdylay_session_send(session_);
    if (rv == 0 && !js_failed_) rv = Flush();
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
  napi_valuetype t;
  napi_typeof(env, data, &t);
  const uint8_t *bytes = nullptr;
  size_t len = 0;
  napi_value ab = nullptr;
  const uint8_t *base = nullptr;
  bool mem = t != napi_undefined && t != napi_null;
  if (mem) {
    bool is_ta = false;
    napi_is_typedarray(env, data, &is_ta);
    if (!is_ta) throw Napi::TypeError::New(env, "data must be a Buffer or Uint8Array");
    napi_typedarray_type type;
    void *p;
    size_t off;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, data, &type, &len, &p, &ab, &off),
                         Napi::Value());
    if (type != napi_uint8_array) throw Napi::TypeError::New(env, "data must be a Uint8Array");
    bytes = static_cast<const uint8_t *>(p);
    base = bytes ? bytes - off : nullptr;
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

Napi::Value SpdylaySession::ResumeData(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(),
             spdylay_session_resume_data(session_, info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value SpdylaySession::WantRead(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(), spdylay_session_want_read(session_) != 0);
}

Napi::Value SpdylaySession::WantWrite(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(),
                            pending_len_ > 0 || spdylay_session_want_write(session_) != 0);
}

Napi::Value SpdylaySession::GetStreamUserData(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  void *p =
      spdylay_session_get_stream_user_data(session_, info[0].As<Napi::Number>().Int32Value());
  return Num(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(p)));
}

Napi::Value SpdylaySession::GetOutboundQueueSize(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), static_cast<double>(spdylay_session_get_outbound_queue_size(session_)));
}

Napi::Value SpdylaySession::GetPriLowest(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), spdylay_session_get_pri_lowest(session_));
}

Napi::Value SpdylaySession::FailSession(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(),
             spdylay_session_fail_session(session_, info[0].As<Napi::Number>().Uint32Value()));
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
  return Num(info.Env(), static_cast<double>(pending_len_));
}

Napi::Value SpdylaySession::InCall(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), in_call_);
}

// getLimitExceeded() -> spdylay_session_get_limit_exceeded (SPDYLAY_LIMIT_*).
Napi::Value SpdylaySession::GetLimitExceeded(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), spdylay_session_get_limit_exceeded(session_));
}

// inCtrlFrame() -> spdylay_session_in_ctrl_frame != 0.
Napi::Value SpdylaySession::InCtrlFrame(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Napi::Boolean::New(info.Env(), spdylay_session_in_ctrl_frame(session_) != 0);
}

int SpdylaySession::ParseNv(const Napi::CallbackInfo &info, size_t idx, size_t count) {
  napi_env env = info.Env();
  napi_value v = info[idx];
  size_t jslen = info[idx + 1].As<Napi::Number>().Uint32Value();
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  scratch_.resize(jslen * 3 + 1);
  size_t n = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, v, &scratch_[0], scratch_.size(), &n),
                       SPDYLAY_ERR_INVALID_ARGUMENT);
  nv_ptrs_.clear();
  char *start = &scratch_[0];
  char *end = start + n;
  while (start < end) {
    char *z = static_cast<char *>(std::memchr(start, '\0', static_cast<size_t>(end - start)));
    if (!z) break;
    nv_ptrs_.push_back(start);
    start = z + 1;
  }
  if (start != end || nv_ptrs_.size() != 2 * count) return kErrNvNul;
  nv_ptrs_.push_back(nullptr);
  return 0;
}

// submitRequest(pri, nv, nvLen, count, providerToken, userToken, body?)
Napi::Value SpdylaySession::SubmitRequest(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int pri = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  int rv = ParseNv(info, 1, count);
  if (rv != 0) return Num(info.Env(), rv);
  uint32_t utoken = info[5].As<Napi::Number>().Uint32Value();
  spdylay_data_provider prd;
  BufSource *bs;
  bool has = MakeProvider(info, 4, 6, 0, &prd, &bs);
  rv = spdylay_submit_request(session_, static_cast<uint8_t>(pri), nv_ptrs_.data(),
                              has ? &prd : nullptr,
                              reinterpret_cast<void *>(static_cast<uintptr_t>(utoken)));
  if (rv != 0 && bs) ReleaseBuf(bs);
  return Num(info.Env(), rv);
}

// submitSynStream(flags, assocStreamId, pri, nv, nvLen, count, userToken)
Napi::Value SpdylaySession::SubmitSynStream(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int flags = info[0].As<Napi::Number>().Int32Value();
  int32_t assoc = info[1].As<Napi::Number>().Int32Value();
  int pri = info[2].As<Napi::Number>().Int32Value();
  size_t count = info[5].As<Napi::Number>().Uint32Value();
  int rv = ParseNv(info, 3, count);
  if (rv != 0) return Num(info.Env(), rv);
  uint32_t utoken = info[6].As<Napi::Number>().Uint32Value();
  rv = spdylay_submit_syn_stream(session_, static_cast<uint8_t>(flags), assoc,
                                 static_cast<uint8_t>(pri), nv_ptrs_.data(),
                                 reinterpret_cast<void *>(static_cast<uintptr_t>(utoken)));
  return Num(info.Env(), rv);
}

// submitResponse(streamId, nv, nvLen, count, providerToken, body?)
Napi::Value SpdylaySession::SubmitResponse(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int32_t sid = info[0].As<Napi::Number>().Int32Value();
  size_t count = info[3].As<Napi::Number>().Uint32Value();
  int rv = ParseNv(info, 1, count);
  if (rv != 0) return Num(info.Env(), rv);
  spdylay_data_provider prd;
  BufSource *bs;
  bool has = MakeProvider(info, 4, 5, sid, &prd, &bs);
  rv = spdylay_submit_response(session_, sid, nv_ptrs_.data(), has ? &prd : nullptr);
  if (rv != 0) {
    if (bs) ReleaseBuf(bs);
  } else if (has && !bs) {
    js_provider_streams_.insert(sid);
  }
  return Num(info.Env(), rv);
}

// Shared by submitSynReply and submitHeaders: (flags, streamId, nv, nvLen,
// count) for a C submit function of the shape (session, flags, stream_id, nv).
Napi::Value SpdylaySession::SubmitFlagsStreamNv(
    const Napi::CallbackInfo &info,
    int (*submit)(spdylay_session *, uint8_t, int32_t, const char **)) {
  REQUIRE_SESSION();
  int flags = info[0].As<Napi::Number>().Int32Value();
  int32_t sid = info[1].As<Napi::Number>().Int32Value();
  size_t count = info[4].As<Napi::Number>().Uint32Value();
  int rv = ParseNv(info, 2, count);
  if (rv != 0) return Num(info.Env(), rv);
  return Num(info.Env(), submit(session_, static_cast<uint8_t>(flags), sid, nv_ptrs_.data()));
}

// submitSynReply(flags, streamId, nv, nvLen, count): spdylay_submit_syn_reply
Napi::Value SpdylaySession::SubmitSynReply(const Napi::CallbackInfo &info) {
  return SubmitFlagsStreamNv(info, spdylay_submit_syn_reply);
}

// submitHeaders(flags, streamId, nv, nvLen, count): spdylay_submit_headers
Napi::Value SpdylaySession::SubmitHeaders(const Napi::CallbackInfo &info) {
  return SubmitFlagsStreamNv(info, spdylay_submit_headers);
}

// submitData(streamId, flags, providerToken, body?)
Napi::Value SpdylaySession::SubmitData(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  int32_t sid = info[0].As<Napi::Number>().Int32Value();
  int flags = info[1].As<Napi::Number>().Int32Value();
  spdylay_data_provider prd;
  BufSource *bs;
  if (!MakeProvider(info, 2, 3, sid, &prd, &bs)) {
    return Num(info.Env(), SPDYLAY_ERR_INVALID_ARGUMENT);
  }
  int rv = spdylay_submit_data(session_, sid, static_cast<uint8_t>(flags), &prd);
  if (rv != 0) {
    if (bs) ReleaseBuf(bs);
  } else if (!bs) {
    js_provider_streams_.insert(sid);
  }
  return Num(info.Env(), rv);
}

Napi::Value SpdylaySession::SubmitRstStream(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), spdylay_submit_rst_stream(session_,
                                                   info[0].As<Napi::Number>().Int32Value(),
                                                   info[1].As<Napi::Number>().Uint32Value()));
}

Napi::Value SpdylaySession::SubmitPing(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), spdylay_submit_ping(session_));
}

Napi::Value SpdylaySession::SubmitGoaway(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(),
             spdylay_submit_goaway(session_, info[0].As<Napi::Number>().Uint32Value()));
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

Napi::Value SpdylaySession::SubmitWindowUpdate(const Napi::CallbackInfo &info) {
  REQUIRE_SESSION();
  return Num(info.Env(), spdylay_submit_window_update(
                             session_, info[0].As<Napi::Number>().Int32Value(),
                             info[1].As<Napi::Number>().Int32Value()));
}

}  // namespace spdylay_binding
