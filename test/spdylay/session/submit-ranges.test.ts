// The argument ranges python-spdylay documents exceptions for, checked before
// the C library is called: a priority above getPriLowest() (the library would
// clamp it), a server's invalid assocStreamId (the library would fail the
// SYN_STREAM only at send time), and SETTINGS entries the protocol does not
// allow (the library checks only the IDs). Each rejected call must leave the
// session untouched: nothing queued, nothing sent, no stream ID used, local
// settings unchanged.
import { describe, expect, it } from 'vitest';

import {
  CTRL_FLAG_UNIDIRECTIONAL, FLAG_SETTINGS_CLEAR_SETTINGS, FLAG_SETTINGS_NONE, ID_FLAG_SETTINGS_PERSIST_VALUE,
  InvalidArgumentError, PROTO_SPDY2, REFUSED_STREAM, PROTO_SPDY3, PROTO_SPDY3_1, RST_STREAM, SETTINGS,
  SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS,
  SETTINGS_UPLOAD_BANDWIDTH, SYN_STREAM, type Frame, type Session, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

const PUSH_NV: [string, string][] = [[':scheme', 'https'], [':host', 'localhost:3000'], [':path', '/pushed.css'],
  [':status', '200 OK'], [':version', 'HTTP/1.1']];
const VERSIONS = [[PROTO_SPDY2, 3], [PROTO_SPDY3, 7], [PROTO_SPDY3_1, 7]] as const;

/** A pair recording the control frames each side received. */
function pair(version: number, clientOpts: SessionOptions = {}, serverOpts: SessionOptions = {}) {
  const got = { client: [] as Frame[], server: [] as Frame[] };
  const p = new Pair(version,
    { onCtrlRecvCb: (_s, f) => got.client.push(f), ...clientOpts },
    { onCtrlRecvCb: (_s, f) => got.server.push(f), ...serverOpts });
  return { p, got };
}

/** Asserts that `s` has nothing queued and that send() hands nothing to sendCb. */
function expectNothingQueued(s: Session, sent: () => number): void {
  expect(s.getOutboundQueueSize()).toBe(0);
  expect(s.wantWrite()).toBe(false);
  const before = sent();
  s.send();
  expect(sent()).toBe(before);
}

describe('priority: 0..getPriLowest()', () => {
  for (const [version, lowest] of VERSIONS) {
    it(`version ${version}: ${lowest + 1} and -1 raise InvalidArgumentError, ${lowest} goes out unchanged`, () => {
      const { p, got } = pair(version);
      const c = p.client;
      expect(c.getPriLowest()).toBe(lowest);
      expect(() => c.submitRequest(lowest + 1, REQ_NV)).toThrow(InvalidArgumentError);
      expect(() => c.submitRequest(-1, REQ_NV)).toThrow(InvalidArgumentError);
      expect(() => c.submitSynStream(0, lowest + 1, REQ_NV)).toThrow(InvalidArgumentError);
      expect(() => c.submitSynStream(0, 0, 255, REQ_NV)).toThrow(InvalidArgumentError); // C-like argument order
      expect(() => c.submitRequest(1.5, REQ_NV)).toThrow(TypeError);
      expectNothingQueued(c, () => p.toServer.length);

      c.submitRequest(lowest, REQ_NV);
      p.pump();
      const syn = got.server.filter((f) => f.frameType === SYN_STREAM);
      expect(syn).toHaveLength(1);
      // stream 1: the rejected calls used no stream ID
      expect(syn[0]).toMatchObject({ streamId: 1, pri: lowest });
    });
  }
});

describe('submitSynStream assocStreamId', () => {
  /** A server with the client's stream 1 open (request without FIN, body deferred). */
  function withOpenStream(version: number) {
    const t = pair(version);
    t.p.client.submitSynStream(0, 3, REQ_NV);
    t.p.pump();
    expect(t.got.server.map((f) => f.frameType)).toEqual([SYN_STREAM]);
    return t;
  }

  for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
    it(`version ${version}, server: a missing, even, negative or 32-bit stream raises InvalidArgumentError`, () => {
      const { p, got } = withOpenStream(version);
      const s = p.server;
      const u = CTRL_FLAG_UNIDIRECTIONAL;
      expect(() => s.submitSynStream(u, 0, PUSH_NV, 3)).toThrow(InvalidArgumentError); // no such stream
      expect(() => s.submitSynStream(u, 0, PUSH_NV, 2)).toThrow(InvalidArgumentError); // a server stream ID
      expect(() => s.submitSynStream(u, 0, PUSH_NV, -1)).toThrow(InvalidArgumentError);
      expect(() => s.submitSynStream(u, 2 ** 31 + 1, 0, PUSH_NV)).toThrow(InvalidArgumentError);
      expect(() => s.submitSynStream(u, 0, PUSH_NV, 1.5)).toThrow(TypeError);
      expectNothingQueued(s, () => p.toClient.length);

      s.submitSynStream(u, 0, PUSH_NV, 1);
      p.pump();
      const pushed = got.client.filter((f) => f.frameType === SYN_STREAM);
      // stream 2, the server's first: the rejected calls used no stream ID
      expect(pushed).toHaveLength(1);
      expect(pushed[0]).toMatchObject({ streamId: 2, assocStreamId: 1 });
      expect(got.client.some((f) => f.frameType === RST_STREAM)).toBe(false);
    });
  }

  it('server: a stream that has closed is no longer valid', () => {
    const { p } = withOpenStream(PROTO_SPDY3);
    p.server.submitRstStream(1, 5 /* CANCEL */);
    p.pump();
    expect(() => p.server.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 0, PUSH_NV, 1)).toThrow(InvalidArgumentError);
    expectNothingQueued(p.server, () => p.toClient.length);
  });

  it('client: assocStreamId is ignored (the SYN_STREAM carries 0)', () => {
    const { p, got } = pair(PROTO_SPDY3);
    p.client.submitSynStream(0, 3, REQ_NV, 99);
    p.client.submitSynStream(0, -5, 3, REQ_NV);
    p.pump();
    const syn = got.server.filter((f) => f.frameType === SYN_STREAM);
    expect(syn.map((f) => [f.streamId, f.assocStreamId])).toEqual([[1, 0], [3, 0]]);
  });
});

describe('submitSettings', () => {
  const cases: [string, number, [number, number, number][]][] = [
    ['frame flags other than NONE/CLEAR_SETTINGS', 2, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100]]],
    ['ID 0', 0, [[0, 0, 1]]],
    ['ID 9', 0, [[9, 0, 1]]],
    ['a negative ID', 0, [[-4, 0, 1]]],
    ['a duplicate ID', 0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100], [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10]]],
    ['ID flags other than PERSIST_VALUE/PERSISTED', 0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 4, 100]]],
    ['a negative value', 0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, -1]]],
    ['a value above 2^32-1', 0, [[SETTINGS_UPLOAD_BANDWIDTH, 0, 2 ** 32]]],
    ['INITIAL_WINDOW_SIZE above 2^31-1', 0, [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31]]],
  ];
  for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
    for (const [what, flags, iv] of cases) {
      it(`version ${version}: ${what} raises InvalidArgumentError, nothing is sent`, () => {
        const { p } = pair(version);
        expect(() => p.client.submitSettings(flags, iv)).toThrow(InvalidArgumentError);
        expectNothingQueued(p.client, () => p.toServer.length);
      });
    }
  }

  it('SPDY/2: CLIENT_CERTIFICATE_VECTOR_SIZE (SPDY/3 only) raises InvalidArgumentError', () => {
    const { p } = pair(PROTO_SPDY2);
    expect(() => p.client.submitSettings(0, [[SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, 0, 8]]))
      .toThrow(InvalidArgumentError);
    expectNothingQueued(p.client, () => p.toServer.length);
  });

  it('a non-integer value is a TypeError', () => {
    const { p } = pair(PROTO_SPDY3);
    expect(() => p.client.submitSettings(0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1.5]])).toThrow(TypeError);
    expectNothingQueued(p.client, () => p.toServer.length);
  });

  for (const [what, iv] of [
    ['rejected (a bad entry beside it): not applied', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0], [SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31]]],
    ['accepted: applied', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0]]],
  ] as [string, [number, number, number][]][]) {
    it(`server MAX_CONCURRENT_STREAMS 0 in a list that is ${what}`, () => {
      const resets: number[] = [];
      const { p } = pair(PROTO_SPDY3, {
        onCtrlRecvCb: (_s, f) => { if (f.frameType === RST_STREAM) resets.push(f.statusCode); },
      }, {
        onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV),
      });
      const rejected = iv.length > 1;
      if (rejected) expect(() => p.server.submitSettings(FLAG_SETTINGS_NONE, iv)).toThrow(InvalidArgumentError);
      else p.server.submitSettings(FLAG_SETTINGS_NONE, iv);
      p.client.submitRequest(3, REQ_NV);
      p.pump();
      // a stored limit of 0 makes the server refuse the stream
      expect(resets).toEqual(rejected ? [] : [REFUSED_STREAM]);
    });
  }

  it('the range limits themselves are accepted and reach the peer as given', () => {
    const { p, got } = pair(PROTO_SPDY3);
    p.client.submitSettings(FLAG_SETTINGS_CLEAR_SETTINGS, [
      [SETTINGS_UPLOAD_BANDWIDTH, ID_FLAG_SETTINGS_PERSIST_VALUE, 0xffffffff],
      [SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31 - 1],
      [SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, 0, 8],
    ]);
    p.pump();
    const s = got.server.filter((f) => f.frameType === SETTINGS);
    expect(s).toHaveLength(1);
    expect(s[0]!.flags).toBe(FLAG_SETTINGS_CLEAR_SETTINGS);
    expect(s[0]!.iv).toEqual([
      [SETTINGS_UPLOAD_BANDWIDTH, ID_FLAG_SETTINGS_PERSIST_VALUE, 0xffffffff],
      [SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31 - 1],
      [SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, 0, 8],
    ]);
  });
});
