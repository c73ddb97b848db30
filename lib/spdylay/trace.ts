/**
 * Frame printing for tracing: SPDY control and DATA frames in the style of
 * spdylay's `spdycat -v`, HTTP/2 frames in the style of `nghttp -v`, and
 * the frame summaries the clients report to their trace hook.
 *
 * @packageDocumentation
 */
import {
  DATA_FLAG_FIN, GOAWAY, HEADERS, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
} from './constants.js';
import type { Frame, NameValue } from './frames.js';

const FRAME_NAMES: Record<number, string> = {
  [SYN_STREAM]: 'SYN_STREAM', [SYN_REPLY]: 'SYN_REPLY', [RST_STREAM]: 'RST_STREAM', [SETTINGS]: 'SETTINGS',
  [PING]: 'PING', [GOAWAY]: 'GOAWAY', [HEADERS]: 'HEADERS', [WINDOW_UPDATE]: 'WINDOW_UPDATE',
};

/**
 * A DATA frame as reported to a trace hook: `{ frameType: 0, streamId,
 * flags, length }` (length in bytes).
 */
export interface DataFrameInfo {
  readonly frameType: 0;
  readonly streamId: number;
  readonly flags: number;
  readonly length: number;
}

/**
 * Formats a control frame or DATA frame in the style of spdylay's
 * `spdycat -v` (`send SYN_STREAM frame <version=3, flags=0, length=123>`
 * followed by indented fields).
 *
 * @param direction - `'send'` or `'recv'`.
 * @param frame - A control frame object, a {@link DataFrameInfo}, or an
 *   {@link H2FrameInfo} (formatted as `nghttp -v` does).
 * @returns The lines, without a trailing newline.
 */
export function formatFrame(direction: 'send' | 'recv', frame: Frame | DataFrameInfo | H2FrameInfo): string {
  if (frame.frameType === 'h2') return formatH2Frame(direction, frame);
  if (frame.frameType === 0) {
    const d = frame as DataFrameInfo;
    return `${direction} DATA frame (stream_id=${d.streamId}, flags=${d.flags}, length=${d.length})` +
      (d.flags & DATA_FLAG_FIN ? '\n          ; END_STREAM' : '');
  }
  const f = frame as Frame;
  const name = FRAME_NAMES[f.frameType] ?? `type ${f.frameType}`;
  const lines = [`${direction} ${name} frame <version=${f.version}, flags=${f.flags}, length=${f.length}>`];
  const ind = '          ';
  switch (f.frameType) {
    case SYN_STREAM:
      lines.push(`${ind}(stream_id=${f.streamId}, assoc_stream_id=${f.assocStreamId}, pri=${f.pri})`);
      for (const [n, v] of f.nv) lines.push(`${ind}${n}: ${v}`);
      break;
    case SYN_REPLY:
    case HEADERS:
      lines.push(`${ind}(stream_id=${f.streamId})`);
      for (const [n, v] of f.nv) lines.push(`${ind}${n}: ${v}`);
      break;
    case RST_STREAM:
      lines.push(`${ind}(stream_id=${f.streamId}, status_code=${f.statusCode})`);
      break;
    case SETTINGS:
      lines.push(`${ind}(niv=${f.iv.length})`);
      for (const [id, fl, v] of f.iv) lines.push(`${ind}[${id}(${fl}):${v}]`);
      break;
    case PING:
      lines.push(`${ind}(unique_id=${f.uniqueId})`);
      break;
    case GOAWAY:
      lines.push(`${ind}(last_good_stream_id=${f.lastGoodStreamId}, status_code=${f.statusCode})`);
      break;
    case WINDOW_UPDATE:
      lines.push(`${ind}(stream_id=${f.streamId}, delta_window_size=${f.deltaWindowSize})`);
      break;
  }
  return lines.join('\n');
}

/** HTTP/2 frame type names (RFC 9113), by type code. */
export const H2_FRAME_NAMES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY',
  'WINDOW_UPDATE', 'CONTINUATION'];

/**
 * An HTTP/2 frame reported to `UrlFetchOptions.onFrame` (h2 connections):
 * `frameType` is the string `'h2'`; `type` the HTTP/2 frame type code and
 * `name` its name; `nv` the header fields of HEADERS frames; `errorCode`,
 * `lastStreamId`, `increment`, `niv` for RST_STREAM/GOAWAY, WINDOW_UPDATE
 * and SETTINGS. Lengths are in bytes.
 */
export interface H2FrameInfo {
  readonly frameType: 'h2';
  readonly version: 'h2';
  readonly type: number;
  readonly name: string;
  readonly flags: number;
  readonly streamId: number;
  readonly length: number;
  nv?: NameValue[];
  readonly errorCode?: number;
  readonly lastStreamId?: number;
  readonly increment?: number;
  readonly niv?: number;
}

/**
 * Formats an {@link H2FrameInfo} in the style of `nghttp -v`
 * (`send HEADERS frame <length=42, flags=0x05, stream_id=1>`).
 *
 * @param direction - `'send'` or `'recv'`.
 * @param f - The frame.
 */
export function formatH2Frame(direction: 'send' | 'recv', f: H2FrameInfo): string {
  const lines = [`${direction} ${f.name} frame <length=${f.length}, flags=0x${f.flags.toString(16).padStart(2, '0')}, stream_id=${f.streamId}>`];
  const ind = '          ';
  if (f.nv) for (const [n, v] of f.nv) lines.push(`${ind}${n}: ${v}`);
  if (f.errorCode !== undefined && f.type === 3) lines.push(`${ind}(error_code=${f.errorCode})`);
  if (f.type === 7) lines.push(`${ind}(last_stream_id=${f.lastStreamId}, error_code=${f.errorCode})`);
  if (f.type === 8) lines.push(`${ind}(window_size_increment=${f.increment})`);
  if (f.type === 4) lines.push(`${ind}(niv=${f.niv})`);
  if (f.type === 0 && f.flags & 1) lines.push(`${ind}; END_STREAM`);
  return lines.join('\n');
}

/**
 * A frame reported to `UrlFetchOptions.onFrame`: a SPDY control frame, a
 * DATA frame summary, or (h2) an {@link H2FrameInfo}.
 */
export type TraceFrame = Frame | DataFrameInfo | H2FrameInfo;
