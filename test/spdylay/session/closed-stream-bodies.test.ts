// A body submitted (submitResponse, submitData) for a stream that is already
// closed, typically a request the client reset before the application
// answered: the library drops the frames unread, as spdylay does
// (onCtrlNotSendCb for the SYN_REPLY), and no close will ever come for that
// stream again, so the binding releases the body at once instead of holding
// it, and its provider, until the session ends. A client that opens and
// resets streams could otherwise make a server that answers late hold any
// number of response bodies. A stream ID the peer has not opened yet is not
// closed: a body submitted for it is kept, and served if the stream opens.
import v8 from 'node:v8';
import vm from 'node:vm';

import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, CANCEL, DATA_FLAG_FIN, DataProvider, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, READ_EOF,
  type NameValue,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const VERSIONS: [string, number][] = [['SPDY/2', PROTO_SPDY2], ['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1]];

/** Turns the event loop and collects twice (WeakRefs made in a job hold their targets until it ends). */
async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

/** A JS provider that serves `data` in one read. */
function jsProvider(data: Buffer): DataProvider<Buffer> {
  return new DataProvider(data, (_s, _sid, length, ctrl, src) => {
    ctrl.flags = READ_EOF;
    return src.subarray(0, Math.min(length, src.length));
  });
}

describe('bodies submitted for a stream already closed', () => {
  it.each(VERSIONS)('%s: released at once (Buffer bodies and JS providers, submitResponse and submitData); nothing is sent', async (_label, version) => {
    const log: string[] = [];
    const refs: WeakRef<object>[] = [];
    const opened: number[] = [];
    const p = new Pair(version, {}, {
      onRequestRecvCb: (_s, sid) => opened.push(sid),
      onStreamCloseCb: (_s, sid, st) => log.push(`close ${sid} ${st}`),
      onCtrlNotSendCb: (_s, f, code) => log.push(`not sent ${f.frameType} ${code}`),
      onDataSendCb: (_s, _fl, sid) => log.push(`data sent ${sid}`),
    });
    for (let i = 0; i < 4; i++) p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(opened).toEqual([1, 3, 5, 7]);
    for (const sid of opened) p.client.submitRstStream(sid, CANCEL);
    p.pump();
    expect(log).toEqual(['close 1 5', 'close 3 5', 'close 5 5', 'close 7 5']);
    log.length = 0;
    (() => {
      // The application answers late: every stream is closed by now.
      const bodies: [number, (data: Buffer) => BufferDataProvider | DataProvider<Buffer>, boolean][] = [
        [1, (d) => new BufferDataProvider(d), true], [3, jsProvider, true],
        [5, (d) => new BufferDataProvider(d), false], [7, jsProvider, false],
      ];
      for (const [sid, make, response] of bodies) {
        const data = Buffer.alloc(64 * 1024, sid);
        const prd = make(data);
        refs.push(new WeakRef(data), new WeakRef(prd));
        if (response) p.server.submitResponse(sid, RES_NV, prd);
        else p.server.submitData(sid, DATA_FLAG_FIN, prd);
      }
    })();
    p.pump();
    // As spdylay does: the SYN_REPLYs are not sent (STREAM_CLOSED), no DATA goes out.
    expect(log).toEqual(['not sent 2 -510', 'not sent 2 -510']);
    await collect();
    expect(refs.filter((w) => w.deref() !== undefined)).toHaveLength(0);
    expect(p.server.wantRead()).toBe(true); // the session itself is alive
  });

  it.each(VERSIONS)('%s: a body for an open stream is kept until it is read, and served whole', async (_label, version) => {
    const received: number[] = [];
    const p = new Pair(version, { onDataChunkRecvCb: (_s, _fl, _sid, d) => received.push(d.length) });
    p.client.submitRequest(3, REQ_NV);
    p.client.send();
    p.server.recv(Buffer.concat(p.toServer.splice(0)));
    const refs: WeakRef<object>[] = [];
    (() => {
      const data = Buffer.alloc(64 * 1024, 1);
      const prd = new BufferDataProvider(data);
      refs.push(new WeakRef(data));
      p.server.submitResponse(1, RES_NV, prd);
    })();
    await collect();
    expect(refs[0].deref()).toBeDefined();
    p.pump();
    expect(received.reduce((a, b) => a + b, 0)).toBe(64 * 1024);
  });

  it.each(VERSIONS)('%s: a response submitted for a stream ID the client has not opened yet is kept, and served once it opens', (_label, version) => {
    const bodies = new Map<number, number>();
    const p = new Pair(version, {
      onDataChunkRecvCb: (_s, _fl, sid, d) => bodies.set(sid, (bodies.get(sid) ?? 0) + d.length),
    });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    // Stream 3 does not exist yet: the server answers it ahead of the request.
    const ahead: NameValue[] = [...RES_NV, ['x-ahead', '1']];
    p.server.submitResponse(3, ahead, new BufferDataProvider(Buffer.alloc(20000, 3)));
    p.server.submitResponse(1, RES_NV, jsProvider(Buffer.alloc(100, 1)));
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(bodies.get(1)).toBe(100);
    // The stream opened before the SYN_REPLY's turn: served whole (releasing
    // it at submit time would have left the library reading a freed body).
    expect(bodies.get(3)).toBe(20000);
  });

  it('on the client side too: a body for its own stream the server has reset is released', async () => {
    const refs: WeakRef<object>[] = [];
    const p = new Pair(PROTO_SPDY3_1, {}, {
      onRequestRecvCb: (s, sid) => s.submitRstStream(sid, CANCEL),
    });
    // A POST without its body yet: the stream stays open for DATA.
    p.client.submitRequest(3, [...REQ_NV.filter(([n]) => n !== ':method'), [':method', 'POST']], jsProvider(Buffer.alloc(10, 9)));
    p.pump();
    (() => {
      const data = Buffer.alloc(64 * 1024, 7);
      const prd = new BufferDataProvider(data);
      refs.push(new WeakRef(data), new WeakRef(prd));
      p.client.submitData(1, DATA_FLAG_FIN, prd);
    })();
    p.pump();
    await collect();
    expect(refs.filter((w) => w.deref() !== undefined)).toHaveLength(0);
  });
});
