#include "event_record.h"

#include <cstring>

namespace spdylay_binding {

Napi::Object RecordLayout(Napi::Env env) {
  Napi::Object kinds = Napi::Object::New(env);
  Napi::Object record = Napi::Object::New(env);
#define SPDYLAY_LAYOUT_ENTRY(name, js, value) target.Set(#js, Napi::Number::New(env, value));
  {
    Napi::Object &target = kinds;
    SPDYLAY_EVENT_KINDS(SPDYLAY_LAYOUT_ENTRY)
  }
  {
    Napi::Object &target = record;
    SPDYLAY_RECORD_SLOTS(SPDYLAY_LAYOUT_ENTRY)
  }
#undef SPDYLAY_LAYOUT_ENTRY
  record.Set("size", Napi::Number::New(env, kRecSize));
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("kinds", kinds);
  layout.Set("record", record);
  layout.Set("batchStride", Napi::Number::New(env, kBatchStride));
  layout.Set("batchKindShift", Napi::Number::New(env, kBatchKindShift));
  layout.Set("internSlots", Napi::Number::New(env, InternTable::kSlots));
  return layout;
}

EventRecord::FrameStatus EventRecord::FrameFields(spdylay_frame_type type, const spdylay_frame *frame,
                                                  int32_t extra, int32_t *rec, char ***nv, bool *has_nv) {
  const spdylay_ctrl_hd &hd = frame->ctrl.hd;
  rec[kRecType] = type;
  rec[kRecVersion] = hd.version;
  rec[kRecFlags] = hd.flags;
  rec[kRecLength] = hd.length;
  rec[kRecExtra] = extra;
  *nv = nullptr;
  *has_nv = false;
  switch (type) {
    case SPDYLAY_SYN_STREAM:
      rec[kRecStreamId] = frame->syn_stream.stream_id;
      rec[kRecAssoc] = frame->syn_stream.assoc_stream_id;
      rec[kRecPri] = frame->syn_stream.pri;
      rec[kRecSlot] = frame->syn_stream.slot;
      *nv = frame->syn_stream.nv;
      *has_nv = true;
      break;
    case SPDYLAY_SYN_REPLY:
      rec[kRecStreamId] = frame->syn_reply.stream_id;
      *nv = frame->syn_reply.nv;
      *has_nv = true;
      break;
    case SPDYLAY_HEADERS:
      rec[kRecStreamId] = frame->headers.stream_id;
      *nv = frame->headers.nv;
      *has_nv = true;
      break;
    case SPDYLAY_RST_STREAM:
      rec[kRecStreamId] = frame->rst_stream.stream_id;
      rec[kRecStatus] = static_cast<int32_t>(frame->rst_stream.status_code);
      break;
    case SPDYLAY_SETTINGS:
      break;
    case SPDYLAY_PING:
      rec[kRecUniqueId] = static_cast<int32_t>(frame->ping.unique_id);
      break;
    case SPDYLAY_GOAWAY:
      rec[kRecStreamId] = frame->goaway.last_good_stream_id;
      rec[kRecStatus] = static_cast<int32_t>(frame->goaway.status_code);
      break;
    case SPDYLAY_WINDOW_UPDATE:
      rec[kRecStreamId] = frame->window_update.stream_id;
      rec[kRecDelta] = frame->window_update.delta_window_size;
      break;
    default:
      return FrameStatus::kSkip;  // NOOP, CREDENTIAL: no frame class (as the reference binding)
  }
  if (!*has_nv) rec[kRecNvCount] = 0;
  return FrameStatus::kOk;
}

EventRecord::FrameStatus EventRecord::WriteFrame(napi_env env, spdylay_frame_type type,
                                                 const spdylay_frame *frame, int32_t extra,
                                                 napi_value undefined, napi_value *value,
                                                 InternTable *intern) {
  char **nv;
  bool has_nv;
  if (FrameFields(type, frame, extra, rec_, &nv, &has_nv) == FrameStatus::kSkip) return FrameStatus::kSkip;
  rec_[kRecNvWords] = 0;
  if (type == SPDYLAY_SETTINGS) {
    size_t niv = frame->settings.niv;
    void *data;
    napi_value iv;
    if (napi_create_arraybuffer(env, niv * 12, &data, &iv) != napi_ok) return FrameStatus::kFailed;
    uint32_t *u = static_cast<uint32_t *>(data);
    for (size_t i = 0; i < niv; ++i) {
      u[3 * i] = static_cast<uint32_t>(frame->settings.iv[i].settings_id);
      u[3 * i + 1] = frame->settings.iv[i].flags;
      u[3 * i + 2] = frame->settings.iv[i].value;
    }
    *value = iv;
    return FrameStatus::kOk;
  }
  if (!has_nv) {
    *value = undefined;
    return FrameStatus::kOk;
  }
  if (!nv) {
    rec_[kRecNvCount] = -1;
    *value = undefined;
    return FrameStatus::kOk;
  }
  int32_t pairs = CountPairs(nv);
  if (intern && pairs <= kQueueEndPairs) {
    frame_nv_.clear();
    int32_t words = InternNv(nv, pairs, &frame_nv_, &rec_[kRecFrameNv], intern);
    if (words >= 0) {
      rec_[kRecNvCount] = pairs;
      rec_[kRecNvWords] = words;
      return napi_create_string_latin1(env, frame_nv_.data(), frame_nv_.size(), value) == napi_ok
                 ? FrameStatus::kOk
                 : FrameStatus::kFailed;
    }
  }
  return JoinNv(env, nv, value) == napi_ok ? FrameStatus::kOk : FrameStatus::kFailed;
}

bool EventRecord::QueueFrame(Kind kind, spdylay_frame_type type, const spdylay_frame *frame,
                             int32_t extra, int32_t *dst, std::string *nvs, int *words,
                             InternTable *intern) {
  if (type == SPDYLAY_SETTINGS || Skipped(type)) return false;
  char **nv;
  bool has_nv;
  int32_t *fields = dst + 1;
  FrameFields(type, frame, extra, fields, &nv, &has_nv);
  int32_t start = -1;
  int32_t end = -1;
  int32_t *ends = dst + kQueueFrameWords;
  int32_t nends = 0;
  if (has_nv && !nv) {
    fields[kRecNvCount] = -1;
  } else if (has_nv && intern && CountPairs(nv) <= kQueueEndPairs) {
    int32_t pairs = CountPairs(nv);
    start = static_cast<int32_t>(nvs->size());
    nends = InternNv(nv, pairs, nvs, ends, intern);
    if (nends < 0) return false;
    fields[kRecNvCount] = pairs;
    end = static_cast<int32_t>(nvs->size());
  } else if (has_nv) {
    int32_t pairs;
    bool ascii;
    size_t total = JoinNvBytes(nv, &pairs, &ascii);
    if (!ascii) return false;
    fields[kRecNvCount] = pairs;
    start = static_cast<int32_t>(nvs->size());
    nvs->append(nvjoin_.data(), total);
    end = static_cast<int32_t>(nvs->size());
    if (pairs <= kQueueEndPairs) {
      const char *base = nvjoin_.data();
      const char *p = base;
      for (int32_t i = 0; i < 2 * pairs; ++i) {
        const char *z = static_cast<const char *>(std::memchr(p, '\0', base + total - p));
        ends[i] = start + static_cast<int32_t>(z - base);
        p = z + 1;
      }
      nends = 2 * pairs;
    }
  }
  dst[0] = kind;
  dst[1 + kFrameWords] = start;
  dst[2 + kFrameWords] = end;
  dst[3 + kFrameWords] = nends;
  *words = kQueueFrameWords + nends;
  return true;
}

int32_t EventRecord::CountPairs(char **nv) {
  int32_t n = 0;
  for (char **p = nv; p[0] && p[1]; p += 2) ++n;
  return n;
}

int32_t EventRecord::InternNv(char **nv, int32_t pairs, std::string *nvs, int32_t *out,
                              InternTable *intern) {
  size_t size0 = nvs->size();
  int set[2 * kQueueEndPairs];  // the slots this list set
  int nset = 0;
  uint64_t high = 0;
  int32_t *w = out;
  for (int32_t i = 0; i < 2 * pairs; ++i) {
    const char *s = nv[i];
    size_t len = std::strlen(s);
    if (len != 0 && len <= InternTable::kMaxLen) {
      InternTable::Key key;
      InternTable::MakeKey(s, len, &key);
      for (size_t k = 0; k < key.nwords; ++k) high |= key.w[k];
      if (intern->Holds(key)) {
        *w++ = -1 - key.slot;
        continue;
      }
      intern->Set(key);
      set[nset++] = key.slot;
      *w++ = -1 - InternTable::kSlots - key.slot;
    } else {
      size_t k = 0;
      for (; k + 8 <= len; k += 8) {
        uint64_t x;
        std::memcpy(&x, s + k, 8);
        high |= x;
      }
      for (; k < len; ++k) high |= static_cast<unsigned char>(s[k]);
    }
    nvs->append(s, len + 1);
    *w++ = static_cast<int32_t>(nvs->size() - 1);
  }
  if (high & 0x8080808080808080ull) {
    nvs->resize(size0);
    for (int k = 0; k < nset; ++k) intern->Forget(set[k]);
    return -1;
  }
  return static_cast<int32_t>(w - out);
}

size_t EventRecord::JoinNvBytes(char **nv, int32_t *pairs, bool *ascii) {
  // Names and values, each followed by its NUL, are copied in one pass.
  std::string &s = nvjoin_;
  size_t total = 0;
  int32_t n = 0;
  for (char **p = nv; p[0] && p[1]; p += 2) {
    total += std::strlen(p[0]) + std::strlen(p[1]) + 2;
    ++n;
  }
  if (s.size() < total) s.resize(total * 2);
  char *out = &s[0];
  for (char **p = nv; p[0] && p[1]; p += 2) {
    for (int k = 0; k < 2; ++k) {
      size_t len = std::strlen(p[k]) + 1;
      std::memcpy(out, p[k], len);
      out += len;
    }
  }
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 8 <= total; i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    high |= w;
  }
  for (; i < total; ++i) high |= static_cast<unsigned char>(s[i]);
  *pairs = n;
  *ascii = (high & 0x8080808080808080ull) == 0;
  return total;
}

napi_status EventRecord::JoinNv(napi_env env, char **nv, napi_value *value) {
  int32_t pairs;
  bool ascii;
  size_t total = JoinNvBytes(nv, &pairs, &ascii);
  rec_[kRecNvCount] = pairs;
  return ascii ? napi_create_string_latin1(env, nvjoin_.data(), total, value)
               : napi_create_string_utf8(env, nvjoin_.data(), total, value);
}

}  // namespace spdylay_binding
