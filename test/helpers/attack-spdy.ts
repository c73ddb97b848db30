// Raw SPDY/3 and 3.1 frames for the hardening tests: a header compressor
// that is ONE continuous deflate stream with the SPDY/3 dictionary (as a
// real client's), frame builders, a frame parser and a raw socket client
// that records what the server sends (control frames parsed; header blocks
// are not inflated).
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

import { FrameSocket } from './frame-socket.js';
import { sharedPath } from './shared.js';

export const SPDY_VERSION = 3;
export const T = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const;
export const FLAG_FIN = 0x01;
/** RST_STREAM statuses. */
export const RST = { PROTOCOL_ERROR: 1, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6, FRAME_TOO_LARGE: 11 } as const;
/** GOAWAY statuses. */
export const GOAWAY_STATUS = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

const dicts = new Map<number, Buffer>();
/** The header compression dictionary of SPDY/`version` (shared/spec/spdy{2,3}-dictionary.hex). */
export function spdyDictionary(version: 2 | 3 = 3): Buffer {
  let d = dicts.get(version);
  if (!d) {
    d = Buffer.from(fs.readFileSync(sharedPath('spec', `spdy${version}-dictionary.hex`), 'latin1').replace(/\s+/g, ''), 'hex');
    dicts.set(version, d);
  }
  return d;
}

/**
 * The client's header compressor: one deflate stream for the whole
 * connection, flushed with Z_SYNC_FLUSH after each header block, as the
 * protocol requires. Calls must not overlap (await each).
 */
export class SpdyDeflater {
  #d: zlib.Deflate;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(version: 2 | 3 = 3) {
    this.#d = zlib.createDeflate({ dictionary: spdyDictionary(version) });
  }

  compress(block: Buffer): Promise<Buffer> {
    const run = this.#busy.then(() => new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer): void => { chunks.push(c); };
      this.#d.on('data', onData);
      this.#d.once('error', reject);
      this.#d.write(block);
      this.#d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        // Output is pushed before the flush callback; let pending 'data' events run first.
        setImmediate(() => {
          this.#d.off('data', onData);
          this.#d.off('error', reject);
          resolve(Buffer.concat(chunks));
        });
      });
    }));
    this.#busy = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#d.close();
  }
}

/**
 * Uncompressed name/value block: SPDY/3 u32 count, then u32-length-prefixed
 * names and values; SPDY/2 the same with u16 lengths.
 */
export function nvBlock(pairs: [string, string | Buffer][], version: 2 | 3 = 3): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(version === 2 ? 2 : 4);
    if (version === 2) b.writeUInt16BE(n, 0);
    else b.writeUInt32BE(n, 0);
    return b;
  };
  parts.push(u32(pairs.length));
  for (const [n, v] of pairs) {
    const nb = Buffer.from(n, 'latin1');
    const vb = Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1');
    parts.push(u32(nb.length), nb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function requestNv(path: string, method = 'GET', extra: [string, string | Buffer][] = [], version: 2 | 3 = 3): Buffer {
  if (version === 2) {
    return nvBlock([['method', method], ['url', path], ['version', 'HTTP/1.1'], ['host', '127.0.0.1'],
      ['scheme', 'http'], ...extra], 2);
  }
  return nvBlock([[':method', method], [':path', path], [':version', 'HTTP/1.1'], [':host', '127.0.0.1'],
    [':scheme', 'http'], ...extra]);
}

export function control(type: number, flags: number, payload: Buffer, version: 2 | 3 = SPDY_VERSION): Buffer {
  const hd = Buffer.alloc(8);
  hd[0] = 0x80;
  hd[1] = version;
  hd.writeUInt16BE(type, 2);
  hd[4] = flags;
  hd.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([hd, payload]);
}

export function synStream(streamId: number, flags: number, compressedNv: Buffer, version: 2 | 3 = 3): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId, 0);
  return control(T.SYN_STREAM, flags, Buffer.concat([fixed, compressedNv]), version);
}

export function rstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId, 0);
  p.writeUInt32BE(status, 4);
  return control(T.RST_STREAM, 0, p);
}

export function ping(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return control(T.PING, 0, p);
}

export function windowUpdate(streamId: number, delta: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId, 0);
  p.writeUInt32BE(delta, 4);
  return control(T.WINDOW_UPDATE, 0, p);
}

export function settings(entries: [number, number][] = []): Buffer {
  const p = Buffer.alloc(4 + entries.length * 8);
  p.writeUInt32BE(entries.length, 0);
  entries.forEach(([id, v], i) => {
    p.writeUInt32BE(id & 0xffffff, 4 + i * 8);
    p.writeUInt32BE(v, 8 + i * 8);
  });
  return control(T.SETTINGS, 0, p);
}

export function dataFrame(streamId: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const hd = Buffer.alloc(8);
  hd.writeUInt32BE(streamId & 0x7fffffff, 0);
  hd[4] = flags;
  hd.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([hd, payload]);
}

export interface SpdyFrame {
  control: boolean;
  /** Control frame type, or -1 for DATA. */
  type: number;
  flags: number;
  /** Stream ID (DATA, SYN_*, RST_STREAM, HEADERS, WINDOW_UPDATE), last-good-stream-ID for GOAWAY, else 0. */
  streamId: number;
  /** RST_STREAM / GOAWAY status, PING id, else 0. */
  status: number;
  payload: Buffer;
}

export class SpdyFrameParser {
  #buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): SpdyFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: SpdyFrame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUIntBE(5, 3);
      if (this.#buf.length < 8 + len) break;
      const control = (this.#buf[0]! & 0x80) !== 0;
      const payload = Buffer.from(this.#buf.subarray(8, 8 + len));
      const f: SpdyFrame = { control, type: -1, flags: this.#buf[4]!, streamId: 0, status: 0, payload };
      if (!control) {
        f.streamId = this.#buf.readUInt32BE(0) & 0x7fffffff;
      } else {
        f.type = this.#buf.readUInt16BE(2);
        if (payload.length >= 4 && f.type !== T.SETTINGS) f.streamId = payload.readUInt32BE(0) & 0x7fffffff;
        if ((f.type === T.RST_STREAM || f.type === T.GOAWAY) && payload.length >= 8) f.status = payload.readUInt32BE(4);
        if (f.type === T.PING) f.status = f.streamId;
      }
      out.push(f);
      this.#buf = this.#buf.subarray(8 + len);
    }
    return out;
  }
}

/**
 * A raw SPDY/3.1 client socket (cleartext; the server sniffs 3.1 from the
 * connection-level WINDOW_UPDATE sent first), or SPDY/3 (`spdy31: false`),
 * or SPDY/2 (`version: 2`). Records every frame.
 */
export class RawSpdy3 extends FrameSocket<SpdyFrame> {
  readonly deflater: SpdyDeflater;
  readonly version: 2 | 3;
  readonly #spdy31: boolean;

  constructor(port: number, { spdy31 = true, version = 3 }: { spdy31?: boolean; version?: 2 | 3 } = {}) {
    super(port, '127.0.0.1', new SpdyFrameParser());
    this.version = version;
    this.#spdy31 = version === 2 ? false : spdy31;
    this.deflater = new SpdyDeflater(version);
  }

  protected override onConnect(): void {
    if (this.#spdy31) this.socket.write(windowUpdate(0, 0x7fffffff - 65536));
  }

  protected override onClose(): void {
    this.deflater.close();
  }

  protected override received(): string {
    return ` (got types ${this.frames.map((f) => f.type).slice(0, 20).join(',')})`;
  }

  protected override get frameName(): string {
    return 'a SPDY frame';
  }

  write(...bufs: Buffer[]): boolean {
    return this.socket.write(bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs));
  }

  /** Builds a SYN_STREAM (FIN) for GET `path` with the connection's compressor. */
  async syn(streamId: number, path: string, extra: [string, string | Buffer][] = [], flags = FLAG_FIN, method = 'GET'): Promise<Buffer> {
    return synStream(streamId, flags, await this.deflater.compress(requestNv(path, method, extra, this.version)), this.version);
  }

  /** Resolves with the DATA of stream `id` once a frame with FIN ended it. */
  async body(id: number, timeoutMs = 5000): Promise<Buffer> {
    await this.waitFor((f) => f.streamId === id && (f.flags & FLAG_FIN) !== 0
      && (!f.control || f.type === T.SYN_REPLY || f.type === T.HEADERS), timeoutMs);
    return Buffer.concat(this.frames.filter((f) => !f.control && f.streamId === id).map((f) => f.payload));
  }

  get goaway(): SpdyFrame | undefined {
    return this.frames.find((f) => f.control && f.type === T.GOAWAY);
  }
}

export const isSpdyGoaway = (f: SpdyFrame): boolean => f.control && f.type === T.GOAWAY;
export const isSpdyRst = (id: number) => (f: SpdyFrame): boolean => f.control && f.type === T.RST_STREAM && f.streamId === id;
