// onCtrlSendCb and onDataSendCb run after the sendCb call that took the last
// byte of their frame (python-spdylay: "invoked after the frame is sent"), so
// the reference's idiom of closing the socket once GOAWAY was sent works:
// the GOAWAY is on the socket before the callback closes it. Output is still
// coalesced for frames whose sent callback is not set.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, CLIENT, DATA_FLAG_FIN, GOAWAY, GOAWAY_OK, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER,
  SYN_REPLY, Session, type Frame, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { bufferProvider, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

interface WireFrame { ctrl: boolean; type: number; streamId: number; flags: number; length: number }

/** The complete frames at the start of `b` (a partial last frame is left out). */
function frames(b: Buffer): WireFrame[] {
  const out: WireFrame[] = [];
  let o = 0;
  while (o + 8 <= b.length) {
    const length = b.readUIntBE(o + 5, 3);
    if (o + 8 + length > b.length) break;
    const ctrl = (b[o]! & 0x80) !== 0;
    out.push({ ctrl, type: ctrl ? b.readUInt16BE(o + 2) : 0, streamId: ctrl ? 0 : b.readUInt32BE(o) & 0x7fffffff,
      flags: b[o + 4]!, length });
    o += 8 + length;
  }
  return out;
}

type Ev = { kind: 'send'; n: number } | { kind: 'ctrl'; type: number; frames: number }
  | { kind: 'data'; streamId: number; length: number; frames: number };

/**
 * A server answering one GET with `body` (from a BufferDataProvider, or a JS
 * provider in chunks of 1000), driven by a client in memory. `take(data)`
 * is how many bytes the server's sendCb takes. Records the server's sendCb
 * calls and sent callbacks, each with the complete frames sendCb had taken
 * by then.
 */
function serve(version: number, body: Buffer, opts: {
  js?: boolean; ctrl?: boolean; data?: boolean; take?: (data: Buffer) => number;
} = {}) {
  const events: Ev[] = [];
  let taken = Buffer.alloc(0);
  const complete = () => frames(taken).length;
  const serverOpts: SessionOptions = {
    sendCb: (_s, data) => {
      const n = opts.take ? opts.take(data) : data.length;
      taken = Buffer.concat([taken, data.subarray(0, n)]);
      events.push({ kind: 'send', n });
      return n;
    },
    onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, opts.js ? bufferProvider(body, 1000) : new BufferDataProvider(body)),
  };
  if (opts.ctrl !== false) serverOpts.onCtrlSendCb = (_s, f) => events.push({ kind: 'ctrl', type: f.frameType, frames: complete() });
  if (opts.data !== false) {
    serverOpts.onDataSendCb = (_s, _flags, streamId, length) => events.push({ kind: 'data', streamId, length, frames: complete() });
  }
  const server = new Session(SERVER, version, serverOpts);
  const toServer: Buffer[] = [];
  const client = new Session(CLIENT, version, { sendCb: (_s, d) => { toServer.push(Buffer.from(d)); return d.length; } });
  client.submitRequest(0, REQ_NV);
  client.send();
  server.recv(Buffer.concat(toServer));
  return { server, events, wire: () => taken };
}

describe('onCtrlSendCb/onDataSendCb follow the sendCb that carried their frame', () => {
  for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
    for (const js of [false, true]) {
      it(`version ${version}, ${js ? 'JS readCb' : 'BufferDataProvider'}: callback k runs when sendCb has taken exactly frames 1..k`, () => {
        const body = Buffer.alloc(10000, 7);
        const { server, events, wire } = serve(version, body, { js });
        server.send();
        const sent = events.filter((e) => e.kind !== 'send') as Exclude<Ev, { kind: 'send' }>[];
        const onWire = frames(wire());
        // every frame went out and got its callback: SYN_REPLY, then DATA frames of at most 4096
        // bytes (BufferDataProvider) or of the JS provider's 1000-byte chunks
        const types = [SYN_REPLY, ...new Array<number>(js ? 10 : 3).fill(0)];
        expect(onWire.map((f) => (f.ctrl ? f.type : 0))).toEqual(types);
        expect(sent.map((e) => (e.kind === 'ctrl' ? e.type : 0))).toEqual(types);
        sent.forEach((e, k) => {
          expect(e.frames, `callback ${k + 1}`).toBe(k + 1);
          if (e.kind === 'data') expect([e.streamId, e.length]).toEqual([onWire[k]!.streamId, onWire[k]!.length]);
        });
        expect(onWire.at(-1)!.flags & DATA_FLAG_FIN).toBe(DATA_FLAG_FIN);
      });
    }
  }

  it('without those callbacks the output of one send() is one sendCb call', () => {
    const { server, events, wire } = serve(PROTO_SPDY3, Buffer.alloc(10000, 7), { ctrl: false, data: false });
    server.send();
    expect(events).toEqual([{ kind: 'send', n: wire().length }]);
    expect(frames(wire())).toHaveLength(4);
  });

  it('with onCtrlSendCb only, the DATA frames after the SYN_REPLY are coalesced', () => {
    const { server, events } = serve(PROTO_SPDY3, Buffer.alloc(10000, 7), { data: false });
    server.send();
    expect(events.map((e) => e.kind)).toEqual(['send', 'ctrl', 'send']);
  });

  it('a frame sendCb did not take (would block) gets its callback in the send() that hands over its last byte', () => {
    let block = true;
    const { server, events, wire } = serve(PROTO_SPDY3, Buffer.alloc(100, 7), {
      data: false, take: (d) => (block ? 0 : d.length),
    });
    server.send();
    expect(events.filter((e) => e.kind === 'ctrl')).toEqual([]);
    expect(server.wantWrite()).toBe(true);
    server.send(); // still blocked: nothing changes
    expect(events.filter((e) => e.kind === 'ctrl')).toEqual([]);
    block = false;
    server.send();
    const firstCtrl = events.findIndex((e) => e.kind === 'ctrl');
    expect(firstCtrl).toBeGreaterThan(0);
    expect(events[firstCtrl - 1]).toMatchObject({ kind: 'send' });
    expect(events[firstCtrl]).toEqual({ kind: 'ctrl', type: SYN_REPLY, frames: 1 });
    expect(frames(wire()).map((f) => f.length)).toEqual([frames(wire())[0]!.length, 100]);
    expect(server.wantWrite()).toBe(false);
  });

  it('partial takes over several send() calls: each callback only once its whole frame was taken', () => {
    // sendCb takes 7 bytes, then blocks, then 7 more in the next send() ...
    let turn = 0;
    const { server, events, wire } = serve(PROTO_SPDY3_1, Buffer.alloc(5000, 7), {
      take: (d) => (turn++ % 2 === 0 ? Math.min(7, d.length) : 0),
    });
    let sends = 0;
    while (server.wantWrite() && sends++ < 2000) server.send();
    const sent = events.filter((e) => e.kind !== 'send') as Exclude<Ev, { kind: 'send' }>[];
    expect(sent.map((e) => e.kind)).toEqual(['ctrl', 'data', 'data']);
    sent.forEach((e, k) => expect(e.frames).toBe(k + 1));
    expect(frames(wire()).map((f) => f.length).slice(1)).toEqual([4096, 904]);
  });

  it('sendCb throwing on such a frame: send() rethrows, the next send() writes the frame once, then its callback runs', () => {
    let fail = true;
    const err = new Error('socket gone');
    const { server, events, wire } = serve(PROTO_SPDY3, Buffer.alloc(100, 7), {
      data: false, take: (d) => { if (fail) throw err; return d.length; },
    });
    expect(() => server.send()).toThrow(err);
    expect(events.filter((e) => e.kind === 'ctrl')).toEqual([]);
    fail = false;
    server.send();
    expect(events.filter((e) => e.kind === 'ctrl')).toEqual([{ kind: 'ctrl', type: SYN_REPLY, frames: 1 }]);
    const f = frames(wire());
    expect(f.map((x) => (x.ctrl ? x.type : 0))).toEqual([SYN_REPLY, 0]);
    expect(frames(wire()).reduce((n, x) => n + 8 + x.length, 0)).toBe(wire().length);
  });
});

// The reference's idiom over real TCP, in a child process (a crash there must
// not take the test runner with it): the server closes its socket in
// onCtrlSendCb once GOAWAY was sent, with no 'error' listener on the socket.
const SERVER_SCRIPT = `
const net = require('node:net');
const sp = require(process.argv[1]);
const body = Buffer.alloc(50000, 'b');
const server = net.createServer((socket) => {
  const session = new sp.Session(sp.SERVER, sp.PROTO_SPDY3_1, {
    sendCb: (_s, data) => { socket.write(data); return data.length; },
    onRequestRecvCb: (s, sid) => s.submitResponse(sid, [[':status', '200 OK'], [':version', 'HTTP/1.1']],
      new sp.BufferDataProvider(body)),
    // the response is complete: say goodbye
    onStreamCloseCb: (s) => s.submitGoaway(sp.GOAWAY_OK),
    onCtrlSendCb: (_s, frame) => {
      if (frame.frameType === sp.GOAWAY) {
        console.log('GOAWAY sent, closing');
        socket.end();
        server.close();
      }
    },
  });
  socket.on('data', (chunk) => { session.recv(chunk); session.send(); });
  session.send();
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

it('over TCP: closing the socket in onCtrlSendCb once GOAWAY was sent delivers the GOAWAY, and the server exits cleanly', async () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, path.join(root, 'dist', 'index.js')], { cwd: root });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`server exited early: ${err}`)));
  });

  const got: Frame[] = [];
  let bodyBytes = 0;
  const socket = net.connect(port, '127.0.0.1');
  const client = new Session(CLIENT, PROTO_SPDY3_1, {
    sendCb: (_s, data) => { socket.write(Buffer.from(data)); return data.length; },
    onCtrlRecvCb: (_s, f) => got.push(f),
    onDataChunkRecvCb: (_s, _flags, _sid, data) => { bodyBytes += data.length; },
  });
  const ended = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no end from the server')), 20_000);
    socket.on('end', () => { clearTimeout(timer); resolve(); });
    socket.on('error', reject);
  });
  socket.on('data', (chunk) => {
    client.recv(chunk);
    if (!socket.writableEnded) client.send();
  });
  client.submitRequest(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':version', 'HTTP/1.1'],
    [':host', `127.0.0.1:${port}`]]);
  client.send();
  await ended;
  socket.end();
  const code = await exited;

  expect(err).not.toMatch(/ERR_STREAM_WRITE_AFTER_END|Error/);
  expect(code).toBe(0);
  expect(out).toContain('GOAWAY sent, closing');
  expect(bodyBytes).toBe(50000);
  const goaway = got.filter((f) => f.frameType === GOAWAY);
  expect(goaway).toHaveLength(1);
  expect(goaway[0]).toMatchObject({ lastGoodStreamId: 1, statusCode: GOAWAY_OK });
  expect(got.at(-1)!.frameType).toBe(GOAWAY);
  expect(client.wantRead()).toBe(false);
});
