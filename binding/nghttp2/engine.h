// Nghttp2Engine: what the server and client nghttp2 session wrappers share:
// the nghttp2_session driven with nghttp2_session_mem_recv/mem_send, the
// shared state array JS reads, the event batch, the output buffer, the
// header block being received, the nghttp2 callbacks both register, and the
// JS methods whose work is the same on either side (takeEvents,
// submitRstStream, submitGoaway, destroy).
//
// The callbacks are registered once here (NewCallbacks) and call the
// wrapper's hooks (HeaderBlockBegins, HeaderField, FrameReceived,
// StreamClosed); the nghttp2 user_data of every session is its engine
// (UserData()), so a wrapper's own callbacks reach it with Self<T>().
// Each wrapper deletes its session in its own destructor (its nghttp2
// callbacks may use its members).
//
// Event records both sessions' batches hold (uint32 words; byte areas
// padded to 4):
//   HEADERS  1, stream_id, flags (bit 0: END_STREAM), nfields, nbytes,
//            [words the wrapper adds,] nfields x (name length, value
//            length), then nbytes of names and values back to back.
//   DATA     2, stream_id, length, then length bytes.
//   CLOSE    4, stream_id, error_code
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "../util/event_batch.h"

namespace spdylay_binding {

class Nghttp2Engine {
 public:
  virtual ~Nghttp2Engine() = default;

  // Event record types both batches share (first word of a record).
  enum CommonEventType : uint32_t {
    kEvHeaders = 1,
    kEvData = 2,
    kEvClose = 4,
  };

  // takeEvents(): the events accumulated since the last recv/takeEvents
  // (those produced while sending: stream closes), or undefined.
  Napi::Value TakeEvents(const Napi::CallbackInfo &info);
  // submitRstStream(streamId, errorCode): nghttp2_submit_rst_stream; 0 or a
  // negative nghttp2 error code.
  Napi::Value SubmitRstStream(const Napi::CallbackInfo &info);
  // submitGoaway(errorCode): graceful GOAWAY with the last processed stream
  // ID (nghttp2_submit_goaway); open streams complete, then the session
  // wants neither read nor write. 0 or a negative nghttp2 error code.
  Napi::Value SubmitGoaway(const Napi::CallbackInfo &info);
  // destroy(): frees the session, the bodies it holds and its pending
  // events. Idempotent.
  Napi::Value Destroy(const Napi::CallbackInfo &info);

 protected:
  // The engine a session's nghttp2 user_data points to, as the wrapper T.
  template <typename T>
  static T *Self(void *user_data) {
    return static_cast<T *>(static_cast<Nghttp2Engine *>(user_data));
  }
  // The user_data to create the session with.
  void *UserData() { return static_cast<Nghttp2Engine *>(this); }
  // A callbacks object with the engine's callbacks set (begin headers,
  // header, frame recv, data chunk recv, stream close); the caller adds its
  // own and deletes it. Throws Napi::Error when nghttp2 cannot allocate it.
  static nghttp2_session_callbacks *NewCallbacks(Napi::Env env);

  // Hooks of the registered callbacks.
  // on_begin_headers: true to collect this header block (BeginHeaderBlock
  // follows); false ends any block being collected.
  virtual bool HeaderBlockBegins(const nghttp2_frame *frame) = 0;
  // on_header, for a field of the block being collected; returns 0 or
  // NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE (stream reset).
  virtual int HeaderField(const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                          const uint8_t *value, size_t valuelen) = 0;
  // on_frame_recv.
  virtual void FrameReceived(const nghttp2_frame *frame) = 0;
  // on_stream_close, before its CLOSE record: release the stream's body.
  virtual void StreamClosed(int32_t stream_id) = 0;
  // destroy(): release every body (the session is already deleted).
  virtual void ReleaseBodies() = 0;
  // Refreshes the shared state array JS reads.
  virtual void UpdateState() = 0;
  // What a method of a destroyed session returns, or throws.
  virtual Napi::Value Destroyed(Napi::Env env) = 0;

  // Keeps `state` (the shared Int32Array) as state_. Throws a TypeError
  // when it is not an Int32Array of at least `count` elements.
  void AttachState(const Napi::Value &state, size_t count);
  // A JS object of named numbers, for the classes' exported layouts.
  static Napi::Object NumberTable(Napi::Env env,
                                  std::initializer_list<std::pair<const char *, uint32_t>> entries);
  // want_read (bit 0) and want_write (bit 1) of the session; 0 without one.
  int32_t WantBits() const;
  // Pulls frames with nghttp2_session_mem_send into out_ (cleared first)
  // until nothing is pending or at least max_bytes were produced. Returns 0
  // or the negative nghttp2 error that stopped it.
  ssize_t PullOutput(size_t max_bytes);
  // send()'s result: the negative `err` when nothing was produced, else out_
  // copied to a Buffer, or undefined when it is empty.
  Napi::Value OutputValue(Napi::Env env, ssize_t err) const;
  // The pending events as an ArrayBuffer (undefined when none), then the
  // event buffer trimmed to events_keep_ and the state refreshed.
  Napi::Value TakeEventBatch(Napi::Env env);
  // Starts collecting the header block of `stream_id`.
  void BeginHeaderBlock(int32_t stream_id);
  // Appends a field's name and value to hdr_bytes_ and their lengths to hdr_lens_.
  void AppendHeaderField(const uint8_t *name, size_t namelen, const uint8_t *value, size_t valuelen);
  // Pushes the HEADERS record (or a record of the same layout with type
  // `type`) of the block collected for `frame`, with the `nextra` words of
  // `extra` after its byte count, then EndHeaderBlock().
  void CommitHeaderBlock(const nghttp2_frame *frame, const uint32_t *extra, size_t nextra,
                         uint32_t type = kEvHeaders);
  // Stops collecting: drops the fields collected and any large capacity.
  void EndHeaderBlock();
  // Splits `count` fields "name\0value\0name\0value" (no NUL after the
  // last value) of [p, p + len) into nva_, after `reserve` leading slots
  // (left for the caller). False when the bytes hold another number of
  // fields.
  bool ParseFields(const uint8_t *p, size_t len, size_t count, size_t reserve);

  nghttp2_session *session_ = nullptr;
  // The shared Int32Array (kept alive by state_ref_).
  Napi::Reference<Napi::Value> state_ref_;
  int32_t *state_ = nullptr;
  EventBatch events_;
  // Capacity an empty event buffer keeps after a batch was taken.
  size_t events_keep_ = SIZE_MAX;
  std::vector<uint8_t> out_;
  // Header block being received (committed to events_ on frame recv).
  int32_t hdr_stream_id_ = 0;
  std::vector<uint32_t> hdr_lens_;
  std::vector<uint8_t> hdr_bytes_;
  // Fields of the frame being submitted (ParseFields).
  std::vector<nghttp2_nv> nva_;

 private:
  static int OnBeginHeaders(nghttp2_session *session, const nghttp2_frame *frame, void *user_data);
  static int OnHeader(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                      size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                      void *user_data);
  static int OnFrameRecv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data);
  static int OnDataChunkRecv(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                             const uint8_t *data, size_t len, void *user_data);
  static int OnStreamClose(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *user_data);
};

}  // namespace spdylay_binding
