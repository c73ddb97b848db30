// setOption and consume: per-stream flow control by the application.
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  BufferDataProvider, CLIENT, ERR_INVALID_STATE, InvalidArgumentError, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM,
  Session,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

describe('setOption and consume (per-stream flow control by the application)', () => {
  it('with OPT_NO_AUTO_WINDOW_UPDATE2 the sender stops at the window until the receiver consumes', () => {
    for (const version of [PROTO_SPDY3, PROTO_SPDY3_1]) {
      const body = Buffer.alloc(300 * 1024, 7);
      let got = 0;
      const p = new Pair(version, { onDataChunkRecvCb: (_s, _f, _sid, d) => { got += d.length; } }, {
        onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new BufferDataProvider(body)),
      });
      p.client.setOption(sp.OPT_NO_AUTO_WINDOW_UPDATE2, true);
      p.client.submitRequest(3, REQ_NV);
      p.pump();
      expect(got).toBe(64 * 1024); // the initial window, then nothing without consume()
      p.pump();
      expect(got).toBe(64 * 1024);
      for (let i = 0; i < 100 && got < body.length; i++) {
        const before = got;
        p.client.consume(1, 32 * 1024);
        p.pump();
        expect(got - before).toBeLessThanOrEqual(32 * 1024);
      }
      expect(got).toBe(body.length);
    }
  });

  it('errors: consume without the option, stream 0, unknown option, out-of-range values', () => {
    const s = new Session(CLIENT, PROTO_SPDY3_1);
    expect(() => s.consume(1, 10)).toThrow(expect.objectContaining({ code: ERR_INVALID_STATE }));
    s.setOption(sp.OPT_NO_AUTO_WINDOW_UPDATE2, 1);
    expect(() => s.consume(0, 10)).toThrow(InvalidArgumentError);
    expect(() => s.consume(1, -1)).toThrow(InvalidArgumentError);
    expect(() => s.setOption(99, 1)).toThrow(InvalidArgumentError);
    expect(() => s.setOption(sp.OPT_MAX_RECV_CTRL_FRAME_BUFFER, 100)).toThrow(InvalidArgumentError);
    expect(() => s.setOption(sp.OPT_MAX_RECV_CTRL_FRAME_BUFFER, 1.5)).toThrow(InvalidArgumentError);
    s.setOption(sp.OPT_MAX_RECV_CTRL_FRAME_BUFFER, 8192);
    expect(() => s.setOption(sp.OPT_NO_AUTO_WINDOW_UPDATE2, 'yes' as never)).toThrow(TypeError);
    expect([sp.OPT_NO_AUTO_WINDOW_UPDATE, sp.OPT_MAX_RECV_CTRL_FRAME_BUFFER, sp.OPT_NO_AUTO_WINDOW_UPDATE2]).toEqual([1, 2, 3]);
  });

  it('OPT_MAX_RECV_CTRL_FRAME_BUFFER: a larger SYN_STREAM is refused', () => {
    const big = [...REQ_NV, ['x-big', 'y'.repeat(20000)]] as [string, string][];
    const seen: string[] = [];
    const p = new Pair(PROTO_SPDY3, {}, {
      onCtrlRecvCb: (_s, f) => seen.push(`recv ${f.frameType}`),
      onCtrlRecvParseErrorCb: (_s, type) => seen.push(`parse-error ${type}`),
    });
    p.server.setOption(sp.OPT_MAX_RECV_CTRL_FRAME_BUFFER, 8192);
    p.client.submitRequest(3, big);
    p.pump();
    expect(seen).not.toContain(`recv ${SYN_STREAM}`);
  });
});
