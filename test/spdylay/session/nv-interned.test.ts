// The names and values of the frames a Session's callbacks receive are
// interned (binding/spdylay/event_record.h, InternTable), in the default
// mode and with batchRecvCallbacks: a name or value seen before reaches JS
// as the string the reader kept for its slot. Every list a callback gets
// must be the one the peer submitted, whatever the strings do to the slots:
// repeated, new on every frame, more distinct ones than there are slots (so
// slots are taken over, also within one recv()), longer than an interned
// string can be, empty, in a list that is not ASCII, and across recv()
// calls in which a callback threw.
import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type NameValue,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];
const REQUESTS = 900;
const PER_ROUND = 30;

/** Request i's headers: REQ_NV and extra names and values that churn the slots. */
function requestNv(i: number): NameValue[] {
  return [...REQ_NV,
    ['x-id', String(i)],
    ['x-same', 'same value'],
    ['x-long', `${'l'.repeat(45)}${i % 3}`],
    ['x-empty', ''],
    [`x-k${i % 300}`, `v${(i * 7) % 517}`],
    [`x-forty-${'n'.repeat(31)}`, 'y'.repeat(40)],
  ];
}

/**
 * Response headers of stream `sid`; some hold a new name before a value
 * that is not ASCII (such a list is not interned).
 */
function responseNv(sid: number): NameValue[] {
  const nv: NameValue[] = [...RES_NV, ['x-echo', `r${sid % 411}`], ['x-same', 'same value']];
  if (sid % 50 === 1) nv.push([`x-new-${sid}`, `n${sid}`], ['x-utf', 'caf\u00e9']);
  return nv;
}

const sorted = (nv: NameValue[]): string => JSON.stringify([...nv].sort((a, b) =>
  (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)));

/**
 * Runs REQUESTS requests through a pair; returns each list each side
 * received, in order, and how many did not match what the peer submitted.
 */
function run(version: number, batch: boolean, throwEvery = 0): { log: string[]; wrong: number; errors: number } {
  const log: string[] = [];
  let wrong = 0;
  let frames = 0;
  let requests = 0;
  const seen = (tag: string, nv: NameValue[], want: NameValue[]): void => {
    log.push(`${tag} ${JSON.stringify(nv)}`);
    if (sorted(nv) !== sorted(want)) wrong++;
    if (throwEvery && ++frames % throwEvery === 0) throw new Error('callback failure');
  };
  let submitted = 0;
  const p = new Pair(version, {
    batchRecvCallbacks: batch,
    onCtrlRecvCb: (_s, f) => {
      const g = f as { nv: NameValue[]; streamId: number };
      seen('c', g.nv, responseNv(g.streamId));
    },
  }, {
    batchRecvCallbacks: batch,
    onCtrlRecvCb: (_s, f) => seen('s', (f as { nv: NameValue[] }).nv, requestNv(requests++)),
    onRequestRecvCb: (s, sid) => { s.submitResponse(sid, responseNv(sid), new BufferDataProvider('body')); },
  });
  let errors = 0;
  for (let round = 0; submitted < REQUESTS || p.client.wantWrite() || p.server.wantWrite(); round++) {
    for (let k = 0; k < PER_ROUND && submitted < REQUESTS; k++) p.client.submitRequest(3, requestNv(submitted++));
    try {
      p.round();
    } catch {
      errors++;
    }
    if (round > 10 * REQUESTS) throw new Error('did not settle');
  }
  return { log, wrong, errors };
}

describe('interned names and values', () => {
  for (const version of VERSIONS) {
    it(`gives each callback the list the peer submitted (version ${version}), batched or not`, () => {
      const plain = run(version, false);
      const batched = run(version, true);
      expect(plain.log.length).toBe(2 * REQUESTS);
      expect(plain.wrong).toBe(0);
      expect(batched.wrong).toBe(0);
      expect(batched.log).toEqual(plain.log);
    });
  }

  it('keeps the interned strings right across recv() calls in which a callback threw', () => {
    for (const batch of [false, true]) {
      const r = run(PROTO_SPDY3_1, batch, 7);
      expect(r.errors).toBeGreaterThan(0);
      expect(r.log.length).toBe(2 * REQUESTS);
      expect(r.wrong).toBe(0);
    }
  });
});
