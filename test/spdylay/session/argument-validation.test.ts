// Argument validation of the Session methods.
import { describe, expect, it } from 'vitest';
import {
  CLIENT, DataProvider, InvalidArgumentError, PROTO_SPDY3, SYN_STREAM, Session,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV } from '../../helpers/spdylay.js';

describe('argument validation', () => {
  const s = new Session(CLIENT, PROTO_SPDY3);
  it('nv', () => {
    expect(() => s.submitRequest(3, [['', 'x']])).toThrow(InvalidArgumentError);
    expect(() => s.submitRequest(3, [['a', null as never]])).toThrow(InvalidArgumentError);
    expect(() => s.submitRequest(3, [['bad\u0001name', 'x']])).toThrow(InvalidArgumentError);
    expect(() => s.submitRequest(3, 'x' as never)).toThrow(TypeError);
    expect(() => s.submitRequest(1.5, REQ_NV)).toThrow(TypeError);
    expect(() => s.submitRequest(-1, REQ_NV)).toThrow(InvalidArgumentError);
    expect(() => s.submitRequest(256, REQ_NV)).toThrow(InvalidArgumentError);
    expect(() => s.submitSynStream(0, 0, 300, REQ_NV)).toThrow(InvalidArgumentError);
    expect(() => s.recv('abc' as never)).toThrow(TypeError);
    expect(() => s.submitData(1, 0, {} as never)).toThrow(TypeError);
    expect(() => new DataProvider(null, 1 as never)).toThrow(TypeError);
  });

  it('a NUL in a name or value cuts it there (as the reference)', () => {
    let nv: [string, string][] = [];
    const p = new Pair(PROTO_SPDY3, {}, { onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_STREAM) nv = f.nv; } });
    p.client.submitRequest(3, [...REQ_NV, ['x-nul', 'a\0b']]);
    p.pump();
    expect(nv).toContainEqual(['x-nul', 'a']);
  });

  it('non-ASCII values round-trip as UTF-8', () => {
    let nv: [string, string][] = [];
    const p = new Pair(PROTO_SPDY3, {}, { onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_STREAM) nv = f.nv; } });
    p.client.submitRequest(3, [...REQ_NV, ['x-u', 'héllo wörld ✓']]);
    p.pump();
    expect(nv).toContainEqual(['x-u', 'héllo wörld ✓']);
  });
});
