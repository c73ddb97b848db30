/**
 * HTTP helpers of the high-level SPDY server ({@link ThreadedSPDYServer}):
 * the HTTP status table of the reference, RFC 1123 date strings, HTML
 * escaping for error pages, and the queue behind streamed response bodies.
 *
 * @packageDocumentation
 */

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
    if (this.head === 0 && this.chunks.length === 1) {
      this.bytes = 0;
      return this.chunks.pop()!;
    }
    const parts = this.chunks.slice(this.head);
    this.chunks = [];
    this.head = 0;
    const n = this.bytes;
    this.bytes = 0;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  clear(): void {
    if (this.chunks.length !== 0) this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}
