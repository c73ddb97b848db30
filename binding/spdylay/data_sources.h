// The bodies of a SpdylaySession's submits (spdylay_data_provider).
//
// A body given as a Uint8Array (BufferDataProvider) is served natively: the
// library reads it straight from the Buffer, without a JS call per DATA
// frame; the Buffer is referenced until EOF, stream close or destruction.
// Any other body is a JS provider, named by a token (source.ptr) and read
// through the session's JS read callback; its stream is tracked until EOF
// so that the stream's close reaches JS, which then releases the provider.
#pragma once

#include <napi.h>
#include <spdylay/spdylay.h>

#include <cstdint>
#include <unordered_set>

namespace spdylay_binding {

class DataSources {
 public:
  // A body served from a JS Buffer.
  // A body of at most kCopyMax bytes is copied after its BufSource (one
  // allocation, no reference to the Buffer); a larger one is served from
  // the Buffer, which `ref` keeps alive.
  static constexpr size_t kCopyMax = 1024;
  struct BufSource {
    DataSources *owner;
    napi_ref ref;  // nullptr for a copied body
    const uint8_t *data;
    size_t len;
    size_t pos;
    int32_t stream_id;  // 0 until known
    BufSource *prev;
    BufSource *next;
  };

  DataSources() = default;
  DataSources(const DataSources &) = delete;
  DataSources &operator=(const DataSources &) = delete;
  ~DataSources();

  void Init(napi_env env) { env_ = env; }

  // Fills `prd` for the body `body` (a Uint8Array: served natively, returned
  // in `*bs`) or else for the JS provider `token` read by `js_read`.
  // Returns false when there is no body (token 0); throws a TypeError for a
  // typed array that is not a Uint8Array.
  bool Make(const Napi::Value &token, const Napi::Value &body, int32_t stream_id,
            spdylay_data_source_read_callback js_read, spdylay_data_provider *prd, BufSource **bs);
  // Frees a native source (a submit that failed, EOF, stream close).
  void Release(BufSource *bs);
  // Frees the native sources of a closed stream.
  void ReleaseStream(int32_t stream_id);

  // A JS provider of `stream_id` has not reached EOF.
  void JsOpen(int32_t stream_id) { js_streams_.insert(stream_id); }
  // A JS provider of `stream_id` reached EOF.
  void JsDone(int32_t stream_id) { js_streams_.erase(stream_id); }
  // Whether `stream_id` had an unfinished JS provider; forgets it.
  bool JsTake(int32_t stream_id) { return js_streams_.erase(stream_id) > 0; }

 private:
  static ssize_t ReadBuf(spdylay_session *, int32_t stream_id, uint8_t *buf, size_t length,
                         int *eof, spdylay_data_source *source, void *user_data);

  napi_env env_ = nullptr;
  BufSource *bufs_ = nullptr;
  std::unordered_set<int32_t> js_streams_;
};

}  // namespace spdylay_binding
