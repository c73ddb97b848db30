// A SPDY/2, SPDY/3 and SPDY/3.1 frame decoder for the tests: turns the bytes
// a session gave its sendCb into frames, reading the fixed fields of each
// control frame from the wire (header blocks are left compressed).

/** One frame as it is on the wire. */
export interface WireFrame {
  /** true for a control frame. */
  control: boolean;
  /** Control frames: the header's version field (2 or 3); DATA: 0. */
  version: number;
  /** Control frames: the frame type; DATA: 0. */
  type: number;
  flags: number;
  /** Payload length from the header. */
  length: number;
  /** The payload (header excluded). */
  payload: Buffer;
  /** SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE, DATA: the stream ID (31 bits). */
  streamId?: number;
  /** SYN_STREAM: Associated-To-Stream-ID. */
  assocStreamId?: number;
  /** SYN_STREAM: priority (v2 top 2 bits, v3 top 3 bits). */
  pri?: number;
  /** RST_STREAM: status; GOAWAY v3: status (v2 GOAWAY has none: undefined). */
  statusCode?: number;
  /** GOAWAY: last good stream ID. */
  lastGoodStreamId?: number;
  /** PING: unique ID. */
  uniqueId?: number;
  /** WINDOW_UPDATE: delta. */
  deltaWindowSize?: number;
  /** SETTINGS: [id, flags, value] entries (v2's little-endian IDs decoded). */
  iv?: [number, number, number][];
}

/**
 * Decodes `bytes`, which must hold whole frames only.
 *
 * @throws Error when the bytes end inside a frame or a fixed-size control
 *   frame has the wrong length (the sender must never produce either).
 */
export function decodeFrames(bytes: Buffer): WireFrame[] {
  const out: WireFrame[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 8) throw new Error(`${bytes.length - off} trailing bytes: not a whole frame header`);
    const length = bytes.readUInt32BE(off + 4) & 0xffffff;
    const flags = bytes[off + 4]!;
    if (bytes.length - off - 8 < length) throw new Error(`frame at ${off} announces ${length} bytes, ${bytes.length - off - 8} left`);
    const payload = bytes.subarray(off + 8, off + 8 + length);
    if (bytes[off]! & 0x80) {
      const version = bytes.readUInt16BE(off) & 0x7fff;
      const type = bytes.readUInt16BE(off + 2);
      const f: WireFrame = { control: true, version, type, flags, length, payload };
      const need = (n: number) => {
        if (length !== n) throw new Error(`control frame type ${type} with length ${length}, expected ${n}`);
      };
      switch (type) {
        case 1:
          f.streamId = payload.readUInt32BE(0) & 0x7fffffff;
          f.assocStreamId = payload.readUInt32BE(4) & 0x7fffffff;
          f.pri = version === 2 ? payload[8]! >> 6 : payload[8]! >> 5;
          break;
        case 2: case 8:
          f.streamId = payload.readUInt32BE(0) & 0x7fffffff;
          break;
        case 3:
          need(8);
          f.streamId = payload.readUInt32BE(0) & 0x7fffffff;
          f.statusCode = payload.readUInt32BE(4);
          break;
        case 4: {
          const n = payload.readUInt32BE(0);
          need(4 + 8 * n);
          f.iv = [];
          for (let i = 0; i < n; i++) {
            const e = 4 + 8 * i;
            const id = version === 2 ? payload.readUIntLE(e, 3) : payload.readUIntBE(e + 1, 3);
            const fl = version === 2 ? payload[e + 3]! : payload[e]!;
            f.iv.push([id, fl, payload.readUInt32BE(e + 4)]);
          }
          break;
        }
        case 6:
          need(4);
          f.uniqueId = payload.readUInt32BE(0);
          break;
        case 7:
          need(version === 2 ? 4 : 8);
          f.lastGoodStreamId = payload.readUInt32BE(0) & 0x7fffffff;
          if (version !== 2) f.statusCode = payload.readUInt32BE(4);
          break;
        case 9:
          need(8);
          f.streamId = payload.readUInt32BE(0) & 0x7fffffff;
          f.deltaWindowSize = payload.readUInt32BE(4) & 0x7fffffff;
          break;
        default:
          break;
      }
      out.push(f);
    } else {
      out.push({ control: false, version: 0, type: 0, flags, length, payload, streamId: bytes.readUInt32BE(off) & 0x7fffffff });
    }
    off += 8 + length;
  }
  return out;
}
