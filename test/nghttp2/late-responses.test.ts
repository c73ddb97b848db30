// Late responses over h2, end to end on 127.0.0.1, through every server
// that speaks it: HTTP2Server, ThreadedSPDYServer's h2 path (cleartext,
// prior knowledge) and createServer (the compat drop-in, `plain: true`).
// A client opens a few hundred streams on one connection and resets each
// (RST_STREAM CANCEL) right after its request, as browsers do; the
// application answers each request only afterwards (from the close
// notification, or after a fixed delay) with a 256 KiB body, in every form
// the server's API takes. Asserted: every body (and the handler objects and
// body streams) is released while the connection is still open (WeakRefs
// collected after gc()), nothing at all is sent on the reset streams (RFC
// 9113 5.4.2: no frames after RST_STREAM), and the same connection and a
// fresh one still serve a request.
import * as http2 from 'node:http2';

import { describe, expect, it } from 'vitest';

import { createServer } from '../../lib/index.js';
import { awaitBody, isGoaway, legitH2, nodeConnect, nodeGet, openRaw } from '../helpers/attack-h2.js';
import { sleep } from '../helpers/attack-mem.js';
import { startHttp2Server, startSpdyServer } from '../helpers/attack-servers.js';
import { listen } from '../helpers/compat-core.js';
import { type RawClient, requestHeaders, rstStream } from '../helpers/h2raw.js';
import {
  H2_FORMS, LATE_DELAY, LateH2Handler, LateSpdyHandler, RESET_LIMITS, STREAMS, WFILE_FORMS, WHEN, expectReleased, inRounds,
  answers, lateApp, lateFrames, lateSuiteHooks, tracker,
} from '../helpers/late-bodies.js';

const CANCEL = 8;

const compatServers = lateSuiteHooks();

interface Target {
  name: string;
  forms: readonly string[];
  /** Whether a request reset in the same read as its HEADERS still reaches the application. */
  together: boolean;
  start(): Promise<number>;
}

const targets: Target[] = [
  {
    name: 'HTTP2Server', forms: H2_FORMS, together: true,
    start: async () => (await startHttp2Server(LateH2Handler, RESET_LIMITS)).port,
  },
  {
    name: 'ThreadedSPDYServer (h2, plain)', forms: WFILE_FORMS, together: true,
    start: async () => (await startSpdyServer(LateSpdyHandler, RESET_LIMITS)).port,
  },
  {
    // h2 requests are emitted after the batch that carried them: one reset in it never is
    name: 'createServer (h2, plain)', forms: WFILE_FORMS, together: false,
    start: async () => {
      const server = createServer({ spdy: { plain: true }, ...RESET_LIMITS }, lateApp);
      compatServers.push(server);
      return listen(server);
    },
  },
];

/** Frames the server sent on stream IDs in `ids`. */
function framesOn(c: RawClient, ids: Set<number>): string[] {
  return c.frames.filter((f) => ids.has(f.streamId)).map((f) => `stream ${f.streamId}: type ${f.type} flags ${f.flags}`);
}

/**
 * The attack and its checks: STREAMS requests for `path` on one
 * connection, each reset (CANCEL) at once (`together`: in the same write
 * as its request) or as soon as the application has every request
 * (`dispatched`); the application answers each late. The bodies are
 * released while the connection is still open, nothing is sent on those
 * streams, and the connection and a fresh one are still served.
 * `together` requests reach the application (`expectRequests` of them) or,
 * with createServer, which emits h2 requests after the batch that carried
 * them, not (null: any number, each answered late).
 */
async function lateCase(port: number, path: string, mode: 'together' | 'dispatched', expectRequests: number | null = STREAMS): Promise<void> {
  const c = await openRaw(port);
  try {
    const { ids, requests, resets, next } = await lateFrames((id) => requestHeaders(id, path), (id) => rstStream(id, CANCEL));
    if (mode === 'together') {
      c.write(...requests.flatMap((r, i) => [r, resets[i]!]));
      // The server took every frame before this request's answer.
      c.write(requestHeaders(next, '/ok'));
      expect((await awaitBody(c, next)).toString()).toBe('ok');
      await sleep(LATE_DELAY + 50);
      await answers(expectRequests ?? tracker.requests);
    } else {
      await inRounds((a, b) => c.write(...requests.slice(a, b)), (a, b) => c.write(...resets.slice(a, b)));
      await answers(STREAMS);
    }
    // Released while the connection is still open.
    await expectReleased();
    // The same connection serves a request; nothing was sent on the reset streams.
    const last = next + 2;
    c.write(requestHeaders(last, '/ok'));
    expect((await awaitBody(c, last)).toString()).toBe('ok');
    expect(framesOn(c, ids)).toEqual([]);
    expect(c.frames.some(isGoaway)).toBe(false);
    expect(c.isClosed).toBe(false);
  } finally {
    c.destroy();
  }
  await legitH2(port, '/ok');
}

describe.each(targets)('$name: responses answered after the client reset the stream', (target) => {
  for (const when of WHEN) {
    it.each(target.forms)(`%s body, answered ${when === 'close' ? 'from the close notification' : 'after a fixed delay'}, streams reset once the application has the requests: released, nothing sent, still serving`, async (form) => {
      const port = await target.start();
      await lateCase(port, `/late/${form}/${when}`, 'dispatched');
    });
  }

  if (target.together) {
    it.each(target.forms)('%s body, answered after a fixed delay, each stream reset in the same write as its request: released, nothing sent, still serving', async (form) => {
      const port = await target.start();
      await lateCase(port, `/late/${form}/timer`, 'together', STREAMS);
    });
  } else {
    it('each stream reset in the same write as its request: not handed to the application (or answered late and released), nothing sent, still serving', async () => {
      const port = await target.start();
      await lateCase(port, `/late/${target.forms[0]!}/timer`, 'together', null);
    });
  }

  it('Node http2 client: streams cancelled with stream.close(NGHTTP2_CANCEL) once the application has the requests', async () => {
    const port = await target.start();
    const form = target.forms[1]!;
    const s = await nodeConnect(port);
    s.on('error', () => {});
    try {
      let reqs: http2.ClientHttp2Stream[] = [];
      await inRounds((a, b) => {
        reqs = [];
        for (let i = a; i < b; i++) {
          const req = s.request({ ':path': `/late/${form}/timer` });
          req.on('error', () => {});
          req.on('response', () => tracker.errors.push(`stream ${req.id}: a response came after the cancel`));
          reqs.push(req);
        }
      }, () => {
        for (const req of reqs) req.close(http2.constants.NGHTTP2_CANCEL);
      });
      await answers(STREAMS);
      await expectReleased();
      const r = await nodeGet(s, '/ok');
      expect(r).toEqual({ status: 200, length: 2 });
      expect(tracker.errors).toEqual([]);
    } finally {
      s.destroy();
    }
  });
});
