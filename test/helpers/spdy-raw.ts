// A raw SPDY client over a socket (our Session), for fault tests that need
// to misbehave: stall mid-body, disconnect mid-response, watch GOAWAY.
import * as net from 'node:net';

import {
  CLIENT, DataProvider, ERR_DEFERRED, GOAWAY, READ_EOF, RST_STREAM, SYN_REPLY, SYN_STREAM, Session,
  type Frame, type NameValue,
} from '../../lib/spdylay/index.js';

export interface RawStream {
  nv: NameValue[];
  chunks: Buffer[];
  bytes: number;
  status: number | null;
  closed: Promise<number>;
}

export class RawSpdyClient {
  readonly socket: net.Socket;
  readonly session: Session;
  readonly frames: Frame[] = [];
  readonly streams = new Map<number, RawStream>();
  readonly ended: Promise<void>;
  private resolvers = new Map<RawStream, (s: number) => void>();
  onData: ((sid: number, data: Buffer) => void) | null = null;

  constructor(port: number, version: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.ended = new Promise((r) => this.socket.once('close', () => r()));
    this.session = new Session(CLIENT, version, {
      sendCb: (_s, data) => { if (!this.socket.destroyed) this.socket.write(Buffer.from(data)); return data.length; },
      beforeCtrlSendCb: (s, f) => {
        if (f.frameType === SYN_STREAM) {
          const st = s.getStreamUserData(f.streamId) as RawStream | null;
          if (st) this.streams.set(f.streamId, st);
        }
      },
      onCtrlRecvCb: (_s, f) => {
        this.frames.push(f);
        if (f.frameType === SYN_REPLY) this.streams.get(f.streamId)?.nv.push(...f.nv);
      },
      onDataChunkRecvCb: (_s, _f, sid, data) => {
        const st = this.streams.get(sid);
        if (st) {
          st.chunks.push(Buffer.from(data));
          st.bytes += data.length;
        }
        this.onData?.(sid, data);
      },
      onStreamCloseCb: (_s, sid, status) => {
        const st = this.streams.get(sid);
        if (!st) return;
        st.status = status;
        this.resolvers.get(st)?.(status);
      },
    });
    this.socket.on('data', (d) => {
      try {
        this.session.recv(d);
        this.session.send();
      } catch {
        this.socket.destroy();
      }
    });
    this.socket.on('error', () => {});
  }

  /** Sends a request; `body` may be a DataProvider (e.g. one that stalls). */
  request(method: string, path: string, body?: DataProvider<any> | null, extra: NameValue[] = []): RawStream {
    let resolve!: (s: number) => void;
    const st: RawStream = { nv: [], chunks: [], bytes: 0, status: null, closed: new Promise((r) => { resolve = r; }) };
    this.resolvers.set(st, resolve);
    this.session.submitRequest(3, [[':method', method], [':path', path], [':version', 'HTTP/1.1'],
      [':host', '127.0.0.1'], [':scheme', 'http'], ...extra], body ?? null, st);
    this.session.send();
    return st;
  }

  get goaway(): Frame | undefined {
    return this.frames.find((f) => f.frameType === GOAWAY);
  }

  get resets(): Frame[] {
    return this.frames.filter((f) => f.frameType === RST_STREAM);
  }
}

/** A body that sends `first` bytes and then stalls (defers) forever. */
export function stallingBody(first: number): DataProvider<{ sent: number }> {
  return new DataProvider({ sent: 0 }, (_s, _sid, length, _ctrl, src) => {
    if (src.sent >= first) return ERR_DEFERRED;
    const n = Math.min(length, first - src.sent);
    src.sent += n;
    return Buffer.alloc(n, 0x61);
  });
}

/** A body of `size` bytes. */
export function fullBody(size: number): DataProvider<{ sent: number }> {
  return new DataProvider({ sent: 0 }, (_s, _sid, length, ctrl, src) => {
    const n = Math.min(length, size - src.sent);
    src.sent += n;
    if (src.sent >= size) ctrl.flags = READ_EOF;
    return Buffer.alloc(n, 0x62);
  });
}
