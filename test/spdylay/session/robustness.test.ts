// Robustness of the spdylay binding: random bytes into recv() of both sides
// (checked against what the spec requires: the frames decoded from the bytes
// sendCb got, the GOAWAY and RST_STREAM statuses, wantRead()/wantWrite(),
// and the send callbacks matching those frames), callbacks re-entering the
// session, sessions and their JS objects dying mid-stream (garbage
// collection), and sessions inside worker_threads.
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, CLIENT, DataProvider, ERR_DEFERRED, FloodedError, GOAWAY, GOAWAY_PROTOCOL_ERROR, HEADERS, PING,
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, PROTOCOL_ERROR, READ_EOF, RST_STREAM, SERVER, SETTINGS, SYN_STREAM, Session,
  SpdylayError, WINDOW_UPDATE, type Frame, type PingFrame, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { POST_NV, Pair, REQ_NV, RES_NV, bufferProvider } from '../../helpers/spdylay.js';
import { randomBytes, rng } from '../../helpers/rng.js';
import { decodeFrames, type WireFrame } from '../../helpers/spdy-wire.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * What a session reported through its callbacks and every byte its sendCb
 * was given (counting each callback in `counts`). The session answers
 * each complete request with a 100-byte response.
 */
class Observed {
  readonly wire: Buffer[] = [];
  readonly before: Frame[] = [];
  readonly sent: Frame[] = [];
  readonly dataSent: [flags: number, streamId: number, length: number][] = [];
  readonly recvd: Frame[] = [];
  readonly invalid: [frame: Frame, status: number][] = [];
  readonly parseErrors: number[] = [];
  readonly unknown: Buffer[] = [];
  /** Stream IDs the callbacks say are open (opened by a sent or received SYN_STREAM, not yet closed). */
  readonly open = new Set<number>();
  readonly options: SessionOptions;

  constructor(readonly side: number, readonly version: number, counts?: Map<string, number>) {
    const inc = (k: string) => counts?.set(k, (counts.get(k) ?? 0) + 1);
    this.options = {
      sendCb: (_s, d) => { this.wire.push(Buffer.from(d)); return d.length; },
      onCtrlRecvCb: (_s, f) => {
        inc('ctrl');
        this.recvd.push(f);
        if (f.frameType === SYN_STREAM && (f.flags & 3) !== 3) this.open.add(f.streamId);
      },
      onInvalidCtrlRecvCb: (_s, f, status) => { inc('invalid'); this.invalid.push([f, status]); },
      onDataChunkRecvCb: () => inc('chunk'),
      onDataRecvCb: () => inc('data'),
      beforeCtrlSendCb: (_s, f) => {
        inc('before');
        this.before.push(f);
        if (f.frameType === SYN_STREAM) this.open.add(f.streamId);
      },
      onCtrlSendCb: (_s, f) => { inc('sent'); this.sent.push(f); },
      onCtrlNotSendCb: () => inc('notsent'),
      onDataSendCb: (_s, flags, sid, len) => { inc('datasent'); this.dataSent.push([flags, sid, len]); },
      onStreamCloseCb: (_s, sid) => { inc('close'); this.open.delete(sid); },
      onRequestRecvCb: (s, sid) => { inc('request'); s.submitResponse(sid, RES_NV, bufferProvider(Buffer.alloc(100))); },
      onCtrlRecvParseErrorCb: (_s, type) => { inc('parse'); this.parseErrors.push(type); },
      onUnknownCtrlRecvCb: (_s, head) => { inc('unknown'); this.unknown.push(Buffer.from(head)); },
    };
  }

  /** The frames in the bytes sendCb was given (throws if they do not parse as whole frames). */
  frames(): WireFrame[] {
    return decodeFrames(Buffer.concat(this.wire));
  }
}

/** A control frame as `type field=value ...`, from a callback's frame object or from the wire. */
function describeFrame(f: Frame | WireFrame, version: number): string {
  const type = 'frameType' in f ? f.frameType : f.type;
  const x = f as Partial<Record<'streamId' | 'assocStreamId' | 'statusCode' | 'lastGoodStreamId' | 'uniqueId' | 'deltaWindowSize', number>>;
  switch (type) {
    case SYN_STREAM: return `SYN_STREAM ${x.streamId} assoc=${x.assocStreamId} flags=${f.flags}`;
    case 2: return `SYN_REPLY ${x.streamId} flags=${f.flags}`;
    case HEADERS: return `HEADERS ${x.streamId} flags=${f.flags}`;
    case RST_STREAM: return `RST_STREAM ${x.streamId} status=${x.statusCode}`;
    case SETTINGS: return 'SETTINGS';
    case PING: return `PING ${x.uniqueId}`;
    case GOAWAY: return `GOAWAY last=${x.lastGoodStreamId}${version === PROTO_SPDY2 ? '' : ` status=${x.statusCode}`}`;
    case WINDOW_UPDATE: return `WINDOW_UPDATE ${x.streamId} delta=${x.deltaWindowSize}`;
    default: return `type ${type}`;
  }
}

/** Valid RST_STREAM status codes: 1..7 in SPDY/2, 1..11 in SPDY/3 and 3.1. */
const maxStatus = (version: number) => (version === PROTO_SPDY2 ? 7 : 11);

/**
 * Checks what the spec requires of a session after its last send(): the
 * bytes it wrote parse as whole frames of its version; onCtrlSendCb and
 * beforeCtrlSendCb report exactly the control frames in those bytes, and
 * onDataSendCb the DATA frames, in order; at most one GOAWAY, with status
 * PROTOCOL_ERROR, sent whenever a received control frame failed to parse;
 * every RST_STREAM answers an onInvalidCtrlRecvCb with its stream and
 * status, and every such callback got its RST_STREAM unless the session
 * failed (GOAWAY); every PING of the peer's parity was echoed, and nothing
 * else was pinged; wantRead()/wantWrite() are false after a GOAWAY it sent,
 * and after one it received wantRead() is true only while streams are open.
 * Returns the frames it sent.
 */
function checkSession(s: Session, o: Observed): WireFrame[] {
  const version = o.version;
  const frames = o.frames();
  const ctrlFrames = frames.filter((f) => f.control);
  for (const f of ctrlFrames) expect(f.version).toBe(version === PROTO_SPDY2 ? 2 : 3);
  const onWire = ctrlFrames.map((f) => describeFrame(f, version));
  expect(o.sent.map((f) => describeFrame(f, version))).toEqual(onWire);
  expect(o.before.map((f) => describeFrame(f, version))).toEqual(onWire);
  expect(o.dataSent).toEqual(frames.filter((f) => !f.control).map((f) => [f.flags, f.streamId, f.length]));

  const goaways = ctrlFrames.filter((f) => f.type === GOAWAY);
  expect(goaways.length).toBeLessThanOrEqual(1);
  const failed = goaways.length === 1;
  if (failed) {
    if (version !== PROTO_SPDY2) expect(goaways[0]!.statusCode).toBe(GOAWAY_PROTOCOL_ERROR);
    // the last good stream is 0 or a SYN_STREAM the session received
    const synIds = [...o.recvd, ...o.invalid.map(([f]) => f)].filter((f) => f.frameType === SYN_STREAM)
      .map((f) => (f as { streamId: number }).streamId);
    expect([0, ...synIds]).toContain(goaways[0]!.lastGoodStreamId);
  }
  if (o.parseErrors.length > 0) expect(failed).toBe(true);

  const rsts = ctrlFrames.filter((f) => f.type === RST_STREAM).map((f) => `${f.streamId}/${f.statusCode}`);
  for (const f of ctrlFrames.filter((x) => x.type === RST_STREAM)) {
    expect(f.statusCode).toBeGreaterThanOrEqual(1);
    expect(f.statusCode).toBeLessThanOrEqual(maxStatus(version));
  }
  const invalid = o.invalid.map(([f, status]) => `${(f as { streamId?: number }).streamId ?? 0}/${status}`);
  const unmatched = [...invalid];
  for (const r of rsts) {
    const i = unmatched.indexOf(r);
    expect(i, `RST_STREAM ${r} without an onInvalidCtrlRecvCb`).toBeGreaterThanOrEqual(0);
    unmatched.splice(i, 1);
  }
  // an invalid frame without its RST_STREAM is a session error: PROTOCOL_ERROR, and the session failed
  for (const u of unmatched) {
    expect(u.endsWith(`/${PROTOCOL_ERROR}`), `onInvalidCtrlRecvCb ${u} without RST_STREAM`).toBe(true);
    expect(failed, `onInvalidCtrlRecvCb ${u} without RST_STREAM or GOAWAY`).toBe(true);
  }

  const peerParity = o.side === SERVER ? 1 : 0;
  const peerPings = o.recvd.filter((f) => f.frameType === PING).map((f) => (f as PingFrame).uniqueId)
    .filter((id) => id % 2 === peerParity);
  expect(ctrlFrames.filter((f) => f.type === PING).map((f) => f.uniqueId)).toEqual(peerPings);

  const goawayRecvd = o.recvd.some((f) => f.frameType === GOAWAY);
  if (failed) {
    expect(s.wantRead()).toBe(false);
    expect(s.wantWrite()).toBe(false);
  } else if (goawayRecvd) {
    expect(s.wantRead()).toBe(o.open.size > 0);
  } else {
    expect(s.wantRead()).toBe(true);
  }
  return frames;
}

/** The frames complete in `bytes` (control bit, version, type, length) and the bytes of the one in progress. */
function walkFrames(bytes: Buffer): { complete: { control: boolean; version: number; type: number; length: number }[]; tail: Buffer } {
  const complete: { control: boolean; version: number; type: number; length: number }[] = [];
  let off = 0;
  while (bytes.length - off >= 8) {
    const length = bytes.readUIntBE(off + 5, 3);
    if (bytes.length - off - 8 < length) break;
    const control = (bytes[off]! & 0x80) !== 0;
    complete.push({ control, version: bytes.readUInt16BE(off) & 0x7fff, type: control ? bytes.readUInt16BE(off + 2) : 0, length });
    off += 8 + length;
  }
  return { complete, tail: bytes.subarray(off) };
}

/** recv() that lets a FloodedError through: the session then has GOAWAY(PROTOCOL_ERROR) queued, as the invariants expect. */
function recvNoise(s: Session, data: Buffer, floods: { n: number }): void {
  try {
    s.recv(data);
  } catch (e) {
    if (!(e instanceof FloodedError)) throw e;
    floods.n++;
  }
}

describe('random bytes into recv()', () => {
  it.each([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1])('version %i: pure noise and noise frames, both sides: nothing sent for unknown types and streams, GOAWAY/RST only as the spec says, callbacks match the bytes sent', (version) => {
    const r = rng(version * 7919);
    const counts = new Map<string, number>();
    const floods = { n: 0 };
    let completeFrames = 0;
    let unknownTypes = 0;
    for (let iter = 0; iter < 300; iter++) {
      for (const side of [CLIENT, SERVER]) {
        const o = new Observed(side, version, counts);
        const s = new Session(side, version, o.options);
        let noise: Buffer;
        if (iter % 2 === 0) {
          // pure noise: the first frame header almost always announces far more than follows
          noise = randomBytes(r, 4 + Math.floor(r() * 1200));
        } else {
          // noise frames: random headers (control bit, version, type, flags, stream) with short lengths
          const parts: Buffer[] = [];
          for (let k = 1 + Math.floor(r() * 12); k > 0; k--) {
            const head = randomBytes(r, 8);
            const len = Math.floor(r() * 64);
            head.writeUIntBE(len, 5, 3);
            parts.push(head, randomBytes(r, len));
          }
          noise = Buffer.concat(parts).subarray(0, -Math.floor(r() * 10) || undefined);
        }
        for (let off = 0; off < noise.length;) {
          const n = 1 + Math.floor(r() * 300);
          recvNoise(s, noise.subarray(off, off + n), floods);
          s.send();
          off += n;
        }
        const { complete, tail } = walkFrames(noise);
        completeFrames += complete.length;
        // every complete control frame of a type that is not 1..10 is reported as unknown
        const unknown = complete.filter((f) => f.control && (f.type === 0 || f.type > 10)).length;
        unknownTypes += unknown;
        expect(o.unknown).toHaveLength(unknown);
        // DATA of streams that do not exist: no DATA callback
        expect((counts.get('chunk') ?? 0) + (counts.get('data') ?? 0)).toBe(0);
        if (!complete.some((f) => f.control && f.type >= 1 && f.type <= 10)) {
          // nothing the session must answer: it sends nothing, reports no error and reads on
          expect(o.wire).toEqual([]);
          expect(o.parseErrors).toEqual([]);
          expect(o.invalid).toEqual([]);
          expect(s.wantRead()).toBe(true);
          expect(s.wantWrite()).toBe(false);
          // the session waits for the end of the frame in progress
          expect(s.inCtrlFrame()).toBe(tail.length > 0 && (tail.length < 8 || (tail[0]! & 0x80) !== 0));
        }
        checkSession(s, o);
      }
    }
    expect(completeFrames).toBeGreaterThan(500);
    expect(unknownTypes).toBeGreaterThan(100);
    expect(floods.n).toBe(0);
  });

  it.each([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1])('version %i: valid control headers + random payloads or real header blocks: the GOAWAY/RST_STREAM statuses the spec requires', (version) => {
    const r = rng(version * 104729);
    const counts = new Map<string, number>();
    const sentTypes = new Set<number>();
    const answered = new Map<string, number>();
    const wireVersion = version === PROTO_SPDY2 ? 2 : 3;
    const floods = { n: 0 };
    const goaway = version === PROTO_SPDY2 ? 'GOAWAY last=0' : 'GOAWAY last=0 status=1';
    // a real compressed header block: the first one a fresh session sends, which a fresh session can read
    const blockOut: Buffer[] = [];
    const blockSender = new Session(CLIENT, version, { sendCb: (_s, d) => { blockOut.push(Buffer.from(d)); return d.length; } });
    blockSender.submitRequest(3, REQ_NV);
    blockSender.send();
    const block = decodeFrames(Buffer.concat(blockOut))[0]!.payload.subarray(10);
    for (let iter = 0; iter < 600; iter++) {
      for (const side of [CLIENT, SERVER]) {
        const o = new Observed(side, version, counts);
        const s = new Session(side, version, o.options);
        const type = 1 + Math.floor(r() * 11);
        let flags = Math.floor(r() * 4);
        let payload: Buffer;
        // the control frames the session must answer with (null: not predicted here)
        let expected: string[] | null = null;
        if ((type === SYN_STREAM || type === 2 || type === HEADERS) && r() < 0.6) {
          const id = Math.floor(r() * 6);
          if (type === SYN_STREAM) {
            const assoc = r() < 0.7 ? 0 : 1 + Math.floor(r() * 3);
            if (r() < 0.5) flags = 1; // FIN: a complete request
            const fixed = Buffer.alloc(10);
            fixed.writeUInt32BE(id, 0);
            fixed.writeUInt32BE(assoc, 4);
            payload = Buffer.concat([fixed, block]);
            const own = side === SERVER ? 0 : 1; // parity of the IDs this side opens
            if (id === 0) expected = ['RST_STREAM 0 status=1']; // same as the last received ID (0)
            else if (id % 2 === own) expected = [goaway]; // not a valid new peer ID: session error
            else if (side === SERVER) {
              // a client may not name an associated stream nor be unidirectional
              if (assoc !== 0 || flags & 2) expected = [`RST_STREAM ${id} status=${PROTOCOL_ERROR}`];
              else expected = flags & 1 ? [`SYN_REPLY ${id} flags=0`] : []; // a complete request is answered
            } else {
              // a push needs an associated stream (INVALID_STREAM) that exists, and UNIDIRECTIONAL
              expected = [`RST_STREAM ${id} status=${assoc === 0 ? 2 : PROTOCOL_ERROR}`];
            }
          } else {
            // SYN_REPLY / HEADERS for a stream that does not exist: stream error PROTOCOL_ERROR
            const fixed = Buffer.alloc(wireVersion === 2 ? 6 : 4);
            fixed.writeUInt32BE(id, 0);
            payload = Buffer.concat([fixed, block]);
            expected = [`RST_STREAM ${id} status=${PROTOCOL_ERROR}`];
          }
        } else {
          const fixedLength: Record<number, number> = { [RST_STREAM]: 8, [PING]: 4, [GOAWAY]: wireVersion === 2 ? 4 : 8, [WINDOW_UPDATE]: 8 };
          let len = Math.floor(r() * 80);
          if (fixedLength[type] !== undefined && r() < 0.5) len = fixedLength[type]!;
          if (type === SETTINGS && r() < 0.5) len = 4 + 8 * Math.floor(r() * 4);
          payload = randomBytes(r, len);
          if (type === SETTINGS && len >= 4 && (len - 4) % 8 === 0 && r() < 0.8) payload.writeUInt32BE((len - 4) / 8, 0);
          if ((type <= 3 || type === 8) && len >= 4) payload.writeUInt32BE(1 + 2 * Math.floor(r() * 4), 0);
          if (fixedLength[type] !== undefined && len !== fixedLength[type]) expected = [goaway]; // does not parse
          if (type === SETTINGS) expected = len < 4 || len !== 4 + 8 * payload.readUInt32BE(0) ? [goaway] : [];
          if (type === RST_STREAM && len === 8) expected = []; // no stream: nothing to close, nothing to send
          if (type === GOAWAY && len === fixedLength[GOAWAY]) expected = [];
          if (type === 5 || type === 11) expected = []; // NOOP ignored; type 11 unknown
        }
        const head = Buffer.from([0x80, wireVersion, 0, type, flags, 0, 0, 0]);
        head.writeUIntBE(payload.length, 5, 3);
        recvNoise(s, Buffer.concat([head, payload]), floods);
        s.send();
        // the answer to this one frame
        const answer = o.frames().filter((f) => f.control).map((f) => describeFrame(f, version));
        if (expected !== null) {
          expect(answer, `type ${type} flags ${flags} length ${payload.length} to ${side === SERVER ? 'server' : 'client'}`).toEqual(expected);
          const k = expected.map((d) => d.replace(/ [1-9]\d* /, ' N ').replace(/last=\d+ /, '')).join('+') || 'nothing';
          answered.set(k, (answered.get(k) ?? 0) + 1);
        }
        if (answer.includes(goaway) && o.parseErrors.length === 0) {
          // a session error found after parsing is reported as an invalid frame with PROTOCOL_ERROR
          expect(o.invalid.map(([, st]) => st)).toEqual([PROTOCOL_ERROR]);
        }
        if (type === 11) expect(o.unknown.map((h) => h.readUInt16BE(2))).toEqual([11]);
        if (type === GOAWAY && o.recvd.length === 1) {
          expect(s.wantRead()).toBe(false); // received GOAWAY, no stream open
          expect(s.wantWrite()).toBe(false);
        }
        // random trailing bytes too
        recvNoise(s, randomBytes(r, Math.floor(r() * 40)), floods);
        s.send();
        for (const f of checkSession(s, o)) if (f.control) sentTypes.add(f.type);
      }
    }
    expect((counts.get('parse') ?? 0) + (counts.get('invalid') ?? 0)).toBeGreaterThan(0);
    expect(counts.get('unknown') ?? 0).toBeGreaterThan(0);
    expect(sentTypes.has(GOAWAY) && sentTypes.has(RST_STREAM)).toBe(true);
    // every predicted kind of answer happened
    expect([...answered.keys()].sort()).toEqual(expect.arrayContaining([
      'GOAWAY' + (version === PROTO_SPDY2 ? ' last=0' : ' status=1'), 'RST_STREAM 0 status=1', 'RST_STREAM N status=1',
      'RST_STREAM N status=2', 'SYN_REPLY N flags=0', 'nothing',
    ].map((x) => x.replace(/last=0 /, ''))));
  });

  it('random bytes spliced into a live conversation: both sides answer as the spec says, callbacks match the bytes sent', () => {
    const r = rng(42);
    const floods = { n: 0 };
    let failed = 0;
    let answered = 0;
    for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
      for (let iter = 0; iter < 60; iter++) {
        const oc = new Observed(CLIENT, version);
        const os = new Observed(SERVER, version);
        const client = new Session(CLIENT, version, oc.options);
        const server = new Session(SERVER, version, os.options);
        client.submitRequest(3, POST_NV, bufferProvider(Buffer.alloc(5000, 1)));
        client.send();
        const bytes = Buffer.concat(oc.wire);
        // flip some bytes / truncate / duplicate
        const mutated = Buffer.from(bytes);
        for (let k = 0; k < 1 + Math.floor(r() * 8); k++) mutated[Math.floor(r() * mutated.length)] = Math.floor(r() * 256);
        recvNoise(server, mutated.subarray(0, Math.floor(r() * mutated.length) + 1), floods);
        recvNoise(server, randomBytes(r, Math.floor(r() * 100)), floods);
        server.send();
        const back = Buffer.concat(os.wire);
        recvNoise(client, back, floods);
        recvNoise(client, randomBytes(r, Math.floor(r() * 100)), floods);
        client.send();
        const sf = checkSession(server, os);
        checkSession(client, oc);
        if (sf.some((f) => f.control && f.type === GOAWAY)) failed++;
        if (sf.some((f) => f.control && f.type === 2)) answered++;
        // the client's request went out whole before the noise: SYN_STREAM 1, then its DATA
        expect(oc.before.map((f) => describeFrame(f, version))[0]).toBe('SYN_STREAM 1 assoc=0 flags=0');
      }
    }
    // some servers failed on the garbage, some still answered the request
    expect(failed).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);
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
