// ResponseBodies: the response bodies an HTTP/2 server session
// (server_session.h) serves, one per stream, through nghttp2 data providers.
//
// A body is either
//   - bytes (kBytes): a string or Buffer given with the response, served
//     without calling JS. Up to kCopyBodyMax bytes are copied (and counted
//     in bytes()); a longer Buffer is referenced, not copied; or
//   - produced by JS (kJs): the session's read function
//     readFn(streamId, maxLength) is called once per DATA frame; it returns
//     a chunk (Uint8Array) or undefined and stores a ReadFlag in the read-flag
//     slot of the session's state array. A chunk longer than nghttp2 asked
//     for is kept and served first on the next reads. An exception thrown
//     by readFn never unwinds through nghttp2: it is kept
//     (TakePendingError) and the stream is reset (INTERNAL_ERROR).
// Used from the JS thread only.
#pragma once

#include <nghttp2/nghttp2.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace spdylay_binding {

class ResponseBodies {
 public:
  // submitResponse's bodyKind.
  enum Kind { kNone = 0, kBytes = 1, kJs = 2 };
  // Values readFn stores in the read-flag slot.
  enum ReadFlag { kReadOk = 0, kReadEof = 1, kReadDeferred = 2, kReadError = 3 };

  struct Source {
    ResponseBodies *owner = nullptr;
    int kind = kNone;
    // kBytes: [data, data + length), either owned or a referenced Buffer.
    std::string owned;
    Napi::Reference<Napi::Value> ref;
    const uint8_t *data = nullptr;
    size_t length = 0;
    size_t pos = 0;
    // kJs: remainder of a chunk longer than nghttp2 asked for.
    std::string pending;
    size_t pending_pos = 0;
    bool eof_after_pending = false;
    // Trailer fields ("name\0value\0..." without the last NUL) sent as a
    // HEADERS frame with END_STREAM once the body reaches EOF (the last DATA
    // frame then goes without END_STREAM).
    bool has_trailers = false;
    std::string trailers;
    size_t trailer_count = 0;
  };

  // Sets readFn (kept referenced until Clear()) and `read_flag`, the slot
  // of the shared state array it writes; before any kJs body is read.
  void SetReader(Napi::Function read_fn, int32_t *read_flag);

  // The body of kind `kind` made of `body` (a string or bytes for kBytes,
  // ignored otherwise); nullptr for kNone or an empty kBytes body. Throws a
  // TypeError when a kBytes body is neither string nor bytes.
  std::unique_ptr<Source> Make(int kind, const Napi::Value &body);
  // The data provider that serves `src` (nghttp2_submit_response).
  static nghttp2_data_provider Provider(Source *src);
  // Keeps `src` as the body of `stream_id`, replacing (and freeing) any
  // earlier one.
  void Attach(int32_t stream_id, std::unique_ptr<Source> src);
  // Frees the body of `stream_id`, if any.
  void Drop(int32_t stream_id);
  // Keeps `count` trailer fields `fields` ("name\0value\0...") for the body
  // of `stream_id`: nghttp2_submit_trailer once it reaches EOF. False when
  // the stream has no body being served.
  bool SetTrailers(int32_t stream_id, std::string fields, size_t count);
  // Frees every body and releases readFn.
  void Clear();
  // Bytes of the copied bodies held (the remainder of a JS chunk is the
  // application's own data and is not counted).
  size_t bytes() const { return bytes_; }
  // Whether readFn threw since the last TakePendingError.
  bool has_pending_error() const { return has_pending_error_; }
  // Throws (as a Napi::Error) the exception readFn threw, and forgets it.
  void ThrowPendingError(Napi::Env env);

 private:
  // Bodies up to this size are copied instead of holding a reference to the Buffer.
  static constexpr size_t kCopyBodyMax = 16384;

  // A Source with its fields at their defaults: one kept by Recycle, or a new one.
  std::unique_ptr<Source> NewSource();
  // Keeps `src` for NewSource (its strings' large capacity and its
  // reference released), or frees it when enough are kept.
  void Recycle(std::unique_ptr<Source> src);
  // nghttp2's data_source_read_callback for every body.
  static ssize_t Read(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                      uint32_t *data_flags, nghttp2_data_source *source, void *user_data);
  ssize_t ReadJs(int32_t stream_id, Source *src, uint8_t *buf, size_t length, uint32_t *data_flags);
  // At EOF of a body with trailers: NO_END_STREAM and nghttp2_submit_trailer.
  static void SubmitTrailers(nghttp2_session *session, int32_t stream_id, Source *src, uint32_t *data_flags);

  std::unordered_map<int32_t, std::unique_ptr<Source>> sources_;
  // Finished sources kept for NewSource (at most kPoolMax).
  std::vector<std::unique_ptr<Source>> free_;
  size_t bytes_ = 0;
  Napi::FunctionReference read_fn_;
  int32_t *read_flag_ = nullptr;
  Napi::Reference<Napi::Value> pending_error_;
  bool has_pending_error_ = false;
};

}  // namespace spdylay_binding
