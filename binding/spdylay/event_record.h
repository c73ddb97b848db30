// The record through which a SpdylaySession hands C callbacks to JS.
//
// Every C callback becomes one call of the JS dispatcher: `dispatch(kind,
// ...)` with at most two values. Integer arguments and a control frame's
// fixed fields travel in a shared Int32Array (the record); a frame's
// name/value list travels as ONE string, names and values each followed by
// NUL (C nv strings cannot contain NUL). DATA events of recv(data) are
// batched in the record's tail and reach JS in one call (kDataBatch).
//
// The kinds and the record slots are declared once, below, and exported to
// JS as `SpdylaySession.layout` (RecordLayout): lib/native.ts reads them.
#pragma once

#include <napi.h>
#include <spdylay/spdylay.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace spdylay_binding {

// Dispatch kinds: X(enumerator, JS name, value, arguments of the call).
// Integer arguments are in the record (kRecA..kRecD).
#define SPDYLAY_EVENT_KINDS(X)                                                                     \
  X(kSend, send, 0)                  /* (slab) A=offset B=length -> bytes taken | code */           \
  X(kRecv, recv, 1)                  /* () A=length -> Uint8Array | null | code */                  \
  X(kRead, read, 2)                  /* () A=token B=streamId C=length -> bytes | null | code */    \
  X(kCtrlRecv, ctrlRecv, 3)          /* (nv) frame in record */                                     \
  X(kInvalidCtrlRecv, invalidCtrlRecv, 4) /* (nv) frame in record, status in kRecExtra */           \
  X(kBeforeCtrlSend, beforeCtrlSend, 5)   /* (nv) */                                                \
  X(kCtrlSend, ctrlSend, 6)               /* (nv) */                                                \
  X(kCtrlNotSend, ctrlNotSend, 7)         /* (nv) error code in kRecExtra */                        \
  X(kDataChunkRecv, dataChunkRecv, 8)     /* (arraybuffer) A=flags B=streamId C=offset D=length */  \
  X(kDataRecv, dataRecv, 9)               /* () A=flags B=streamId C=length */                      \
  X(kDataSend, dataSend, 10)              /* () A=flags B=streamId C=length */                      \
  X(kStreamClose, streamClose, 11)   /* () A=streamId B=statusCode C=userToken D=provider */         \
  X(kRequestRecv, requestRecv, 12)   /* () A=streamId */                                            \
  X(kParseError, parseError, 13)     /* (head, payload) A=type B=errorCode */                       \
  X(kUnknownCtrl, unknownCtrl, 14)   /* (head, payload) */                                          \
  X(kNewSlab, newSlab, 15)           /* () A=size -> ArrayBuffer of at least A bytes */             \
  X(kCtrlRecvRequestRecv, ctrlRecvRequestRecv, 16) /* (nv) SYN_STREAM+FIN, then A=streamId */       \
  X(kDataBatch, dataBatch, 17)       /* (arraybuffer, n) n DATA events from kRecBatch */          \
  X(kQueue, queue, 18)               /* (nvs, arraybuffer, words) receive events from kRecQueue */  \
  X(kDataBatchStreamClose, dataBatchStreamClose, 19) /* (arraybuffer, n) kDataBatch, then kStreamClose */

// Record slots (Int32Array indexes): X(enumerator, JS name, index).
#define SPDYLAY_RECORD_SLOTS(X)                                                       \
  X(kRecType, type, 0)                                                                \
  X(kRecVersion, version, 1)                                                          \
  X(kRecFlags, flags, 2)                                                              \
  X(kRecLength, length, 3)                                                            \
  X(kRecStreamId, streamId, 4) /* also GOAWAY last_good_stream_id */                  \
  X(kRecAssoc, assoc, 5)                                                              \
  X(kRecPri, pri, 6)                                                                  \
  X(kRecSlot, slot, 7)                                                                \
  X(kRecStatus, status, 8) /* RST_STREAM / GOAWAY status code (uint32) */             \
  X(kRecUniqueId, uniqueId, 9)                                                        \
  X(kRecDelta, delta, 10)                                                             \
  X(kRecNvCount, nvCount, 11) /* pairs in the nv string, -1 for NULL nv */            \
  X(kRecExtra, extra, 12) /* status (invalid ctrl recv) or error code (not send) */   \
  X(kRecEof, eof, 13)     /* written by JS in kRead */                                \
  X(kRecNvWords, nvWords, 14) /* words at kRecFrameNv placing the nv (0: none) */     \
  X(kRecA, a, 16)         /* integer arguments of a dispatch */                       \
  X(kRecB, b, 17)                                                                     \
  X(kRecC, c, 18)                                                                     \
  X(kRecD, d, 19)                                                                     \
  X(kRecBatch, batch, 24) /* first batched DATA event */                              \
  X(kRecQueue, queue, 280) /* queued receive events (batchRecvCallbacks) */        \
  X(kRecFrameNv, frameNv, 2328) /* a dispatched frame's interned nv (kRecNvWords) */

#define SPDYLAY_ENUM_ENTRY(name, js, value) name = value,
enum Kind : int32_t { SPDYLAY_EVENT_KINDS(SPDYLAY_ENUM_ENTRY) };
enum Rec : int { SPDYLAY_RECORD_SLOTS(SPDYLAY_ENUM_ENTRY) };
#undef SPDYLAY_ENUM_ENTRY

// A batched DATA event is kBatchStride ints: (kind << kBatchKindShift |
// flags), streamId, then offset and length (kDataChunkRecv) or length
// (kDataRecv).
constexpr int kBatchStride = 4;
constexpr int kBatchKindShift = 8;
constexpr int kBatchMax = 64;
static_assert(kRecQueue == kRecBatch + kBatchStride * kBatchMax, "the queue follows the batch");

// The receive events of one recv(data) when the session batches them
// (SessionOptions.batchRecvCallbacks), queued from kRecQueue as int32 words
// and sent to JS in one kQueue call with the name/value strings of their
// frames joined in one string (`nvs`) and the input's ArrayBuffer:
//   kCtrlRecv, kInvalidCtrlRecv: kind, the kFrameWords frame slots (as
//     kRecType..kRecExtra), nv start, nv end (in `nvs`; -1: no nv string),
//     E, then E words: for each name and then value of each pair, one or
//     two words (E is 0 for more than kQueueEndPairs pairs):
//       w >= 0: the string is in `nvs`, ending at w (its NUL);
//       -InternTable::kSlots <= w < 0: the string is interned string -w - 1;
//       w < -InternTable::kSlots: the string is in `nvs`, ending at the next word,
//         and becomes interned string -w - 1 - InternTable::kSlots.
//     Strings are interned only when the session has an InternTable
//     (kFlagInternNv); a slot holds the string last defined there, and the
//     reader keeps its JS string across kQueue calls.
//   kDataChunkRecv: kind, flags, streamId, offset, length (in the input)
//   kDataRecv: kind, flags, streamId, length
//   kStreamClose: kind, streamId, statusCode, userToken, provider
//   kRequestRecv: kind, streamId
constexpr int kFrameWords = kRecExtra + 1;
static_assert(kRecType == 0, "frame slots start the record");
constexpr int kQueueEndPairs = 24;
// The fixed words of a queued frame event, and the most it takes.
constexpr int kQueueFrameWords = 1 + kFrameWords + 3;
constexpr int kQueueFrameMaxWords = kQueueFrameWords + 4 * kQueueEndPairs;

// The names and values a session's queued frames intern: strings of 1 to
// kMaxLen bytes in kSlots slots, the slot chosen by a hash of the bytes (a
// string replaces the one in its slot). The JS reader holds the JS string
// of each slot, so a repeated name or value reaches JS without its bytes
// and without a new string. Strings are handled as zero-padded 8-byte words.
class InternTable {
 public:
  static constexpr int kSlots = 256;
  static constexpr size_t kWords = 5;
  static constexpr size_t kMaxLen = 8 * kWords;
  // A string of 1..kMaxLen bytes: its words, length and slot.
  struct Key {
    uint64_t w[kWords];
    size_t len;
    size_t nwords;
    int slot;
  };
  static void MakeKey(const char *s, size_t len, Key *k) {
    k->len = len;
    k->nwords = (len + 7) / 8;
    uint64_t h = len;
    size_t i = 0;
    for (; 8 * i + 8 <= len; ++i) {
      uint64_t w;
      std::memcpy(&w, s + 8 * i, 8);
      k->w[i] = w;
      h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    }
    if (i < k->nwords) {
      k->w[i] = Tail(s + 8 * i, len - 8 * i);
      h = (h ^ k->w[i]) * 0x9e3779b97f4a7c15ull;
    }
    k->slot = static_cast<int>(h >> 56);
  }
  // The `r` (1..7) bytes at `p` as a little-endian word, read with two
  // overlapping loads of 4, 2 or 1 bytes.
  static uint64_t Tail(const char *p, size_t r) {
    if (r >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + r - 4, 4);
      return FromLe(lo) | (FromLe(hi) << (8 * (r - 4)));
    }
    if (r >= 2) {
      uint16_t lo, hi;
      std::memcpy(&lo, p, 2);
      std::memcpy(&hi, p + r - 2, 2);
      return FromLe(lo) | (FromLe(hi) << (8 * (r - 2)));
    }
    return static_cast<unsigned char>(p[0]);
  }
  template <typename T>
  static uint64_t FromLe(T v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = sizeof(T) == 4 ? static_cast<T>(__builtin_bswap32(v)) : static_cast<T>(__builtin_bswap16(v));
#endif
    return v;
  }
  // Whether the key's slot holds its string.
  bool Holds(const Key &k) const {
    if (len_[k.slot] != k.len) return false;
    const uint64_t *b = words_[k.slot];
    uint64_t diff = 0;
    for (size_t i = 0; i < k.nwords; ++i) diff |= b[i] ^ k.w[i];
    return diff == 0;
  }
  // Puts the key's string in its slot.
  void Set(const Key &k) {
    len_[k.slot] = static_cast<uint8_t>(k.len);
    std::memcpy(words_[k.slot], k.w, 8 * k.nwords);
  }
  // Forgets slot `slot`.
  void Forget(int slot) { len_[slot] = 0; }
  // Forgets every slot (the reader's copy is stale: a kQueue call failed).
  void Clear() { std::memset(len_, 0, sizeof len_); }

 private:
  uint8_t len_[kSlots] = {};
  uint64_t words_[kSlots][kWords];
};

constexpr int kQueueWords = 2048;
// The queued frames' name/value strings are flushed to JS once they pass
// this many bytes, so the queue holds at most this plus one header block.
constexpr size_t kQueueNvMax = 64 * 1024;
static_assert(kRecFrameNv == kRecQueue + kQueueWords, "the frame's nv words follow the queue");
// The most words kRecFrameNv holds: one or two per name and value.
constexpr int kFrameNvWords = 4 * kQueueEndPairs;
constexpr int kRecSize = kRecFrameNv + kFrameNvWords;

// { kinds: {send: 0, ...}, record: {type: 0, ..., size}, batchStride,
// batchKindShift }: the layout above, for JS.
Napi::Object RecordLayout(Napi::Env env);

// The session's view of the JS record, and the DATA events batched in it.
class EventRecord {
 public:
  void Attach(int32_t *rec) { rec_ = rec; }
  int32_t &operator[](int slot) { return rec_[slot]; }

  enum class FrameStatus { kOk, kSkip, kFailed };
  // Writes a control frame's fixed fields and `extra` (kRecExtra) into the
  // record; `*value` gets its name/value string (or `undefined` for a NULL
  // nv), its settings as an ArrayBuffer of (id, flags, value) uint32
  // triples, or `undefined`. kSkip: a frame JS has no class for (NOOP,
  // CREDENTIAL); kFailed: a JS value could not be made (exception pending).
  // With `intern`, the names and values of an ASCII list of at most
  // kQueueEndPairs pairs are interned there: `*value` holds those not
  // interned and kRecNvWords words from kRecFrameNv place them all, as a
  // queued frame's words do (kRecNvWords is 0 otherwise).
  FrameStatus WriteFrame(napi_env env, spdylay_frame_type type, const spdylay_frame *frame,
                         int32_t extra, napi_value undefined, napi_value *value,
                         InternTable *intern);
  // Queues a kCtrlRecv/kInvalidCtrlRecv event at `dst` (room for
  // kQueueFrameMaxWords words; `*words` gets the words written), its nv
  // string appended to `nvs`. False when the frame cannot be
  // queued (SETTINGS, whose entries travel as an ArrayBuffer; an nv that is
  // not ASCII): dispatch it with WriteFrame then. kSkip frames are not
  // queued either (check Skipped first).
  // With `intern`, names and values of lists of at most kQueueEndPairs
  // pairs are interned there (see the queue layout above).
  bool QueueFrame(Kind kind, spdylay_frame_type type, const spdylay_frame *frame, int32_t extra,
                  int32_t *dst, std::string *nvs, int *words, InternTable *intern);
  static bool Skipped(spdylay_frame_type type) {
    return type == SPDYLAY_NOOP || type == SPDYLAY_CREDENTIAL;
  }

  bool has_batch() const { return batch_n_ != 0; }
  // Appends a DATA event (`a`, `b` = offset, length for kDataChunkRecv;
  // length, 0 for kDataRecv). Returns true when the batch is full.
  bool PushData(Kind kind, uint8_t flags, int32_t stream_id, int32_t a, int32_t b) {
    int32_t *e = rec_ + kRecBatch + kBatchStride * batch_n_;
    e[0] = (kind << kBatchKindShift) | flags;
    e[1] = stream_id;
    e[2] = a;
    e[3] = b;
    return ++batch_n_ == kBatchMax;
  }
  // The number of batched events; the batch is empty afterwards.
  int32_t TakeBatch() {
    int32_t n = batch_n_;
    batch_n_ = 0;
    return n;
  }

 private:
  // The nv list as one NUL-joined JS string (latin1 when it is ASCII).
  napi_status JoinNv(napi_env env, char **nv, napi_value *value);
  // Joins the nv list into nvjoin_: its length and pair count; `*ascii`
  // tells whether every byte is ASCII.
  size_t JoinNvBytes(char **nv, int32_t *pairs, bool *ascii);
  // The pairs of the nv list.
  static int32_t CountPairs(char **nv);
  // Appends the nv list (`pairs` pairs, at most kQueueEndPairs) to `nvs` as
  // QueueFrame lays it out with an InternTable, its words at `out`; returns
  // the number of words, or -1 when a byte is not ASCII (`nvs` is then as
  // it was, and the slots it set are forgotten).
  static int32_t InternNv(char **nv, int32_t pairs, std::string *nvs, int32_t *out,
                          InternTable *intern);
  // The frame's fixed fields into `rec` (slot layout) and its nv list.
  static FrameStatus FrameFields(spdylay_frame_type type, const spdylay_frame *frame, int32_t extra,
                                 int32_t *rec, char ***nv, bool *has_nv);

  int32_t *rec_ = nullptr;
  int32_t batch_n_ = 0;
  std::string nvjoin_;
  std::string frame_nv_;  // WriteFrame's names and values not interned
};

}  // namespace spdylay_binding
