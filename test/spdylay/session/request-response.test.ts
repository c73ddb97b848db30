// Request/response exchanges between a client and a server Session, for every SPDY version.
import { describe, expect, it } from 'vitest';
import {
  CTRL_FLAG_FIN, DATA_FLAG_FIN, DataProvider, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, READ_EOF, SYN_REPLY,
  SYN_STREAM, SynReplyFrame, SynStreamFrame,
} from '../../../lib/spdylay/index.js';
import { POST_NV, Pair, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

describe.each(VERSIONS)('request/response (version %i)', (version) => {
  it('GET without body: frames, callbacks and stream user data', () => {
    const log: string[] = [];
    const ud = { req: 1 };
    let synStream: SynStreamFrame | undefined;
    let reply: SynReplyFrame | undefined;
    const p: Pair = new Pair(version, {
      beforeCtrlSendCb: (s, f) => {
        if (f.frameType === SYN_STREAM) {
          log.push(`c.before:${f.streamId}`);
          expect(s.getStreamUserData(f.streamId)).toBe(ud);
        }
      },
      onCtrlSendCb: (_s, f) => log.push(`c.sent:${f.frameType}`),
      onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_REPLY) reply = f; log.push(`c.recv:${f.frameType}`); },
      onStreamCloseCb: (s, sid, st) => {
        log.push(`c.close:${sid}:${st}`);
        expect(s.getStreamUserData(sid)).toBe(ud);
      },
    }, {
      onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_STREAM) synStream = f; log.push(`s.recv:${f.frameType}`); },
      onRequestRecvCb: (s, sid) => { log.push(`s.request:${sid}`); s.submitResponse(sid, RES_NV); },
      onStreamCloseCb: (s, sid, st) => {
        log.push(`s.close:${sid}:${st}`);
        expect(s.getStreamUserData(sid)).toBe(null);
      },
    });
    p.client.submitRequest(3, REQ_NV, null, ud);
    p.pump();
    expect(log).toEqual(['c.before:1', 'c.sent:1', 's.recv:1', 's.request:1', 's.close:1:0',
      'c.recv:2', 'c.close:1:0']);
    expect(synStream).toBeInstanceOf(SynStreamFrame);
    expect(synStream!.streamId).toBe(1);
    expect(synStream!.pri).toBe(3);
    expect(synStream!.assocStreamId).toBe(0);
    expect(synStream!.flags).toBe(CTRL_FLAG_FIN);
    expect(synStream!.version).toBe(version === PROTO_SPDY2 ? 2 : 3);
    expect(synStream!.length).toBeGreaterThan(10);
    expect(synStream!.nv).toContainEqual([':method', 'GET']);
    expect(synStream!.nv).toContainEqual(['accept', '*/*']);
    expect(reply).toBeInstanceOf(SynReplyFrame);
    expect(reply!.streamId).toBe(1);
    expect(reply!.flags).toBe(CTRL_FLAG_FIN);
    expect(reply!.nv).toContainEqual([':status', '200 OK']);
    expect(p.client.getStreamUserData(1)).toBe(null); // closed
  });

  it('POST with body and a large response body', () => {
    const reqBody = Buffer.alloc(200_000, 7);
    const resBody = Buffer.alloc(1_000_000);
    for (let i = 0; i < resBody.length; i++) resBody[i] = i % 253;
    const got: Buffer[] = [];
    const gotReq: Buffer[] = [];
    let dataRecv = 0;
    let dataSend = 0;
    let lastFlags = -1;
    const p: Pair = new Pair(version, {
      onDataChunkRecvCb: (_s, _f, sid, d) => { expect(sid).toBe(1); got.push(Buffer.from(d)); },
      onDataRecvCb: (_s, flags, _sid, len) => { dataRecv += len; lastFlags = flags; },
      onDataSendCb: (_s, _flags, _sid, len) => { dataSend += len; },
    }, {
      onDataChunkRecvCb: (_s, _f, _sid, d) => gotReq.push(Buffer.from(d)),
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, bufferProvider(resBody, 1000)),
    });
    p.client.submitRequest(0, POST_NV, bufferProvider(reqBody));
    p.pump();
    expect(Buffer.concat(gotReq).equals(reqBody)).toBe(true);
    expect(dataSend).toBe(reqBody.length);
    expect(Buffer.concat(got).equals(resBody)).toBe(true);
    expect(dataRecv).toBe(resBody.length);
    expect(lastFlags).toBe(DATA_FLAG_FIN);
  });

  it('read callback may return a string', () => {
    const got: string[] = [];
    const p = new Pair(version, { onDataChunkRecvCb: (_s, _f, _sid, d) => got.push(d.toString()) }, {
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider('héllo', (_s, _i, _l, ctrl, src) => {
        ctrl.flags = READ_EOF;
        return src;
      })),
    });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(got.join('')).toBe('héllo');
  });
});
