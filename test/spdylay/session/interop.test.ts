// Interop over real TCP sockets on 127.0.0.1 with the `spdy` npm package
// (node-spdy 4 / spdy-transport 3) in plain (no TLS) mode: our client
// Session against its server, and its client (agent) against our server
// Session, for SPDY/3.1, SPDY/3 and SPDY/2, with request bodies and large
// responses. (node-spdy's header decompression breaks after a few thousand
// requests on one connection on Node 20: each connection here stays far
// below 2,000 requests.)
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CLIENT, DATA_FLAG_FIN, DataProvider, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, READ_EOF, SERVER, SYN_REPLY,
  SYN_STREAM, Session, type NameValue,
} from '../../../lib/spdylay/index.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

const VERSIONS: [string, number][] = [['spdy/3.1', PROTO_SPDY3_1], ['spdy/3', PROTO_SPDY3], ['spdy/2', PROTO_SPDY2]];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
function pattern(len: number, salt: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 7 + salt) & 0xff;
  return b;
}

function provider(data: Buffer): DataProvider<{ pos: number }> {
  return new DataProvider({ pos: 0 }, (_s, _sid, length, ctrl, src) => {
    const n = Math.min(length, data.length - src.pos);
    const out = data.subarray(src.pos, src.pos + n);
    src.pos += n;
    if (src.pos >= data.length) ctrl.flags = READ_EOF;
    return out;
  });
}

interface Response { status: string; headers: Map<string, string>; body: Buffer; closeStatus: number }
interface Pending { resolve: (r: Response) => void; reject: (e: Error) => void; headers: Map<string, string>; chunks: Buffer[] }

/** Our client Session over a TCP socket. */
class OurClient {
  session: Session;
  socket: net.Socket;
  private streams = new Map<number, Pending>();
  error: Error | undefined;

  constructor(port: number, version: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.session = new Session(CLIENT, version, {
      // the view is never overwritten by the session: write it without copying
      sendCb: (_s, data) => { this.socket.write(data); return data.length; },
      beforeCtrlSendCb: (s, f) => {
        if (f.frameType === SYN_STREAM) this.streams.set(f.streamId, s.getStreamUserData(f.streamId) as Pending);
      },
      onCtrlRecvCb: (_s, f) => {
        if (f.frameType === SYN_REPLY) {
          const p = this.streams.get(f.streamId);
          if (p) for (const [n, v] of f.nv) p.headers.set(n, v);
        }
      },
      onDataChunkRecvCb: (_s, _flags, sid, data) => { this.streams.get(sid)?.chunks.push(Buffer.from(data)); },
      // spdy-transport applies SPDY/3 flow control to SPDY/2 too (SPDY/2 has
      // none, so spdylay sends no automatic WINDOW_UPDATE): open the window
      // by hand, as a SPDY/2 application talking to it must.
      onDataRecvCb: (s, flags, sid, length) => {
        if (version === PROTO_SPDY2 && !(flags & DATA_FLAG_FIN) && this.streams.has(sid)) s.submitWindowUpdate(sid, length);
      },
      onStreamCloseCb: (_s, sid, status) => {
        const p = this.streams.get(sid);
        if (!p) return;
        this.streams.delete(sid);
        p.resolve({ status: p.headers.get(':status') ?? p.headers.get('status') ?? '', headers: p.headers,
          body: Buffer.concat(p.chunks), closeStatus: status });
      },
    });
    this.socket.on('data', (d) => this.pump(d));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(e: Error): void {
    this.error ??= e;
    for (const p of this.streams.values()) p.reject(e);
    this.streams.clear();
  }

  private pump(d?: Buffer): void {
    try {
      if (d) this.session.recv(d);
      this.session.send();
    } catch (e) {
      this.fail(e as Error);
      this.socket.destroy();
    }
  }

  request(method: string, path: string, body?: Buffer, extra: NameValue[] = []): Promise<Response> {
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject, headers: new Map(), chunks: [] };
      const nv: NameValue[] = [[':method', method], [':path', path], [':version', 'HTTP/1.1'],
        [':host', '127.0.0.1'], [':scheme', 'http'], ...extra];
      if (body) nv.push(['content-length', String(body.length)]);
      this.session.submitRequest(3, nv, body ? provider(body) : null, p);
      this.pump();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('our client against node-spdy server (plain)', () => {
  // Plain node-spdy servers learn the version from the first frame, which
  // says 3 for SPDY/3.1 too; `autoSpdy31` makes spdy-transport switch to 3.1
  // on the first connection-level WINDOW_UPDATE (and send its own).
  const servers = new Map<number, net.Server>();
  const ports = new Map<number, number>();
  const big = pattern(3 * 1024 * 1024 + 17, 3);

  beforeAll(async () => {
    for (const [, version] of VERSIONS) {
    const server: net.Server = spdy.createServer({ spdy: { plain: true, ssl: false,
      connection: { autoSpdy31: version === PROTO_SPDY3_1 } } }, (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(big);
        } else if (req.url === '/echo') {
          res.writeHead(200, { 'x-sha': sha(body), 'x-len': String(body.length), 'x-method': req.method ?? '' });
          res.end(body);
        } else {
          res.writeHead(200, { 'x-path': req.url ?? '', 'x-method': req.method ?? '' });
          res.end(`hello ${req.url}`);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.set(version, server);
    ports.set(version, (server.address() as net.AddressInfo).port);
    }
  });
  afterAll(() => {
    for (const s of servers.values()) s.close();
  });

  it.each(VERSIONS)('%s: GET, POST bodies, large response, many concurrent requests', async (_name, version) => {
    const c = new OurClient(ports.get(version)!, version);
    try {
      const r1 = await c.request('GET', '/hello');
      expect(r1.status.startsWith('200')).toBe(true);
      expect(r1.body.toString()).toBe('hello /hello');
      expect(r1.headers.get('x-method')).toBe('GET');

      const reqBody = pattern(300_000, 9);
      const r2 = await c.request('POST', '/echo', reqBody);
      expect(r2.headers.get('x-len')).toBe(String(reqBody.length));
      expect(r2.headers.get('x-sha')).toBe(sha(reqBody));
      expect(r2.body.equals(reqBody)).toBe(true);

      const r3 = await c.request('GET', '/big');
      expect(r3.body.length).toBe(big.length);
      expect(sha(r3.body)).toBe(sha(big));

      const many = await Promise.all(Array.from({ length: 200 }, (_, i) => c.request('GET', `/r${i}`)));
      many.forEach((r, i) => expect(r.body.toString()).toBe(`hello /r${i}`));
      const posts = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        c.request('POST', '/echo', pattern(10_000 + i * 1000, i))));
      posts.forEach((r, i) => expect(r.body.equals(pattern(10_000 + i * 1000, i))).toBe(true));
      expect(c.error).toBeUndefined();
    } finally {
      c.close();
    }
  }, 30_000);
});

describe('node-spdy client against our server Session', () => {
  const servers: net.Server[] = [];
  const big = pattern(2 * 1024 * 1024 + 5, 11);

  /** Our server: one Session per TCP connection. */
  function startServer(version: number): Promise<number> {
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      const reqs = new Map<number, { nv: Map<string, string>; chunks: Buffer[] }>();
      const session: Session = new Session(SERVER, version, {
        sendCb: (_s, data) => { socket.write(data); return data.length; },
        onCtrlRecvCb: (_s, f) => {
          if (f.frameType === SYN_STREAM) reqs.set(f.streamId, { nv: new Map(f.nv), chunks: [] });
        },
        onDataChunkRecvCb: (_s, _f, sid, data) => { reqs.get(sid)?.chunks.push(Buffer.from(data)); },
        // SPDY/2 has no flow control but spdy-transport applies it: open the window by hand
        onDataRecvCb: (s, flags, sid, length) => {
          if (version === PROTO_SPDY2 && !(flags & DATA_FLAG_FIN)) s.submitWindowUpdate(sid, length);
        },
        onRequestRecvCb: (s, sid) => {
          const r = reqs.get(sid);
          if (!r) return;
          reqs.delete(sid);
          const body = Buffer.concat(r.chunks);
          const p = r.nv.get(':path') ?? r.nv.get('url') ?? '';
          const method = r.nv.get(':method') ?? r.nv.get('method') ?? '';
          const out = p === '/big' ? big : p === '/echo' ? body : Buffer.from(`hi ${method} ${p}`);
          const v2 = version === PROTO_SPDY2;
          s.submitResponse(sid, [[v2 ? 'status' : ':status', '200 OK'], [v2 ? 'version' : ':version', 'HTTP/1.1'],
            ['content-length', String(out.length)], ['x-sha', sha(body)], ['x-len', String(body.length)]],
          out.length ? provider(out) : null);
        },
      });
      const pump = (d?: Buffer) => {
        try {
          if (d) session.recv(d);
          session.send();
        } catch {
          socket.destroy();
        }
        if (!session.wantRead() && !session.wantWrite()) socket.end();
      };
      socket.on('data', pump);
      socket.on('error', () => socket.destroy());
    });
    servers.push(server);
    return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
  }
  afterAll(() => {
    for (const s of servers) s.close();
  });

  function request(agent: http.Agent, port: number, method: string, path: string, body?: Buffer) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it.each(VERSIONS)('%s: GET, POST bodies, large response, concurrent requests', async (protocol, version) => {
    const port = await startServer(version);
    const agent = spdy.createAgent({ host: '127.0.0.1', port, spdy: { plain: true, ssl: false, protocol } });
    try {
      const r1 = await request(agent, port, 'GET', '/x');
      expect(r1.status).toBe(200);
      expect(r1.body.toString()).toBe('hi GET /x');

      const reqBody = pattern(250_000, 5);
      const r2 = await request(agent, port, 'POST', '/echo', reqBody);
      expect(r2.headers['x-len']).toBe(String(reqBody.length));
      expect(r2.headers['x-sha']).toBe(sha(reqBody));
      expect(r2.body.equals(reqBody)).toBe(true);

      const r3 = await request(agent, port, 'GET', '/big');
      expect(r3.body.length).toBe(big.length);
      expect(sha(r3.body)).toBe(sha(big));

      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => request(agent, port, 'GET', `/m${i}`)));
      many.forEach((r, i) => expect(r.body.toString()).toBe(`hi GET /m${i}`));
      const posts = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        request(agent, port, 'POST', '/echo', pattern(20_000 + i, i))));
      posts.forEach((r, i) => expect(r.body.equals(pattern(20_000 + i, i))).toBe(true));
    } finally {
      agent.close?.();
      (agent as unknown as { _spdyState?: { socket?: net.Socket } })._spdyState?.socket?.destroy();
    }
  }, 30_000);
});
