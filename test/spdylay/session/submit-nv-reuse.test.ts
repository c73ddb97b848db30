// Header arrays submitted again: the JS half caches the encoding of each
// array and the native session keeps the split lists of the last few
// encodings (binding/spdylay/nv_args.h). What the peer receives must be the
// array's content at each submit: the same array again, the same array
// changed in place, more arrays in turn than the session keeps, one array
// used by two sessions, and an array with a NUL (cut and sent without a
// cached list) before and after it is fixed.
import { describe, expect, it } from 'vitest';

import { PROTO_SPDY3_1, type NameValue } from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV } from '../../helpers/spdylay.js';

/** A pair whose server logs the x- headers of each request it receives. */
function logged(): { p: Pair; got: string[] } {
  const got: string[] = [];
  const p = new Pair(PROTO_SPDY3_1, {}, {
    onCtrlRecvCb: (_s, f) => {
      const nv = (f as { nv?: NameValue[] }).nv ?? [];
      got.push(nv.filter(([n]) => n.startsWith('x-')).map(([n, v]) => `${n}=${v}`).join(' '));
    },
  });
  return { p, got };
}

describe('submitting the same header array again', () => {
  it('sends its content at each submit, also when it was changed in place', () => {
    const { p, got } = logged();
    const nv: NameValue[] = [...REQ_NV, ['x-a', '1']];
    p.client.submitRequest(3, nv);
    p.client.submitRequest(3, nv);
    nv[nv.length - 1][1] = '2';
    p.client.submitRequest(3, nv);
    nv[nv.length - 1] = ['x-b', '3'];
    p.client.submitRequest(3, nv);
    nv.push(['x-c', '4']);
    p.client.submitRequest(3, nv);
    nv.pop();
    p.client.submitRequest(3, nv);
    p.pump();
    expect(got).toEqual(['x-a=1', 'x-a=1', 'x-a=2', 'x-b=3', 'x-b=3 x-c=4', 'x-b=3']);
  });

  it('sends the right list when more arrays than the session keeps are used in turn', () => {
    const { p, got } = logged();
    const arrays: NameValue[][] = [];
    for (let i = 0; i < 9; i++) arrays.push([...REQ_NV, ['x-i', String(i)]]);
    const want: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < arrays.length; i += 1 + round) {
        p.client.submitRequest(3, arrays[i]);
        want.push(`x-i=${i}`);
      }
      p.pump();
    }
    expect(got).toEqual(want);
  });

  it('sends the right list from two sessions sharing one array', () => {
    const a = logged();
    const b = logged();
    const nv: NameValue[] = [...REQ_NV, ['x-s', 'one']];
    a.p.client.submitRequest(3, nv);
    b.p.client.submitRequest(3, nv);
    nv[nv.length - 1] = ['x-s', 'two'];
    b.p.client.submitRequest(3, nv);
    a.p.client.submitRequest(3, nv);
    a.p.pump();
    b.p.pump();
    expect(a.got).toEqual(['x-s=one', 'x-s=two']);
    expect(b.got).toEqual(['x-s=one', 'x-s=two']);
  });

  it('cuts a value at a NUL, and sends the fixed array whole afterwards', () => {
    const { p, got } = logged();
    const nv: NameValue[] = [...REQ_NV, ['x-n', 'ab\0cd']];
    p.client.submitRequest(3, nv);
    p.client.submitRequest(3, nv);
    nv[nv.length - 1] = ['x-n', 'abcd'];
    p.client.submitRequest(3, nv);
    p.pump();
    expect(got).toEqual(['x-n=ab', 'x-n=ab', 'x-n=abcd']);
  });
});
