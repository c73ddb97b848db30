// Http2Session: server-side HTTP/2 connection engine (wraps a server
// nghttp2_session driven with nghttp2_session_mem_recv/mem_send).
//
// Crossing discipline: one call per socket read chunk (recv), one per output
// flush (send). Everything nghttp2 reports while processing a chunk is packed
// into one event batch (an ArrayBuffer of 32-bit words, layout below) that the
// JS side dispatches to request handlers. Response bodies given as bytes are
// served by a native data provider without calling JS; only generator/stream
// bodies call back into JS (one call per DATA frame).
//
// Event batch layout (uint32 words; byte areas padded to 4):
//   HEADERS    1, stream_id, flags (bit 0: END_STREAM), nfields, nbytes,
//              5 x (offset, length) of :method :scheme :path :authority host
//              (length 0xffffffff: absent; offsets relative to the byte area),
//              nfields x (name length, value length), then nbytes of names
//              and values back to back.
//   DATA       2, stream_id, length, then length bytes.
//   END_STREAM 3, stream_id            (END_STREAM on DATA or trailer HEADERS)
//   CLOSE      4, stream_id, error_code
//   SETTINGS_ACK 5, 0
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include "common.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace spdylay_binding {

class Http2Session : public Napi::ObjectWrap<Http2Session> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Http2Session(const Napi::CallbackInfo &info);
  ~Http2Session() override;

  // Event record types (first word of each record).
  enum EventType : uint32_t {
    kEvHeaders = 1,
    kEvData = 2,
    kEvEndStream = 3,
    kEvClose = 4,
    kEvSettingsAck = 5,
  };
  // Slots of the shared Int32Array `state`.
  enum StateSlot {
    kStateReadFlag = 0,   // written by JS read callback: 0 OK, 1 EOF, 2 DEFERRED, 3 ERROR
    kStateWant = 1,       // written natively: bit 0 want_read, bit 1 want_write
    kStateEvents = 2,     // written natively: bytes of events pending (takeEvents)
    kStateCount = 3,
  };
  enum BodyKind { kBodyNone = 0, kBodyBytes = 1, kBodyJs = 2 };

  struct BodySource {
    int kind = kBodyNone;
    // kBodyBytes: [data, data + length), either owned or a referenced Buffer.
    std::string owned;
    Napi::Reference<Napi::Value> ref;
    const uint8_t *data = nullptr;
    size_t length = 0;
    size_t pos = 0;
    // kBodyJs: remainder of a chunk longer than nghttp2 asked for.
    std::string pending;
    size_t pending_pos = 0;
    bool eof_after_pending = false;
  };

 private:
  Napi::Value Recv(const Napi::CallbackInfo &info);
  Napi::Value Send(const Napi::CallbackInfo &info);
  Napi::Value TakeEvents(const Napi::CallbackInfo &info);
  Napi::Value SubmitResponse(const Napi::CallbackInfo &info);
  Napi::Value SubmitPushPromise(const Napi::CallbackInfo &info);
  Napi::Value ResumeData(const Napi::CallbackInfo &info);
  Napi::Value Consume(const Napi::CallbackInfo &info);
  Napi::Value SubmitRstStream(const Napi::CallbackInfo &info);
  Napi::Value SubmitGoaway(const Napi::CallbackInfo &info);
  Napi::Value Terminate(const Napi::CallbackInfo &info);
  Napi::Value Destroy(const Napi::CallbackInfo &info);

  static int OnBeginHeaders(nghttp2_session *session, const nghttp2_frame *frame, void *user_data);
  static int OnHeader(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                      size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                      void *user_data);
  static int OnFrameRecv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data);
  static int OnDataChunkRecv(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                             const uint8_t *data, size_t len, void *user_data);
  static int OnStreamClose(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user_data);
  static int OnFrameNotSend(nghttp2_session *session, const nghttp2_frame *frame, int lib_error_code,
                            void *user_data);
  static ssize_t ReadBody(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                          uint32_t *data_flags, nghttp2_data_source *source, void *user_data);
  static int SendData(nghttp2_session *session, nghttp2_frame *frame, const uint8_t *framehd,
                      size_t length, nghttp2_data_source *source, void *user_data);

  ssize_t ReadJsBody(int32_t stream_id, BodySource *src, uint8_t *buf, size_t length,
                     uint32_t *data_flags);
  // Parses "name\0value\0name\0value" (string or bytes) into nva_ after
  // `reserve` leading slots. Throws TypeError when the field count differs.
  void ParseHeaders(const Napi::Value &value, size_t count, size_t reserve);
  void UpdateState();
  void CheckSession(Napi::Env env);

  nghttp2_session *session_ = nullptr;
  Napi::FunctionReference read_fn_;
  Napi::Reference<Napi::Value> state_ref_;
  int32_t *state_ = nullptr;
  Napi::Reference<Napi::Value> pending_error_;
  bool has_pending_error_ = false;

  EventBatch events_;
  std::vector<uint8_t> out_;

  // Header block being received (committed to events_ on frame recv).
  int32_t hdr_stream_id_ = 0;
  std::vector<uint32_t> hdr_lens_;
  std::vector<uint8_t> hdr_bytes_;
  uint32_t hdr_pseudo_[10];

  std::unordered_map<int32_t, std::unique_ptr<BodySource>> sources_;
  std::vector<nghttp2_nv> nva_;
  std::string hdr_scratch_;
  char status_buf_[16];
};

}  // namespace spdylay_binding
