// BufferDataProvider: bodies served natively.
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  CANCEL, CTRL_FLAG_NONE, DATA_FLAG_FIN, DataProvider, ERR_DEFERRED, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1,
  READ_EOF,
} from '../../../lib/spdylay/index.js';
import { POST_NV, Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

describe('BufferDataProvider (bodies served natively)', () => {
  it.each(VERSIONS)('version %i: serves request and response bodies, empty and large', (version) => {
    const big = Buffer.alloc(700_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
    const shared = new sp.BufferDataProvider(big); // one instance for several streams
    const got = new Map<number, Buffer[]>();
    const reqBodies: Buffer[] = [];
    const p = new Pair(version, {
      onDataChunkRecvCb: (_s, _f, sid, d) => { const l = got.get(sid) ?? []; l.push(Buffer.from(d)); got.set(sid, l); },
    }, {
      onDataChunkRecvCb: (_s, _f, _sid, d) => reqBodies.push(Buffer.from(d)),
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, sid === 5 ? new sp.BufferDataProvider('') : shared),
    });
    p.client.submitRequest(3, POST_NV, new sp.BufferDataProvider('request body'));
    p.client.submitRequest(3, REQ_NV);
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(Buffer.concat(reqBodies).toString()).toBe('request body');
    expect(Buffer.concat(got.get(1)!).equals(big)).toBe(true);
    expect(Buffer.concat(got.get(3)!).equals(big)).toBe(true);
    expect(got.get(5)).toBeUndefined(); // empty body: DATA with FIN and no payload
    // its readCb works when called by hand
    const ctrl = { flags: 0 };
    const prd = new sp.BufferDataProvider(Buffer.from('abc'));
    expect(prd.readCb(p.client, 1, 2, ctrl, prd.source)!.toString()).toBe('ab');
    expect(prd.readCb(p.client, 1, 2, ctrl, prd.source)!.toString()).toBe('c');
    expect(ctrl.flags).toBe(READ_EOF);
  });

  it('submitData with a BufferDataProvider, and a stream reset before the body is done', () => {
    const got: string[] = [];
    const closed: [number, number][] = [];
    const p = new Pair(PROTO_SPDY3, { onDataChunkRecvCb: (_s, _f, _sid, d) => got.push(d.toString()) }, {
      onStreamCloseCb: (_s, sid, st) => closed.push([sid, st]),
    });
    p.client.submitRequest(3, POST_NV, new DataProvider(null, () => ERR_DEFERRED));
    p.pump();
    p.server.submitSynReply(CTRL_FLAG_NONE, 1, RES_NV);
    p.server.submitData(1, DATA_FLAG_FIN, new sp.BufferDataProvider('via submitData'));
    p.pump();
    expect(got.join('')).toBe('via submitData');
    // a 10 MB body reset by the client at its first chunk
    let reset = false;
    const p2 = new Pair(PROTO_SPDY3, {
      onDataChunkRecvCb: (s, _f, sid) => { if (!reset) s.submitRstStream(sid, CANCEL); reset = true; },
    }, {
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new sp.BufferDataProvider(Buffer.alloc(10_000_000))),
      onStreamCloseCb: (_s, sid, st) => closed.push([sid, st]),
    });
    p2.client.submitRequest(3, REQ_NV);
    p2.pump();
    expect(closed).toContainEqual([1, CANCEL]);
    expect(() => new sp.BufferDataProvider(5 as never)).toThrow(TypeError);
  });
});
