#include "frame_scanner.h"

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstring>

namespace spdylay_binding {

namespace {
uint64_t NowSeconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}
}  // namespace

FrameHeadScanner::FrameHeadScanner(const Limits &limits)
    : limits_(limits), reset_tokens_(limits.reset_burst), reset_stamp_s_(NowSeconds()) {}

bool FrameHeadScanner::InHeaderBlock() const {
  bool in_header_payload = payload_left_ > 0 && (payload_type_ == NGHTTP2_HEADERS ||
                                                 payload_type_ == NGHTTP2_CONTINUATION ||
                                                 payload_type_ == NGHTTP2_PUSH_PROMISE);
  return preface_left_ > 0 || head_have_ > 0 || in_header_payload || expect_continuation_;
}

size_t FrameHeadScanner::Scan(const uint8_t *data, size_t len) {
  size_t i = 0;
  if (preface_left_ > 0) {
    size_t n = len < preface_left_ ? len : preface_left_;
    preface_left_ -= n;
    i = n;
  }
  while (i < len) {
    if (payload_left_ > 0) {
      if (pad_check_) {
        // First payload byte of a PADDED DATA frame: its pad length. A frame
        // that is all padding delivers nothing.
        pad_check_ = false;
        if (!CountDataFrame(payload_left_ - 1 == data[i] ? 0 : 1)) return i;
      }
      size_t n = len - i < payload_left_ ? len - i : payload_left_;
      payload_left_ -= n;
      i += n;
      continue;
    }
    // A frame head (possibly continuing one split over chunks).
    // Where the head began: here, or in an earlier chunk (nghttp2 then holds
    // only part of a head, so withholding this chunk from 0 on is safe).
    size_t begin = head_have_ > 0 ? 0 : i;
    size_t need = 9 - head_have_;
    size_t n = len - i < need ? len - i : need;
    std::memcpy(head_ + head_have_, data + i, n);
    head_have_ += n;
    i += n;
    if (head_have_ < 9) break;
    head_have_ = 0;
    if (!OnFrameHead(head_)) return begin;
    payload_left_ = (static_cast<size_t>(head_[0]) << 16) | (static_cast<size_t>(head_[1]) << 8) | head_[2];
    payload_type_ = head_[3];
  }
  return len;
}

bool FrameHeadScanner::CountDataFrame(size_t data_length) {
  if (data_length > 0) {
    empty_frames_ = 0;
    return true;
  }
  if (++empty_frames_ > limits_.max_empty_frames) {
    broken_ = Broken::kEmptyFrames;
    return false;
  }
  return true;
}

bool FrameHeadScanner::OnFrameHead(const uint8_t *hd) {
  size_t length = (static_cast<size_t>(hd[0]) << 16) | (static_cast<size_t>(hd[1]) << 8) | hd[2];
  uint8_t type = hd[3];
  uint8_t flags = hd[4];
  int32_t stream_id = static_cast<int32_t>(((static_cast<uint32_t>(hd[5]) << 24) |
                                            (static_cast<uint32_t>(hd[6]) << 16) |
                                            (static_cast<uint32_t>(hd[7]) << 8) | hd[8]) &
                                           0x7fffffffu);
  switch (type) {
    case NGHTTP2_DATA:
      if (flags & NGHTTP2_FLAG_END_STREAM) break;
      // PADDED with a payload: decided on the pad length byte (Scan).
      if ((flags & NGHTTP2_FLAG_PADDED) && length > 0) {
        pad_check_ = true;
        break;
      }
      return CountDataFrame(length);
    case NGHTTP2_HEADERS:
    case NGHTTP2_PUSH_PROMISE:
      if (type == NGHTTP2_HEADERS && (stream_id & 1) && stream_id > last_client_stream_) {
        last_client_stream_ = stream_id;
        empty_frames_ = 0;
      }
      continuations_ = 0;
      expect_continuation_ = !(flags & NGHTTP2_FLAG_END_HEADERS);
      break;
    case NGHTTP2_CONTINUATION:
      if (++continuations_ > limits_.max_continuations) {
        broken_ = Broken::kContinuations;
        return false;
      }
      if (flags & NGHTTP2_FLAG_END_HEADERS) expect_continuation_ = false;
      break;
    case NGHTTP2_RST_STREAM:
      if (stream_id & 1) {
        // Refilled once per whole second, as nghttp2's own bucket is: this
        // check runs before nghttp2 sees the frame and is never the looser
        // of the two, so the GOAWAY is ours (ENHANCE_YOUR_CALM).
        uint64_t now_s = NowSeconds();
        if (now_s > reset_stamp_s_) {
          reset_tokens_ += static_cast<uint64_t>(limits_.reset_rate) * (now_s - reset_stamp_s_);
          if (reset_tokens_ > limits_.reset_burst) reset_tokens_ = limits_.reset_burst;
          reset_stamp_s_ = now_s;
        }
        if (reset_tokens_ < 1) {
          broken_ = Broken::kStreamResets;
          return false;
        }
        reset_tokens_ -= 1;
      }
      break;
    case NGHTTP2_SETTINGS:
      if (!(flags & NGHTTP2_FLAG_ACK)) {
        if (settings_seen_ && ++empty_frames_ > limits_.max_empty_frames) {
          broken_ = Broken::kEmptyFrames;
          return false;
        }
        settings_seen_ = true;
      }
      break;
    default:
      break;
  }
  return true;
}

}  // namespace spdylay_binding
