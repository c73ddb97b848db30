// A minimal raw HTTP/2 client for tests that need to misbehave or to read
// frames exactly: frame builders, a frame parser and a socket wrapper.
import { FrameSocket } from './frame-socket.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = {
  DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7,
  WINDOW_UPDATE: 8, CONTINUATION: 9,
} as const;

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const hd = Buffer.alloc(9);
  hd.writeUIntBE(payload.length, 0, 3);
  hd[3] = type;
  hd[4] = flags;
  hd.writeUInt32BE(streamId, 5);
  return Buffer.concat([hd, payload]);
}

export function settingsFrame(entries: [number, number][] = [], ack = false): Buffer {
  const p = Buffer.alloc(entries.length * 6);
  entries.forEach(([id, v], i) => {
    p.writeUInt16BE(id, i * 6);
    p.writeUInt32BE(v, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, ack ? 1 : 0, 0, p);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(increment, 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, p);
}

/** HPACK block of literal fields without indexing (no Huffman); names/values < 127 bytes. */
export function hpackLiterals(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of fields) {
    const nb = Buffer.from(n);
    const vb = Buffer.from(v);
    if (nb.length > 126 || vb.length > 126) throw new Error('field too long for this helper');
    parts.push(Buffer.from([0x00, nb.length]), nb, Buffer.from([vb.length]), vb);
  }
  return Buffer.concat(parts);
}

export function requestHeaders(streamId: number, path: string, endStream = true, method = 'GET'): Buffer {
  const block = hpackLiterals([[':method', method], [':scheme', 'http'], [':authority', 'localhost'], [':path', path]]);
  return frame(FrameType.HEADERS, 0x4 | (endStream ? 0x1 : 0), streamId, block);
}

/** Incremental frame parser. */
export class FrameParser {
  #buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3);
      if (this.#buf.length < 9 + len) break;
      out.push({
        type: this.#buf[3]!, flags: this.#buf[4]!, streamId: this.#buf.readUInt32BE(5) & 0x7fffffff,
        payload: Buffer.from(this.#buf.subarray(9, 9 + len)),
      });
      this.#buf = this.#buf.subarray(9 + len);
    }
    return out;
  }
}

export function goawayCode(f: Frame): number {
  return f.payload.readUInt32BE(4);
}

/** A raw client connection collecting every frame the server sends. */
export class RawClient extends FrameSocket<Frame> {
  constructor(port: number, host = '127.0.0.1') {
    super(port, host, new FrameParser());
  }

  write(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }
}

/**
 * Connects to `port`, sends the preface and an empty SETTINGS, and returns
 * the client and the entries (identifier -> value) of the server's first
 * SETTINGS frame.
 */
export async function serverSettings(port: number): Promise<{ c: RawClient; entries: Map<number, number> }> {
  const c = new RawClient(port);
  await c.connected;
  c.write(PREFACE, settingsFrame());
  const s = await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0);
  const entries = new Map<number, number>();
  for (let i = 0; i < s.payload.length; i += 6) entries.set(s.payload.readUInt16BE(i), s.payload.readUInt32BE(i + 2));
  return { c, entries };
}

/** HPACK integer with an N-bit prefix (RFC 7541 5.1); `first` holds the pattern bits of the first byte. */
export function hpackInt(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  let v = value - max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** HPACK string literal without Huffman coding, of any length. */
export function hpackString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([hpackInt(b.length, 7), b]);
}

/**
 * HPACK literal field with a new name: with incremental indexing (added to
 * the dynamic table) when `index` is true, else without indexing.
 */
export function hpackLiteral(name: string, value: string | Buffer, index = false): Buffer {
  return Buffer.concat([Buffer.from([index ? 0x40 : 0x00]), hpackString(name), hpackString(value)]);
}

/** HPACK indexed field (static table 1..61, dynamic from 62). */
export function hpackIndexed(index: number): Buffer {
  return hpackInt(index, 7, 0x80);
}

/** The request pseudo-header fields as HPACK literals (no Huffman). */
export function hpackRequest(path: string, method = 'GET'): Buffer {
  return hpackLiterals([[':method', method], [':scheme', 'http'], [':authority', 'localhost'], [':path', path]]);
}

/** A PING frame (8 bytes of payload). */
export function pingFrame(ack = false, data: Buffer = Buffer.alloc(8)): Buffer {
  return frame(FrameType.PING, ack ? 1 : 0, 0, data);
}

/** An RST_STREAM frame. */
export function rstStream(streamId: number, code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code, 0);
  return frame(FrameType.RST_STREAM, 0, streamId, p);
}
