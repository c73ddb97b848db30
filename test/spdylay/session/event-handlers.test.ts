// A session whose events go to named handlers (sessionWithHandlers, as the
// server and client connections use) instead of python-style callbacks.
import { describe, expect, it } from 'vitest';
import {
  BufferDataProvider, CLIENT, CTRL_FLAG_FIN, DATA_FLAG_FIN, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER,
  SYN_STREAM, Session,
} from '../../../lib/spdylay/index.js';
import { parseNv, parseNvString } from '../../../lib/spdylay/server/handler.js';
import { handlerMask, kindBit, type FrameValue } from '../../../lib/spdylay/session-events.js';
import { sessionWithHandlers } from '../../../lib/spdylay/session.js';

const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];
const NV: [string, string][] = [[':method', 'POST'], [':scheme', 'http'], [':path', '/up?x=1'],
  [':version', 'HTTP/1.1'], [':host', 'example.test:8080'], ['accept', '*/*'], ['x-long', 'v'.repeat(3000)],
  ['x-utf8', 'caf\u00e9 \u2603']];

/** A client Session and a handler-driven server session, wired in memory. */
function pair(version: number) {
  const log: string[] = [];
  const chunks: Buffer[] = [];
  let synValue: FrameValue = 'unset';
  let inputs: ArrayBufferLike[] = [];
  let out: Buffer[] = [];
  const client = new Session(CLIENT, version, { sendCb: (_s, d) => { out.push(Buffer.from(d)); return d.length; } });
  const { session: server, events } = sessionWithHandlers(SERVER, version, {
    ctrlRecv: (type, sid, flags, value) => {
      log.push(`ctrl ${type} ${sid} ${flags & CTRL_FLAG_FIN}`);
      if (type === SYN_STREAM) {
        synValue = value;
        // the header string, read once, is what the python-style frame holds
        expect(parseNvString(value as string, events.nvCount)).toEqual(parseNv(events.nv(value)));
        expect(events.frame(value)).toMatchObject({ frameType: SYN_STREAM, streamId: sid });
      }
    },
    dataChunkRecv: (flags, sid, data, inInput) => {
      log.push(`chunk ${flags} ${sid} ${inInput}`);
      expect(inInput ? inputs.includes(data.buffer) : true).toBe(true);
      chunks.push(Buffer.from(data));
    },
    dataRecv: (flags, sid, length) => log.push(`data ${flags & DATA_FLAG_FIN} ${sid} ${length}`),
    streamClose: (sid, status) => log.push(`close ${sid} ${status}`),
  });
  const pump = (): void => {
    for (let i = 0; i < 20; i++) {
      out = [];
      client.send();
      if (out.length === 0) break;
      inputs = out.map((b) => b.buffer);
      for (const b of out) server.recv(b);
    }
  };
  return { client, server, events, log, chunks, pump, syn: () => synValue };
}

describe('sessionWithHandlers: a session whose events go to named handlers', () => {
  it('dispatches only the kinds of the handlers present', () => {
    const mask = handlerMask({ ctrlRecv: () => {}, dataRecv: () => {} });
    expect(mask).toBe(kindBit('ctrlRecv') | kindBit('dataRecv'));
    expect(mask & kindBit('requestRecv')).toBe(0);
  });

  it('hands a SYN_STREAM with FIN over once, its header string read once into the request head', () => {
    for (const version of VERSIONS) {
      const p = pair(version);
      p.client.submitRequest(3, NV);
      p.pump();
      // one event for SYN_STREAM+FIN: no on_request_recv without a requestRecv handler
      expect(p.log).toEqual([`ctrl ${SYN_STREAM} 1 ${CTRL_FLAG_FIN}`]);
      const head = parseNvString(p.syn() as string, NV.length);
      expect(head).toMatchObject({ method: 'POST', scheme: 'http', path: '/up?x=1', version: 'HTTP/1.1',
        host: 'example.test:8080' });
      expect(head.headers).toEqual([['accept', '*/*'], ['x-long', 'v'.repeat(3000)], ['x-utf8', 'caf\u00e9 \u2603']]);
    }
  });

  it('walks the DATA of a request body: chunks as views of the recv() input, the frame ends, FIN last', () => {
    for (const version of VERSIONS) {
      const p = pair(version);
      const body = Buffer.alloc(20000, 'b');
      p.client.submitRequest(3, NV, new BufferDataProvider(body));
      p.pump();
      expect(p.log[0]).toBe(`ctrl ${SYN_STREAM} 1 0`);
      const rest = p.log.slice(1);
      expect(rest.every((l) => /^(chunk \d+ 1 true|data [01] 1 \d+)$/.test(l))).toBe(true);
      expect(rest[rest.length - 1]).toMatch(/^data 1 1 \d+$/);
      expect(rest.filter((l) => l.startsWith('data 1')).length).toBe(1);
      expect(Buffer.concat(p.chunks).equals(body)).toBe(true);
    }
  });

  it('rethrows the first exception a handler threw from recv(), after the other events ran', () => {
    const seen: number[] = [];
    const boom = new Error('handler failed');
    const { session: server } = sessionWithHandlers(SERVER, PROTO_SPDY3_1, {
      ctrlRecv: (_type, sid) => {
        seen.push(sid);
        if (sid === 1) throw boom;
      },
    });
    const out: Buffer[] = [];
    const client = new Session(CLIENT, PROTO_SPDY3_1, { sendCb: (_s, d) => { out.push(Buffer.from(d)); return d.length; } });
    client.submitRequest(3, NV);
    client.submitRequest(3, NV);
    client.send();
    expect(() => server.recv(Buffer.concat(out))).toThrow(boom);
    expect(seen).toEqual([1, 3]);
  });
});
