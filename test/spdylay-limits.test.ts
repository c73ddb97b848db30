// Flood and resource limits of deps/spdylay through `Session` (issue 9):
// PING flood against a server that cannot write, zlib bombs, empty DATA
// and SETTINGS floods, rapid reset, inCtrlFrame, option validation. Every
// case drives real sessions wired in memory and checks what the peer
// receives (the frames and their codes).
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

import { describe, expect, it } from 'vitest';

import {
  CANCEL, CLIENT, DataProvider, ERR_DEFERRED, ERR_FLOODED, FRAME_TOO_LARGE, FloodedError, GOAWAY,
  GOAWAY_PROTOCOL_ERROR, LIMIT_EMPTY_FRAMES, LIMIT_HEADER_BLOCK_INFLATE, LIMIT_NONE, LIMIT_OUTBOUND_ACK,
  LIMIT_STREAM_RESETS, OPT_MAX_EMPTY_FRAMES, OPT_MAX_HEADER_BLOCK_INFLATE, OPT_MAX_HEADER_LIST_SIZE,
  OPT_MAX_OUTBOUND_ACK, OPT_STREAM_RESET_BURST, OPT_STREAM_RESET_RATE, PING, PROTO_SPDY3, PROTO_SPDY3_1,
  RST_STREAM, SERVER, SYN_STREAM, Session, SpdylayError, InvalidArgumentError, errorForCode, strerror,
  type Frame, type NameValue, type SessionOptions,
} from '../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from './helpers/spdylay.js';
import { sharedPath } from './helpers/shared.js';

const SPDY3_DICT = Buffer.from(
  fs.readFileSync(sharedPath('spec', 'spdy3-dictionary.hex'), 'utf8').replace(/\s+/g, ''), 'hex');

/** The SPDY/3 name/value block of `nv` (uncompressed). */
function nvBlock(nv: NameValue[]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  parts.push(u32(nv.length));
  for (const [n, v] of nv) {
    const nb = Buffer.from(n);
    const vb = Buffer.from(v);
    parts.push(u32(nb.length), nb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

/**
 * An attacker's SPDY/3 header compressor: the first block starts a zlib
 * stream with the SPDY/3 dictionary (level 9), later blocks continue it as
 * raw deflate blocks; every block ends with a sync flush.
 */
class Compressor {
  private first = true;
  block(nv: NameValue[]): Buffer {
    const raw = nvBlock(nv);
    const opts = { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    if (this.first) {
      this.first = false;
      return zlib.deflateSync(raw, { ...opts, dictionary: SPDY3_DICT });
    }
    return zlib.deflateRawSync(raw, opts);
  }
}

/** A SPDY/3 SYN_STREAM frame around a compressed header block. */
function synStream(streamId: number, fin: boolean, block: Buffer): Buffer {
  const head = Buffer.alloc(18);
  head.writeUInt32BE(0x80030001, 0);
  head.writeUInt32BE(10 + block.length, 4);
  head[4] = fin ? 1 : 0;
  head.writeUInt32BE(streamId, 8);
  head[16] = 3 << 5;
  return Buffer.concat([head, block]);
}

function ping(id: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(0x80030006, 0);
  b.writeUInt32BE(4, 4);
  b.writeUInt32BE(id, 8);
  return b;
}

function emptyData(streamId: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(streamId, 0);
  return b;
}

/** Parses what a server sent with a fresh client session: its control frames. */
function framesOf(bytes: Buffer, version = PROTO_SPDY3): Frame[] {
  const frames: Frame[] = [];
  const c = new Session(CLIENT, version, { onCtrlRecvCb: (_s, f) => frames.push(f) });
  c.recv(bytes);
  return frames;
}

/** A server whose sendCb can be switched between "would block" and "take all". */
function blockableServer(version: number, opts: SessionOptions = {}) {
  const out: Buffer[] = [];
  const state = { blocked: true };
  const events: string[] = [];
  const server = new Session(SERVER, version, {
    sendCb: (_s, d) => {
      if (state.blocked) return null;
      out.push(Buffer.from(d));
      return d.length;
    },
    onInvalidCtrlRecvCb: (_s, f, status) => events.push(`invalid ${f.frameType} ${status}`),
    onCtrlRecvCb: (_s, f) => events.push(`recv ${f.frameType}`),
    onRequestRecvCb: (_s, sid) => events.push(`request ${sid}`),
    ...opts,
  });
  return { server, out, state, events };
}

/** Expects `fn` to throw a FloodedError for `limit` and returns it. */
function expectFlooded(fn: () => void, limit: number): FloodedError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloodedError);
  const fe = err as FloodedError;
  expect(fe.code).toBe(ERR_FLOODED);
  expect(fe.limit).toBe(limit);
  return fe;
}

/** After a limit failure: further input is refused, the GOAWAY goes out, nothing after it. */
function checkFailed(s: ReturnType<typeof blockableServer>, limit: number, lastGood = 0): Frame[] {
  const { server, out, state } = s;
  expect(server.getLimitExceeded()).toBe(limit);
  expect(server.wantRead()).toBe(false);
  expect(server.wantWrite()).toBe(true);
  expectFlooded(() => server.recv(ping(99)), limit);
  state.blocked = false;
  server.send();
  const frames = framesOf(Buffer.concat(out));
  const last = frames[frames.length - 1];
  expect(last.frameType).toBe(GOAWAY);
  expect(last).toMatchObject({ statusCode: GOAWAY_PROTOCOL_ERROR, lastGoodStreamId: lastGood });
  expect(server.wantWrite()).toBe(false);
  const n = out.length;
  server.send();
  expect(out.length).toBe(n);
  return frames;
}

describe('constants, FloodedError and option validation', () => {
  it('has the C values', () => {
    expect([OPT_MAX_HEADER_LIST_SIZE, OPT_MAX_OUTBOUND_ACK, OPT_MAX_EMPTY_FRAMES, OPT_STREAM_RESET_BURST,
      OPT_STREAM_RESET_RATE, OPT_MAX_HEADER_BLOCK_INFLATE]).toEqual([4, 5, 6, 7, 8, 9]);
    expect([LIMIT_NONE, LIMIT_OUTBOUND_ACK, LIMIT_EMPTY_FRAMES, LIMIT_STREAM_RESETS, LIMIT_HEADER_BLOCK_INFLATE])
      .toEqual([0, 1, 2, 3, 4]);
    expect(ERR_FLOODED).toBe(-903);
  });

  it('FloodedError extends SpdylayError and carries the code and the limit', () => {
    const e = new FloodedError(LIMIT_OUTBOUND_ACK);
    expect(e).toBeInstanceOf(SpdylayError);
    expect(e.name).toBe('FloodedError');
    expect(e.code).toBe(-903);
    expect(e.limit).toBe(LIMIT_OUTBOUND_ACK);
    expect(e.message).toBe(strerror(-903));
    expect(e.message).toBe('The peer exceeded a flood or resource limit');
    expect(new FloodedError().limit).toBe(LIMIT_NONE);
    expect(errorForCode(-903)).toBeInstanceOf(FloodedError);
  });

  it('setOption accepts integers in range and rejects the rest', () => {
    const s = new Session(SERVER, PROTO_SPDY3_1);
    expect(s.getLimitExceeded()).toBe(LIMIT_NONE);
    expect(s.inCtrlFrame()).toBe(false);
    for (const opt of [OPT_MAX_HEADER_LIST_SIZE, OPT_MAX_OUTBOUND_ACK, OPT_MAX_EMPTY_FRAMES, OPT_STREAM_RESET_BURST,
      OPT_STREAM_RESET_RATE, OPT_MAX_HEADER_BLOCK_INFLATE]) {
      s.setOption(opt, 1);
      s.setOption(opt, 2 ** 32 - 1);
      expect(() => s.setOption(opt, 1.5)).toThrow(InvalidArgumentError);
      expect(() => s.setOption(opt, -1)).toThrow(InvalidArgumentError);
      expect(() => s.setOption(opt, 2 ** 32)).toThrow(InvalidArgumentError);
      expect(() => s.setOption(opt, 'x' as never)).toThrow(TypeError);
      if (opt === OPT_STREAM_RESET_RATE) s.setOption(opt, 0);
      else expect(() => s.setOption(opt, 0)).toThrow(InvalidArgumentError);
    }
  });
});

describe('outbound ack cap (SPDY/3.1 PING flood by a client that never reads)', () => {
  it('the 1001st queued PING reply fails the session; send() then writes GOAWAY(PROTOCOL_ERROR)', () => {
    const s = blockableServer(PROTO_SPDY3_1);
    // The server tries to send now and then, as a server does; nothing
    // leaves. The first send() moves one reply out of the library into the
    // binding's output (held there, bounded), so the library's queue holds
    // 1000 replies after the 1001st PING and the 1002nd one fails it.
    let failedAt = -1;
    for (let i = 0; i < 1100 && failedAt < 0; i++) {
      try {
        s.server.recv(ping(2 * i + 1));
      } catch (e) {
        expect(e).toBeInstanceOf(FloodedError);
        expect((e as FloodedError).limit).toBe(LIMIT_OUTBOUND_ACK);
        failedAt = i;
        break;
      }
      if (i % 100 === 0) s.server.send();
      expect(s.server.getOutboundQueueSize()).toBeLessThanOrEqual(1000);
    }
    expect(failedAt).toBe(1001);
    const frames = checkFailed(s, LIMIT_OUTBOUND_ACK);
    // at most the PING reply that was in flight goes before the GOAWAY
    expect(frames.length).toBeLessThanOrEqual(2);
    for (const f of frames.slice(0, -1)) expect(f.frameType).toBe(PING);
  });

  it('OPT_MAX_OUTBOUND_ACK: RST_STREAMs for refused streams count too', () => {
    const s = blockableServer(PROTO_SPDY3, {});
    s.server.setOption(OPT_MAX_OUTBOUND_ACK, 3);
    const z = new Compressor();
    // SYN_STREAM with stream ID 0 is a session error; with an ID already
    // used it is refused with RST_STREAM PROTOCOL_ERROR
    s.server.recv(synStream(1, true, z.block(REQ_NV)));
    s.server.recv(ping(1));
    s.server.recv(ping(3));
    s.server.recv(synStream(1, true, z.block(REQ_NV))); // RST_STREAM(1): the 3rd reply
    expectFlooded(() => s.server.recv(ping(5)), LIMIT_OUTBOUND_ACK);
    checkFailed(s, LIMIT_OUTBOUND_ACK, 1);
  });
});

describe('header blocks: the list limit and the inflate cap (zlib bombs)', () => {
  it('an oversized block gets RST_STREAM(FRAME_TOO_LARGE); the next SYN_STREAM on the session works', () => {
    const s = blockableServer(PROTO_SPDY3);
    s.state.blocked = false;
    const z = new Compressor();
    // 900 KB of value: past the 64 KiB list limit, under the 1 MiB inflate cap
    const bomb = synStream(1, true, z.block([...REQ_NV, ['x-big', 'a'.repeat(900_000)]]));
    expect(bomb.length).toBeLessThan(4096);
    s.server.recv(bomb);
    expect(s.events).toEqual([`invalid ${SYN_STREAM} ${FRAME_TOO_LARGE}`]);
    s.server.send();
    expect(framesOf(Buffer.concat(s.out))).toMatchObject([{ frameType: RST_STREAM, streamId: 1, statusCode: FRAME_TOO_LARGE }]);
    // zlib is still in step
    s.server.recv(synStream(3, true, z.block(REQ_NV)));
    expect(s.events.slice(1)).toEqual([`recv ${SYN_STREAM}`, 'request 3']);
    expect(s.server.getLimitExceeded()).toBe(LIMIT_NONE);
    expect(s.server.wantRead()).toBe(true);
  });

  it('OPT_MAX_HEADER_LIST_SIZE with a real client: refused, then the next request is answered', () => {
    const events: string[] = [];
    const p = new Pair(PROTO_SPDY3_1, {
      onCtrlRecvCb: (_s, f) => events.push(`client recv ${f.frameType}`),
      onStreamCloseCb: (_s, sid, status) => events.push(`client close ${sid} ${status}`),
    }, {
      onInvalidCtrlRecvCb: (_s, f, status) => events.push(`server invalid ${f.frameType} ${(f as { nv: NameValue[] }).nv.length} ${status}`),
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV),
    });
    p.server.setOption(OPT_MAX_HEADER_LIST_SIZE, 1000);
    p.client.submitRequest(3, [...REQ_NV, ['x-big', 'b'.repeat(2000)]]);
    p.pump();
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(events).toEqual([
      `server invalid ${SYN_STREAM} 0 ${FRAME_TOO_LARGE}`,
      `client recv ${RST_STREAM}`, `client close 1 ${FRAME_TOO_LARGE}`,
      `client recv 2`, 'client close 3 0',
    ]);
  });

  it('a 16 MiB header value compressed into ~16 KiB ends the session at the inflate cap', () => {
    const s = blockableServer(PROTO_SPDY3_1);
    const z = new Compressor();
    const bomb = synStream(1, true, z.block([...REQ_NV, ['x-big', 'a'.repeat(16 * 1024 * 1024)]]));
    expect(bomb.length).toBeLessThan(32 * 1024);
    expectFlooded(() => {
      for (let off = 0; off < bomb.length; off += 1024) s.server.recv(bomb.subarray(off, off + 1024));
    }, LIMIT_HEADER_BLOCK_INFLATE);
    expect(s.events).toEqual([]);
    checkFailed(s, LIMIT_HEADER_BLOCK_INFLATE);
  });

  it('OPT_MAX_HEADER_BLOCK_INFLATE raised: the same bomb is only refused', () => {
    const s = blockableServer(PROTO_SPDY3);
    s.state.blocked = false;
    s.server.setOption(OPT_MAX_HEADER_BLOCK_INFLATE, 32 * 1024 * 1024);
    const z = new Compressor();
    s.server.recv(synStream(1, true, z.block([...REQ_NV, ['x-big', 'a'.repeat(16 * 1024 * 1024)]])));
    s.server.recv(synStream(3, true, z.block(REQ_NV)));
    expect(s.events).toEqual([`invalid ${SYN_STREAM} ${FRAME_TOO_LARGE}`, `recv ${SYN_STREAM}`, 'request 3']);
  });
});

describe('empty frames', () => {
  /** A server with stream 1 open (a request whose body has not come yet). */
  function withOpenStream(version: number) {
    const s = blockableServer(version);
    const c = new Session(CLIENT, version, { sendCb: (_s, d) => { s.server.recv(Buffer.from(d)); return d.length; } });
    c.submitRequest(3, REQ_NV, new DataProvider(null, () => ERR_DEFERRED));
    c.send();
    expect(s.events).toEqual([`recv ${SYN_STREAM}`]);
    return s;
  }

  it('1001 empty DATA frames in a row: FloodedError(LIMIT_EMPTY_FRAMES), GOAWAY', () => {
    const s = withOpenStream(PROTO_SPDY3_1);
    // DATA with payload restarts the count
    for (let round = 0; round < 3; round++) {
      s.server.recv(Buffer.concat(Array.from({ length: 999 }, () => emptyData(1))));
      s.server.recv(Buffer.from('0000000100000001aa', 'hex'));
    }
    expect(s.server.getLimitExceeded()).toBe(LIMIT_NONE);
    expectFlooded(() => s.server.recv(Buffer.concat(Array.from({ length: 1001 }, () => emptyData(1)))),
      LIMIT_EMPTY_FRAMES);
    checkFailed(s, LIMIT_EMPTY_FRAMES, 1);
  });

  it('OPT_MAX_EMPTY_FRAMES: SETTINGS after the first count as empty', () => {
    const s = blockableServer(PROTO_SPDY3);
    s.server.setOption(OPT_MAX_EMPTY_FRAMES, 10);
    const settings = Buffer.from('800300040000000c000000010000000400000064', 'hex');
    for (let i = 0; i < 11; i++) s.server.recv(settings);
    expectFlooded(() => s.server.recv(settings), LIMIT_EMPTY_FRAMES);
    checkFailed(s, LIMIT_EMPTY_FRAMES);
  });
});

describe('stream resets (rapid reset)', () => {
  it('a client that opens and resets streams runs the bucket dry: GOAWAY', () => {
    const s = blockableServer(PROTO_SPDY3_1);
    s.server.setOption(OPT_STREAM_RESET_BURST, 50);
    s.server.setOption(OPT_STREAM_RESET_RATE, 1);
    let flooded: FloodedError | undefined;
    const c = new Session(CLIENT, PROTO_SPDY3_1, {
      sendCb: (_s, d) => {
        if (flooded) return d.length;
        try {
          s.server.recv(Buffer.from(d));
        } catch (e) {
          flooded = e as FloodedError;
        }
        return d.length;
      },
    });
    let resets = 0;
    const t0 = Date.now();
    for (let i = 0; i < 200 && !flooded; i++) {
      c.submitRequest(3, REQ_NV);
      c.send();
      c.submitRstStream(2 * i + 1, CANCEL);
      c.send();
      if (!flooded) resets++;
    }
    const seconds = (Date.now() - t0) / 1000;
    expect(flooded).toBeInstanceOf(FloodedError);
    expect(flooded!.limit).toBe(LIMIT_STREAM_RESETS);
    expect(resets).toBeGreaterThanOrEqual(50);
    expect(resets).toBeLessThanOrEqual(50 + Math.ceil(seconds) + 1);
    checkFailed(s, LIMIT_STREAM_RESETS, 2 * resets + 1);
  });
});

describe('inCtrlFrame', () => {
  it('is true while a frame head or a SYN_STREAM is incomplete, false inside a DATA payload', () => {
    const s = blockableServer(PROTO_SPDY3);
    const z = new Compressor();
    const syn = synStream(1, false, z.block(REQ_NV));
    s.server.recv(syn.subarray(0, 3));
    expect(s.server.inCtrlFrame()).toBe(true);
    s.server.recv(syn.subarray(3, 20));
    expect(s.server.inCtrlFrame()).toBe(true);
    s.server.recv(syn.subarray(20));
    expect(s.server.inCtrlFrame()).toBe(false);
    expect(s.events).toEqual([`recv ${SYN_STREAM}`]);
    const data = Buffer.from('0000000100000004abcdefab', 'hex');
    s.server.recv(data.subarray(0, 5));
    expect(s.server.inCtrlFrame()).toBe(true);
    s.server.recv(data.subarray(5, 10));
    expect(s.server.inCtrlFrame()).toBe(false);
    s.server.recv(data.subarray(10));
    expect(s.server.inCtrlFrame()).toBe(false);
  });
});
