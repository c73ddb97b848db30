// Http2Session: server-side HTTP/2 connection engine (wraps a server
// nghttp2_session driven with nghttp2_session_mem_recv/mem_send).
//
// Crossing discipline: one call per socket read chunk (recv), one per output
// flush (send). Everything nghttp2 reports while processing a chunk is packed
// into one event batch (an ArrayBuffer of 32-bit words, layout below) that the
// JS side dispatches to request handlers. Response bodies (ResponseBodies,
// response_bodies.h) given as bytes are served without calling JS; only
// generator/stream bodies call back into JS (one call per DATA frame).
//
// Event batch layout (uint32 words; byte areas padded to 4; HEADERS, DATA
// and CLOSE as in engine.h):
//   HEADERS    1, stream_id, flags (bit 0: END_STREAM), nfields, nbytes,
//              5 x (offset, length) of :method :scheme :path :authority host
//              (length 0xffffffff: absent; offsets relative to the byte area),
//              nfields x (name length, value length), then nbytes of names
//              and values back to back.
//   DATA       2, stream_id, length, then length bytes.
//   END_STREAM 3, stream_id            (END_STREAM on DATA or trailer HEADERS)
//   CLOSE      4, stream_id, error_code
//   SETTINGS_ACK 5, 0
//   LIMIT_RESET  6, stream_id, limit  (the stream was reset for a limit:
//              RST_STREAM ENHANCE_YOUR_CALM; limit is a Limit value)
//   X_FORWARDED_FOR 8, 0, length, then length bytes (the host of an
//              X_FORWARDED_FOR extension frame, type 0xde, at most 1 KiB).
//   TRAILERS   7, then as HEADERS: the request's trailer fields (a HEADERS
//              frame after the request HEADERS; its END_STREAM follows as
//              an END_STREAM record). The pseudo-header slots are absent.
//
// Limits (binding side of lib/limits.ts): maxHeaderListSize is checked in
// OnHeader as fields arrive; the frame-level flood limits (empty DATA,
// repeated SETTINGS, client RST_STREAMs, CONTINUATIONs per header block) are
// checked by a FrameHeadScanner (frame_scanner.h) over each received chunk
// before nghttp2 sees it: the bytes before the offending frame are
// processed, the frame and everything after it are not, recv() returns
// kErrLimit and the limit is in state[kStateLimit]. The same scanner tracks
// whether the connection is inside an incomplete header block
// (state[kStateMidHeaders]). nghttp2's own allocations are counted by a
// CountingMem (counting_mem.h) and reported in state[kStateMemory].
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include "../util/bound_methods.h"
#include "../util/common.h"
#include "counting_mem.h"
#include "engine.h"
#include "frame_scanner.h"
#include "response_bodies.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace spdylay_binding {

class Http2Session : public Napi::ObjectWrap<Http2Session>, public Nghttp2Engine {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Http2Session(const Napi::CallbackInfo &info);
  ~Http2Session() override;

  // Event record types (first word of each record).
  // (kEvHeaders, kEvData and kEvClose: Nghttp2Engine.)
  enum EventType : uint32_t {
    kEvEndStream = 3,
    kEvSettingsAck = 5,
    kEvLimitReset = 6,
    kEvTrailers = 7,
    kEvXForwardedFor = 8,
  };
  // Frame type of the `spdy` package's X_FORWARDED_FOR extension (payload:
  // the client's host), and the most of it kept.
  static constexpr uint8_t kXForwardedForType = 0xde;
  static constexpr size_t kXForwardedForMax = 1024;
  // Limits, as reported in state[kStateLimit] and LIMIT_RESET records.
  enum Limit {
    kLimitNone = 0,
    kLimitHeaderList = 1,     // maxHeaderListSize (stream reset)
    kLimitOutboundAck = 2,    // maxOutboundAck (nghttp2's NGHTTP2_ERR_FLOODED)
    kLimitEmptyFrames = 3,    // maxEmptyFrames
    kLimitStreamResets = 4,   // streamResetBurst/streamResetRate
    kLimitContinuations = 5,  // maxContinuations
  };
  // Slots of the shared Int32Array `state`.
  enum StateSlot {
    kStateReadFlag = 0,   // written by JS read callback: 0 OK, 1 EOF, 2 DEFERRED, 3 ERROR
    kStateWant = 1,       // written natively: bit 0 want_read, bit 1 want_write
    kStateEvents = 2,     // written natively: bytes of events pending (takeEvents)
    kStateMemory = 3,     // written natively: bytes this session holds natively (clamped to 2^31-1)
    kStateLimit = 4,      // written natively: the Limit that stopped the session (0: none)
    kStateMidHeaders = 5, // written natively: 1 while inside an incomplete header block
    kStateCount = 6,
  };
  // recv() result when a frame broke a flood limit (state[kStateLimit] says
  // which). Not an nghttp2 code (those are all >= -999).
  static constexpr int kErrLimit = -30010;
  // (Body kinds and read flags: ResponseBodies.)
  // Word offsets inside an event record (from its type word).
  enum RecordSlot {
    kRecStreamId = 1,
    kRecValue = 2,         // DATA length, CLOSE error code, LIMIT_RESET limit
    kRecDataBytes = 3,     // DATA payload
    kRecHeadersFlags = 2,
    kRecFieldCount = 3,
    kRecByteCount = 4,
    kRecMethod = 5,        // (offset, length) pairs of the pseudo-headers and host
    kRecScheme = 7,
    kRecPath = 9,
    kRecAuthority = 11,
    kRecHost = 13,
    kRecFieldLengths = 15, // nfields x (name length, value length)
  };
  // Length of a pseudo-header or host that is absent.
  static constexpr uint32_t kAbsent = 0xffffffffu;
  // Http2Session.layout: the values above, for lib/nghttp2/events.ts.
  static Napi::Object Layout(Napi::Env env);

 private:
  Napi::Value Recv(const Napi::CallbackInfo &info);
  Napi::Value Send(const Napi::CallbackInfo &info);
  Napi::Value SubmitResponse(const Napi::CallbackInfo &info);
  Napi::Value SubmitPushPromise(const Napi::CallbackInfo &info);
  Napi::Value SubmitTrailers(const Napi::CallbackInfo &info);
  Napi::Value SubmitInfo(const Napi::CallbackInfo &info);
  Napi::Value ResumeData(const Napi::CallbackInfo &info);
  Napi::Value Consume(const Napi::CallbackInfo &info);
  Napi::Value Terminate(const Napi::CallbackInfo &info);

  // Nghttp2Engine hooks.
  bool HeaderBlockBegins(const nghttp2_frame *frame) override;
  int HeaderField(const nghttp2_frame *frame, const uint8_t *name, size_t namelen, const uint8_t *value,
                  size_t valuelen) override;
  void FrameReceived(const nghttp2_frame *frame) override;
  void StreamClosed(int32_t stream_id) override { bodies_.Drop(stream_id); }
  void ReleaseBodies() override;
  void UpdateState() override;
  Napi::Value Destroyed(Napi::Env env) override;

  static int OnExtensionChunk(nghttp2_session *session, const nghttp2_frame_hd *hd, const uint8_t *data,
                              size_t len, void *user_data);
  static int UnpackExtension(nghttp2_session *session, void **payload, const nghttp2_frame_hd *hd,
                             void *user_data);
  static int OnFrameNotSend(nghttp2_session *session, const nghttp2_frame *frame, int lib_error_code,
                            void *user_data);
  static ssize_t ReadLength(nghttp2_session *session, uint8_t frame_type, int32_t stream_id,
                            int32_t session_window, int32_t stream_window, uint32_t max_frame_size,
                            void *user_data);
  static int SendData(nghttp2_session *session, nghttp2_frame *frame, const uint8_t *framehd,
                      size_t length, nghttp2_data_source *source, void *user_data);

  // Puts recv, send, takeEvents, submitResponse and consume on the wrapper
  // `self` as own functions (BindMethods): the calls made per socket read,
  // per flush and per response find the session without napi_unwrap.
  void BindHotMethods(Napi::Object self);
  BoundCell<Http2Session> *cell_ = nullptr;

  // Parses "name\0value\0name\0value" (string or bytes) into nva_ after
  // `reserve` leading slots. Throws TypeError when the field count differs.
  void ParseHeaders(const Napi::Value &value, size_t count, size_t reserve);
  // Sets nva_[0] to ":status" with the decimal digits of `status`.
  void SetStatusField(int32_t status);
  size_t NativeBytes() const;
  void CheckSession(Napi::Env env);

  // (offset, length) of :method :scheme :path :authority host in the header
  // block being received.
  uint32_t hdr_pseudo_[10];
  // The block being received is a trailer block (HCAT_HEADERS of a request).
  bool hdr_trailers_ = false;

  // Response bodies being served.
  ResponseBodies bodies_;

  // nghttp2's allocations, counted per session.
  CountingMem mem_;
  // Budget of the Send() call in progress: SendData stops past it.
  size_t send_budget_ = 0;

  // Limits (lib/limits.ts).
  uint32_t max_header_list_ = 65536;
  size_t hdr_list_size_ = 0;
  int limit_ = kLimitNone;
  // Frame-level flood limits and header-block tracking of the input.
  FrameHeadScanner scanner_;

  std::string hdr_scratch_;
  // Payload of the X_FORWARDED_FOR frame being received.
  std::string xff_;
  char status_buf_[16];
};

}  // namespace spdylay_binding
