// FrameHeadScanner: the frame-level flood limits of an HTTP/2 server
// connection, checked on the received bytes before nghttp2 sees them.
//
// Scan() follows the byte stream a client sends (the 24-byte preface, then
// 9-byte frame heads and the payloads they announce, any of them split over
// chunks) and checks each frame head against the limits of lib/limits.ts:
//   - maxEmptyFrames: DATA frames without END_STREAM that carry no data
//     (padding excluded), and SETTINGS frames after the first (ACKs aside),
//     counted together; a DATA frame with data, or HEADERS opening a new
//     client stream, starts the count again;
//   - streamResetBurst / streamResetRate: RST_STREAMs on client streams,
//     a token bucket of `burst` tokens refilled by `rate` per whole second
//     (CLOCK_MONOTONIC);
//   - maxContinuations: CONTINUATION frames in one header block.
// It also tells whether the connection is inside an incomplete header block
// (InHeaderBlock()).
//
// The scanner never changes the bytes; it only says how many of them may go
// to nghttp2: all, or those before the frame that broke a limit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spdylay_binding {

class FrameHeadScanner {
 public:
  // Which limit a frame broke.
  enum class Broken { kNone, kEmptyFrames, kStreamResets, kContinuations };
  struct Limits {
    uint32_t max_empty_frames = 1000;
    uint32_t reset_burst = 1000;
    uint32_t reset_rate = 33;  // tokens per second
    uint32_t max_continuations = 8;
  };

  explicit FrameHeadScanner(const Limits &limits);
  FrameHeadScanner() : FrameHeadScanner(Limits()) {}

  // Scans `len` received bytes. Returns how many of them may go to
  // nghttp2: `len`, or the offset where the frame that broke a limit begins
  // (0 when its head began in an earlier chunk: nghttp2 then holds only part
  // of a head). After a limit was broken, broken() names it and the scanner
  // must not be called again.
  size_t Scan(const uint8_t *data, size_t len);
  Broken broken() const { return broken_; }
  // True while the connection is inside an incomplete header block: the
  // client preface, a frame head, a HEADERS / PUSH_PROMISE / CONTINUATION
  // payload, or a CONTINUATION still awaited.
  bool InHeaderBlock() const;

 private:
  // Checks the frame whose 9-byte head is complete; false when it breaks a limit.
  bool OnFrameHead(const uint8_t *hd);
  // A DATA frame without END_STREAM carrying `data_length` bytes (padding
  // excluded): counts it for maxEmptyFrames; false when past the limit.
  bool CountDataFrame(size_t data_length);

  Limits limits_;
  Broken broken_ = Broken::kNone;
  size_t preface_left_ = 24;
  uint8_t head_[9];
  size_t head_have_ = 0;
  size_t payload_left_ = 0;
  uint8_t payload_type_ = 0;  // type of the frame whose payload is being received
  bool expect_continuation_ = false;
  bool pad_check_ = false;  // the next payload byte is a DATA frame's pad length
  bool settings_seen_ = false;
  int32_t last_client_stream_ = 0;
  uint32_t empty_frames_ = 0;
  uint32_t continuations_ = 0;
  uint64_t reset_tokens_ = 0;
  uint64_t reset_stamp_s_ = 0;  // CLOCK_MONOTONIC, whole seconds
};

}  // namespace spdylay_binding
