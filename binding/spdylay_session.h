// SpdylaySession: a spdylay_session (deps/spdylay) wrapped for lib/spdylay.
//
// Design (see lib/spdylay/session.ts for the JS half):
//
// * The native object holds no reference to any JS function or user object,
//   so a Session never roots itself and is collected like any JS object.
//   send()/recv() receive the JS dispatcher as their first argument and the
//   C callbacks reach JS only through it, only while that call runs (the C
//   library calls back only from spdylay_session_send/recv/mem_recv).
// * Every C callback becomes one JS call: `dispatch(kind, ...)` with numbers
//   and at most one string/ArrayBuffer. A control frame's fixed fields are
//   written into a shared Int32Array (the "record", layout kRec* below) and
//   its name/value list travels as ONE string, names and values joined with
//   NUL (C nv strings cannot contain NUL); JS builds the frame object.
//   Callbacks the user did not set (bit mask given at construction) are not
//   dispatched at all, except the ones the JS half needs for bookkeeping.
// * Outgoing bytes are coalesced: send_callback copies each frame into a
//   JS-visible ArrayBuffer slab and the JS sendCb gets one view of many
//   frames (at the end of send(), or when kFlushThreshold bytes are
//   pending). Bytes the JS sendCb did not take stay pending and go first on
//   the next send(); want_write() reports them. Slabs are never rewritten
//   (views stay valid) unless the session was made with
//   kFlagReuseSendBuffer: then sendCb data is valid only during the call,
//   and once a sendCb has taken all it was given the slab is written again
//   from its start (hot memory: bulk DATA about 1.5x as fast, see
//   bench/spdy-session). Slabs come
//   from JS (Buffer.allocUnsafeSlow: no zero fill), 16 KiB at first,
//   doubling up to kOutSlabMax.
// * Received DATA chunks are handed to JS as views: of the caller's own
//   input buffer for recv(data), of a receive slab (one copy) otherwise.
// * Bodies of BufferDataProvider are served natively (ReadBufCb), without
//   a JS call per DATA frame; the Buffer is referenced until EOF, stream
//   close or session destruction.
// * DATA events of recv(data) (on_data_chunk_recv for chunks in the
//   caller's input, on_data_recv) are batched in the record and reach JS in
//   one call, before any other callback and at the end of recv(): one
//   crossing for many DATA frames, in order with every other callback.
// * A received SYN_STREAM with FIN and the on_request_recv that the library
//   calls right after it (nothing happens in between) reach JS in one call.
// * A JS callback never throws through C: the JS dispatcher catches and
//   returns C codes; if a call into JS still fails (termination, a bug in
//   the dispatcher), the exception is captured here, the C failure code is
//   returned, and the exception is rethrown when send()/recv() returns.
#pragma once

#include <napi.h>
#include <spdylay/spdylay.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace spdylay_binding {

class SpdylaySession : public Napi::ObjectWrap<SpdylaySession> {
 public:
  static Napi::Function Init(Napi::Env env);
  // Module-level helpers: spdylayStrerror, spdylayNpnProtocols, spdylayNpnGetVersion.
  static Napi::Object Helpers(Napi::Env env);

  // new SpdylaySession(side, version, callbackMask, record: Int32Array)
  explicit SpdylaySession(const Napi::CallbackInfo &info);
  ~SpdylaySession() override;

  // Dispatch kinds (first argument of the JS dispatcher); keep in sync with
  // lib/spdylay/session.ts.
  enum Kind : int32_t {
    // Integer arguments travel in the record (kRecA..kRecD), not as JS
    // values: `dispatch(kind[, value])`.
    kSend = 0,             // (slab) A=offset B=length -> bytes taken | code
    kRecv = 1,             // () A=length -> Uint8Array | null | code
    kRead = 2,             // () A=token B=streamId C=length -> Uint8Array | null | code; eof in rec
    kCtrlRecv = 3,         // (nv) frame in record
    kInvalidCtrlRecv = 4,  // (nv) frame in record, status in kRecExtra
    kBeforeCtrlSend = 5,   // (nv)
    kCtrlSend = 6,         // (nv)
    kCtrlNotSend = 7,      // (nv) error code in kRecExtra
    kDataChunkRecv = 8,    // (arraybuffer) A=flags B=streamId C=offset D=length
    kDataRecv = 9,         // () A=flags B=streamId C=length
    kDataSend = 10,        // () A=flags B=streamId C=length
    kStreamClose = 11,     // () A=streamId B=statusCode C=userToken
    kRequestRecv = 12,     // () A=streamId
    kParseError = 13,      // ([type, head, payload, errorCode])
    kUnknownCtrl = 14,     // ([head, payload])
    kNewSlab = 15,         // () A=size -> ArrayBuffer of at least A bytes (not zeroed)
    kCtrlRecvRequestRecv = 16,  // (nv) SYN_STREAM+FIN in record, then A=streamId's request
    kDataBatch = 17,  // (arraybuffer, n) n DATA events in the record from kRecBatch
  };
  // Record layout (Int32Array indexes).
  enum Rec : int {
    kRecType = 0,
    kRecVersion = 1,
    kRecFlags = 2,
    kRecLength = 3,
    kRecStreamId = 4,  // also GOAWAY last_good_stream_id
    kRecAssoc = 5,
    kRecPri = 6,
    kRecSlot = 7,
    kRecStatus = 8,  // RST_STREAM / GOAWAY status code (uint32)
    kRecUniqueId = 9,
    kRecDelta = 10,
    kRecNvCount = 11,  // pairs in the nv string, -1 for NULL nv
    kRecExtra = 12,    // status (invalid ctrl recv) or error code (ctrl not send)
    kRecEof = 13,      // written by JS in kRead
    kRecA = 16,        // integer arguments of a dispatch
    kRecB = 17,
    kRecC = 18,
    kRecD = 19,
    // kDataBatch events, 4 ints each: (kind << 8 | flags), streamId, then
    // offset and length (kDataChunkRecv) or length (kDataRecv).
    kRecBatch = 24,
    kRecSize = kRecBatch + 4 * 64,
  };
  // Codes private to the glue (outside spdylay's -999..-500).
  static constexpr int kErrReentrant = -30010;  // send()/recv() from inside a callback
  static constexpr int kErrNvNul = -30011;      // a name or value contains NUL

 private:
  // Methods exposed to JS.
  Napi::Value Send(const Napi::CallbackInfo &info);
  Napi::Value Recv(const Napi::CallbackInfo &info);
  Napi::Value ResumeData(const Napi::CallbackInfo &info);
  Napi::Value WantRead(const Napi::CallbackInfo &info);
  Napi::Value WantWrite(const Napi::CallbackInfo &info);
  Napi::Value GetStreamUserData(const Napi::CallbackInfo &info);
  Napi::Value GetOutboundQueueSize(const Napi::CallbackInfo &info);
  Napi::Value GetPriLowest(const Napi::CallbackInfo &info);
  Napi::Value FailSession(const Napi::CallbackInfo &info);
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
  Napi::Value SubmitRstStream(const Napi::CallbackInfo &info);
  Napi::Value SubmitPing(const Napi::CallbackInfo &info);
  Napi::Value SubmitGoaway(const Napi::CallbackInfo &info);
  Napi::Value SubmitSettings(const Napi::CallbackInfo &info);
  Napi::Value SubmitWindowUpdate(const Napi::CallbackInfo &info);
  Napi::Value PendingSendLength(const Napi::CallbackInfo &info);
  Napi::Value InCall(const Napi::CallbackInfo &info);
  Napi::Value GetLimitExceeded(const Napi::CallbackInfo &info);
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
  // Sends the batched DATA events to JS (one call); see DataChunkRecvCb.
  void FlushBatch();
  // Appends a DATA event to the batch: `a`, `b` = offset, length
  // (kDataChunkRecv) or length, 0 (kDataRecv).
  void PushBatch(Kind kind, uint8_t flags, int32_t stream_id, int32_t a, int32_t b);
  static uint8_t *DataBufferCb(spdylay_session *, size_t length, void *user_data);
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
  // Bodies served from a JS Buffer without calling into JS (BufferDataProvider).
  struct BufSource {
    napi_ref ref;
    const uint8_t *data;
    size_t len;
    size_t pos;
    int32_t stream_id;  // 0 until known
    BufSource *prev;
    BufSource *next;
  };
  static ssize_t ReadBufCb(spdylay_session *, int32_t stream_id, uint8_t *buf, size_t length,
                           int *eof, spdylay_data_source *source, void *user_data);
  // A provider for argument `idx`: a Buffer (native source) or the JS token.
  // Returns false (and throws) on a bad argument.
  bool MakeProvider(const Napi::CallbackInfo &info, size_t token_idx, size_t buf_idx,
                    int32_t stream_id, spdylay_data_provider *prd, BufSource **bs);
  void ReleaseBuf(BufSource *bs);

  // Calls the dispatcher; nullptr when the call failed (exception captured).
  napi_value CallJs(size_t argc, napi_value *argv);
  void CaptureException();
  // Fires a frame callback of `kind` (record + nv string [+ iv buffer]).
  // With `stash`, the event is kept (stash_nv_) for the next callback instead.
  void FrameEvent(Kind kind, spdylay_frame_type type, spdylay_frame *frame, int32_t extra,
                  bool stash = false);
  // Dispatches a stashed SYN_STREAM event on its own (before any other event).
  void FlushStash();
  // Hands pending output to JS. Returns 0 or SPDYLAY_ERR_CALLBACK_FAILURE.
  int Flush();
  // Makes room for `len` more bytes in the output slab (pending must be 0
  // when a new slab is needed).
  bool EnsureOutSlab(size_t len);
  // Makes room for a frame of `length` bytes: flushes first when the
  // pending output would pass kFlushThreshold or the slab is full. Returns
  // 0, SPDYLAY_ERR_WOULDBLOCK (sendCb took only part) or
  // SPDYLAY_ERR_CALLBACK_FAILURE.
  int MakeRoom(size_t length);
  bool NewSlab(size_t size, void **data, size_t *actual, napi_value *ab);
  // Copies into the receive slab; returns the slab and the offset.
  bool CopyToRecvSlab(const uint8_t *data, size_t len, napi_value *ab, size_t *off);
  // Splits a NUL-joined nv string (argument `idx`, `count` pairs) into
  // nv_ptrs_. Returns 0, kErrNvNul or SPDYLAY_ERR_INVALID_ARGUMENT.
  int ParseNv(const Napi::CallbackInfo &info, size_t idx, size_t count);
  // Starts/ends a session call (send/recv); returns false when re-entrant.
  bool Enter(napi_value dispatch);
  // Ends a session call; rethrows a captured exception (returns false then).
  bool Leave();
  bool Has(Kind kind) const { return (mask_ >> kind) & 1u; }

  // Constructor flags (argument 4).
  // sendCb data is valid only during the call: the output slab is reused
  // from its start after each fully taken sendCb (SessionOptions.reuseSendBuffer).
  static constexpr uint32_t kFlagReuseSendBuffer = 1u << 0;

  static constexpr size_t kFlushThreshold = 72 * 1024;
  // Output slabs start small (idle sessions stay cheap) and double up to
  // kOutSlabMax while the session keeps producing output.
  static constexpr size_t kOutSlabMin = 16 * 1024;
  static constexpr size_t kOutSlabMax = 256 * 1024;
  static constexpr size_t kRecvSlabSize = 64 * 1024;

  spdylay_session *session_ = nullptr;
  napi_env env_ = nullptr;
  uint32_t mask_ = 0;
  int32_t *rec_ = nullptr;
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

  // Output slab.
  napi_ref out_ref_ = nullptr;
  uint8_t *out_data_ = nullptr;
  size_t out_size_ = 0;
  size_t out_next_size_ = kOutSlabMin;
  size_t pending_off_ = 0;
  size_t pending_len_ = 0;
  bool blocked_ = false;
  bool reuse_send_buffer_ = false;
  // DATA events waiting in the record (kRecBatch).
  int32_t batch_n_ = 0;
  static constexpr int32_t kBatchMax = (kRecSize - kRecBatch) / 4;

  // Receive slab (DATA chunks that are not in the caller's input buffer).
  napi_ref rslab_ref_ = nullptr;
  uint8_t *rslab_data_ = nullptr;
  size_t rslab_size_ = 0;
  size_t rslab_off_ = 0;

  // Native buffer sources not finished yet (freed at EOF, stream close, or here).
  BufSource *bufs_ = nullptr;
  // Streams whose JS data provider has not reached EOF: their close must
  // reach JS (which then releases the provider).
  std::unordered_set<int32_t> js_provider_streams_;

  // A received SYN_STREAM with FIN whose on_ctrl_recv event waits for the
  // on_request_recv that the library calls right after it.
  napi_value stash_nv_ = nullptr;
  int32_t stash_stream_ = 0;

  std::string scratch_;
  std::vector<const char *> nv_ptrs_;
  std::string nvjoin_;
};

}  // namespace spdylay_binding
