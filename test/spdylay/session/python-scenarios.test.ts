// spdylay Session / DataProvider / frames / exceptions / constants: the
// scenarios of python-spdylay's own test suite (spdylay_tests.py).
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  CANCEL, CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_NONE, CTRL_FLAG_UNIDIRECTIONAL, CallbackFailureError, DATA_FLAG_FIN,
  DataProvider, EOFError, ERR_DEFERRED, ERR_EOF, ERR_STREAM_CLOSED, ERR_SYN_STREAM_NOT_ALLOWED,
  FLAG_SETTINGS_NONE, GOAWAY, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, GoawayFrame, HEADERS, INTERNAL_ERROR,
  InvalidArgumentError, PING, PROTO_SPDY3, PingFrame, READ_EOF, RST_STREAM, RstStreamFrame, SERVER, SETTINGS,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_REPLY, SYN_STREAM, Session, SettingsFrame,
  StreamClosedError, SynStreamFrame, WINDOW_UPDATE, WindowUpdateFrame, type Frame,
} from '../../../lib/spdylay/index.js';
import { POST_NV, Pair, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';

describe('python-spdylay test-suite scenarios (SPDY/3)', () => {
  it('submit_request/submit_response with data both ways (nv[0], bodies, stream user data)', () => {
    let recvNv: [string, string][] = [];
    let pri = -1;
    const body: Buffer[] = [];
    const p: Pair = new Pair(PROTO_SPDY3, {
      onDataChunkRecvCb: (_s, _f, _sid, d) => body.push(Buffer.from(d)),
    }, {
      onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_STREAM) { recvNv = f.nv; pri = f.pri; } },
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, [[':status', '200 OK']],
        new DataProvider(Buffer.from('Hello world'), (_s, _i, _l, ctrl, src) => { ctrl.flags = READ_EOF; return src; })),
    });
    p.client.submitRequest(2, [[':method', 'POST']], bufferProvider(Buffer.from('request body')), 'userdata');
    p.client.send();
    expect(p.client.getStreamUserData(1)).toBe('userdata');
    p.pump();
    expect(pri).toBe(2);
    expect(recvNv[0]).toEqual([':method', 'POST']);
    expect(Buffer.concat(body).toString()).toBe('Hello world');
  });

  it('submit_syn_stream / submit_syn_reply / submit_headers / submit_data', () => {
    const client: Frame[] = [];
    const server: Frame[] = [];
    const data: string[] = [];
    const p = new Pair(PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => client.push(f),
      onDataChunkRecvCb: (_s, _f, _sid, d) => data.push(d.toString()) },
    { onCtrlRecvCb: (_s, f) => server.push(f) });
    p.client.submitSynStream(CTRL_FLAG_NONE, 0, [[':method', 'GET']], 0, 'ud'); // python order
    p.client.submitSynStream(CTRL_FLAG_FIN, 0, 0, [[':method', 'HEAD']], 'ud2'); // documented order
    p.pump();
    expect(server.map((f) => [f.frameType, (f as SynStreamFrame).streamId, f.flags]))
      .toEqual([[SYN_STREAM, 1, 0], [SYN_STREAM, 3, CTRL_FLAG_FIN]]);
    expect(p.client.getStreamUserData(1)).toBe('ud');
    p.server.submitSynReply(CTRL_FLAG_NONE, 1, [[':status', '200 OK']]);
    p.server.submitHeaders(CTRL_FLAG_NONE, 1, [['x-extra', 'yes']]);
    p.server.submitData(1, DATA_FLAG_FIN, bufferProvider(Buffer.from('payload')));
    p.client.submitHeaders(CTRL_FLAG_FIN, 1, [['trailer', 't']]);
    p.pump();
    expect(client.map((f) => f.frameType)).toEqual([SYN_REPLY, HEADERS]);
    expect((client[1] as sp.HeadersFrame).nv).toEqual([['x-extra', 'yes']]);
    expect(server[2].frameType).toBe(HEADERS);
    expect(data.join('')).toBe('payload');
  });

  it('server push: submit_syn_stream with assoc stream and UNIDIRECTIONAL', () => {
    const seen: SynStreamFrame[] = [];
    const p = new Pair(PROTO_SPDY3, {
      onCtrlRecvCb: (_s, f) => { if (f.frameType === SYN_STREAM) seen.push(f); },
    }, {
      onRequestRecvCb: (s, sid) => {
        // (a response with FIN here would overtake the push and close stream 1 first)
        s.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, sid, 3, [[':path', '/pushed']]);
      },
    });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(seen).toHaveLength(1);
    expect(seen[0].streamId).toBe(2);
    expect(seen[0].assocStreamId).toBe(1);
    expect(seen[0].flags & CTRL_FLAG_UNIDIRECTIONAL).toBeTruthy();
  });

  it('deferred data and resumeData', () => {
    let defer = true;
    const body: string[] = [];
    const p = new Pair(PROTO_SPDY3, { onDataChunkRecvCb: (_s, _f, _sid, d) => body.push(d.toString()) }, {
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider(null, (_s, _i, _l, ctrl) => {
        if (defer) return ERR_DEFERRED;
        ctrl.flags = READ_EOF;
        return Buffer.from('deferred body');
      })),
    });
    expect(p.server.resumeData(1)).toBe(false); // unknown stream
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(body).toEqual([]);
    expect(p.server.getOutboundQueueSize()).toBe(0);
    expect(p.server.wantWrite()).toBe(false);
    defer = false;
    expect(p.server.resumeData(1)).toBe(true);
    expect(p.server.resumeData(1)).toBe(false); // not deferred any more
    expect(p.server.wantWrite()).toBe(true);
    p.pump();
    expect(body.join('')).toBe('deferred body');
  });

  it('recvCb raising EOFError makes recv() raise it', () => {
    const eof = new EOFError();
    const s = new Session(SERVER, PROTO_SPDY3, { recvCb: () => { throw eof; } });
    let thrown: unknown;
    try { s.recv(); } catch (e) { thrown = e; }
    expect(thrown).toBe(eof);
    expect((thrown as EOFError).code).toBe(ERR_EOF);
  });

  it('recv() through recvCb: chunks, would-block, too long, no recvCb', () => {
    const frames: Frame[] = [];
    const bytes: Buffer[] = [];
    const c = new Session(CLIENT, PROTO_SPDY3, { sendCb: (_s, d) => { bytes.push(Buffer.from(d)); return d.length; } });
    c.submitPing();
    c.submitPing();
    c.send();
    const wire = Buffer.concat(bytes);
    let off = 0;
    const calls: number[] = [];
    const s = new Session(SERVER, PROTO_SPDY3, {
      recvCb: (_s, length) => {
        calls.push(length);
        if (off >= wire.length) return null;
        const chunk = wire.subarray(off, off + 5); // trickle
        off += chunk.length;
        return chunk;
      },
      onCtrlRecvCb: (_s, f) => frames.push(f),
    });
    s.recv();
    expect(frames.map((f) => (f as PingFrame).uniqueId)).toEqual([1, 3]);
    expect(calls.every((l) => l > 0)).toBe(true);
    const tooLong = new Session(SERVER, PROTO_SPDY3, { recvCb: (_s, length) => Buffer.alloc(length + 1) });
    expect(() => tooLong.recv()).toThrow(CallbackFailureError);
    expect(() => new Session(SERVER, PROTO_SPDY3).recv()).toThrow(CallbackFailureError);
    const empty = new Session(SERVER, PROTO_SPDY3, { recvCb: () => Buffer.alloc(0) });
    expect(() => empty.recv()).not.toThrow();
  });

  it('failSession: GOAWAY then want_read and want_write are false', () => {
    const sent: Frame[] = [];
    const s = new Session(SERVER, PROTO_SPDY3, { onCtrlSendCb: (_s, f) => sent.push(f) });
    s.failSession(GOAWAY_PROTOCOL_ERROR);
    s.send();
    expect(sent[0]).toBeInstanceOf(GoawayFrame);
    expect((sent[0] as GoawayFrame).statusCode).toBe(GOAWAY_PROTOCOL_ERROR);
    expect(s.wantRead()).toBe(false);
    expect(s.wantWrite()).toBe(false);
  });

  it('submitSettings, including duplicate IDs', () => {
    let got: SettingsFrame | undefined;
    const p = new Pair(PROTO_SPDY3, {}, { onCtrlRecvCb: (_s, f) => { if (f.frameType === SETTINGS) got = f; } });
    p.client.submitSettings(FLAG_SETTINGS_NONE, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100],
      [SETTINGS_INITIAL_WINDOW_SIZE, 0, 65536]]);
    p.pump();
    expect(got).toBeInstanceOf(SettingsFrame);
    expect(got!.iv).toEqual([[4, 0, 100], [7, 0, 65536]]);
    expect(() => p.client.submitSettings(FLAG_SETTINGS_NONE, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100],
      [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10]])).toThrow(InvalidArgumentError);
    expect(() => p.client.submitSettings(0, [[1, 2] as never])).toThrow(TypeError);
  });

  it('window update: delivered, invalid delta, closed stream', () => {
    let wu: WindowUpdateFrame | undefined;
    const p = new Pair(PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => { if (f.frameType === WINDOW_UPDATE) wu = f; } }, {
      onRequestRecvCb: () => { /* keep stream 1 open */ },
    });
    p.client.submitRequest(3, POST_NV, new DataProvider(null, () => ERR_DEFERRED));
    p.pump();
    p.server.submitWindowUpdate(1, 4096);
    p.pump();
    expect(wu!.streamId).toBe(1);
    expect(wu!.deltaWindowSize).toBe(4096);
    expect(() => p.server.submitWindowUpdate(1, 0)).toThrow(InvalidArgumentError);
    expect(() => p.server.submitWindowUpdate(1, -1)).toThrow(InvalidArgumentError);
    let err: unknown;
    try { p.server.submitWindowUpdate(99, 10); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StreamClosedError);
    expect((err as StreamClosedError).code).toBe(ERR_STREAM_CLOSED);
  });

  it('ping: ids and automatic reply', () => {
    const c: number[] = [];
    const s: number[] = [];
    const p = new Pair(PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => { if (f.frameType === PING) c.push(f.uniqueId); } },
      { onCtrlRecvCb: (_s, f) => { if (f.frameType === PING) s.push(f.uniqueId); } });
    p.client.submitPing();
    p.pump();
    p.server.submitPing();
    p.pump();
    expect(s).toEqual([1, 2]);
    expect(c).toEqual([1, 2]);
  });

  it('goaway: both stop, later request ends in onCtrlNotSendCb + stream close', () => {
    let goaway: GoawayFrame | undefined;
    const notSent: [number, number][] = [];
    const closed: [number, number][] = [];
    const p = new Pair(PROTO_SPDY3, {
      onCtrlNotSendCb: (_s, f, code) => notSent.push([f.frameType, code]),
      onStreamCloseCb: (_s, sid, st) => closed.push([sid, st]),
    }, { onCtrlRecvCb: (_s, f) => { if (f.frameType === GOAWAY) goaway = f; } });
    p.client.submitGoaway(GOAWAY_OK);
    p.pump();
    expect(goaway!.lastGoodStreamId).toBe(0);
    expect(goaway!.statusCode).toBe(GOAWAY_OK);
    expect(p.client.wantRead() || p.client.wantWrite()).toBe(false);
    expect(p.server.wantRead() || p.server.wantWrite()).toBe(false);
    p.client.submitRequest(3, REQ_NV);
    p.client.send();
    expect(notSent).toEqual([[SYN_STREAM, ERR_SYN_STREAM_NOT_ALLOWED]]);
    expect(closed).toEqual([[1, INTERNAL_ERROR]]);
  });

  it('rst_stream: both sides close the stream with the status', () => {
    let rst: RstStreamFrame | undefined;
    const closed: string[] = [];
    const p = new Pair(PROTO_SPDY3, { onStreamCloseCb: (_s, sid, st) => closed.push(`c${sid}:${st}`) }, {
      onCtrlRecvCb: (_s, f) => { if (f.frameType === RST_STREAM) rst = f; },
      onStreamCloseCb: (_s, sid, st) => closed.push(`s${sid}:${st}`),
    });
    p.client.submitRequest(3, POST_NV, new DataProvider(null, () => ERR_DEFERRED));
    p.pump();
    p.client.submitRstStream(1, CANCEL);
    p.pump();
    expect(rst!.streamId).toBe(1);
    expect(rst!.statusCode).toBe(CANCEL);
    expect(closed).toEqual(['c1:5', 's1:5']);
    expect(() => p.client.submitWindowUpdate(1, 10)).toThrow(StreamClosedError);
  });
});
