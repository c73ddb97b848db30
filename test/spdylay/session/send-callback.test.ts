// spdylay Session: the sendCb contract.
import { describe, expect, it } from 'vitest';
import {
  BufferDataProvider, CLIENT, CallbackFailureError, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER,
  SYN_STREAM, Session,
} from '../../../lib/spdylay/index.js';
import { REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

describe('sendCb contract', () => {
  it('after a partial write send() offers the rest again, until sendCb has taken all (one send() call)', () => {
    for (const reuse of [false, true]) {
      const offered: number[] = [];
      const out: Buffer[] = [];
      const s = new Session(CLIENT, PROTO_SPDY3, {
        reuseSendBuffer: reuse,
        sendCb: (_s, d) => {
          offered.push(d.length);
          const n = Math.min(7, d.length);
          out.push(Buffer.from(d.subarray(0, n)));
          return n;
        },
      });
      s.submitRequest(3, REQ_NV);
      s.submitPing();
      s.send();
      expect(s.wantWrite()).toBe(false);
      const total = Buffer.concat(out).length;
      expect(offered[0]).toBe(total);
      // each call is offered what the previous ones left: total, total-7, total-14, ...
      expect(offered).toEqual(offered.map((_, i) => total - 7 * i));
      expect(offered.length).toBe(Math.ceil(total / 7));
      const seen: number[] = [];
      const srv = new Session(SERVER, PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => seen.push(f.frameType) });
      srv.recv(Buffer.concat(out));
      expect(seen).toEqual([PING, SYN_STREAM]);
    }
  });

  it('would-block (0/null) ends send(); the rest is offered by the next send()', () => {
    const out: Buffer[] = [];
    const calls: [offered: number, took: number][] = [];
    let budget = 0;
    const s = new Session(CLIENT, PROTO_SPDY3, {
      sendCb: (_s, d) => {
        const n = Math.min(budget, d.length);
        budget -= n;
        calls.push([d.length, n]);
        if (n) out.push(Buffer.from(d.subarray(0, n)));
        return n === 0 ? null : n;
      },
    });
    s.submitRequest(3, REQ_NV);
    s.submitPing();
    s.send();
    expect(out).toEqual([]);
    expect(s.wantWrite()).toBe(true);
    const total = calls[0][0];
    expect(calls).toEqual([[total, 0]]);
    budget = 10;
    calls.length = 0;
    s.send();
    // takes 10, is offered the rest at once, which would block
    expect(calls).toEqual([[total, 10], [total - 10, 0]]);
    expect(Buffer.concat(out).length).toBe(10);
    expect(s.wantWrite()).toBe(true);
    budget = 1e9;
    calls.length = 0;
    s.send();
    expect(calls).toEqual([[total - 10, total - 10]]);
    expect(s.wantWrite()).toBe(false);
    // the bytes parse as a PING and a SYN_STREAM
    const seen: number[] = [];
    const srv = new Session(SERVER, PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => seen.push(f.frameType) });
    srv.recv(Buffer.concat(out));
    expect(seen).toEqual([PING, SYN_STREAM]);
  });

  it('reuseSendBuffer: each sendCb call gets the memory of the last one; by default nothing is rewritten', () => {
    for (const reuse of [false, true]) {
      const views: Buffer[] = [];
      const s = new Session(CLIENT, PROTO_SPDY3, { reuseSendBuffer: reuse, sendCb: (_s, d) => { views.push(d); return d.length; } });
      s.submitPing();
      s.send();
      const first = Buffer.from(views[0]);
      s.submitPing();
      s.send();
      expect(views).toHaveLength(2);
      // PING ids 1 and 3: same frame but for the id
      expect(views[1].readUInt32BE(8)).toBe(3);
      const sameMemory = views[1].buffer === views[0].buffer && views[1].byteOffset === views[0].byteOffset;
      expect(sameMemory).toBe(reuse);
      expect(views[0].readUInt32BE(8)).toBe(reuse ? 3 : 1);
      expect(first.readUInt32BE(8)).toBe(1);

      // one send() of a 1 MiB SPDY/2 body (no flow control): many sendCb calls
      const calls: { ab: ArrayBufferLike; off: number; copy: Buffer; view: Buffer }[] = [];
      const srv = new Session(SERVER, PROTO_SPDY2, {
        reuseSendBuffer: reuse,
        sendCb: (_s, d) => { calls.push({ ab: d.buffer, off: d.byteOffset, copy: Buffer.from(d), view: d }); return d.length; },
        onRequestRecvCb: (ss, sid) => ss.submitResponse(sid, RES_NV, new BufferDataProvider(Buffer.alloc(1 << 20, 'z'))),
      });
      const cli = new Session(CLIENT, PROTO_SPDY2, { sendCb: (_s, d) => { srv.recv(d); return d.length; } });
      cli.submitRequest(3, REQ_NV);
      cli.send();
      srv.send();
      expect(calls.length).toBeGreaterThan(10);
      const rewritten = calls.filter((c) => !c.view.equals(c.copy)).length;
      const distinct = new Set(calls.map((c) => c.ab)).size;
      if (reuse) {
        // every call starts at the start of its slab; slabs only grow (16 KiB doubling to 256 KiB)
        expect(distinct).toBeLessThanOrEqual(5);
        expect(calls.every((c) => c.off === 0)).toBe(true);
        expect(rewritten).toBeGreaterThan(0); // the SYN_REPLY's bytes were written over
      } else {
        expect(rewritten).toBe(0);
        expect(distinct).toBeGreaterThan(1);
      }
    }
  });

  it('reuseSendBuffer: partial writes keep their bytes, and a 3 MiB body fed straight into the peer arrives intact', () => {
    for (const [version, native] of VERSIONS.flatMap((v) => [[v, false], [v, true]] as const)) {
      const body = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i + 4 <= body.length; i += 4) body.writeUInt32LE(Math.imul(i, 2654435761) >>> 0, i);
      const got: Buffer[] = [];
      let budget = 5000; // the server writes at most this much per send(): a partial write, then would-block
      // eslint-disable-next-line prefer-const
      let client: Session;
      const server = new Session(SERVER, version, {
        reuseSendBuffer: true,
        sendCb: (_s, d) => { const n = Math.min(budget, d.length); budget -= n; client.recv(d.subarray(0, n)); return n; },
        onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, native ? new BufferDataProvider(body) : bufferProvider(body)),
      });
      client = new Session(CLIENT, version, {
        reuseSendBuffer: true,
        sendCb: (_s, d) => { server.recv(d); return d.length; },
        onDataChunkRecvCb: (_s, _f, _sid, d) => got.push(Buffer.from(d)),
      });
      client.submitRequest(3, REQ_NV);
      for (let i = 0; i < 100000 && (client.wantWrite() || server.wantWrite()); i++) {
        client.send();
        server.send();
        budget = i % 3 === 2 ? 70000 : 5000; // two send() calls cut short in a row, then a larger one
      }
      expect(Buffer.concat(got).equals(body)).toBe(true);
    }
  });

  it('without sendCb all output counts as sent', () => {
    const s = new Session(CLIENT, PROTO_SPDY3);
    s.submitPing();
    s.send();
    expect(s.wantWrite()).toBe(false);
  });

  it('a bad return value fails the session with CallbackFailureError', () => {
    for (const bad of [-1, 1e9, 'x', true, 1.5]) {
      const s = new Session(CLIENT, PROTO_SPDY3, { sendCb: () => bad as never });
      s.submitPing();
      expect(() => s.send()).toThrow(CallbackFailureError);
    }
  });
});
