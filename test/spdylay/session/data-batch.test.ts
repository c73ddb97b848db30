// DATA callbacks of one recv() input, delivered to JS in batches.
import { describe, expect, it } from 'vitest';
import {
  BufferDataProvider, CANCEL, CLIENT, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, Session,
} from '../../../lib/spdylay/index.js';
import { Pair, REQ_NV, RES_NV } from '../../helpers/spdylay.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];

describe('DATA callbacks of one recv() input (delivered to JS in batches)', () => {
  it('arrive in the same order, interleaved with other callbacks, as when the input comes a few bytes at a time', () => {
    for (const version of VERSIONS) {
      // The server answers two requests with bodies of 300 KiB and 5 bytes,
      // pings and resets a third stream mid-body; everything the client gets
      // is recorded once, then replayed into fresh clients whole and in
      // 7-byte pieces.
      const big = Buffer.alloc(300 * 1024, 'a');
      const p = new Pair(version, {}, {
        onRequestRecvCb: (s, sid) => {
          if (sid === 5) { s.submitResponse(sid, RES_NV, new BufferDataProvider(big)); s.submitRstStream(sid, CANCEL); return; }
          s.submitResponse(sid, RES_NV, new BufferDataProvider(sid === 1 ? big : 'small'));
          s.submitPing();
        },
      });
      const wire: Buffer[] = [];
      p.client.submitRequest(3, REQ_NV);
      p.client.submitRequest(3, REQ_NV);
      p.client.submitRequest(3, REQ_NV);
      // record the server's output as the client receives it
      const origRecv = p.client.recv.bind(p.client);
      (p.client as { recv: (d?: Uint8Array) => number }).recv = (d?: Uint8Array) => { if (d) wire.push(Buffer.from(d)); return origRecv(d); };
      p.pump();
      const all = Buffer.concat(wire);
      const replay = (piece: number): string[] => {
        const log: string[] = [];
        const c = new Session(CLIENT, version, {
          onCtrlRecvCb: (_s, f) => log.push(`ctrl ${f.frameType}`),
          onDataChunkRecvCb: (_s, fl, sid, d) => {
            // coalesce adjacent chunk entries of one frame: piece size changes chunking
            const last = log[log.length - 1];
            const m = last && /^chunk (\d+) (\d+) (\d+)$/.exec(last);
            if (m && Number(m[1]) === fl && Number(m[2]) === sid) log[log.length - 1] = `chunk ${fl} ${sid} ${Number(m[3]) + d.length}`;
            else log.push(`chunk ${fl} ${sid} ${d.length}`);
          },
          onDataRecvCb: (_s, fl, sid, len) => log.push(`data ${fl} ${sid} ${len}`),
          onStreamCloseCb: (_s, sid, st) => log.push(`close ${sid} ${st}`),
          onCtrlSendCb: (_s, f) => log.push(`sent ${f.frameType}`),
        });
        c.submitRequest(3, REQ_NV);
        c.submitRequest(3, REQ_NV);
        c.submitRequest(3, REQ_NV);
        c.send();
        log.length = 0;
        for (let i = 0; i < all.length; i += piece) c.recv(all.subarray(i, i + piece));
        return log;
      };
      const whole = replay(all.length);
      expect(whole.filter((l) => l.startsWith('data ')).length).toBeGreaterThan(64); // more than one batch
      expect(whole).toContain(`close 1 0`);
      expect(whole).toContain(`ctrl ${PING}`);
      expect(whole).toEqual(replay(7));
    }
  });
});
