// SpdylaySession's half of the spdylay callbacks (the class is declared in
// session.h; session.cc has its construction and its JS methods): every C
// callback the library makes during send()/recv() becomes a call of the JS
// dispatcher through the EventRecord, with DATA events batched and a
// SYN_STREAM+FIN merged with its on_request_recv; the calls into JS and the
// capture of their failures; the slabs the dispatcher provides.
#include <cstring>
#include <utility>

#include "session.h"

namespace spdylay_binding {

// ---------------------------------------------------------------------------
// Calls into JS

void SpdylaySession::CaptureException() {
  js_failed_ = true;
  // Events that interned strings may not reach JS now (or did not finish).
  if (intern_) intern_->Clear();
  bool pending = false;
  if (napi_is_exception_pending(env_, &pending) != napi_ok || !pending) return;
  napi_value exc;
  if (napi_get_and_clear_last_exception(env_, &exc) != napi_ok) return;
  if (!error_ref_) napi_create_reference(env_, exc, 1, &error_ref_);
}

napi_value SpdylaySession::CallJs(size_t argc, napi_value *argv) {
  if (queue_words_) FlushQueue();  // queued receive events go first,
  if (rec_.has_batch()) FlushBatch();  // and so do batched DATA events
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
  FlushQueue();
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
// Slabs

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

bool SpdylaySession::Deliver(napi_value slab, size_t off, size_t len, size_t *taken) {
  napi_value argv[2] = {I32(env_, kSend), slab};
  rec_[kRecA] = static_cast<int32_t>(off);
  rec_[kRecB] = static_cast<int32_t>(len);
  napi_value r = CallJs(2, argv);
  if (!r) return false;
  double n = -1;
  if (napi_get_value_double(env_, r, &n) != napi_ok) return false;
  if (!(n >= 0) || n > static_cast<double>(len)) return false;
  *taken = static_cast<size_t>(n);
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
  int rv = self->out_.MakeRoom(length);
  if (rv == SPDYLAY_ERR_WOULDBLOCK) {
    self->would_block_ = true;  // SendCb answers this frame without a second sendCb
    return nullptr;
  }
  if (rv != 0) {
    self->flush_failed_ = true;
    return nullptr;
  }
  return self->out_.tail();
}

// The library offers each frame whole (a held frame again after
// SPDYLAY_ERR_WOULDBLOCK), so data[0] is a frame's first byte: its control
// bit tells a control frame from a DATA frame.
ssize_t SpdylaySession::SendCb(spdylay_session *, const uint8_t *data, size_t length, int,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->js_failed_ || self->flush_failed_) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if (self->held_) return self->Reoffer(length);
  bool hand_over = self->hand_over_ && (self->hand_over_ & ((data[0] & 0x80) ? 1 : 2));
  if (self->out_.IsAtTail(data, length)) {
    self->out_.Commit(length);  // packed in place (DataBufferCb)
  } else {
    if (self->would_block_) {
      self->would_block_ = false;
      return SPDYLAY_ERR_WOULDBLOCK;
    }
    int rv = self->out_.MakeRoom(length);
    if (rv != 0) return rv;
    std::memcpy(self->out_.tail(), data, length);
    self->out_.Commit(length);
  }
  if (hand_over) return self->HandOver(length);
  return static_cast<ssize_t>(length);
}

// When sendCb failed (threw) the frame is held as well: its bytes are
// pending here, and the library offers it again if the session is used on.
ssize_t SpdylaySession::HandOver(size_t length) {
  int rv = out_.Flush();
  if (rv == 0 && out_.pending() == 0) return static_cast<ssize_t>(length);
  held_ = length;
  return rv != 0 ? SPDYLAY_ERR_CALLBACK_FAILURE : SPDYLAY_ERR_WOULDBLOCK;
}

// Send() calls the library only once out_ has nothing pending, so the
// held frame's bytes have all been taken by then.
ssize_t SpdylaySession::Reoffer(size_t length) {
  if (length != held_) return SPDYLAY_ERR_CALLBACK_FAILURE;
  if (out_.pending() > 0) return SPDYLAY_ERR_WOULDBLOCK;
  held_ = 0;
  return static_cast<ssize_t>(length);
}

SpdylaySession::Answer SpdylaySession::Ask(Kind kind, uint8_t *buf, size_t length, int32_t *code,
                                           size_t *n) {
  napi_value argv[1] = {I32(env_, kind)};
  napi_value r = CallJs(1, argv);
  if (!r) return Answer::kInvalid;
  napi_valuetype t;
  napi_typeof(env_, r, &t);
  if (t == napi_number) {
    *code = SPDYLAY_ERR_CALLBACK_FAILURE;
    napi_get_value_int32(env_, r, code);
    return Answer::kCode;
  }
  if (t == napi_null || t == napi_undefined) return Answer::kNone;
  bool is_ta = false;
  napi_is_typedarray(env_, r, &is_ta);
  if (!is_ta) return Answer::kInvalid;
  napi_typedarray_type type;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env_, r, &type, n, &data, &ab, &off) != napi_ok ||
      type != napi_uint8_array || *n > length) {
    return Answer::kInvalid;
  }
  if (*n) std::memcpy(buf, data, *n);
  return Answer::kBytes;
}

ssize_t SpdylaySession::RecvCb(spdylay_session *, uint8_t *buf, size_t length, int,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  self->rec_[kRecA] = static_cast<int32_t>(length);
  int32_t code;
  size_t n = 0;
  switch (self->Ask(kRecv, buf, length, &code, &n)) {
    case Answer::kCode:
      if (code == SPDYLAY_ERR_WOULDBLOCK || code == SPDYLAY_ERR_EOF) return code;
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    case Answer::kNone:
      return SPDYLAY_ERR_WOULDBLOCK;
    case Answer::kBytes:
      if (n == 0) return SPDYLAY_ERR_WOULDBLOCK;
      return static_cast<ssize_t>(n);
    case Answer::kInvalid:
      break;
  }
  return SPDYLAY_ERR_CALLBACK_FAILURE;
}

ssize_t SpdylaySession::ReadCb(spdylay_session *, int32_t stream_id, uint8_t *buf,
                               size_t length, int *eof, spdylay_data_source *source,
                               void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  EventRecord &rec = self->rec_;
  rec[kRecEof] = 0;
  rec[kRecA] = static_cast<int32_t>(reinterpret_cast<uintptr_t>(source->ptr));
  rec[kRecB] = stream_id;
  rec[kRecC] = static_cast<int32_t>(length);
  int32_t code;
  size_t n = 0;
  switch (self->Ask(kRead, buf, length, &code, &n)) {
    case Answer::kCode:
      if (code == SPDYLAY_ERR_DEFERRED || code == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
        self->sources_.JsOpen(stream_id);
        return code;
      }
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    case Answer::kInvalid:
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    case Answer::kNone:
    case Answer::kBytes:
      break;
  }
  if (rec[kRecEof]) {
    *eof = 1;
    self->sources_.JsDone(stream_id);
  } else {
    self->sources_.JsOpen(stream_id);
  }
  return static_cast<ssize_t>(n);
}

void SpdylaySession::FrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame,
                                int32_t extra, bool stash) {
  FlushStash();
  if (js_failed_ || !dispatch_) return;
  napi_value argv[2];
  switch (rec_.WriteFrame(env_, type, frame, extra, undefined_, &argv[1], Intern())) {
    case EventRecord::FrameStatus::kSkip:
      return;
    case EventRecord::FrameStatus::kFailed:
      CaptureException();
      return;
    case EventRecord::FrameStatus::kOk:
      break;
  }
  if (stash) {
    stash_nv_ = argv[1];
    stash_stream_ = frame->syn_stream.stream_id;
    return;
  }
  argv[0] = I32(env_, kind);
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
  if (type == SPDYLAY_SYN_STREAM && frame->syn_stream.stream_id > self->max_peer_sid_) {
    self->max_peer_sid_ = frame->syn_stream.stream_id;
  }
  if (!self->Has(kCtrlRecv)) return;
  if (self->Queueing() && self->QueueFrameEvent(kCtrlRecv, type, frame, 0)) return;
  // A SYN_STREAM with FIN: the library calls on_request_recv_callback next,
  // with nothing in between, so both callbacks go to JS in one call.
  // (Not when queueing: the request end is then queued after this frame.)
  bool stash = !self->Queueing() && type == SPDYLAY_SYN_STREAM &&
               (frame->syn_stream.hd.flags & SPDYLAY_CTRL_FLAG_FIN) && self->Has(kRequestRecv);
  self->FrameEvent(kCtrlRecv, type, frame, 0, stash);
}

void SpdylaySession::InvalidCtrlRecvCb(spdylay_session *, spdylay_frame_type type,
                                       spdylay_frame *frame, uint32_t status_code,
                                       void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kInvalidCtrlRecv)) return;
  int32_t status = static_cast<int32_t>(status_code);
  if (self->Queueing() && self->QueueFrameEvent(kInvalidCtrlRecv, type, frame, status)) return;
  self->FrameEvent(kInvalidCtrlRecv, type, frame, status);
}

void SpdylaySession::BeforeCtrlSendCb(spdylay_session *, spdylay_frame_type type,
                                      spdylay_frame *frame, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kBeforeCtrlSend)) self->FrameEvent(kBeforeCtrlSend, type, frame, 0);
}

void SpdylaySession::CtrlSendCb(spdylay_session *, spdylay_frame_type type, spdylay_frame *frame,
                                void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (type == SPDYLAY_SYN_STREAM && frame->syn_stream.stream_id > self->max_own_sid_) {
    self->max_own_sid_ = frame->syn_stream.stream_id;
  }
  if (self->Has(kCtrlSend)) self->FrameEvent(kCtrlSend, type, frame, 0);
}

void SpdylaySession::CtrlNotSendCb(spdylay_session *, spdylay_frame_type type,
                                   spdylay_frame *frame, int error_code, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (self->Has(kCtrlNotSend)) self->FrameEvent(kCtrlNotSend, type, frame, error_code);
}

bool SpdylaySession::QueueFrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame,
                                     int32_t extra) {
  if (EventRecord::Skipped(type)) return true;
  if (queue_nv_.size() >= kQueueNvMax) FlushQueue();
  int32_t *e = QueueSpace(kQueueFrameMaxWords);
  int words = 0;
  if (!rec_.QueueFrame(kind, type, frame, extra, e, &queue_nv_, &words, Intern())) return false;
  Commit(words);
  return true;
}

void SpdylaySession::FlushQueue() {
  int32_t n = queue_words_;
  if (n == 0) return;
  queue_words_ = 0;
  if (!dispatch_ || js_failed_) {
    queue_nv_.clear();
    if (intern_) intern_->Clear();  // the strings interned by these events never reach JS
    return;
  }
  napi_value nvs;
  napi_status s = napi_create_string_latin1(env_, queue_nv_.data(), queue_nv_.size(), &nvs);
  queue_nv_.clear();
  if (s != napi_ok) {
    if (intern_) intern_->Clear();
    CaptureException();
    return;
  }
  // JS writes the frame slots while it walks the queue; an event being
  // dispatched may have written its own there already.
  int32_t saved[kFrameWords];
  std::memcpy(saved, &rec_[0], sizeof saved);
  napi_value argv[4] = {I32(env_, kQueue), nvs, input_ab_ ? input_ab_ : undefined_, I32(env_, n)};
  napi_value result;
  // The reader answers true once it has walked the whole queue (and so
  // holds every string interned by it).
  bool walked = false;
  if (napi_call_function(env_, undefined_, dispatch_, 4, argv, &result) != napi_ok) {
    CaptureException();
  } else if (napi_get_value_bool(env_, result, &walked) != napi_ok) {
    walked = false;
  }
  if (!walked && intern_) intern_->Clear();
  std::memcpy(&rec_[0], saved, sizeof saved);
}

void SpdylaySession::FlushBatch() {
  int32_t n = rec_.TakeBatch();
  if (n == 0) return;
  if (!dispatch_ || js_failed_) return;
  napi_value argv[3] = {I32(env_, kDataBatch), input_ab_ ? input_ab_ : undefined_, I32(env_, n)};
  napi_value result;
  if (napi_call_function(env_, undefined_, dispatch_, 3, argv, &result) != napi_ok) {
    CaptureException();
  }
}

void SpdylaySession::PushBatch(Kind kind, uint8_t flags, int32_t stream_id, int32_t a, int32_t b) {
  if (stash_nv_) FlushStash();
  if (rec_.PushData(kind, flags, stream_id, a, b)) FlushBatch();
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
    if (self->Queueing()) {
      int32_t *e = self->QueueSpace(5);
      e[0] = kDataChunkRecv;
      e[1] = flags;
      e[2] = stream_id;
      e[3] = static_cast<int32_t>(data - self->input_base_);
      e[4] = static_cast<int32_t>(len);
      self->Commit(5);
      return;
    }
    self->PushBatch(kDataChunkRecv, flags, stream_id, static_cast<int32_t>(data - self->input_base_),
                    static_cast<int32_t>(len));
    return;
  }
  if (!self->rslab_.Copy(env, *self, data, len, &ab, &off)) return;
  EventRecord &rec = self->rec_;
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
  if (self->Queueing()) {
    int32_t *e = self->QueueSpace(4);
    e[0] = kDataRecv;
    e[1] = flags;
    e[2] = stream_id;
    e[3] = length;
    self->Commit(4);
    return;
  }
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
  self->sources_.ReleaseStream(stream_id);
  uintptr_t token =
      reinterpret_cast<uintptr_t>(spdylay_session_get_stream_user_data(session, stream_id));
  // Dispatched when the user wants it, or when the JS half has to release
  // the stream's user data or an unfinished data provider.
  bool provider = self->sources_.JsTake(stream_id);
  if (!self->Has(kStreamClose) && !token && !provider) return;
  if (self->Queueing()) {
    int32_t *e = self->QueueSpace(5);
    e[0] = kStreamClose;
    e[1] = stream_id;
    e[2] = static_cast<int32_t>(status_code);
    e[3] = static_cast<int32_t>(token);
    e[4] = provider ? 1 : 0;
    self->Commit(5);
    return;
  }
  EventRecord &rec = self->rec_;
  rec[kRecA] = stream_id;
  rec[kRecB] = static_cast<int32_t>(status_code);
  rec[kRecC] = static_cast<int32_t>(token);
  rec[kRecD] = provider ? 1 : 0;
  // Batched DATA events go first (CallJs); when nothing else is pending
  // they and this event reach JS in one call (a stream's last DATA chunk
  // and its close: one crossing).
  if (self->rec_.has_batch() && !self->queue_words_ && !self->stash_nv_ && self->dispatch_ &&
      !self->js_failed_) {
    napi_env env = self->env_;
    napi_value argv[3] = {I32(env, kDataBatchStreamClose),
                          self->input_ab_ ? self->input_ab_ : self->undefined_,
                          I32(env, self->rec_.TakeBatch())};
    napi_value result;
    if (napi_call_function(env, self->undefined_, self->dispatch_, 3, argv, &result) != napi_ok) {
      self->CaptureException();
    }
    return;
  }
  napi_value argv[1] = {I32(self->env_, kStreamClose)};
  self->CallJs(1, argv);
}

void SpdylaySession::RequestRecvCb(spdylay_session *, int32_t stream_id, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kRequestRecv)) return;
  if (self->Queueing()) {
    int32_t *e = self->QueueSpace(2);
    e[0] = kRequestRecv;
    e[1] = stream_id;
    self->Commit(2);
    return;
  }
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

void SpdylaySession::BytesEvent(Kind kind, const uint8_t *head, size_t headlen,
                                const uint8_t *payload, size_t payloadlen) {
  if (!Has(kind) || js_failed_ || !dispatch_) return;
  napi_value argv[3] = {I32(env_, kind), CopyBuf(env_, head, headlen),
                        CopyBuf(env_, payload, payloadlen)};
  if (!argv[1] || !argv[2]) {
    CaptureException();
    return;
  }
  CallJs(3, argv);
}

void SpdylaySession::ParseErrorCb(spdylay_session *, spdylay_frame_type type,
                                  const uint8_t *head, size_t headlen, const uint8_t *payload,
                                  size_t payloadlen, int error_code, void *user_data) {
  auto *self = static_cast<SpdylaySession *>(user_data);
  if (!self->Has(kParseError)) return;
  self->rec_[kRecA] = type;
  self->rec_[kRecB] = error_code;
  self->BytesEvent(kParseError, head, headlen, payload, payloadlen);
}

void SpdylaySession::UnknownCtrlCb(spdylay_session *, const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen, void *user_data) {
  static_cast<SpdylaySession *>(user_data)->BytesEvent(kUnknownCtrl, head, headlen, payload,
                                                       payloadlen);
}

}  // namespace spdylay_binding
