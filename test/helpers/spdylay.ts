// Helpers for the spdylay tests: an in-memory client/server pair and a
// callback recorder.
import {
  CLIENT, DataProvider, READ_EOF, SERVER, Session, type NameValue, type SessionOptions,
} from '../../lib/spdylay/index.js';

export const REQ_NV: NameValue[] = [[':method', 'GET'], [':scheme', 'https'], [':path', '/'],
  [':version', 'HTTP/1.1'], [':host', 'localhost:3000'], ['accept', '*/*']];
export const POST_NV: NameValue[] = [[':method', 'POST'], [':scheme', 'https'], [':path', '/upload'],
  [':version', 'HTTP/1.1'], [':host', 'localhost:3000']];
export const RES_NV: NameValue[] = [[':status', '200 OK'], [':version', 'HTTP/1.1']];

/** A provider serving `data` in chunks of at most `chunk` bytes. */
export function bufferProvider(data: Buffer, chunk = Infinity): DataProvider<{ pos: number }> {
  return new DataProvider({ pos: 0 }, (_s, _sid, length, ctrl, src) => {
    const n = Math.min(length, chunk, data.length - src.pos);
    const out = data.subarray(src.pos, src.pos + n);
    src.pos += n;
    if (src.pos >= data.length) ctrl.flags = READ_EOF;
    return out;
  });
}

/** Two sessions whose sendCb outputs are queued for the other side. */
export class Pair {
  client: Session;
  server: Session;
  toServer: Buffer[] = [];
  toClient: Buffer[] = [];

  constructor(version: number, clientOpts: SessionOptions = {}, serverOpts: SessionOptions = {}) {
    this.client = new Session(CLIENT, version, {
      sendCb: (_s, d) => { this.toServer.push(Buffer.from(d)); return d.length; },
      ...clientOpts,
    });
    this.server = new Session(SERVER, version, {
      sendCb: (_s, d) => { this.toClient.push(Buffer.from(d)); return d.length; },
      ...serverOpts,
    });
  }

  /** One round: client.send, server.recv, server.send, client.recv. Returns bytes moved. */
  round(): number {
    this.client.send();
    let n = 0;
    if (this.toServer.length) {
      const b = Buffer.concat(this.toServer);
      this.toServer = [];
      n += b.length;
      this.server.recv(b);
    }
    this.server.send();
    if (this.toClient.length) {
      const b = Buffer.concat(this.toClient);
      this.toClient = [];
      n += b.length;
      this.client.recv(b);
    }
    return n;
  }

  /** Rounds until nothing moves (at most `max`). */
  pump(max = 1000): void {
    for (let i = 0; i < max; i++) if (this.round() === 0) return;
    throw new Error('pump did not settle');
  }
}
