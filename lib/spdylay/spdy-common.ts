/**
 * Helpers shared by the high-level SPDY client ({@link urlfetch}) and server
 * ({@link ThreadedSPDYServer}): the HTTP status table of the reference,
 * date strings, the queue behind streamed bodies, and frame formatting for
 * tracing.
 *
 * @packageDocumentation
 */
import {
  DATA_FLAG_FIN, GOAWAY, HEADERS, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
} from './constants.js';
import type { Frame, NameValue } from './frames.js';

/**
 * HTTP status table of Python's `http.server.BaseHTTPRequestHandler`, as used
 * by python-spdylay's `BaseSPDYRequestHandler.responses`: code -> [short
 * phrase, long explanation].
 */
export const RESPONSES: Readonly<Record<number, readonly [string, string]>> = Object.freeze({
  100: ['Continue', 'Request received, please continue'],
  101: ['Switching Protocols', 'Switching to new protocol; obey Upgrade header'],
  200: ['OK', 'Request fulfilled, document follows'],
  201: ['Created', 'Document created, URL follows'],
  202: ['Accepted', 'Request accepted, processing continues off-line'],
  203: ['Non-Authoritative Information', 'Request fulfilled from cache'],
  204: ['No Content', 'Request fulfilled, nothing follows'],
  205: ['Reset Content', 'Clear input form for further input.'],
  206: ['Partial Content', 'Partial content follows.'],
  300: ['Multiple Choices', 'Object has several resources -- see URI list'],
  301: ['Moved Permanently', 'Object moved permanently -- see URI list'],
  302: ['Found', 'Object moved temporarily -- see URI list'],
  303: ['See Other', 'Object moved -- see Method and URL list'],
  304: ['Not Modified', 'Document has not changed since given time'],
  305: ['Use Proxy', 'You must use proxy specified in Location to access this resource.'],
  307: ['Temporary Redirect', 'Object moved temporarily -- see URI list'],
  400: ['Bad Request', 'Bad request syntax or unsupported method'],
  401: ['Unauthorized', 'No permission -- see authorization schemes'],
  402: ['Payment Required', 'No payment -- see charging schemes'],
  403: ['Forbidden', 'Request forbidden -- authorization will not help'],
  404: ['Not Found', 'Nothing matches the given URI'],
  405: ['Method Not Allowed', 'Specified method is invalid for this resource.'],
  406: ['Not Acceptable', 'URI not available in preferred format.'],
  407: ['Proxy Authentication Required', 'You must authenticate with this proxy before proceeding.'],
  408: ['Request Timeout', 'Request timed out; try again later.'],
  409: ['Conflict', 'Request conflict.'],
  410: ['Gone', 'URI no longer exists and has been permanently removed.'],
  411: ['Length Required', 'Client must specify Content-Length.'],
  412: ['Precondition Failed', 'Precondition in headers is false.'],
  413: ['Request Entity Too Large', 'Entity is too large.'],
  414: ['Request-URI Too Long', 'URI is too long.'],
  415: ['Unsupported Media Type', 'Entity body in unsupported format.'],
  416: ['Requested Range Not Satisfiable', 'Cannot satisfy request range.'],
  417: ['Expectation Failed', 'Expect condition could not be satisfied.'],
  428: ['Precondition Required', 'The origin server requires the request to be conditional.'],
  429: ['Too Many Requests', 'The user has sent too many requests in a given amount of time ("rate limiting").'],
  431: ['Request Header Fields Too Large', 'The server is unwilling to process the request because its header fields are too large.'],
  500: ['Internal Server Error', 'Server got itself in trouble'],
  501: ['Not Implemented', 'Server does not support this operation'],
  502: ['Bad Gateway', 'Invalid responses from another server/proxy.'],
  503: ['Service Unavailable', 'The server cannot process the request due to a high load'],
  504: ['Gateway Timeout', 'The gateway server did not receive a timely response'],
  505: ['HTTP Version Not Supported', 'Cannot fulfill request.'],
  511: ['Network Authentication Required', 'The client needs to authenticate to gain network access.'],
});

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let cachedSecond = -1;
let cachedDate = '';

/**
 * An RFC 1123 date in GMT (`Sun, 06 Nov 1994 08:49:37 GMT`).
 *
 * @param timestamp - Milliseconds since the epoch; default now.
 */
export function dateTimeString(timestamp?: number): string {
  const ms = timestamp ?? Date.now();
  const second = Math.floor(ms / 1000);
  if (timestamp === undefined && second === cachedSecond) return cachedDate;
  const d = new Date(second * 1000);
  const p2 = (n: number) => (n < 10 ? '0' : '') + n;
  const s = `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
  if (timestamp === undefined) {
    cachedSecond = second;
    cachedDate = s;
  }
  return s;
}

/** Escapes `&`, `<`, `>` and quotes for HTML (Python's `html.escape`). */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/**
 * A queue of outgoing body bytes with a byte count: writers append, a data
 * provider (SPDY) or body generator (HTTP/2) takes up to N bytes at a time.
 * @internal
 */
export class ByteQueue {
  chunks: Buffer[] = [];
  head = 0;
  bytes = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.bytes += b.length;
  }

  /** Up to `max` bytes (a view when they come from one chunk), or null when empty. */
  take(max: number): Buffer | null {
    if (this.bytes === 0 || max <= 0) return null;
    const first = this.chunks[this.head]!;
    let out: Buffer;
    if (first.length <= max) {
      out = first;
      this.chunks[this.head++] = undefined as unknown as Buffer;
      // gather more small chunks into one frame
      if (first.length < max && this.head < this.chunks.length) {
        const parts = [first];
        let n = first.length;
        while (n < max && this.head < this.chunks.length) {
          const c = this.chunks[this.head]!;
          if (n + c.length <= max) {
            parts.push(c);
            n += c.length;
            this.chunks[this.head++] = undefined as unknown as Buffer;
          } else {
            parts.push(c.subarray(0, max - n));
            this.chunks[this.head] = c.subarray(max - n);
            n = max;
          }
        }
        out = parts.length === 1 ? first : Buffer.concat(parts, n);
      }
    } else {
      out = first.subarray(0, max);
      this.chunks[this.head] = first.subarray(max);
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.bytes -= out.length;
    return out;
  }

  /** Everything queued, as one Buffer. */
  drain(): Buffer {
    const parts = this.chunks.slice(this.head);
    this.chunks = [];
    this.head = 0;
    const n = this.bytes;
    this.bytes = 0;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}

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
