// Robustness of the spdylay binding: random bytes into recv() of both sides,
// callbacks re-entering the session, sessions and their JS objects dying
// mid-stream (garbage collection), and sessions inside worker_threads.
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, CLIENT, DataProvider, ERR_DEFERRED, GOAWAY, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, READ_EOF,
  RST_STREAM, SERVER, SYN_STREAM, Session, SpdylayError, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { POST_NV, Pair, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Counts every callback and accepts everything. */
function countingOptions(counts: Map<string, number>, sent: number[]): SessionOptions {
  const inc = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  return {
    sendCb: (_s, d) => d.length,
    onCtrlRecvCb: () => inc('ctrl'),
    onInvalidCtrlRecvCb: () => inc('invalid'),
    onDataChunkRecvCb: () => inc('chunk'),
    onDataRecvCb: () => inc('data'),
    beforeCtrlSendCb: () => inc('before'),
    onCtrlSendCb: (_s, f) => { inc('sent'); sent.push(f.frameType); },
    onCtrlNotSendCb: () => inc('notsent'),
    onDataSendCb: () => inc('datasent'),
    onStreamCloseCb: () => inc('close'),
    onRequestRecvCb: (s, sid) => { inc('request'); s.submitResponse(sid, RES_NV, bufferProvider(Buffer.alloc(100))); },
    onCtrlRecvParseErrorCb: () => inc('parse'),
    onUnknownCtrlRecvCb: () => inc('unknown'),
  };
}

describe('random bytes into recv()', () => {
  it.each([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1])('version %i: pure noise, both sides, never crashes', (version) => {
    const r = rng(version * 7919);
    const counts = new Map<string, number>();
    for (let iter = 0; iter < 300; iter++) {
      for (const side of [CLIENT, SERVER]) {
        const sent: number[] = [];
        const s = new Session(side, version, countingOptions(counts, sent));
        for (let k = 0; k < 4; k++) {
          s.recv(randomBytes(r, 1 + Math.floor(r() * 300)));
          s.send();
        }
      }
    }
    // noise mostly looks like DATA frames announcing huge lengths; nothing to assert but survival
    expect(true).toBe(true);
  });

  it.each([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1])('version %i: valid control headers + random payloads give callbacks and GOAWAY/RST', (version) => {
    const r = rng(version * 104729);
    const counts = new Map<string, number>();
    const sentTypes = new Set<number>();
    const wireVersion = version === PROTO_SPDY2 ? 2 : 3;
    for (let iter = 0; iter < 400; iter++) {
      for (const side of [CLIENT, SERVER]) {
        const sent: number[] = [];
        const s = new Session(side, version, countingOptions(counts, sent));
        const type = 1 + Math.floor(r() * 11);
        const len = Math.floor(r() * 80);
        const head = Buffer.from([0x80, wireVersion, 0, type, Math.floor(r() * 4), 0, 0, len]);
        const payload = randomBytes(r, len);
        if ((type <= 3 || type === 8) && len >= 4) payload.writeUInt32BE(1 + 2 * Math.floor(r() * 4), 0);
        s.recv(Buffer.concat([head, payload]));
        // random trailing bytes too
        s.recv(randomBytes(r, Math.floor(r() * 40)));
        s.send();
        for (const t of sent) sentTypes.add(t);
      }
    }
    expect((counts.get('parse') ?? 0) + (counts.get('invalid') ?? 0)).toBeGreaterThan(0);
    expect(counts.get('unknown') ?? 0).toBeGreaterThan(0);
    expect(sentTypes.has(GOAWAY) || sentTypes.has(RST_STREAM)).toBe(true);
  });

  it('random bytes spliced into a live conversation', () => {
    const r = rng(42);
    for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
      for (let iter = 0; iter < 60; iter++) {
        const counts = new Map<string, number>();
        const p = new Pair(version, {}, countingOptions(counts, []));
        p.client.submitRequest(3, POST_NV, bufferProvider(Buffer.alloc(5000, 1)));
        p.client.send();
        const bytes = Buffer.concat(p.toServer);
        p.toServer = [];
        // flip some bytes / truncate / duplicate
        const mutated = Buffer.from(bytes);
        for (let k = 0; k < 1 + Math.floor(r() * 8); k++) mutated[Math.floor(r() * mutated.length)] = Math.floor(r() * 256);
        p.server.recv(mutated.subarray(0, Math.floor(r() * mutated.length) + 1));
        p.server.recv(randomBytes(r, Math.floor(r() * 100)));
        p.server.send();
        const back = Buffer.concat(p.toClient);
        p.toClient = [];
        p.client.recv(back);
        p.client.recv(randomBytes(r, Math.floor(r() * 100)));
        p.client.send();
      }
    }
    expect(true).toBe(true);
  });
});

describe('random API sequences', () => {
  it('random submit/send/recv/resume/fail calls on a pair, from outside and inside callbacks; reuseSendBuffer changes no byte', () => {
    // One random run; returns every byte each side's sendCb took. Run twice
    // per seed, without and with reuseSendBuffer, taking all output: the
    // bytes must be equal. Then once more taking random parts of it (where
    // the chunking, hence the run, differs between the modes).
    const runOnce = (seed: number, reuse: boolean, partialTakes: boolean): Buffer => {
      const r = rng(seed);
      const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
      const iter = seed;
      const wire: Buffer[] = [];
      const version = pick([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]);
      const deferred: Session[] = [];
      const act = (s: Session) => {
        const sid = 1 + Math.floor(r() * 12);
        try {
          switch (Math.floor(r() * 14)) {
            case 0: s.submitRequest(Math.floor(r() * 8), REQ_NV, r() < 0.5 ? null : bufferProvider(randomBytes(r, Math.floor(r() * 9000))), { iter }); break;
            case 1: s.submitResponse(sid, RES_NV, r() < 0.3 ? null : r() < 0.5
              ? new BufferDataProvider(randomBytes(r, Math.floor(r() * 70000)))
              : new DataProvider(null, (_s, _i, len, ctrl) => { if (r() < 0.3) return ERR_DEFERRED; if (r() < 0.5) ctrl.flags = READ_EOF; return randomBytes(r, Math.floor(r() * len)); })); break;
            case 2: s.submitSynStream(Math.floor(r() * 4), sid, 3, [[':path', '/p']]); break;
            case 3: s.submitSynReply(Math.floor(r() * 2), sid, RES_NV); break;
            case 4: s.submitHeaders(Math.floor(r() * 2), sid, [['x', 'y']]); break;
            case 5: s.submitData(sid, Math.floor(r() * 2), new BufferDataProvider(randomBytes(r, Math.floor(r() * 5000)))); break;
            case 6: s.submitRstStream(sid, 1 + Math.floor(r() * 11)); break;
            case 7: s.submitPing(); break;
            case 8: s.submitWindowUpdate(sid, 1 + Math.floor(r() * 100000)); break;
            case 9: s.resumeData(sid); break;
            case 10: s.submitSettings(0, [[pick([4, 7]), 0, Math.floor(r() * 100000)]]); break;
            case 11: if (r() < 0.1) s.submitGoaway(0); break;
            case 12: if (r() < 0.05) s.failSession(1); break;
            default: s.getStreamUserData(sid); s.getOutboundQueueSize(); s.wantRead(); s.wantWrite(); break;
          }
        } catch (e) {
          if (!(e instanceof SpdylayError)) throw e;
        }
      };
      const inside = (s: Session) => { if (r() < 0.3) act(s); if (r() < 0.05) deferred.push(s); };
      const opts = {
        onCtrlRecvCb: inside, onDataChunkRecvCb: inside, onStreamCloseCb: inside, onRequestRecvCb: inside,
        onCtrlSendCb: inside, onDataSendCb: inside, onCtrlNotSendCb: inside, onInvalidCtrlRecvCb: inside,
        onDataRecvCb: inside,
        // with reuse the output slab is rewritten after each sendCb, which
        // copies what it takes: all of it, part of it, or nothing
        reuseSendBuffer: reuse,
      } as SessionOptions;
      const partial = (out: () => Buffer[]) => (_s: Session, d: Buffer): number => {
        const n = !partialTakes || r() < 0.7 ? d.length : Math.floor(r() * d.length);
        if (n > 0) {
          const c = Buffer.from(d.subarray(0, n));
          out().push(c);
          wire.push(c);
        }
        return n;
      };
      // eslint-disable-next-line prefer-const
      let p: Pair;
      p = new Pair(version, { ...opts, sendCb: partial(() => p.toServer) }, { ...opts, sendCb: partial(() => p.toClient) });
      for (let step = 0; step < 40; step++) {
        act(r() < 0.5 ? p.client : p.server);
        try { p.round(); p.round(); } catch (e) { if (!(e instanceof SpdylayError)) throw e; }
        for (const s of deferred.splice(0)) s.resumeData(1);
      }
      return Buffer.concat(wire);
    };
    for (let seed = 777; seed < 777 + 100; seed++) {
      const plain = runOnce(seed, false, false);
      const reused = runOnce(seed, true, false);
      expect(reused.length).toBe(plain.length);
      expect(reused.equals(plain)).toBe(true);
      runOnce(seed, seed % 2 === 0, true);
    }
  });
});

describe('re-entrancy from callbacks', () => {
  it('submit*, resumeData, failSession and queries inside callbacks keep the session consistent', () => {
    let provider: DataProvider | undefined;
    let resumed = false;
    const got: string[] = [];
    const p: Pair = new Pair(PROTO_SPDY3, {
      onDataChunkRecvCb: (_s, _f, _sid, d) => got.push(d.toString()),
      onCtrlRecvCb: (s, f) => {
        // queries inside callbacks
        expect(s.getPriLowest()).toBe(7);
        expect(typeof s.getOutboundQueueSize()).toBe('number');
        expect(s.wantRead()).toBe(true);
        if (f.frameType === SYN_STREAM) s.submitPing();
      },
    }, {
      onRequestRecvCb: (s, sid) => {
        provider = new DataProvider(null, (ss, id, _len, ctrl) => {
          if (!resumed) {
            resumed = true;
            // resume from inside the read callback that defers: the C library
            // then has deferred DATA only after we return; resumeData says false
            expect(ss.resumeData(id)).toBe(false);
            return ERR_DEFERRED;
          }
          ctrl.flags = READ_EOF;
          ss.submitPing(); // submit from inside a read callback
          return Buffer.from('late body');
        });
        s.submitResponse(sid, RES_NV, provider);
        s.submitSynStream(0, sid, 3, [[':path', '/push']]);
      },
    });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(got).toEqual([]);
    expect(p.server.resumeData(1)).toBe(true);
    p.pump();
    expect(got).toEqual(['late body']);
    // failSession from a callback
    const q = new Pair(PROTO_SPDY3, {}, { onCtrlRecvCb: (s) => s.failSession() });
    q.client.submitPing();
    q.pump();
    expect(q.server.wantRead()).toBe(false);
    expect(q.server.wantWrite()).toBe(false);
  });

  it('nested send()/recv() on the same session are refused without corrupting the outer call', () => {
    let inner = 0;
    const s: Session = new Session(SERVER, PROTO_SPDY3, {
      sendCb: (self, d) => {
        try { self.send(); } catch (e) { inner++; expect((e as SpdylayError).message).toMatch(/re-entrant/); }
        try { self.recv(Buffer.from('800300060000000400000001', 'hex')); } catch { inner++; }
        return d.length;
      },
      onCtrlRecvCb: (self) => { self.submitPing(); },
    });
    s.recv(Buffer.from('800300060000000400000001', 'hex'));
    s.send();
    expect(inner).toBe(2);
    expect(s.wantWrite()).toBe(false);
    // still usable
    s.recv(Buffer.from('800300060000000400000003', 'hex'));
    expect(s.getOutboundQueueSize()).toBe(2);
  });

  it('a callback may drive a different session (chained in-memory pair)', () => {
    const done: number[] = [];
    let server: Session;
    const client: Session = new Session(CLIENT, PROTO_SPDY3, {
      sendCb: (_s, d) => { server.recv(d); server.send(); return d.length; },
      onStreamCloseCb: (_s, sid) => done.push(sid),
    });
    server = new Session(SERVER, PROTO_SPDY3, {
      sendCb: (_s, d) => { client.recv(Buffer.from(d)); return d.length; },
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, bufferProvider(Buffer.alloc(1000))),
    });
    for (let i = 0; i < 5; i++) client.submitRequest(3, REQ_NV);
    // client.send -> server.recv/send -> client.recv would re-enter client: refused, rethrown
    expect(() => client.send()).toThrow(/re-entrant/);
  });
});

describe('garbage collection', () => {
  it('sessions with streams in flight, deferred data and stream user data are collected', async () => {
    let collected = 0;
    const registry = new FinalizationRegistry(() => { collected++; });
    const N = 300;
    (() => {
      for (let i = 0; i < N; i++) {
        const p = new Pair(i % 2 ? PROTO_SPDY3 : PROTO_SPDY2, {}, {
          onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider(s, () => ERR_DEFERRED)),
        });
        // cycles through user data, providers and callbacks back to the sessions
        p.client.submitRequest(3, POST_NV, new DataProvider(p, () => ERR_DEFERRED), { pair: p, client: p.client });
        p.client.submitRequest(3, REQ_NV, null, p);
        p.round();
        p.round();
        registry.register(p.client, 'c');
        registry.register(p.server, 's');
      }
    })();
    for (let k = 0; k < 20 && collected < 2 * N; k++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBe(2 * N);
  });

  it('no native leak: memory stays flat over many dropped sessions', async () => {
    const churn = (n: number) => {
      for (let i = 0; i < n; i++) {
        const p = new Pair(PROTO_SPDY3_1, {}, {
          onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new DataProvider(null, () => ERR_DEFERRED)),
        });
        // half the bodies are served natively (BufferDataProvider holds a reference)
        p.client.submitRequest(3, POST_NV, i % 2 ? bufferProvider(Buffer.alloc(100_000))
          : new BufferDataProvider(Buffer.alloc(100_000)));
        p.round();
      }
    };
    const settle = async () => {
      for (let k = 0; k < 5; k++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
    };
    // RSS reaches the allocator's high-water mark in the first rounds, then must stay flat
    for (let i = 0; i < 3; i++) { churn(250); await settle(); }
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 8; i++) { churn(250); await settle(); }
    const after = process.memoryUsage().rss;
    expect(after - before).toBeLessThan(120 * 1024 * 1024);
  });

  it('providers and user data whose only references are the session survive until used', () => {
    const got: Buffer[] = [];
    const p = new Pair(PROTO_SPDY3, { onDataChunkRecvCb: (_s, _f, _sid, d) => got.push(Buffer.from(d)) }, {
      onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, bufferProvider(Buffer.alloc(300_000, 3), 777)),
    });
    p.client.submitRequest(3, REQ_NV, null, { big: Buffer.alloc(10) });
    p.round();
    gc();
    p.pump();
    expect(Buffer.concat(got).length).toBe(300_000);
  });
});

describe('worker_threads', () => {
  const workerSource = `
    const { parentPort, workerData } = require('node:worker_threads');
    const sp = require(workerData.dist);
    const toS = [], toC = [];
    let bytes = 0, closed = 0;
    const client = new sp.Session(sp.CLIENT, workerData.version, {
      sendCb: (_s, d) => { toS.push(Buffer.from(d)); return d.length; },
      onDataChunkRecvCb: (_s, _f, _i, d) => { bytes += d.length; },
      onStreamCloseCb: () => { closed++; },
    });
    const server = new sp.Session(sp.SERVER, workerData.version, {
      sendCb: (_s, d) => { toC.push(Buffer.from(d)); return d.length; },
      onRequestRecvCb: (s, sid) => {
        let pos = 0;
        s.submitResponse(sid, [[':status', '200 OK'], [':version', 'HTTP/1.1']], new sp.DataProvider(null, (_s, _i, len, ctrl) => {
          const n = Math.min(len, 10000 - pos); pos += n; if (pos >= 10000) ctrl.flags = sp.READ_EOF; return Buffer.alloc(n, 1);
        }));
      },
    });
    for (let i = 0; i < 50; i++) client.submitRequest(3, [[':method', 'GET'], [':path', '/'], [':scheme', 'http'], [':version', 'HTTP/1.1'], [':host', 'x']]);
    const loop = () => {
      for (let k = 0; k < 1000; k++) {
        client.send(); if (toS.length) server.recv(Buffer.concat(toS.splice(0)));
        server.send(); if (toC.length) client.recv(Buffer.concat(toC.splice(0)));
        if (!toS.length && !toC.length && closed === 50) break;
      }
    };
    loop();
    parentPort.postMessage({ bytes, closed });
    if (workerData.spin) {
      // keep sessions busy until terminated
      for (;;) { client.submitPing(); client.send(); server.recv(Buffer.concat(toS.splice(0))); server.send(); client.recv(Buffer.concat(toC.splice(0))); }
    }
  `;
  const dist = path.resolve(__dirname, '..', '..', '..', 'dist', 'index.js');

  function run(version: number, spin = false): Promise<{ bytes: number; closed: number; worker: Worker }> {
    const worker = new Worker(workerSource, { eval: true, workerData: { dist, version, spin } });
    return new Promise((resolve, reject) => {
      worker.once('message', (m) => resolve({ ...m, worker }));
      worker.once('error', reject);
    });
  }

  it('sessions work in several workers at once', async () => {
    const results = await Promise.all([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, PROTO_SPDY3].map((v) => run(v)));
    for (const r of results) {
      expect(r.closed).toBe(50);
      expect(r.bytes).toBe(500_000);
      await r.worker.terminate();
    }
  });

  it('terminating a worker in the middle of send()/recv() does not crash the process', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run(PROTO_SPDY3_1, true);
      await new Promise((res) => setTimeout(res, 30));
      await r.worker.terminate();
    }
    // the main thread's sessions still work
    const p = new Pair(PROTO_SPDY3, {}, { onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV) });
    p.client.submitRequest(3, REQ_NV);
    p.pump();
    expect(p.client.wantRead()).toBe(true);
  });
});
