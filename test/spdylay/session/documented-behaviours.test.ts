// The documented behaviours of python-spdylay's Session (seed 003) listed in
// issue 13 ("Documented behaviours with no test", items 1-6), each checked
// on a client/server pair of real sessions, with the frames decoded from the
// bytes sendCb received. Item 7 (the order of the send callbacks against
// sendCb) is in sent-after-sendcb.test.ts.
import { describe, expect, it } from 'vitest';

import {
  CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_NONE, CTRL_FLAG_UNIDIRECTIONAL, CallbackFailureError, DATA_FLAG_FIN,
  DATA_FLAG_NONE, ERR_CALLBACK_FAILURE, GOAWAY, GOAWAY_PROTOCOL_ERROR, InvalidArgumentError, PING, PROTO_SPDY2,
  PROTO_SPDY3, PROTO_SPDY3_1, SERVER, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS,
  SYN_STREAM, Session, type Frame, type NameValue, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { POST_NV, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';
import { decodeFrames, type WireFrame } from '../../helpers/spdy-wire.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

/** A session whose output is kept, per send(), as bytes and as decoded frames. */
class Side {
  readonly session: Session;
  /** Bytes of every sendCb call not yet taken by take(). */
  out: Buffer[] = [];
  /** Every control frame the session reported receiving. */
  readonly recvd: Frame[] = [];
  readonly requests: number[] = [];

  constructor(side: number, version: number, opts: SessionOptions = {}) {
    this.session = new Session(side, version, {
      sendCb: (_s, d) => { this.out.push(Buffer.from(d)); return d.length; },
      onCtrlRecvCb: (_s, f) => { this.recvd.push(f); },
      onRequestRecvCb: (_s, sid) => { this.requests.push(sid); },
      ...opts,
    });
  }

  /** send(), then the bytes it wrote (taken). */
  flush(): Buffer {
    this.session.send();
    const b = Buffer.concat(this.out);
    this.out = [];
    return b;
  }
}

/** Moves bytes both ways until neither side writes. */
function pump(a: Side, b: Side): void {
  for (let i = 0; i < 100; i++) {
    const x = a.flush();
    if (x.length) b.session.recv(x);
    const y = b.flush();
    if (y.length) a.session.recv(y);
    if (!x.length && !y.length) return;
  }
  throw new Error('pump did not settle');
}

const ctrl = (frames: WireFrame[], type: number) => frames.filter((f) => f.control && f.type === type);

describe('issue 13 documented behaviours (Session)', () => {
  it('13.1 recvCb raising CallbackFailureError: recv() raises it, after processing the bytes recvCb gave before', () => {
    for (const version of VERSIONS) {
      const client = new Side(CLIENT, version);
      client.session.submitRequest(3, REQ_NV);
      client.session.submitPing();
      const wire = client.flush();
      const failure = new CallbackFailureError('the transport failed');
      // the client's bytes in two reads, then a read error
      const reads = [wire.subarray(0, 11), wire.subarray(11)];
      const lengths: number[] = [];
      const server = new Side(SERVER, version, {
        recvCb: (_s, length) => {
          lengths.push(length);
          const next = reads.shift();
          if (next === undefined) throw failure;
          return next;
        },
      });
      let thrown: unknown;
      try { server.session.recv(); } catch (e) { thrown = e; }
      expect(thrown).toBe(failure);
      expect((thrown as CallbackFailureError).code).toBe(ERR_CALLBACK_FAILURE);
      expect(lengths).toHaveLength(3);
      expect(lengths.every((n) => n >= 11)).toBe(true);
      // what was read before the failure was processed: the PING and the request
      expect(server.recvd.map((f) => f.frameType).sort()).toEqual([SYN_STREAM, PING].sort());
      expect(server.requests).toEqual([1]);
      // the PING reply is queued and goes out
      const reply = decodeFrames(server.flush());
      expect(ctrl(reply, PING).map((f) => f.uniqueId)).toEqual([1]);

      // a recvCb that fails on its first call: recv() raises at once
      const first = new CallbackFailureError('no connection');
      const idle = new Side(SERVER, version, { recvCb: () => { throw first; } });
      expect(() => idle.session.recv()).toThrow(first);
      expect(idle.recvd).toEqual([]);
      // while a recvCb that has nothing yet (null) is not a failure
      const quiet = new Side(SERVER, version, { recvCb: () => null });
      expect(() => quiet.session.recv()).not.toThrow();
    }
  });

  it('13.2 failSession on SPDY/2: a GOAWAY without status (length 4) with the last good stream, then the session wants neither to read nor to write', () => {
    const client = new Side(CLIENT, PROTO_SPDY2);
    const server = new Side(SERVER, PROTO_SPDY2);
    client.session.submitRequest(1, REQ_NV);
    client.session.submitRequest(1, REQ_NV);
    pump(client, server);
    expect(server.requests).toEqual([1, 3]);
    expect(server.session.wantRead()).toBe(true);
    // the status code is ignored on SPDY/2
    server.session.failSession(GOAWAY_PROTOCOL_ERROR);
    const bytes = server.flush();
    const frames = decodeFrames(bytes);
    expect(frames).toHaveLength(1);
    const [g] = frames;
    expect(g).toMatchObject({ control: true, version: 2, type: GOAWAY, length: 4, lastGoodStreamId: 3 });
    expect(g!.statusCode).toBeUndefined();
    expect(bytes.equals(Buffer.from('8002000700000004' + '00000003', 'hex'))).toBe(true);
    expect(server.session.wantRead()).toBe(false);
    expect(server.session.wantWrite()).toBe(false);
    // the SPDY/2 peer reads it as GOAWAY(last good 3)
    client.session.recv(bytes);
    const got = client.recvd.find((f) => f.frameType === GOAWAY);
    expect(got).toMatchObject({ version: 2, lastGoodStreamId: 3 });
    // no new stream after it: a push is not sent
    const notSent: number[] = [];
    const s2 = new Side(SERVER, PROTO_SPDY2, { onCtrlNotSendCb: (_s, f) => notSent.push(f.frameType) });
    const c2 = new Side(CLIENT, PROTO_SPDY2);
    c2.session.submitRequest(1, REQ_NV);
    s2.session.recv(c2.flush());
    s2.session.failSession();
    s2.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 1, 1, [[':path', '/pushed']]);
    expect(ctrl(decodeFrames(s2.flush()), SYN_STREAM)).toEqual([]);
    expect(notSent).toEqual([SYN_STREAM]);

    // on SPDY/3 the same call carries the status (length 8)
    const c3 = new Side(CLIENT, PROTO_SPDY3);
    const s3 = new Side(SERVER, PROTO_SPDY3);
    c3.session.submitRequest(3, REQ_NV);
    pump(c3, s3);
    s3.session.failSession(GOAWAY_PROTOCOL_ERROR);
    expect(decodeFrames(s3.flush())).toMatchObject([{ version: 3, type: GOAWAY, length: 8, lastGoodStreamId: 1, statusCode: 1 }]);
    expect(s3.session.wantRead()).toBe(false);
  });

  it('13.3 submitSynStream: assocStreamId is ignored for client sessions (0 on the wire, both argument orders)', () => {
    for (const version of VERSIONS) {
      const notSent: number[] = [];
      const client = new Side(CLIENT, version, { onCtrlNotSendCb: (_s, f) => notSent.push(f.frameType) });
      const server = new Side(SERVER, version);
      // C-like order (flags, assocStreamId, pri, nv) and python order (flags, pri, nv, assocStreamId)
      client.session.submitSynStream(CTRL_FLAG_FIN, 2, 1, REQ_NV);
      client.session.submitSynStream(CTRL_FLAG_FIN, 1, REQ_NV, 7);
      const bytes = client.flush();
      const syn = ctrl(decodeFrames(bytes), SYN_STREAM);
      expect(syn.map((f) => [f.streamId, f.assocStreamId, f.flags])).toEqual([[1, 0, CTRL_FLAG_FIN], [3, 0, CTRL_FLAG_FIN]]);
      expect(notSent).toEqual([]);
      // the server takes both as requests (a client SYN_STREAM with an associated stream would be refused)
      server.session.recv(bytes);
      expect(server.requests).toEqual([1, 3]);
      expect(server.recvd.filter((f) => f.frameType === SYN_STREAM).map((f) => (f as { assocStreamId: number }).assocStreamId))
        .toEqual([0, 0]);
      expect(decodeFrames(server.flush())).toEqual([]); // no RST_STREAM
    }
    // a server session does send the associated stream it is given
    const c = new Side(CLIENT, PROTO_SPDY3);
    const s = new Side(SERVER, PROTO_SPDY3);
    c.session.submitRequest(3, REQ_NV);
    pump(c, s);
    s.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 1, 3, [[':path', '/pushed']]);
    expect(ctrl(decodeFrames(s.flush()), SYN_STREAM).map((f) => [f.streamId, f.assocStreamId])).toEqual([[2, 1]]);
  });

  it('13.4 an empty name or a null/undefined value is rejected by submitResponse, submitSynStream, submitSynReply and submitHeaders (InvalidArgumentError, nothing queued or sent)', () => {
    const bad: [string, NameValue[]][] = [
      ['empty name', [['', 'x'], ['x-ok', 'y']]],
      ['null value', [['x-ok', 'y'], ['x-null', null as never]]],
      ['undefined value', [['x-undef', undefined as never]]],
    ];
    for (const version of VERSIONS) {
      const client = new Side(CLIENT, version);
      const server = new Side(SERVER, version);
      client.session.submitRequest(3, POST_NV, bufferProvider(Buffer.from('body')));
      pump(client, server);
      expect(server.requests).toEqual([1]);
      for (const [what, nv] of bad) {
        const calls: [string, Side, () => void][] = [
          ['submitResponse', server, () => server.session.submitResponse(1, nv)],
          ['submitResponse with a body', server, () => server.session.submitResponse(1, nv, bufferProvider(Buffer.from('x')))],
          ['submitSynReply', server, () => server.session.submitSynReply(CTRL_FLAG_NONE, 1, nv)],
          ['submitHeaders', server, () => server.session.submitHeaders(CTRL_FLAG_NONE, 1, nv)],
          ['submitSynStream (client)', client, () => client.session.submitSynStream(CTRL_FLAG_FIN, 0, 3, nv)],
          ['submitSynStream (server push)', server, () => server.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 1, 3, nv)],
        ];
        for (const [name, side, call] of calls) {
          const queued = side.session.getOutboundQueueSize();
          expect(call, `${name}, ${what}, v${version}`).toThrow(InvalidArgumentError);
          expect(side.session.getOutboundQueueSize(), `${name}, ${what}`).toBe(queued);
          expect(side.flush().length, `${name}, ${what}: bytes sent`).toBe(0);
        }
      }
      // the same calls with a valid nv go out; the rejected SYN_STREAMs used no stream ID
      client.session.submitSynStream(CTRL_FLAG_FIN, 0, 3, REQ_NV);
      expect(ctrl(decodeFrames(client.flush()), SYN_STREAM).map((f) => f.streamId)).toEqual([3]);
      server.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 1, 3, [[':path', '/p']]);
      expect(decodeFrames(server.flush()).map((f) => [f.type, f.streamId, f.assocStreamId])).toEqual([[SYN_STREAM, 2, 1]]);
      server.session.submitSynReply(CTRL_FLAG_NONE, 1, RES_NV);
      server.session.submitHeaders(CTRL_FLAG_FIN, 1, [['x-trailer', 't']]);
      expect(decodeFrames(server.flush()).map((f) => [f.type, f.streamId])).toEqual([[2, 1], [8, 1]]);
    }
  });

  it('13.5 submitSettings rejects an invalid value (InvalidArgumentError, nothing queued); valid values go out as given', () => {
    for (const version of VERSIONS) {
      const s = new Side(CLIENT, version);
      const invalid: [string, [number, number, number][]][] = [
        ['negative', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, -1]]],
        ['above 2^32-1', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 2 ** 32]]],
        ['2^32 + 5 (would wrap to 5)', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 2 ** 32 + 5]]],
        ['not an integer', [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1.5]]],
        // a window larger than the largest flow-control window, 2^31-1
        ['INITIAL_WINDOW_SIZE 2^31', [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31]]],
      ];
      for (const [what, iv] of invalid) {
        let e: unknown;
        try { s.session.submitSettings(0, iv); } catch (x) { e = x; }
        expect(e, `${what}, v${version}`).toBeInstanceOf(what === 'not an integer' ? TypeError : InvalidArgumentError);
        expect(s.session.getOutboundQueueSize(), what).toBe(0);
      }
      expect(s.flush().length).toBe(0);
      s.session.submitSettings(0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 2 ** 32 - 1],
        [SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31 - 1]]);
      const [f] = decodeFrames(s.flush());
      expect(f!.type).toBe(4);
      expect(f!.iv).toEqual([[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 2 ** 32 - 1], [SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31 - 1]]);
    }
  });

  it('13.6 submitData sets FIN only with DATA_FLAG_FIN, on the last DATA frame only', () => {
    for (const version of VERSIONS) {
      const dataSent: [number, number, number][] = [];
      let sid = 0;
      const client = new Side(CLIENT, version, {
        beforeCtrlSendCb: (_s, f) => { if (f.frameType === SYN_STREAM) sid = f.streamId; },
        onDataSendCb: (_s, flags, id, len) => dataSent.push([flags, id, len]),
      });
      const chunks: [number, number][] = [];
      const server = new Side(SERVER, version, {
        onDataRecvCb: (_s, flags, _id, len) => chunks.push([flags, len]),
      });
      client.session.submitSynStream(CTRL_FLAG_NONE, 0, 3, POST_NV);
      pump(client, server);
      expect(sid).toBe(1);
      server.session.submitResponse(1, RES_NV, bufferProvider(Buffer.alloc(0)));
      pump(client, server);
      // flags without DATA_FLAG_FIN: 0, and a bit that is not FIN
      for (const flags of [DATA_FLAG_NONE, 0x02]) {
        client.session.submitData(1, flags, bufferProvider(Buffer.alloc(10_000, 1)));
        const bytes = client.flush();
        expect(decodeFrames(bytes).map((f) => [f.control, f.streamId, f.flags, f.length])).toEqual(
          [[false, 1, 0, 4096], [false, 1, 0, 4096], [false, 1, 0, 1808]]);
        server.session.recv(bytes);
        expect(server.requests).toEqual([]); // the request has not ended
      }
      client.session.submitData(1, DATA_FLAG_FIN, bufferProvider(Buffer.alloc(5000, 2)));
      const bytes = client.flush();
      const last = decodeFrames(bytes);
      expect(last.map((f) => [f.control, f.streamId, f.flags, f.length])).toEqual(
        [[false, 1, 0, 4096], [false, 1, DATA_FLAG_FIN, 904]]);
      server.session.recv(bytes);
      expect(server.requests).toEqual([1]);
      expect(dataSent.map(([fl]) => fl)).toEqual([0, 0, 0, 0, 0, 0, 0, DATA_FLAG_FIN]);
      expect(chunks.at(-1)).toEqual([DATA_FLAG_FIN, 904]);
      expect(chunks.slice(0, -1).every(([fl]) => fl === 0)).toBe(true);
      // both directions are finished: the stream closed on both sides
      expect(client.session.getStreamUserData(1)).toBeNull();
    }
  });
});
