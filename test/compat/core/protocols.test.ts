// createServer over every protocol of one port, with real clients: Node's
// http2 client (h2 over TLS and h2c), curl (--http2, --http1.1), the `spdy`
// package's agent (SPDY/3.1, SPDY/3 and SPDY/2, cleartext) and our urlfetch (SPDY/3.1
// over TLS). Each protocol: the request's fields and joined headers, a
// 10 MiB req.pipe(res) echo checked by sha256, HEAD, 204/304, hop-by-hop
// response headers, write back-pressure ('drain'), a throwing listener (500,
// the process goes on).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CompatServer, createServer } from '../../../lib/compat/index.js';
import {
  CLIENT, CTRL_FLAG_FIN, ERR_DEFERRED, FLAG_SETTINGS_NONE, ID_FLAG_SETTINGS_NONE, PROTO_SPDY3, PROTO_SPDY3_1,
  SETTINGS_MAX_CONCURRENT_STREAMS, SYN_STREAM,
} from '../../../lib/spdylay/constants.js';
import { DataProvider, Session } from '../../../lib/spdylay/session.js';
import { urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { testCert, type TestCert } from '../../helpers/certs.js';
import {
  type Reply, agentRequest, app, closeAgent, closeServer, curl, h2request, listen, pattern, seen, sha, spdy, spdyAgent,
  spdyUnavailable,
} from '../../helpers/compat-core.js';
import { Collect } from '../../helpers/spdy-fetch.js';

interface Client {
  fetch(p: string, o?: { method?: string; body?: Buffer; headers?: Record<string, string | string[]> }): Promise<Reply>;
  close(): void;
}

let cert: TestCert;
let tlsServer: CompatServer;
let plainServer: CompatServer;
let tlsPort: number;
let plainPort: number;
const handlerErrors: unknown[] = [];
let tmp: string;

beforeAll(async () => {
  cert = await testCert();
  tlsServer = createServer({ key: cert.key, cert: cert.cert }, app);
  plainServer = createServer({ spdy: { plain: true } }, app);
  for (const s of [tlsServer, plainServer]) s.on('handlerError', (err) => handlerErrors.push(err));
  tlsPort = await listen(tlsServer);
  plainPort = await listen(plainServer);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-core-'));
});

afterAll(async () => {
  await Promise.all([closeServer(tlsServer), closeServer(plainServer)]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function nodeH2(secure: boolean): Client {
  // Node's client counts a request body queued at once against its own maxSessionMemory (10 MB by default)
  const session = http2.connect(secure ? `https://127.0.0.1:${tlsPort}` : `http://127.0.0.1:${plainPort}`,
    secure ? { ca: cert.cert, servername: 'localhost', maxSessionMemory: 64 } : { maxSessionMemory: 64 });
  session.on('error', () => {});
  return {
    fetch: (p, o = {}) => h2request(session, p, { method: o.method, body: o.body, headers: o.headers }),
    close: () => session.close(),
  };
}

function parseCurl(out: Buffer): Reply {
  let rest = out;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    const head = rest.subarray(0, end).toString('latin1').split('\r\n');
    rest = rest.subarray(end + 4);
    const status = Number(head[0]!.split(' ')[1]);
    if (status >= 100 && status < 200) continue;
    const headers: Record<string, string | string[]> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).toLowerCase();
      const v = line.slice(i + 1).trim();
      const prev = headers[k];
      headers[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
    }
    return { status, headers, body: rest };
  }
}

function curlClient(args: string[], base: string): Client {
  let n = 0;
  return {
    async fetch(p, o = {}) {
      const a = [...args, '-i', '-X', o.method ?? 'GET'];
      if (o.method === 'HEAD') a.splice(a.indexOf('-X'), 2, '-I');
      for (const [k, v] of Object.entries(o.headers ?? {})) for (const x of ([] as string[]).concat(v)) a.push('-H', `${k}: ${x}`);
      if (o.body) {
        const f = path.join(tmp, `body-${process.pid}-${n++}`);
        fs.writeFileSync(f, o.body);
        a.push('--data-binary', `@${f}`, '-H', 'content-type: application/octet-stream');
      }
      const r = await curl([...a, base + p]);
      if (r.code !== 0) throw new Error(`curl failed (${r.code}): ${r.stderr}`);
      return parseCurl(r.stdout);
    },
    close() {},
  };
}

function agentClient(secure: boolean, protocol: string): Client {
  const port = secure ? tlsPort : plainPort;
  const agent = spdyAgent(port, secure, protocol);
  return {
    fetch: (p, o = {}) => agentRequest(agent, secure, port, o.method ?? 'GET', p, o.body, o.headers),
    close: () => closeAgent(agent),
  };
}

function urlfetchClient(secure: boolean, version: number, protocol: string): Client {
  return {
    async fetch(p, o = {}) {
      const [h] = await urlfetch(secure ? `https://127.0.0.1:${tlsPort}${p}` : `http://127.0.0.1:${plainPort}${p}`, Collect, {
        ca: cert.cert, protocols: [protocol], method: o.method, body: o.body ?? null, headers: o.headers as Record<string, string>,
        version,
      });
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of h!.nv) {
        if (k.startsWith(':')) continue;
        const vals = v.split('\0');
        const prev = headers[k];
        headers[k] = prev === undefined && vals.length === 1 ? vals[0]! : ([] as string[]).concat(prev ?? [], vals);
      }
      return { status: h!.code, headers, body: h!.body };
    },
    close() {},
  };
}

interface Case {
  name: string;
  /** The `alpnProtocol`/version the server sees. */
  httpVersion: '2.0' | '1.1';
  isSpdy: boolean;
  spdyVersion: number;
  secure: boolean;
  make(): Client;
}

const CASES: Case[] = [
  { name: 'h2 over TLS (node http2)', httpVersion: '2.0', isSpdy: true, spdyVersion: 4, secure: true, make: () => nodeH2(true) },
  { name: 'h2c (node http2)', httpVersion: '2.0', isSpdy: true, spdyVersion: 4, secure: false, make: () => nodeH2(false) },
  {
    name: 'h2 over TLS (curl --http2)', httpVersion: '2.0', isSpdy: true, spdyVersion: 4, secure: true,
    make: () => curlClient(['--http2', '-k'], `https://127.0.0.1:${tlsPort}`),
  },
  {
    name: 'h2c (curl --http2-prior-knowledge)', httpVersion: '2.0', isSpdy: true, spdyVersion: 4, secure: false,
    make: () => curlClient(['--http2-prior-knowledge'], `http://127.0.0.1:${plainPort}`),
  },
  {
    name: 'http/1.1 over TLS (curl --http1.1)', httpVersion: '1.1', isSpdy: false, spdyVersion: 1, secure: true,
    make: () => curlClient(['--http1.1', '-k'], `https://127.0.0.1:${tlsPort}`),
  },
  {
    name: 'http/1.1 cleartext (curl --http1.1)', httpVersion: '1.1', isSpdy: false, spdyVersion: 1, secure: false,
    make: () => curlClient(['--http1.1'], `http://127.0.0.1:${plainPort}`),
  },
  { name: 'spdy/3.1 cleartext (spdy agent)', httpVersion: '1.1', isSpdy: true, spdyVersion: 3.1, secure: false, make: () => agentClient(false, 'spdy/3.1') },
  { name: 'spdy/3 cleartext (spdy agent)', httpVersion: '1.1', isSpdy: true, spdyVersion: 3, secure: false, make: () => agentClient(false, 'spdy/3') },
  { name: 'spdy/2 cleartext (spdy agent)', httpVersion: '1.1', isSpdy: true, spdyVersion: 2, secure: false, make: () => agentClient(false, 'spdy/2') },
  {
    name: 'spdy/3.1 over TLS (urlfetch)', httpVersion: '1.1', isSpdy: true, spdyVersion: 3.1, secure: true,
    make: () => urlfetchClient(true, PROTO_SPDY3_1, 'spdy/3.1'),
  },
  {
    name: 'spdy/3 cleartext (urlfetch)', httpVersion: '1.1', isSpdy: true, spdyVersion: 3, secure: false,
    make: () => urlfetchClient(false, PROTO_SPDY3, 'spdy/3'),
  },
];

const MiB = 1024 * 1024;

if (spdyUnavailable) console.warn(`skipping the spdy agent cases: ${spdyUnavailable}`);
describe.each(CASES.filter((c) => !spdyUnavailable || !c.name.includes('spdy agent')))('createServer: $name', (c) => {
  let client: Client;
  beforeAll(() => {
    client = c.make();
  });
  afterAll(() => client.close());

  it('gives a real IncomingMessage/ServerResponse with the request fields and headers joined as Node joins them', async () => {
    const r = await client.fetch('/info?q=1', {
      headers: c.name.includes('urlfetch') ? { 'x-one': 'a' } : { 'x-dup': ['a', 'b'], 'user-agent': 'compat-test' },
    });
    expect(r.status).toBe(200);
    const info = JSON.parse(r.body.toString());
    expect(info).toMatchObject({
      method: 'GET', url: '/info?q=1', httpVersion: c.httpVersion, isSpdy: c.isSpdy, spdyVersion: c.spdyVersion,
      reqIsIncoming: true, resIsServerResponse: true, remoteAddress: '127.0.0.1', encrypted: c.secure,
    });
    expect(info.headers.host).toMatch(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    if (c.name.includes('urlfetch')) expect(info.headers['x-one']).toBe('a');
    else expect(info.headers['x-dup']).toBe('a, b');
    expect(info.rawHeaders.length % 2).toBe(0);
    if (c.isSpdy) expect(info.streamID).toBeGreaterThan(0);
    if (c.secure) expect(info.alpnProtocol).toBe(c.spdyVersion === 4 ? 'h2' : c.isSpdy ? 'spdy/3.1' : 'http/1.1');
    expect(r.headers['date']).toBeTruthy();
  });

  it('echoes a 10 MiB body with req.pipe(res) (sha256)', async () => {
    const body = pattern(10 * MiB, 11);
    const r = await client.fetch('/echo', { method: 'POST', body });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(body.length);
    expect(sha(r.body)).toBe(sha(body));
  });

  it('HEAD sends the headers and no body; 204 and 304 send no body', async () => {
    // the spdy package's client fails every HEAD request (its HTTP/1.1 parser waits for the body) and
    // reports ECONNRESET besides a 304: these are checked over SPDY with urlfetch
    if (!c.name.includes('spdy agent')) {
      const h = await client.fetch('/head', { method: 'HEAD' });
      expect(h.status).toBe(200);
      expect(h.headers['content-length']).toBe('5');
      expect(h.body.length).toBe(0);
    }
    for (const code of c.name.includes('spdy agent') ? [204] : [204, 304]) {
      const r = await client.fetch(`/status?code=${code}`);
      expect(r.status).toBe(code);
      expect(r.body.length).toBe(0);
    }
  });

  it('write() returns false past the high-water mark and "drain" follows; the body arrives whole', async () => {
    const url = `/bp?n=${2 * MiB}&c=${encodeURIComponent(c.name)}`;
    const r = await client.fetch(url);
    expect(r.body.length).toBe(2 * MiB);
    const rec = seen.get(url) as { falses: number; drains: number; written: number };
    expect(rec.written).toBe(2 * MiB);
    expect(rec.drains).toBe(rec.falses);
    if (c.isSpdy) expect(rec.falses).toBeGreaterThan(0);
  });

  it.skipIf(!c.isSpdy)('drops connection-specific response headers', async () => {
    const r = await client.fetch('/hop');
    expect(r.status).toBe(200);
    expect(r.headers['x-ok']).toBe('yes');
    for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']) expect(r.headers[h]).toBeUndefined();
    expect(r.body.toString()).toBe('hop');
  });

  it('a listener that throws gives a 500 and the server goes on', async () => {
    const before = handlerErrors.length;
    const r = await client.fetch('/throw');
    expect(r.status).toBe(500);
    expect(handlerErrors.length).toBe(before + 1);
    expect(String(handlerErrors[before])).toContain('listener boom (test)');
    const again = await client.fetch('/info');
    expect(again.status).toBe(200);
  });
});

describe('createServer: server push', () => {
  it('h2: res.push() sends PUSH_PROMISE and the pushed response (node http2 client "stream" event)', async () => {
    for (const secure of [true, false]) {
      const session = http2.connect(secure ? `https://127.0.0.1:${tlsPort}` : `http://127.0.0.1:${plainPort}`,
        secure ? { ca: cert.cert, servername: 'localhost' } : {});
      try {
        const r = await h2request(session, '/push');
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe('page');
        expect(r.pushes).toHaveLength(1);
        expect(r.pushes[0]!.path).toBe('/pushed.css');
        expect(r.pushes[0]!.headers['content-type']).toBe('text/css');
        expect(r.pushes[0]!.headers['connection']).toBeUndefined();
        expect(r.pushes[0]!.body.toString()).toBe('body{}');
      } finally {
        session.close();
      }
    }
  });

  it.skipIf(spdyUnavailable)('SPDY/3.1, SPDY/3 and SPDY/2: res.push() opens an associated stream (spdy agent "push" event)', async () => {
    for (const [secure, protocol] of [[false, 'spdy/3.1'], [true, 'spdy/3.1'], [false, 'spdy/3'], [false, 'spdy/2']] as const) {
      const port = secure ? tlsPort : plainPort;
      const agent = spdyAgent(port, secure, protocol);
      try {
        const r = await new Promise<{ status: number; body: string; pushes: { path: string; headers: Record<string, unknown>; body: string }[] }>(
          (resolve, reject) => {
            const pushes: { path: string; headers: Record<string, unknown>; body: string }[] = [];
            const pending: Promise<void>[] = [];
            const mod = secure ? https : http;
            const req = mod.get({ host: '127.0.0.1', port, path: '/push', agent, rejectUnauthorized: false }, (res) => {
              let body = '';
              res.on('data', (d) => (body += d));
              res.on('end', async () => {
                await Promise.race([Promise.all(pending), new Promise((t) => setTimeout(t, 3000))]);
                resolve({ status: res.statusCode ?? 0, body, pushes });
              });
            });
            req.on('push', (stream: any) => {
              const p = { path: stream.path, headers: stream.headers, body: '' };
              pushes.push(p);
              pending.push(new Promise((done) => {
                stream.on('data', (d: Buffer) => (p.body += d));
                stream.on('end', () => done());
                stream.on('error', () => done());
              }));
            });
            req.on('error', reject);
          });
        expect(r.status, protocol).toBe(200);
        expect(r.body).toBe('page');
        expect(r.pushes, protocol).toHaveLength(1);
        expect(r.pushes[0]!.path).toBe('/pushed.css');
        expect(r.pushes[0]!.headers['content-type']).toBe('text/css');
        expect(r.pushes[0]!.headers['accept']).toBe('text/css');
        expect(r.pushes[0]!.headers['connection']).toBeUndefined();
        expect(r.pushes[0]!.body).toBe('body{}');
      } finally {
        closeAgent(agent);
      }
    }
  });

  it('h2 with push disabled by the client and HTTP/1.1: res.push() throws a clear error', async () => {
    const session = http2.connect(`http://127.0.0.1:${plainPort}`, { settings: { enablePush: false } });
    try {
      const r = await h2request(session, '/push');
      expect(r.status).toBe(501);
      expect(r.body.toString()).toMatch(/push/i);
    } finally {
      session.close();
    }
    const r = await agentRequest(new http.Agent(), false, plainPort, 'GET', '/push');
    expect(r.status).toBe(501);
    expect(r.body.toString()).toContain('not available over HTTP/1.x');
  });
});

describe('createServer: trailers and 1xx responses', () => {
  let server: CompatServer;
  let port: number;
  const got: { trailers: unknown; raw: string[]; body: string; proto: string }[] = [];

  beforeAll(async () => {
    server = createServer({ spdy: { plain: true } }, (req, res) => {
      const url = req.url ?? '';
      if (url === '/trailers') {
        // streamed: the head goes out with the first write
        res.setHeader('content-type', 'text/plain');
        res.setHeader('trailer', 'x-checksum');
        res.write('part1,');
        setTimeout(() => {
          res.addTrailers({ 'x-checksum': 'abc123', 'x-count': 2 });
          res.end('part2');
        }, 5);
        return;
      }
      if (url === '/trailers-whole') {
        res.addTrailers([['x-whole', 'yes']]);
        res.end('whole');
        return;
      }
      if (url === '/echo-trailers') {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => { body += c; });
        req.on('end', () => {
          got.push({ trailers: req.trailers, raw: req.rawTrailers, body, proto: req.httpVersion });
          res.end(JSON.stringify(req.trailers));
        });
        return;
      }
      if (url === '/push') {
        const w = res.push('/pushed.txt', { response: { 'content-type': 'text/plain' } });
        w.end('pushed');
        res.end('page');
        return;
      }
      if (url === '/hints') {
        res.writeEarlyHints({ link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'] });
        res.writeContinue();
        res.end('after hints');
        return;
      }
      if (url === '/drain') {
        const big = Buffer.alloc(256 * 1024, 'x');
        const before = res.writableNeedDrain;
        const ok = res.write(big);
        const after = res.writableNeedDrain;
        res.once('drain', () => res.end(JSON.stringify({ before, ok, after, drained: res.writableNeedDrain })));
        return;
      }
      if (url === '/distinct') {
        res.end(JSON.stringify({ h: req.headersDistinct['x-multi'], t: typeof req.trailersDistinct }));
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    port = await listen(server);
  });

  afterAll(() => closeServer(server));

  it('h2: res.addTrailers() sends trailing HEADERS (node http2 client "trailers" event; curl shows them)', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      for (const p of ['/trailers', '/trailers-whole']) {
        const r = await new Promise<{ status: number; body: string; trailers: Record<string, unknown> }>((resolve, reject) => {
          const s = session.request({ ':path': p });
          let status = 0;
          let body = '';
          let trailers: Record<string, unknown> = {};
          s.on('response', (h) => { status = h[':status'] as number; });
          s.on('trailers', (t) => { trailers = t; });
          s.setEncoding('utf8');
          s.on('data', (c: string) => { body += c; });
          s.on('end', () => resolve({ status, body, trailers }));
          s.on('error', reject);
        });
        expect(r.status).toBe(200);
        if (p === '/trailers') {
          expect(r.body).toBe('part1,part2');
          expect(r.trailers['x-checksum']).toBe('abc123');
          expect(r.trailers['x-count']).toBe('2');
        } else {
          expect(r.body).toBe('whole');
          expect(r.trailers['x-whole']).toBe('yes');
        }
      }
    } finally {
      session.close();
    }
    const c = await curl(['--http2-prior-knowledge', '-s', '-i', `http://127.0.0.1:${port}/trailers`]);
    expect(c.code).toBe(0);
    const out = c.stdout.toString('latin1');
    expect(out).toContain('part1,part2');
    expect(out).toMatch(/x-checksum: abc123/);
  });

  it('h2: request trailers are in req.trailers and req.rawTrailers (node http2 client sendTrailers)', async () => {
    got.length = 0;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const s = session.request({ ':path': '/echo-trailers', ':method': 'POST' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'x-req-sum': 'r1', 'x-other': 'o' }));
        let b = '';
        s.setEncoding('utf8');
        s.on('data', (c: string) => { b += c; });
        s.on('end', () => resolve(b));
        s.on('error', reject);
        s.end('request body');
      });
      expect(JSON.parse(body)).toEqual({ 'x-req-sum': 'r1', 'x-other': 'o' });
      expect(got[0]!.body).toBe('request body');
      expect(got[0]!.raw).toEqual(['x-req-sum', 'r1', 'x-other', 'o']);
    } finally {
      session.close();
    }
  });

  it('SPDY/3.1 and SPDY/3: res.addTrailers() sends a HEADERS frame with FIN after the last DATA (urlfetch)', async () => {
    for (const version of [PROTO_SPDY3_1, PROTO_SPDY3]) {
      for (const p of ['/trailers', '/trailers-whole']) {
        const [h] = await urlfetch(`http://127.0.0.1:${port}${p}`, Collect, { version });
        expect(h!.code).toBe(200);
        expect(h!.events).toEqual(['header', 'data', 'header', 'close']);
        if (p === '/trailers') {
          expect(h!.body.toString()).toBe('part1,part2');
          expect(h!.header('x-checksum')).toBe('abc123');
          expect(h!.header('x-count')).toBe('2');
        } else {
          expect(h!.body.toString()).toBe('whole');
          expect(h!.header('x-whole')).toBe('yes');
        }
      }
    }
  });

  it('SPDY/3.1: request trailers (a HEADERS frame with FIN after the body, from a client Session) are in req.trailers', async () => {
    got.length = 0;
    const body = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      const session = new Session(CLIENT, PROTO_SPDY3_1, {
        sendCb: (_s, data) => {
          socket.write(Buffer.from(data));
          return data.length;
        },
        onDataChunkRecvCb: (_s, _f, _sid, data) => { chunks.push(Buffer.from(data)); },
        onStreamCloseCb: () => {
          socket.destroy();
          resolve(Buffer.concat(chunks).toString());
        },
      });
      socket.on('error', reject);
      socket.on('data', (d) => {
        session.recv(d);
        session.send();
      });
      let sent = false;
      session.submitRequest(0, [[':method', 'POST'], [':scheme', 'http'], [':path', '/echo-trailers'], [':version', 'HTTP/1.1'],
        [':host', `127.0.0.1:${port}`]], new DataProvider(null, (_s, sid, _len, ctrl) => {
        if (sent) return ERR_DEFERRED;
        sent = true;
        // the body without FIN, then the trailers end the stream
        setImmediate(() => {
          session.submitHeaders(CTRL_FLAG_FIN, sid, [['x-req-sum', 's1'], ['x-other', 'o2']]);
          session.send();
        });
        void ctrl;
        return Buffer.from('spdy body');
      }));
      session.send();
    });
    expect(JSON.parse(body)).toEqual({ 'x-req-sum': 's1', 'x-other': 'o2' });
    expect(got[0]!.body).toBe('spdy body');
    // SPDY header blocks carry their fields sorted by name
    expect(got[0]!.raw).toEqual(['x-other', 'o2', 'x-req-sum', 's1']);
  });

  it('SPDY/3.1: a client whose MAX_CONCURRENT_STREAMS (0) holds the push back still gets the response (client Session)', async () => {
    const r = await new Promise<{ body: string; synStreams: number }>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let synStreams = 0;
      const session = new Session(CLIENT, PROTO_SPDY3_1, {
        sendCb: (_s, data) => {
          socket.write(Buffer.from(data));
          return data.length;
        },
        onCtrlRecvCb: (_s, frame) => { if (frame.frameType === SYN_STREAM) synStreams++; },
        onDataChunkRecvCb: (_s, _f, sid, data) => { if (sid === 1) chunks.push(Buffer.from(data)); },
        onStreamCloseCb: (_s, sid) => {
          if (sid !== 1) return;
          socket.destroy();
          resolve({ body: Buffer.concat(chunks).toString(), synStreams });
        },
      });
      socket.on('error', reject);
      socket.on('data', (d) => {
        session.recv(d);
        session.send();
      });
      session.submitSettings(FLAG_SETTINGS_NONE, [[SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_NONE, 0]]);
      session.submitRequest(0, [[':method', 'GET'], [':scheme', 'http'], [':path', '/push'], [':version', 'HTTP/1.1'],
        [':host', `127.0.0.1:${port}`]]);
      session.send();
    });
    expect(r).toEqual({ body: 'page', synStreams: 0 });
  });

  it('h2: writeEarlyHints() sends 103 and writeContinue() 100 before the response (nghttp -v)', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('nghttp', ['-v', `http://127.0.0.1:${port}/hints`]);
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    const i103 = r.out.indexOf(':status: 103');
    const i100 = r.out.indexOf(':status: 100');
    const i200 = r.out.indexOf(':status: 200');
    expect(i103).toBeGreaterThan(0);
    expect(i100).toBeGreaterThan(i103);
    expect(i200).toBeGreaterThan(i100);
    expect(r.out).toContain('link: </a.css>; rel=preload; as=style');
    expect(r.out).toContain('after hints');
    // SPDY has no 1xx: the same handler answers 200 only
    const [h] = await urlfetch(`http://127.0.0.1:${port}/hints`, Collect, { version: PROTO_SPDY3_1 });
    expect(h!.code).toBe(200);
    expect(h!.body.toString()).toBe('after hints');
  });

  it('res.writableNeedDrain follows write() and "drain"; req.headersDistinct holds every value (h2, SPDY)', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const d = await h2request(session, '/drain');
      expect(JSON.parse(d.body.subarray(256 * 1024).toString())).toEqual({ before: false, ok: false, after: true, drained: false });
      const r = await h2request(session, '/distinct', { headers: { 'x-multi': ['a', 'b'] } });
      expect(JSON.parse(r.body.toString())).toEqual({ h: ['a', 'b'], t: 'object' });
    } finally {
      session.close();
    }
    const [h] = await urlfetch(`http://127.0.0.1:${port}/drain`, Collect, { version: PROTO_SPDY3_1 });
    expect(JSON.parse(h!.body.subarray(256 * 1024).toString())).toEqual({ before: false, ok: false, after: true, drained: false });
  });
});

describe("createServer: spdy['x-forwarded-for']", () => {
  it.skipIf(spdyUnavailable)('true: the SPDY X_FORWARDED_FOR frame of the spdy agent becomes the x-forwarded-for header; false: ignored', async () => {
    const seenXff: unknown[] = [];
    const servers = [true, false].map((xff) => createServer({ spdy: { plain: true, 'x-forwarded-for': xff } }, (req, res) => {
      seenXff.push(req.headers['x-forwarded-for']);
      res.end(String(req.headers['x-forwarded-for'] ?? '-'));
    }));
    try {
      const ports = await Promise.all(servers.map((s) => listen(s)));
      for (const protocol of ['spdy/3.1', 'spdy/3', 'spdy/2']) {
        const bodies: string[] = [];
        for (const port of ports) {
          const agent = spdy.createAgent({ host: '127.0.0.1', port, spdy: { plain: true, ssl: false, protocol, 'x-forwarded-for': '10.1.2.3' } });
          try {
            // the request's own header wins over the frame, as in the spdy package
            const own = await agentRequest(agent, false, port, 'GET', '/', undefined, { 'x-forwarded-for': '192.0.2.9' });
            expect(own.body.toString()).toBe('192.0.2.9');
            const r = await agentRequest(agent, false, port, 'GET', '/');
            bodies.push(r.body.toString());
          } finally {
            closeAgent(agent);
          }
        }
        expect(bodies, protocol).toEqual(['10.1.2.3', '-']);
      }
    } finally {
      await Promise.all(servers.map((s) => closeServer(s)));
    }
  });
});

describe("createServer: spdy['x-forwarded-for'] over h2", () => {
  it.skipIf(spdyUnavailable)('reads the X_FORWARDED_FOR extension frame (0xde) the spdy agent sends over h2', async () => {
    const servers = [true, false].map((xff) => createServer({ key: cert.key, cert: cert.cert, spdy: { 'x-forwarded-for': xff } },
      (req, res) => res.end(`${req.httpVersion} ${String(req.headers['x-forwarded-for'] ?? '-')}`)));
    try {
      const ports = await Promise.all(servers.map((s) => listen(s)));
      const bodies: string[] = [];
      for (const port of ports) {
        const agent = spdy.createAgent({ host: '127.0.0.1', port, rejectUnauthorized: false, spdy: { protocols: ['h2'], 'x-forwarded-for': '10.9.8.7' } });
        try {
          bodies.push((await agentRequest(agent, true, port, 'GET', '/')).body.toString());
        } finally {
          closeAgent(agent);
        }
      }
      expect(bodies).toEqual(['2.0 10.9.8.7', '2.0 -']);
    } finally {
      await Promise.all(servers.map((s) => closeServer(s)));
    }
  });
});
