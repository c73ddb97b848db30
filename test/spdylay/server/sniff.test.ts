// Cleartext protocol detection as a pure function: SPDY/2 and SPDY/3 control
// frames (and the SPDY/3.1 signature), the HTTP/2 preface, HTTP/1.x request
// lines, partial input and garbage.
import { describe, expect, it } from 'vitest';

import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM } from '../../../lib/spdylay/constants.js';
import { sniff } from '../../../lib/spdylay/server/sniff.js';

/** A SPDY control frame head (8 bytes) followed by `payload`. */
function ctrl(version: number, type: number, payload: Buffer = Buffer.alloc(0), flags = 0): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | version, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

const SETTINGS = 4;
const WINDOW_UPDATE = 9;

/** A SPDY/3 WINDOW_UPDATE for `streamId`. */
function windowUpdate(streamId: number, delta = 65536): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId, 0);
  p.writeUInt32BE(delta, 4);
  return ctrl(3, WINDOW_UPDATE, p);
}

const settings3 = ctrl(3, SETTINGS, Buffer.from([0, 0, 0, 0]));
const synStream3 = ctrl(3, SYN_STREAM, Buffer.alloc(10));
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

describe('sniff', () => {
  it('needs at least one byte', () => {
    expect(sniff(Buffer.alloc(0))).toEqual({ kind: 'incomplete' });
  });

  it('SPDY: a control bit alone is not enough to tell the version', () => {
    expect(sniff(Buffer.from([0x80]))).toEqual({ kind: 'incomplete' });
  });

  it('SPDY/2 control frame: SPDY/2 at once', () => {
    expect(sniff(ctrl(2, SYN_STREAM, Buffer.alloc(10)))).toEqual({ kind: 'spdy', version: PROTO_SPDY2, final: true });
    expect(sniff(Buffer.from([0x80, 0x02]))).toEqual({ kind: 'spdy', version: PROTO_SPDY2, final: true });
  });

  it('SPDY control frame of another version: refused', () => {
    expect(sniff(ctrl(4, SETTINGS))).toEqual({ kind: 'refused' });
    expect(sniff(ctrl(1, SYN_STREAM))).toEqual({ kind: 'refused' });
  });

  it('SPDY/3 with a connection-level WINDOW_UPDATE before the first SYN_STREAM: SPDY/3.1', () => {
    expect(sniff(Buffer.concat([settings3, windowUpdate(0), synStream3])))
      .toEqual({ kind: 'spdy', version: PROTO_SPDY3_1, final: true });
    expect(sniff(windowUpdate(0))).toEqual({ kind: 'spdy', version: PROTO_SPDY3_1, final: true });
  });

  it('SPDY/3 with a SYN_STREAM first (or a stream-level WINDOW_UPDATE): SPDY/3, settled', () => {
    expect(sniff(Buffer.concat([settings3, synStream3]))).toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: true });
    expect(sniff(Buffer.concat([windowUpdate(1), synStream3, windowUpdate(0)])))
      .toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: true });
  });

  it('SPDY/3 whose frames so far show no signature: SPDY/3, not settled (the signature may follow)', () => {
    expect(sniff(settings3)).toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: false });
    // a frame cut in its head or its payload
    expect(sniff(settings3.subarray(0, 5))).toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: false });
    expect(sniff(Buffer.concat([settings3, windowUpdate(0).subarray(0, 10)])))
      .toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: false });
  });

  it('SPDY/3: 64 KiB of frames without a signature settle on SPDY/3', () => {
    const big = ctrl(3, SETTINGS, Buffer.alloc(65536));
    expect(sniff(big)).toEqual({ kind: 'spdy', version: PROTO_SPDY3, final: true });
  });

  it('the HTTP/2 preface: h2 once complete, incomplete while a prefix of it', () => {
    expect(sniff(H2_PREFACE)).toEqual({ kind: 'h2' });
    expect(sniff(Buffer.concat([H2_PREFACE, Buffer.alloc(9)]))).toEqual({ kind: 'h2' });
    for (const n of [1, 3, 10, H2_PREFACE.length - 1]) {
      expect(sniff(H2_PREFACE.subarray(0, n))).toEqual({ kind: 'incomplete' });
    }
  });

  it('HTTP/1.x request lines: http1', () => {
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']) {
      expect(sniff(Buffer.from(`${m} / HTTP/1.1\r\nhost: x\r\n\r\n`))).toEqual({ kind: 'http1' });
    }
    expect(sniff(Buffer.from('GET / HTTP/1.0\r\n\r\n'))).toEqual({ kind: 'http1' });
    // partial request lines are decided at once: only SPDY and h2 wait for more
    expect(sniff(Buffer.from('G'))).toEqual({ kind: 'http1' });
  });

  it('garbage without the control bit: http1 (the HTTP/1.1 server answers 400)', () => {
    expect(sniff(Buffer.from([0x00, 0x01, 0x02, 0x03]))).toEqual({ kind: 'http1' });
    expect(sniff(Buffer.from('\r\n\r\n'))).toEqual({ kind: 'http1' });
  });

  it('bytes starting with PRI that are not the preface: h2 (the HTTP/2 server rejects them)', () => {
    expect(sniff(Buffer.from('PRI * HTTP/1.1\r\n'))).toEqual({ kind: 'h2' });
  });
});
