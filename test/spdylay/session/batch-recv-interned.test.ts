// SessionOptions.batchRecvCallbacks: the names and values of the frames a
// session queues are interned (binding/spdylay/event_record.h, InternTable):
// a name or value seen before reaches JS as the string the reader kept for
// its slot. The lists the callbacks get must be those of the default mode,
// which interns nothing, whatever the strings do to the slots: repeated,
// new on every frame, more distinct ones than there are slots (so slots are
// taken over, also within one recv()), longer than an interned string can
// be, empty, and across recv() calls in which a callback threw.
import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type NameValue, type SessionOptions,
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

/** Runs REQUESTS requests through a pair; returns every list each side received, in order. */
function run(version: number, batch: boolean, throwEvery = 0): { log: string[]; errors: number } {
  const log: string[] = [];
  let frames = 0;
  const seen = (tag: string, nv: NameValue[] | undefined): void => {
    log.push(`${tag} ${JSON.stringify(nv)}`);
    if (throwEvery && ++frames % throwEvery === 0) throw new Error('callback failure');
  };
  const opts = (tag: string, extra: SessionOptions): SessionOptions => ({
    batchRecvCallbacks: batch,
    onCtrlRecvCb: (_s, f) => seen(tag, (f as { nv?: NameValue[] }).nv),
    ...extra,
  });
  let submitted = 0;
  const p = new Pair(version, opts('c', {}), opts('s', {
    onRequestRecvCb: (s, sid) => {
      s.submitResponse(sid, [...RES_NV, ['x-echo', `r${sid % 411}`], ['x-same', 'same value']],
        new BufferDataProvider('body'));
    },
  }));
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
  return { log, errors };
}

describe('batchRecvCallbacks: interned names and values', () => {
  for (const version of VERSIONS) {
    it(`gives the lists of the default mode (version ${version})`, () => {
      const plain = run(version, false);
      const batched = run(version, true);
      expect(plain.log.length).toBe(2 * REQUESTS);
      expect(batched.log).toEqual(plain.log);
      const last = JSON.parse(batched.log.filter((l) => l.startsWith('s '))[REQUESTS - 1].slice(2)) as NameValue[];
      expect(last).toContainEqual(['x-id', String(REQUESTS - 1)]);
      expect(last).toContainEqual([`x-k${(REQUESTS - 1) % 300}`, `v${((REQUESTS - 1) * 7) % 517}`]);
      expect(last).toContainEqual(['x-long', `${'l'.repeat(45)}${(REQUESTS - 1) % 3}`]);
      expect(last).toContainEqual(['x-empty', '']);
    });
  }

  it('keeps the interned strings right across recv() calls in which a callback threw', () => {
    const plain = run(PROTO_SPDY3_1, false, 7);
    const batched = run(PROTO_SPDY3_1, true, 7);
    expect(batched.errors).toBeGreaterThan(0);
    expect(batched.log).toEqual(plain.log);
  });
});
