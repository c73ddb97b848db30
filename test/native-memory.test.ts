// The native memory of SPDY sessions is reported to V8
// (binding/util/external_memory.h): a session's JS half is small, its native
// half (the C session, zlib streams, buffers) is not, and both are freed only
// when the garbage collector finalizes the JS half. Reported, the native
// halves count towards V8's external memory limit, so a process that creates
// and drops many sessions (a SPDY server under connection churn: the
// spdy-churn row of bench/attacks) gets collections before their dead native
// halves pile up. Checked through V8's own count (napi_adjust_external_memory).
import v8 from 'node:v8';
import vm from 'node:vm';

import { describe, expect, it } from 'vitest';

import { native } from '../lib/native.js';
import { CLIENT, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, Session } from '../lib/spdylay/index.js';
import { REQ_NV, RES_NV } from './helpers/spdylay.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const KiB = 1024;

/** Collects until V8's count stops falling (finalizers run between event loop turns). */
async function settle(): Promise<number> {
  let last = Infinity;
  for (let round = 0; round < 20; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const now = native.externalMemoryReported();
    if (now >= last) return now;
    last = now;
  }
  return last;
}

/** Bytes V8 counts per object while `count` objects made by `make` are alive, and left over once they are collected. */
async function perObject(make: () => unknown, count: number): Promise<{ alive: number; after: number }> {
  const before = await settle();
  let keep: unknown[] = [];
  for (let i = 0; i < count; i++) keep.push(make());
  const alive = (native.externalMemoryReported() - before) / count;
  keep = [];
  const after = (await settle()) - before;
  expect(keep).toEqual([]);
  return { alive, after };
}

describe('native memory reported to V8', () => {
  it.each([['SPDY/2', PROTO_SPDY2], ['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1]])('%s Session: 40 KiB each while alive, all of it back once collected', async (_label, version) => {
    for (const side of [CLIENT, SERVER]) {
      const { alive, after } = await perObject(() => new Session(side, version, { sendCb: (_s, d) => d.length }), 200);
      expect(alive).toBeGreaterThanOrEqual(40 * KiB);
      expect(alive).toBeLessThan(80 * KiB);
      expect(after).toBeLessThan(200 * KiB);
    }
  });

  it('sessions churned through a request and its response, dropped as a server drops closed connections: nothing stays counted', async () => {
    // A client's opening bytes: SYN_STREAM (and SETTINGS for SPDY/3.1).
    const chunks: Buffer[] = [];
    const client = new Session(CLIENT, PROTO_SPDY3_1, { sendCb: (_s, d) => { chunks.push(Buffer.from(d)); return d.length; } });
    client.submitRequest(0, REQ_NV);
    client.send();
    const opening = Buffer.concat(chunks);
    const before = await settle();
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      const server = new Session(SERVER, PROTO_SPDY3_1, {
        sendCb: (_s, d) => d.length,
        onRequestRecvCb: (s, sid) => { s.submitResponse(sid, RES_NV, null); answered++; },
      });
      server.recv(opening);
      server.send();
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(answered).toBe(3000);
    expect((await settle()) - before).toBeLessThan(200 * KiB);
  });
});
