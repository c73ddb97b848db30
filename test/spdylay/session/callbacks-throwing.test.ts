// Every callback, and every callback throwing.
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  CLIENT, GOAWAY_OK, PROTO_SPDY3, PingFrame, SERVER, Session,
} from '../../../lib/spdylay/index.js';
import { POST_NV, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';

describe('every callback, and every callback throwing', () => {
  // Drives a scenario that fires all 14 callbacks (plus read callbacks).
  function scenario(opts: { client?: sp.SessionOptions; server?: sp.SessionOptions; throwIn?: string }) {
    const fired = new Set<string>();
    const err = new Error('thrown by callback');
    const wrap = (side: string, name: string) => (...args: unknown[]) => {
      fired.add(`${side}.${name}`);
      if (opts.throwIn === `${side}.${name}`) throw err;
      if (name === 'onRequestRecvCb') {
        const s = args[0] as Session;
        s.submitResponse(args[1] as number, RES_NV, bufferProvider(Buffer.from('body')));
      }
      if (name === 'sendCb') return (args[1] as Buffer).length;
      return undefined;
    };
    const names = ['onCtrlRecvCb', 'onInvalidCtrlRecvCb', 'onDataChunkRecvCb', 'onDataRecvCb',
      'beforeCtrlSendCb', 'onCtrlSendCb', 'onCtrlNotSendCb', 'onDataSendCb', 'onStreamCloseCb',
      'onRequestRecvCb', 'onCtrlRecvParseErrorCb', 'onUnknownCtrlRecvCb'];
    const mk = (side: string) => Object.fromEntries(names.map((n) => [n, wrap(side, n)]));
    const toServer: Buffer[] = [];
    const toClient: Buffer[] = [];
    const cSend = wrap('c', 'sendCb');
    const sSend = wrap('s', 'sendCb');
    const client = new Session(CLIENT, PROTO_SPDY3, { ...mk('c'),
      sendCb: (s, d) => { const r = cSend(s, d); toServer.push(Buffer.from(d)); return r as number; } });
    const server = new Session(SERVER, PROTO_SPDY3, { ...mk('s'),
      sendCb: (s, d) => { const r = sSend(s, d); toClient.push(Buffer.from(d)); return r as number; } });
    const errors: unknown[] = [];
    const step = (f: () => void) => { try { f(); } catch (e) { errors.push(e); } };
    const pump = () => {
      for (let i = 0; i < 20; i++) {
        step(() => client.send());
        const a = Buffer.concat(toServer.splice(0));
        if (a.length) step(() => server.recv(a));
        step(() => server.send());
        const b = Buffer.concat(toClient.splice(0));
        if (b.length) step(() => client.recv(b));
        if (!a.length && !b.length) break;
      }
    };
    client.submitRequest(3, POST_NV, bufferProvider(Buffer.from('req')));
    pump();
    // invalid ctrl: a value with CR LF is rejected by the receiver (RST_STREAM PROTOCOL_ERROR)
    client.submitRequest(3, [...REQ_NV, ['x-crlf', 'a\r\nb']]);
    pump();
    // parse error: SYN_STREAM header block that is not zlib; unknown control type
    step(() => server.recv(Buffer.from('800300010000003200000005000000000000f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00000000000000006e6f74207a6c696220617420616c6c21', 'hex')));
    step(() => client.recv(Buffer.from('800300ff0000000400000001', 'hex')));
    step(() => server.recv(Buffer.from('800300ff0000000400000001', 'hex')));
    // not sent: a request after GOAWAY
    client.submitGoaway(GOAWAY_OK);
    pump();
    client.submitRequest(3, REQ_NV);
    step(() => client.send());
    return { fired, errors, err };
  }

  it('all 14 callbacks fire', () => {
    const { fired, errors } = scenario({});
    expect(errors).toEqual([]);
    for (const n of ['c.sendCb', 's.sendCb', 's.onCtrlRecvCb', 'c.onCtrlRecvCb', 's.onInvalidCtrlRecvCb',
      'c.onDataChunkRecvCb', 's.onDataChunkRecvCb', 'c.onDataRecvCb', 'c.beforeCtrlSendCb',
      'c.onCtrlSendCb', 'c.onCtrlNotSendCb', 'c.onDataSendCb', 's.onDataSendCb', 'c.onStreamCloseCb',
      's.onRequestRecvCb', 's.onCtrlRecvParseErrorCb', 'c.onUnknownCtrlRecvCb']) {
      expect(fired, n).toContain(n);
    }
  });

  const throwers = ['c.sendCb', 's.sendCb', 's.onCtrlRecvCb', 'c.onCtrlRecvCb', 's.onInvalidCtrlRecvCb',
    'c.onDataChunkRecvCb', 'c.onDataRecvCb', 'c.beforeCtrlSendCb', 'c.onCtrlSendCb', 'c.onCtrlNotSendCb',
    'c.onDataSendCb', 'c.onStreamCloseCb', 's.onRequestRecvCb', 's.onCtrlRecvParseErrorCb',
    'c.onUnknownCtrlRecvCb'];
  it.each(throwers)('%s throwing is rethrown by the send()/recv() that ran it', (name) => {
    const { errors, err } = scenario({ throwIn: name });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBe(err);
  });

  it('a void callback that throws does not stop processing (as the reference)', () => {
    const got: number[] = [];
    const s = new Session(SERVER, PROTO_SPDY3, {
      onCtrlRecvCb: (_s, f) => { got.push((f as PingFrame).uniqueId); throw new Error('first'); },
    });
    // two PINGs in one buffer: both callbacks run, the first error is rethrown
    expect(() => s.recv(Buffer.from('80030006000000040000000180030006000000040000000b', 'hex'))).toThrow('first');
    expect(got).toEqual([1, 11]);
    expect(s.getOutboundQueueSize()).toBe(2); // both PING replies queued
  });
});
