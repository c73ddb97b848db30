// spdylay Session: the read callback contract of DataProvider.
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  CallbackFailureError, DataProvider, ERR_CALLBACK_FAILURE, INTERNAL_ERROR, PROTO_SPDY3, READ_EOF, RST_STREAM,
  Session, TemporalCallbackFailureError,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

describe('read callback contract', () => {
  const run = (readCb: sp.ReadCallback) => {
    const closed: [number, number][] = [];
    const rst: number[] = [];
    const p = new Pair(PROTO_SPDY3, {
      onCtrlRecvCb: (_s, f) => { if (f.frameType === RST_STREAM) rst.push(f.statusCode); },
      onStreamCloseCb: (_s, sid, st) => closed.push([sid, st]),
    }, { onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider(null, readCb)) });
    p.client.submitRequest(3, REQ_NV);
    return { p, closed, rst };
  };

  it('TemporalCallbackFailureError resets the stream with INTERNAL_ERROR; session goes on', () => {
    const { p, closed, rst } = run(() => { throw new TemporalCallbackFailureError(); });
    p.pump();
    expect(rst).toEqual([INTERNAL_ERROR]);
    expect(closed).toEqual([[1, INTERNAL_ERROR]]);
    expect(p.server.wantRead()).toBe(true);
  });

  it('CallbackFailureError (or any error) fails the session: send() rethrows it', () => {
    const err = new CallbackFailureError('boom');
    const { p } = run(() => { throw err; });
    p.client.send();
    p.server.recv(Buffer.concat(p.toServer));
    let thrown: unknown;
    try { p.server.send(); } catch (e) { thrown = e; }
    expect(thrown).toBe(err);
    const { p: p2 } = run(() => { throw new RangeError('other'); });
    p2.client.send();
    p2.server.recv(Buffer.concat(p2.toServer));
    expect(() => p2.server.send()).toThrow(RangeError);
  });

  it('more bytes than length, or a bad type, is a CallbackFailureError', () => {
    for (const cb of [(_s: Session, _i: number, len: number) => Buffer.alloc(len + 1), () => ({}) as never, () => -1]) {
      const { p } = run(cb);
      p.client.send();
      p.server.recv(Buffer.concat(p.toServer));
      let thrown: unknown;
      try { p.server.send(); } catch (e) { thrown = e; }
      expect(thrown).toBeInstanceOf(CallbackFailureError);
      expect((thrown as CallbackFailureError).code).toBe(ERR_CALLBACK_FAILURE);
    }
  });

  it('returning null/empty without EOF sends empty DATA and asks again', () => {
    let calls = 0;
    const { p } = run((_s, _i, _l, ctrl) => {
      calls++;
      if (calls < 3) return calls === 1 ? null : Buffer.alloc(0);
      ctrl.flags = READ_EOF;
      return Buffer.from('x');
    });
    p.pump();
    expect(calls).toBe(3);
  });

  it('gets session, stream id, length, readCtrl and source', () => {
    const src = { s: 1 };
    let args: unknown[] = [];
    const p = new Pair(PROTO_SPDY3, {}, {
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider(src, (...a) => {
        args = a;
        a[3].flags = READ_EOF;
        return null;
      })),
    });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(args[0]).toBe(p.server);
    expect(args[1]).toBe(1);
    expect(args[2]).toBe(4096);
    expect(args[3]).toEqual({ flags: READ_EOF });
    expect(args[4]).toBe(src);
  });
});
