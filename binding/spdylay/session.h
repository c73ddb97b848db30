// SpdylaySession: a spdylay_session (deps/spdylay) wrapped for lib/spdylay
// (the JS half: lib/spdylay/session.ts, session-events.ts, the reader of its
// events, and session-callbacks.ts, the python-style callbacks over it).
// session.cc holds its construction and JS methods, session_callbacks.cc
// the C callbacks and the calls into JS they make.
//
// * The native object holds no reference to any JS function or user object,
//   so a Session never roots itself and is collected like any JS object.
//   send()/recv() receive the JS dispatcher as their first argument and the
//   C callbacks reach JS only through it, only while that call runs (the C
//   library calls back only from spdylay_session_send/recv/mem_recv).
// * Every C callback becomes one JS call through the record (EventRecord,
//   event_record.h). Callbacks the user did not set (bit mask given at
//   construction) are not dispatched at all, except the ones the JS half
//   needs for bookkeeping.
// * Outgoing bytes are coalesced in a SendBuffer (send_buffer.h): the JS
//   sendCb gets one view of many frames, at the end of send() or when
//   SendBuffer::kFlushThreshold bytes are pending. Bytes the JS sendCb did
//   not take stay pending and go first on the next send(); want_write()
//   reports them. DATA frames are packed by the library straight into the
//   send buffer (DataBufferCb).
// * With kFlagSentAfterSendCb, a frame whose "sent" event (on_ctrl_send,
//   on_data_send) JS receives is handed to the JS sendCb, with the output
//   pending before it, as soon as the library has written it; the library
//   learns the frame was sent only once sendCb has taken its last byte
//   (until then SendCb answers SPDYLAY_ERR_WOULDBLOCK and the library
//   offers the frame again on the next send(): `held_`). So those events
//   reach JS after the sendCb call that carried their frame.
// * Received DATA chunks are handed to JS as views: of the caller's own
//   input buffer for recv(data), of a RecvSlab (one copy) otherwise.
// * Bodies are DataSources (data_sources.h): Buffers served natively, or
//   JS providers read through the dispatcher.
// * DATA events of recv(data) (on_data_chunk_recv for chunks in the
//   caller's input, on_data_recv) are batched in the record and reach JS in
//   one call, before any other callback and at the end of recv(): one
//   crossing for many DATA frames, in order with every other callback. A
//   stream close that follows them is dispatched in the same call
//   (kDataBatchStreamClose).
// * A received SYN_STREAM with FIN and the on_request_recv that the library
//   calls right after it (nothing happens in between) reach JS in one call.
// * With kFlagBatchRecv (SessionOptions.batchRecvCallbacks), every receive
//   event of recv(data) (control frames received or rejected, DATA chunks in
//   the input and DATA ends, stream closes, request ends) is queued in the
//   record and they reach JS in one call, in order, before any other call
//   into JS and at the end of recv().
// * With kFlagInternNv, the names and values of the frames of frame events
//   are interned (InternTable, event_record.h): a repeated one reaches JS as
//   the string the reader kept.
// * A JS callback never throws through C: the JS dispatcher catches and
//   returns C codes; if a call into JS still fails (termination, a bug in
//   the dispatcher), the exception is captured here, the C failure code is
//   returned, and the exception is rethrown when send()/recv() returns.
#pragma once

#include <napi.h>
#include <spdylay/spdylay.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../util/bound_methods.h"
#include "../util/external_memory.h"
#include "data_sources.h"
#include "event_record.h"
#include "nv_args.h"
#include "send_buffer.h"

namespace spdylay_binding {

class SpdylaySession : public Napi::ObjectWrap<SpdylaySession>, private SlabHost {
 public:
  // The class, with its statics ERR_REENTRANT, ERR_NV_NUL,
  // FLAG_REUSE_SEND_BUFFER and layout (RecordLayout).
  static Napi::Function Init(Napi::Env env);

  // new SpdylaySession(side, version, callbackMask, record: Int32Array, flags)
  explicit SpdylaySession(const Napi::CallbackInfo &info);
  ~SpdylaySession() override;

  // Codes private to the glue (outside spdylay's -999..-500).
  static constexpr int kErrReentrant = -30010;  // send()/recv() from inside a callback
  static constexpr int kErrNvNul = NvArgs::kErrNvNul;  // a name or value contains NUL
  // submitResponse/submitData succeeded for a stream closed for good: the
  // library drops its frames unread, so the body was released at once (the
  // JS half forgets its provider).
  static constexpr int kBodyNotRead = 1;

 private:
  // Puts send, recv, the submit calls made per request and response,
  // wantRead/wantWrite, resumeData, consume and getStreamUserData on the
  // wrapper `self` as own functions (BindMethods): those calls find the
  // session without napi_unwrap. A function that outlives its session
  // returns undefined, as a prototype method whose napi_unwrap fails.
  void BindHotMethods(Napi::Object self);
  BoundCell<SpdylaySession> *cell_ = nullptr;

  // Methods exposed to JS.
  // `F(session, args...)` of spdylay with the JS arguments converted to
  // F's int32_t/uint32_t parameters; returns what F returns, as a number.
  template <auto F>
  Napi::Value CallC(const Napi::CallbackInfo &info);
  Napi::Value Send(const Napi::CallbackInfo &info);
  Napi::Value Recv(const Napi::CallbackInfo &info);
  Napi::Value WantRead(const Napi::CallbackInfo &info);
  Napi::Value WantWrite(const Napi::CallbackInfo &info);
  Napi::Value GetStreamUserData(const Napi::CallbackInfo &info);
  Napi::Value SetOption(const Napi::CallbackInfo &info);
  Napi::Value Consume(const Napi::CallbackInfo &info);
  Napi::Value SubmitRequest(const Napi::CallbackInfo &info);
  Napi::Value SubmitSynStream(const Napi::CallbackInfo &info);
  Napi::Value SubmitResponse(const Napi::CallbackInfo &info);
  Napi::Value SubmitFlagsStreamNv(const Napi::CallbackInfo &info,
                                  int (*submit)(spdylay_session *, uint8_t, int32_t,
                                                const char **));
  Napi::Value SubmitSynReply(const Napi::CallbackInfo &info);
  Napi::Value SubmitHeaders(const Napi::CallbackInfo &info);
  Napi::Value SubmitData(const Napi::CallbackInfo &info);
  Napi::Value SubmitSettings(const Napi::CallbackInfo &info);
  Napi::Value PendingSendLength(const Napi::CallbackInfo &info);
  Napi::Value InCall(const Napi::CallbackInfo &info);
  Napi::Value InCtrlFrame(const Napi::CallbackInfo &info);

  // C callbacks.
  static ssize_t SendCb(spdylay_session *, const uint8_t *data, size_t length, int flags,
                        void *user_data);
  static ssize_t RecvCb(spdylay_session *, uint8_t *buf, size_t length, int flags,
                        void *user_data);
  static void CtrlRecvCb(spdylay_session *, spdylay_frame_type type, spdylay_frame *frame,
                         void *user_data);
  static void InvalidCtrlRecvCb(spdylay_session *, spdylay_frame_type type,
                                spdylay_frame *frame, uint32_t status_code, void *user_data);
  static void DataChunkRecvCb(spdylay_session *, uint8_t flags, int32_t stream_id,
                              const uint8_t *data, size_t len, void *user_data);
  static void DataRecvCb(spdylay_session *, uint8_t flags, int32_t stream_id, int32_t length,
                         void *user_data);
  static void BeforeCtrlSendCb(spdylay_session *, spdylay_frame_type type,
                               spdylay_frame *frame, void *user_data);
  static void CtrlSendCb(spdylay_session *, spdylay_frame_type type, spdylay_frame *frame,
                         void *user_data);
  static void CtrlNotSendCb(spdylay_session *, spdylay_frame_type type, spdylay_frame *frame,
                            int error_code, void *user_data);
  static void DataSendCb(spdylay_session *, uint8_t flags, int32_t stream_id, int32_t length,
                         void *user_data);
  static void StreamCloseCb(spdylay_session *, int32_t stream_id,
                            spdylay_status_code status_code, void *user_data);
  static void RequestRecvCb(spdylay_session *, int32_t stream_id, void *user_data);
  static void ParseErrorCb(spdylay_session *, spdylay_frame_type type, const uint8_t *head,
                           size_t headlen, const uint8_t *payload, size_t payloadlen,
                           int error_code, void *user_data);
  static void UnknownCtrlCb(spdylay_session *, const uint8_t *head, size_t headlen,
                            const uint8_t *payload, size_t payloadlen, void *user_data);
  static ssize_t ReadCb(spdylay_session *, int32_t stream_id, uint8_t *buf, size_t length,
                        int *eof, spdylay_data_source *source, void *user_data);
  static uint8_t *DataBufferCb(spdylay_session *, size_t length, void *user_data);

  // SendCb for a frame whose sent event JS receives, once its `length`
  // bytes are pending: hands the pending output to JS; `length` when all
  // of it was taken, else SPDYLAY_ERR_WOULDBLOCK or, when sendCb failed,
  // SPDYLAY_ERR_CALLBACK_FAILURE (the frame is held either way).
  ssize_t HandOver(size_t length);
  // SendCb when the library offers again the held frame (`length` bytes).
  ssize_t Reoffer(size_t length);

  // SlabHost: slabs from the dispatcher (kNewSlab), output to it (kSend).
  bool NewSlab(size_t size, void **data, size_t *actual, napi_value *ab) override;
  bool Deliver(napi_value slab, size_t off, size_t len, size_t *taken) override;

  // Calls the dispatcher; nullptr when the call failed (exception captured).
  napi_value CallJs(size_t argc, napi_value *argv);
  // What the dispatcher answered an event that asks for bytes (recv, read).
  enum class Answer { kCode, kNone, kBytes, kInvalid };
  // Dispatches the event `kind` (its record already written) and takes the
  // answer: a code (`*code`), nothing, or at most `length` bytes copied to
  // `buf` (`*n`); kInvalid also when the call failed.
  Answer Ask(Kind kind, uint8_t *buf, size_t length, int32_t *code, size_t *n);
  void CaptureException();
  // Sends the batched DATA events to JS (one call).
  void FlushBatch();
  // Appends a DATA event to the batch (EventRecord::PushData).
  void PushBatch(Kind kind, uint8_t flags, int32_t stream_id, int32_t a, int32_t b);
  // Fires a frame callback of `kind` (record + nv string or settings).
  // With `stash`, the event is kept (stash_nv_) for the next callback instead.
  void FrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame, int32_t extra,
                  bool stash = false);
  // Dispatches a stashed SYN_STREAM event on its own (before any other event).
  void FlushStash();
  // kFlagBatchRecv: whether receive events are queued now (recv(data)).
  bool Queueing() const { return batch_recv_ && input_ab_ && dispatch_ && !js_failed_; }
  // Room for a queued event of `words` words (the queue is sent first when
  // full); the event counts once Commit(words) is called.
  int32_t *QueueSpace(int words) {
    if (queue_words_ + words > kQueueWords) FlushQueue();
    return &rec_[kRecQueue + queue_words_];
  }
  void Commit(int words) { queue_words_ += words; }
  // Sends the queued receive events to JS (one kQueue call); the record's
  // frame slots are kept as they were.
  void FlushQueue();
  // Queues a received (or rejected) control frame; false when it cannot be
  // (EventRecord::QueueFrame): dispatch it with FrameEvent then.
  bool QueueFrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame, int32_t extra);
  // Fires an event of `kind` whose values are a frame's head and payload,
  // copied into Buffers (parse error, unknown control frame).
  void BytesEvent(Kind kind, const uint8_t *head, size_t headlen, const uint8_t *payload,
                  size_t payloadlen);
  // Starts a session call (send/recv); returns false when re-entrant.
  bool Enter(napi_value dispatch);
  // Ends a session call; rethrows a captured exception (returns false then).
  bool Leave();
  bool Has(Kind kind) const { return (mask_ >> kind) & 1u; }
  // The body of a submit: argument `token_idx` (JS provider token) or
  // `buf_idx` (Buffer served natively); see DataSources::Make.
  bool MakeProvider(const Napi::CallbackInfo &info, size_t token_idx, size_t buf_idx,
                    int32_t stream_id, spdylay_data_provider *prd,
                    DataSources::BufSource **bs) {
    return sources_.Make(info[token_idx], info[buf_idx], stream_id, ReadCb, prd, bs);
  }

  // Constructor flags (argument 4).
  // sendCb data is valid only during the call: the output slab is reused
  // from its start after each fully taken sendCb (SessionOptions.reuseSendBuffer).
  static constexpr uint32_t kFlagReuseSendBuffer = 1u << 0;
  // on_ctrl_send/on_data_send events reach JS only after the sendCb call
  // that took the last byte of their frame has returned (the python-style
  // callbacks' onCtrlSendCb/onDataSendCb).
  static constexpr uint32_t kFlagSentAfterSendCb = 1u << 1;
  // The receive events of recv(data) reach JS in one call (kQueue).
  static constexpr uint32_t kFlagBatchRecv = 1u << 2;
  // The names and values of the frames of frame events are interned
  // (InternTable): queued ones, and those dispatched one by one (kRecNvWords);
  // the reader's control frame handlers read a frame's list only through
  // the reader (valueThroughReader).
  static constexpr uint32_t kFlagInternNv = 1u << 3;

  spdylay_session *session_ = nullptr;
  napi_env env_ = nullptr;
  // The highest stream IDs opened so far by the peer (SYN_STREAMs received
  // and accepted) and by this side (SYN_STREAMs sent): an ID at or below
  // these that names no stream can never name one again (SPDY stream IDs
  // only grow), so a body submitted for it is never read (ClosedForGood).
  bool server_ = false;
  int32_t max_peer_sid_ = 0;
  int32_t max_own_sid_ = 0;
  bool ClosedForGood(int32_t stream_id);
  // What one session typically holds natively (the C session, its zlib
  // streams for header blocks, the send buffer: about 37 KiB resident per
  // session measured after a request and its response), reported to V8.
  static constexpr int64_t kReportedBytes = 40 * 1024;
  ExternalMemory external_;
  uint32_t mask_ = 0;
  EventRecord rec_;
  Napi::Reference<Napi::Value> rec_ref_;

  // While a send()/recv() runs.
  bool in_call_ = false;
  napi_value dispatch_ = nullptr;
  napi_value undefined_ = nullptr;
  napi_ref error_ref_ = nullptr;  // exception captured from a failed JS call
  bool js_failed_ = false;
  bool flush_failed_ = false;  // a sendCb answer was invalid (DataBufferCb)
  bool would_block_ = false;   // DataBufferCb's flush was partial: the next SendCb blocks
  // recv(data): the input's ArrayBuffer and its bytes.
  napi_value input_ab_ = nullptr;
  const uint8_t *input_base_ = nullptr;  // start of input_ab_'s bytes
  const uint8_t *input_begin_ = nullptr;
  const uint8_t *input_end_ = nullptr;

  SendBuffer out_{*this};
  // kFlagSentAfterSendCb: whether control frames (bit 0) and DATA frames
  // (bit 1) are handed to JS before their sent event.
  uint8_t hand_over_ = 0;
  // The frame the library believes unsent while its bytes are pending in
  // out_ (HandOver did not answer its length): its length, or 0.
  size_t held_ = 0;
  RecvSlab rslab_;
  DataSources sources_;

  // A received SYN_STREAM with FIN whose on_ctrl_recv event waits for the
  // on_request_recv that the library calls right after it.
  napi_value stash_nv_ = nullptr;
  int32_t stash_stream_ = 0;

  // kFlagBatchRecv: the receive events queued in the record, and the nv
  // strings of their frames.
  bool batch_recv_ = false;
  int32_t queue_words_ = 0;
  std::string queue_nv_;
  // kFlagInternNv: the table (about 10 KiB), made at the session's first
  // frame event.
  bool intern_on_ = false;
  std::unique_ptr<InternTable> intern_;
  InternTable *Intern() {
    if (intern_on_ && !intern_) intern_ = std::make_unique<InternTable>();
    return intern_.get();
  }

  NvArgs nv_;
};

}  // namespace spdylay_binding
