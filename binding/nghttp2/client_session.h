// Http2ClientSession: client-side HTTP/2 connection engine for urlfetch
// (wraps a client nghttp2_session driven with nghttp2_session_mem_recv /
// nghttp2_session_mem_send), in the style of server_session.h: one crossing per
// read chunk (recv) and per output flush (send); everything nghttp2 reports
// is packed into one event batch; request bodies are served natively (no JS
// call per DATA frame); errors are returned as nghttp2 codes, never thrown
// through C (no JS callback is ever called from nghttp2).
//
// Event batch layout (uint32 words; byte areas padded to 4; HEADERS, DATA
// and CLOSE as in engine.h, HEADERS with no words added):
//   HEADERS  1, stream_id, flags (bit 0: END_STREAM), nfields, nbytes,
//            nfields x (name length, value length), then nbytes of names and
//            values back to back.
//   DATA     2, stream_id, length, then length bytes.
//   CLOSE    4, stream_id, error_code
//   FRAME    6, direction (0 sent, 1 received), type, flags, stream_id,
//            length, a, b   (only when tracing; a/b: GOAWAY last_stream_id
//            and error_code, RST_STREAM error_code, WINDOW_UPDATE increment,
//            SETTINGS number of entries, PING ACK flag in flags)
//   GOAWAY   7, last_stream_id, error_code   (received)
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include "../util/common.h"
#include "engine.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace spdylay_binding {

class Http2ClientSession : public Napi::ObjectWrap<Http2ClientSession>, public Nghttp2Engine {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Http2ClientSession(const Napi::CallbackInfo &info);
  ~Http2ClientSession() override;

  // (kEvHeaders, kEvData and kEvClose: Nghttp2Engine.)
  enum EventType : uint32_t {
    kEvFrame = 6,
    kEvGoaway = 7,
  };
  // Slots of the shared Int32Array `state`.
  enum StateSlot {
    kStateWant = 0,    // bit 0 want_read, bit 1 want_write
    kStateEvents = 1,  // bytes of events pending (takeEvents)
    kStateCount = 2,
  };

  // Http2ClientSession.layout: event kinds and state slots, for lib/spdylay/client/h2.ts.
  static Napi::Object Layout(Napi::Env env);

  struct Body {
    std::string data;
    size_t pos = 0;
  };

 private:
  Napi::Value Recv(const Napi::CallbackInfo &info);
  Napi::Value Send(const Napi::CallbackInfo &info);
  Napi::Value SubmitRequest(const Napi::CallbackInfo &info);

  // Nghttp2Engine hooks.
  bool HeaderBlockBegins(const nghttp2_frame *frame) override;
  int HeaderField(const nghttp2_frame *frame, const uint8_t *name, size_t namelen, const uint8_t *value,
                  size_t valuelen) override;
  void FrameReceived(const nghttp2_frame *frame) override;
  void StreamClosed(int32_t stream_id) override { bodies_.erase(stream_id); }
  void ReleaseBodies() override { bodies_.clear(); }
  void UpdateState() override;
  Napi::Value Destroyed(Napi::Env env) override;

  static int OnFrameSend(nghttp2_session *session, const nghttp2_frame *frame, void *user_data);
  static ssize_t ReadBody(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                          uint32_t *data_flags, nghttp2_data_source *source, void *user_data);

  void PushFrame(uint32_t dir, const nghttp2_frame *frame);

  bool trace_ = false;
  std::unordered_map<int32_t, std::unique_ptr<Body>> bodies_;
  std::string scratch_;
};

}  // namespace spdylay_binding
