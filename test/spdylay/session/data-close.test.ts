// The batched DATA callbacks of one recv() and the stream close that
// follows them reach JS in one call (kDataBatchStreamClose): the callbacks,
// their order and the state they see are those of two calls; a DATA
// callback that throws neither stops the close callback nor the release of
// the stream's user data, and recv() rethrows it.
import { describe, expect, it } from 'vitest';

import {
  BufferDataProvider, CLIENT, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, Session, type SessionOptions,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

/** The server's output for two requests answered with 5-byte bodies. */
function serverOutput(version: number): Buffer {
  const p = new Pair(version, {}, {
    onRequestRecvCb: (s, sid) => s.submitResponse(sid, RES_NV, new BufferDataProvider(`body${sid}`)),
  });
  const wire: Buffer[] = [];
  const orig = p.client.recv.bind(p.client);
  (p.client as { recv: (d?: Uint8Array) => number }).recv = (d?: Uint8Array) => {
    if (d) wire.push(Buffer.from(d));
    return orig(d);
  };
  p.client.submitRequest(3, REQ_NV);
  p.client.submitRequest(3, REQ_NV);
  p.pump();
  return Buffer.concat(wire);
}

function client(version: number, log: string[], opts: SessionOptions): Session {
  const c = new Session(CLIENT, version, {
    onDataChunkRecvCb: (s, _fl, sid, d) => {
      // adjacent chunks of one stream as one entry (input pieces split them)
      const entry = `chunk ${sid} ${d.toString()} ud=${String(s.getStreamUserData(sid))}`;
      const m = /^chunk (\d+) (\S*) (ud=.*)$/.exec(log[log.length - 1] ?? '');
      if (m && Number(m[1]) === sid) log[log.length - 1] = `chunk ${sid} ${m[2]}${d.toString()} ${m[3]}`;
      else log.push(entry);
    },
    onStreamCloseCb: (s, sid, st) => log.push(`close ${sid} ${st} ud=${String(s.getStreamUserData(sid))}`),
    ...opts,
  });
  c.submitRequest(3, REQ_NV, null, 'first');
  c.submitRequest(3, REQ_NV, null, 'second');
  c.send();
  return c;
}

describe('a stream\'s last DATA chunks and its close in one recv()', () => {
  for (const version of VERSIONS) {
    it(`reach the callbacks in order, with the stream's user data (version ${version})`, () => {
      const out = serverOutput(version);
      const whole: string[] = [];
      client(version, whole, {}).recv(out);
      const pieces: string[] = [];
      const c = client(version, pieces, {});
      for (let i = 0; i < out.length; i += 3) c.recv(out.subarray(i, i + 3));
      expect(whole).toEqual(['chunk 1 body1 ud=first', 'close 1 0 ud=first', 'chunk 3 body3 ud=second', 'close 3 0 ud=second']);
      expect(pieces).toEqual(whole);
    });
  }

  it('run the close callback and release the user data when a DATA callback throws', () => {
    const out = serverOutput(PROTO_SPDY3_1);
    const log: string[] = [];
    const c = client(PROTO_SPDY3_1, log, {
      onDataChunkRecvCb: (_s, _fl, sid) => {
        log.push(`chunk ${sid}`);
        throw new Error(`chunk ${sid}`);
      },
    });
    expect(() => c.recv(out)).toThrow('chunk 1');
    expect(log).toEqual(['chunk 1', 'close 1 0 ud=first', 'chunk 3', 'close 3 0 ud=second']);
    expect(c.getStreamUserData(1)).toBeNull();
    expect(c.getStreamUserData(3)).toBeNull();
  });
});
