// Session construction: side/version checks, userData, the state of a fresh session.
import { describe, expect, it } from 'vitest';
import {
  CLIENT, InvalidArgumentError, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, Session,
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

  it('null or undefined options (python-spdylay\'s config=None) give a session without callbacks', () => {
    for (const options of [null, undefined]) {
      const s = new Session(CLIENT, PROTO_SPDY3, options);
      expect(s.userData).toBeUndefined();
      s.submitPing();
      s.send(); // no sendCb: all output counts as sent
      expect(s.wantWrite()).toBe(false);
    }
  });

  it('an unknown option key throws a TypeError naming it, and the camelCase name for a snake_case one', () => {
    const err = (options: object): Error & { code?: string } => {
      try {
        new Session(CLIENT, PROTO_SPDY3, options as never);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    };
    const sendCb = (): number => 0;
    for (const [key, meant] of [['send_cb', 'sendCb'], ['on_ctrl_recv_cb', 'onCtrlRecvCb'], ['user_data', 'userData'],
      ['reuse_send_buffer', 'reuseSendBuffer'], ['on_unknown_ctrl_recv_cb', 'onUnknownCtrlRecvCb']]) {
      const e = err({ [key]: sendCb });
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toBe('ERR_SPDYLAY_INVALID_ARG');
      expect(e.message).toContain(`"${key}" (did you mean ${meant}?)`);
    }
    const e = err({ sendCb, onCtrlRecv: sendCb });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('"onCtrlRecv"');
    expect(e.message).not.toContain('did you mean');
    expect(() => new Session(CLIENT, PROTO_SPDY3, 3 as never)).toThrow(TypeError);
    // a half-renamed port fails at construction, not later with callbacks that never run
    expect(() => new Session(CLIENT, PROTO_SPDY3, { sendCb, on_ctrl_send_cb: sendCb } as never)).toThrow(/did you mean onCtrlSendCb\?/);
  });

  it('every documented option key is accepted and takes effect', () => {
    const sent: number[] = [];
    const s = new Session(CLIENT, PROTO_SPDY3, {
      userData: 1, reuseSendBuffer: false,
      sendCb: (_s, d) => d.length, recvCb: () => null, onCtrlRecvCb: () => {}, onInvalidCtrlRecvCb: () => {},
      onDataChunkRecvCb: () => {}, onDataRecvCb: () => {}, beforeCtrlSendCb: () => {},
      onCtrlSendCb: (_s, f) => { sent.push(f.frameType); }, onCtrlNotSendCb: () => {}, onDataSendCb: () => {},
      onStreamCloseCb: () => {}, onRequestRecvCb: () => {}, onCtrlRecvParseErrorCb: () => {}, onUnknownCtrlRecvCb: () => {},
    });
    s.submitPing();
    s.send();
    expect(sent).toEqual([PING]);
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
