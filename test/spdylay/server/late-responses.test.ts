// Late responses over SPDY, end to end on 127.0.0.1 (cleartext, the
// protocol sniffed): ThreadedSPDYServer and createServer (the compat
// drop-in, `plain: true`), each over SPDY/3.1, SPDY/3 and SPDY/2. A client
// opens a few hundred streams on one connection and resets each
// (RST_STREAM CANCEL) right after its request, as browsers do; the
// application answers each request only afterwards (from the close
// notification, or after a fixed delay) with a 256 KiB body written in every
// form the handler's API takes (wfile / res: end(buf), write() chunks, a
// piped Readable, a pipeline from an async iterable). Asserted: every body
// (and the handler objects and body streams) is released while the
// connection is still open (WeakRefs collected after gc()), nothing at all
// is sent on the reset streams (after RST_STREAM the recipient sends no more
// frames for the stream), and the same connection and a fresh one are still
// served. The h2 side of these servers: test/nghttp2/late-responses.test.ts.
import { describe, expect, it } from 'vitest';

import { createServer } from '../../../lib/index.js';
import { RST, RawSpdy3, T, control, isSpdyGoaway, type SpdyFrame } from '../../helpers/attack-spdy.js';
import { sleep } from '../../helpers/attack-mem.js';
import { startSpdyServer } from '../../helpers/attack-servers.js';
import { listen } from '../../helpers/compat-core.js';
import {
  LATE_DELAY, LateSpdyHandler, RESET_LIMITS, STREAMS, WFILE_FORMS, WHEN, answers, expectReleased, inRounds, lateApp,
  lateFrames, lateSuiteHooks, tracker,
} from '../../helpers/late-bodies.js';
import { RawSpdyClient } from '../../helpers/spdy-raw.js';
import { CANCEL, PROTO_SPDY3_1 } from '../../../lib/spdylay/index.js';

const compatServers = lateSuiteHooks();

interface Protocol {
  name: string;
  open(port: number): RawSpdy3;
}

const protocols: Protocol[] = [
  { name: 'spdy/3.1', open: (port) => new RawSpdy3(port) },
  { name: 'spdy/3', open: (port) => new RawSpdy3(port, { spdy31: false }) },
  { name: 'spdy/2', open: (port) => new RawSpdy3(port, { version: 2 }) },
];

interface Server {
  name: string;
  start(): Promise<number>;
}

const servers: Server[] = [
  { name: 'ThreadedSPDYServer', start: async () => (await startSpdyServer(LateSpdyHandler, RESET_LIMITS)).port },
  {
    name: 'createServer',
    start: async () => {
      const server = createServer({ spdy: { plain: true }, ...RESET_LIMITS }, lateApp);
      compatServers.push(server);
      return listen(server);
    },
  },
];

/** RST_STREAM in the connection's SPDY version. */
function rst(c: RawSpdy3, streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId, 0);
  p.writeUInt32BE(status, 4);
  return control(T.RST_STREAM, 0, p, c.version);
}

/** Frames the server sent on stream IDs in `ids`. */
function framesOn(frames: SpdyFrame[], ids: Set<number>): string[] {
  return frames.filter((f) => ids.has(f.streamId) && !(f.control && (f.type === T.GOAWAY || f.type === T.SETTINGS || f.type === T.PING)))
    .map((f) => `stream ${f.streamId}: ${f.control ? `control type ${f.type}` : 'DATA'} flags ${f.flags}`);
}

/** GET /ok on a fresh connection of `protocol`. */
async function legit(port: number, protocol: Protocol): Promise<void> {
  const c = protocol.open(port);
  try {
    await c.connected;
    c.write(await c.syn(1, '/ok'));
    expect((await c.body(1)).toString()).toBe('ok');
  } finally {
    c.destroy();
  }
}

/**
 * The attack and its checks: STREAMS requests for `path` on one
 * connection, each reset (CANCEL) at once (`together`: in the same write
 * as its request) or as soon as the application has every request of its
 * round (`dispatched`); the application answers each late. The bodies are
 * released while the connection is still open, nothing is sent on those
 * streams, and the connection and a fresh one are still served.
 */
async function lateCase(port: number, protocol: Protocol, path: string, mode: 'together' | 'dispatched'): Promise<void> {
  const c = protocol.open(port);
  try {
    await c.connected;
    // compressed in order: written in order
    const { ids, requests, resets, next } = await lateFrames((id) => c.syn(id, path), (id) => rst(c, id, RST.CANCEL));
    if (mode === 'together') {
      c.write(...requests.flatMap((r, i) => [r, resets[i]!]));
      // The server took every frame before this request's answer.
      c.write(await c.syn(next, '/ok'));
      expect((await c.body(next)).toString()).toBe('ok');
      await sleep(LATE_DELAY + 50);
      // Both servers run a SPDY stream's handler once the input that opened
      // it has been processed: one reset in that same input never reaches
      // the application. Whatever did (a read split between a request and
      // its reset) is answered late.
      await answers(tracker.requests);
    } else {
      await inRounds((a, b) => c.write(...requests.slice(a, b)), (a, b) => c.write(...resets.slice(a, b)));
      await answers(STREAMS);
    }
    // Released while the connection is still open.
    await expectReleased();
    // The same connection serves a request; nothing was sent on the reset streams.
    c.write(await c.syn(next + 2, '/ok'));
    expect((await c.body(next + 2)).toString()).toBe('ok');
    expect(framesOn(c.frames, ids)).toEqual([]);
    expect(c.frames.filter(isSpdyGoaway).map((g) => g.status)).toEqual([]);
    expect(c.isClosed).toBe(false);
  } finally {
    c.destroy();
  }
  await legit(port, protocol);
}

describe.each(servers)('$name: SPDY responses answered after the client reset the stream', (server) => {
  describe.each(protocols)('$name', (protocol) => {
    for (const when of WHEN) {
      it.each(WFILE_FORMS)(`%s body, answered ${when === 'close' ? 'from the close notification' : 'after a fixed delay'}, streams reset once the application has the requests: released, nothing sent, still serving`, async (form) => {
        const port = await server.start();
        await lateCase(port, protocol, `/late/${form}/${when}`, 'dispatched');
      });
    }

    it('each stream reset in the same write as its request: not handed to the application (or answered late and released), nothing sent, still serving', async () => {
      const port = await server.start();
      await lateCase(port, protocol, '/late/end/timer', 'together');
    });
  });

  it('our Session as the client (SPDY/3.1): submitRstStream(CANCEL) once the application has the requests', async () => {
    const port = await server.start();
    const c = new RawSpdyClient(port, PROTO_SPDY3_1);
    try {
      const ids: number[] = [];
      await inRounds((a, b) => {
        for (let i = a; i < b; i++) {
          c.request('GET', '/late/writes/timer');
          ids.push(2 * i + 1);
        }
      }, (a, b) => {
        for (const sid of ids.slice(a, b)) c.session.submitRstStream(sid, CANCEL);
        c.session.send();
      });
      await answers(STREAMS);
      await expectReleased();
      const ok = c.request('GET', '/ok');
      await ok.closed;
      expect(Buffer.concat(ok.chunks).toString()).toBe('ok');
      // Nothing came for the reset streams: no SYN_REPLY, no DATA, no RST_STREAM.
      expect(ids.map((sid) => c.streams.get(sid)).filter((st) => st && (st.bytes > 0 || st.nv.length > 0))).toEqual([]);
      expect(c.resets).toEqual([]);
      expect(c.goaway).toBeUndefined();
    } finally {
      c.socket.destroy();
    }
  });
});
