// Session construction: side/version checks, userData, the state of a fresh session.
import { describe, expect, it } from 'vitest';
import {
  CLIENT, InvalidArgumentError, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, Session,
  UnsupportedVersionError,
} from '../../../lib/spdylay/index.js';

describe('Session construction', () => {
  it('rejects a bad side and an unsupported version', () => {
    expect(() => new Session(0, PROTO_SPDY3)).toThrow(InvalidArgumentError);
    expect(() => new Session(3, PROTO_SPDY3)).toThrow('side must be either CLIENT or SERVER');
    expect(() => new Session(CLIENT, 1)).toThrow(UnsupportedVersionError);
    expect(() => new Session(SERVER, 5)).toThrow(UnsupportedVersionError);
    expect(() => new Session(CLIENT, PROTO_SPDY3, { sendCb: 3 as never })).toThrow(TypeError);
  });

  it('userData is exposed read-only', () => {
    const ud = { a: 1 };
    const s = new Session(CLIENT, PROTO_SPDY3, { userData: ud });
    expect(s.userData).toBe(ud);
    expect(() => { (s as { userData: unknown }).userData = 2; }).toThrow(TypeError);
    expect(new Session(CLIENT, PROTO_SPDY3).userData).toBeUndefined();
  });

  it('getPriLowest, wantRead/wantWrite and queue size of a fresh session', () => {
    expect(new Session(CLIENT, PROTO_SPDY2).getPriLowest()).toBe(3);
    expect(new Session(CLIENT, PROTO_SPDY3).getPriLowest()).toBe(7);
    expect(new Session(SERVER, PROTO_SPDY3_1).getPriLowest()).toBe(7);
    const s = new Session(CLIENT, PROTO_SPDY3);
    expect(s.wantRead()).toBe(true);
    expect(s.wantWrite()).toBe(false);
    expect(s.getOutboundQueueSize()).toBe(0);
    s.submitPing();
    expect(s.wantWrite()).toBe(true);
    expect(s.getOutboundQueueSize()).toBe(1);
  });
});
