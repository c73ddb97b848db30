/**
 * Control frame objects handed to the frame callbacks of a `Session`
 * (`onCtrlRecvCb`, `onInvalidCtrlRecvCb`, `beforeCtrlSendCb`,
 * `onCtrlSendCb`, `onCtrlNotSendCb`). They mirror the C structs of
 * spdylay.h (`spdylay_syn_stream`, ...) and python-spdylay's frame classes.
 *
 * Narrow a {@link Frame} on `frameType`:
 * ```ts
 * if (frame.frameType === SYN_STREAM) console.log(frame.streamId, frame.nv);
 * ```
 *
 * @packageDocumentation
 */
import {
  GOAWAY, HEADERS, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
} from './constants.js';

/** A name/value pair of a header block, as `[name, value]` strings. */
export type NameValue = [name: string, value: string];
/** A SETTINGS entry: `[settingsId, flags, value]` (`SETTINGS_*`, `ID_FLAG_SETTINGS_*`, uint32). */
export type SettingsEntry = [settingsId: number, flags: number, value: number];

/**
 * Base class of the control frames (`spdylay_ctrl_hd`). Fields are plain, read-only by convention.
 * They are `declare`d and assigned by the constructors (no class-field initialisers), so a frame
 * is built with plain stores, in the order the fields are declared.
 */
export class CtrlFrame {
  /** Wire version of the frame: 2 or 3 (SPDY/3.1 frames carry 3). */
  declare readonly version: number;
  /** Frame type: one of the frame type constants (`SYN_STREAM`, ...). */
  declare readonly frameType: number;
  /** Control flags (`CTRL_FLAG_*`; for SETTINGS, `FLAG_SETTINGS_*`). */
  declare readonly flags: number;
  /**
   * Payload length in bytes as in the frame header. For a frame that was
   * never serialised (e.g. in `onCtrlNotSendCb`) it may be 0.
   */
  declare readonly length: number;

  constructor(frameType: number, version: number, flags: number, length: number) {
    this.version = version;
    this.frameType = frameType;
    this.flags = flags;
    this.length = length;
  }
}

/** SYN_STREAM (`spdylay_syn_stream`). */
export class SynStreamFrame extends CtrlFrame {
  declare readonly frameType: typeof SYN_STREAM;
  /** Stream ID. */
  declare readonly streamId: number;
  /** Associated-To-Stream-ID (server push), 0 if none. */
  declare readonly assocStreamId: number;
  /** Priority: 0 (highest) to 3 (SPDY/2) or 7 (SPDY/3). */
  declare readonly pri: number;
  /** Credential slot (SPDY/3; 0 otherwise). */
  declare readonly slot: number;
  /**
   * Name/value pairs in the order the library presents them (sorted by
   * name; multi-valued names split into several pairs; SPDY/2 names
   * translated to the `:`-names, not re-sorted).
   */
  declare readonly nv: NameValue[];

  constructor(version: number, flags: number, length: number, streamId: number,
    assocStreamId: number, pri: number, slot: number, nv: NameValue[]) {
    super(SYN_STREAM, version, flags, length);
    this.streamId = streamId;
    this.assocStreamId = assocStreamId;
    this.pri = pri;
    this.slot = slot;
    this.nv = nv;
  }
}

/** SYN_REPLY (`spdylay_syn_reply`). */
export class SynReplyFrame extends CtrlFrame {
  declare readonly frameType: typeof SYN_REPLY;
  /** Stream ID. */
  declare readonly streamId: number;
  /** Name/value pairs (see {@link SynStreamFrame.nv}). */
  declare readonly nv: NameValue[];

  constructor(version: number, flags: number, length: number, streamId: number, nv: NameValue[]) {
    super(SYN_REPLY, version, flags, length);
    this.streamId = streamId;
    this.nv = nv;
  }
}

/** HEADERS (`spdylay_headers`). */
export class HeadersFrame extends CtrlFrame {
  declare readonly frameType: typeof HEADERS;
  /** Stream ID. */
  declare readonly streamId: number;
  /** Name/value pairs (see {@link SynStreamFrame.nv}). */
  declare readonly nv: NameValue[];

  constructor(version: number, flags: number, length: number, streamId: number, nv: NameValue[]) {
    super(HEADERS, version, flags, length);
    this.streamId = streamId;
    this.nv = nv;
  }
}

/** RST_STREAM (`spdylay_rst_stream`). */
export class RstStreamFrame extends CtrlFrame {
  declare readonly frameType: typeof RST_STREAM;
  /** Stream ID. */
  declare readonly streamId: number;
  /** Status code (`PROTOCOL_ERROR`, `CANCEL`, ...), uint32. */
  declare readonly statusCode: number;

  constructor(version: number, flags: number, length: number, streamId: number, statusCode: number) {
    super(RST_STREAM, version, flags, length);
    this.streamId = streamId;
    this.statusCode = statusCode;
  }
}

/** SETTINGS (`spdylay_settings`). */
export class SettingsFrame extends CtrlFrame {
  declare readonly frameType: typeof SETTINGS;
  /** Entries as `[settingsId, flags, value]`. */
  declare readonly iv: SettingsEntry[];

  constructor(version: number, flags: number, length: number, iv: SettingsEntry[]) {
    super(SETTINGS, version, flags, length);
    this.iv = iv;
  }
}

/** PING (`spdylay_ping`). */
export class PingFrame extends CtrlFrame {
  declare readonly frameType: typeof PING;
  /** Ping ID (uint32; odd from clients, even from servers). */
  declare readonly uniqueId: number;

  constructor(version: number, flags: number, length: number, uniqueId: number) {
    super(PING, version, flags, length);
    this.uniqueId = uniqueId;
  }
}

/** GOAWAY (`spdylay_goaway`). */
export class GoawayFrame extends CtrlFrame {
  declare readonly frameType: typeof GOAWAY;
  /** Last-Good-Stream-ID. */
  declare readonly lastGoodStreamId: number;
  /** Status code (`GOAWAY_*`; always 0 in SPDY/2, which has no such field). */
  declare readonly statusCode: number;

  constructor(version: number, flags: number, length: number, lastGoodStreamId: number,
    statusCode: number) {
    super(GOAWAY, version, flags, length);
    this.lastGoodStreamId = lastGoodStreamId;
    this.statusCode = statusCode;
  }
}

/** WINDOW_UPDATE (`spdylay_window_update`). */
export class WindowUpdateFrame extends CtrlFrame {
  declare readonly frameType: typeof WINDOW_UPDATE;
  /** Stream ID (0: the connection, SPDY/3.1). */
  declare readonly streamId: number;
  /** Delta window size in bytes. */
  declare readonly deltaWindowSize: number;

  constructor(version: number, flags: number, length: number, streamId: number,
    deltaWindowSize: number) {
    super(WINDOW_UPDATE, version, flags, length);
    this.streamId = streamId;
    this.deltaWindowSize = deltaWindowSize;
  }
}

/** Every control frame a callback can receive: a discriminated union on `frameType`. */
export type Frame = SynStreamFrame | SynReplyFrame | HeadersFrame | RstStreamFrame | SettingsFrame
  | PingFrame | GoawayFrame | WindowUpdateFrame;
