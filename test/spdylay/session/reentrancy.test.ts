// Re-entrant send()/recv() calls from callbacks.
import { describe, expect, it } from 'vitest';
import {
  CLIENT, ERR_INVALID_STATE, PING, PROTO_SPDY3, SERVER, SYN_STREAM, Session, SpdylayError,
} from '../../../lib/spdylay/index.js';
import { REQ_NV } from '../../helpers/spdylay.js';

describe('re-entrancy', () => {
  it('send()/recv() from inside a callback of the same session throw ERR_INVALID_STATE', () => {
    const errs: unknown[] = [];
    const s: Session = new Session(SERVER, PROTO_SPDY3, {
      onCtrlRecvCb: (self) => {
        try { self.send(); } catch (e) { errs.push(e); }
        try { self.recv(Buffer.alloc(0)); } catch (e) { errs.push(e); }
        self.submitPing(); // allowed
      },
    });
    s.recv(Buffer.from('800300060000000400000001', 'hex'));
    expect(errs).toHaveLength(2);
    for (const e of errs) {
      expect(e).toBeInstanceOf(SpdylayError);
      expect((e as SpdylayError).code).toBe(ERR_INVALID_STATE);
    }
    expect(s.getOutboundQueueSize()).toBe(2);
    s.send();
    expect(s.wantWrite()).toBe(false);
  });

  it('driving another session from a callback is fine', () => {
    const seen: number[] = [];
    let server: Session;
    const client = new Session(CLIENT, PROTO_SPDY3, { sendCb: (_s, d) => { server.recv(d); return d.length; } });
    server = new Session(SERVER, PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => seen.push(f.frameType) });
    client.submitPing();
    client.submitRequest(3, REQ_NV);
    client.send();
    expect(seen).toEqual([PING, SYN_STREAM]);
  });
});
