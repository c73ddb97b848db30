// BaseSPDYRequestHandler / ThreadedSPDYServer behaviour (python-spdylay's
// reference, section 15.9 of the spec), over real sockets with urlfetch:
// dispatch to do_<METHOD>, 501/400, sendError's page, sendResponse's status
// line, header order, rfile streaming for every method, wfile
// back-pressure, TLS options, the cleartext version sniffing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../../../lib/spdylay/constants.js';
import { dateTimeString, RESPONSES } from '../../../lib/spdylay/server/http-util.js';
import { BaseSPDYRequestHandler } from '../../../lib/spdylay/server/handler.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import type { SPDYConnection } from '../../../lib/spdylay/server/spdy.js';
import { urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { testCert } from '../../helpers/certs.js';
import { Collect, pattern, sha } from '../../helpers/spdy-fetch.js';
import { RawSpdyClient } from '../../helpers/spdy-raw.js';

const seen: Record<string, unknown>[] = [];
let drainInfo: { firstWriteOk: boolean; drained: boolean } | null = null;

class Handler extends BaseSPDYRequestHandler {
  static override serverVersion = 'TestServer/1.0';

  do_GET(): void | Promise<void> {
    seen.push({ command: this.command, path: this.path, requestVersion: this.requestVersion, headers: this.headers,
      clientAddress: this.clientAddress, scheme: this.scheme, host: this.host, server: this.server, streamId: this.streamId });
    switch (new URL(this.path ?? '/', 'http://x').pathname) {
      case '/status':
        this.sendResponse(299);
        this.sendHeader('x-a', '1');
        this.sendHeader('x-b', 2);
        return;
      case '/custom':
        this.sendResponse(200, 'Fine Thanks');
        this.wfile.end('custom');
        return;
      case '/error-msg':
        this.sendError(403, 'No <way>');
        return;
      case '/versions': {
        const before = { serverVersion: this.serverVersion, sysVersion: this.sysVersion };
        let badSet = '';
        try {
          (this as { serverVersion: unknown }).serverVersion = 42;
        } catch (e) {
          badSet = `${(e as Error).name} ${(e as { code?: string }).code}`;
        }
        this.serverVersion = 'PerRequest/2';
        this.sysVersion = 'Runtime/9';
        seen.push({ before, badSet, after: { serverVersion: this.serverVersion, sysVersion: this.sysVersion } });
        this.sendError(404);
        return;
      }
      case '/body':
        // a GET with a request body: rfile works for every method
        return this.readBody().then((b) => {
          this.sendHeader('x-len', b.length);
          this.wfile.end(b);
        });
      case '/pressure':
        return (async () => {
          this.sendResponse(200);
          const chunk = Buffer.alloc(48 * 1024, 0x41);
          const first = this.wfile.write(chunk);
          // write until write() says stop: the client reads nothing yet
          // (flow control window), so this must happen within a few writes
          let writes = 1;
          while (this.wfile.write(chunk) && writes < 10) writes++;
          writes++;
          await new Promise<void>((r) => this.wfile.once('drain', () => r()));
          drainInfo = { firstWriteOk: first, drained: writes <= 4 };
          for (let i = 0; i < 42 - writes; i++) {
            if (!this.wfile.write(chunk)) await new Promise<void>((r) => this.wfile.once('drain', () => r()));
          }
        })();
      default:
        this.sendResponse(200);
        this.wfile.write('ok');
    }
  }

  async do_PATCH(): Promise<void> {
    const parts: Buffer[] = [];
    for await (const c of this.rfile) parts.push(c as Buffer);
    const b = Buffer.concat(parts);
    this.sendResponse(200);
    this.sendHeader('x-sha', sha(b));
    this.wfile.end(String(b.length));
  }
}

let server: ThreadedSPDYServer;
let base: string;
beforeAll(async () => {
  server = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
  base = `http://127.0.0.1:${(await server.start()).port}`;
});
afterAll(() => server.close());

describe('dispatch and responses', () => {
  it('calls do_GET with the request fields, answers with :status/:version then handler headers then server/date', async () => {
    const t = Date.now();
    const [h] = await urlfetch(`${base}/status?q=1`, Collect, { headers: { 'X-Test': 'yes' }, userAgent: 'ua/1' });
    expect(h!.nv.map(([n]) => n)).toEqual([':status', ':version', 'date', 'server', 'x-a', 'x-b']); // SPDY/3 sorts names
    expect(h!.header(':status')).toBe('299 ???');
    expect(h!.header(':version')).toBe('HTTP/1.1');
    expect(h!.header('x-b')).toBe('2');
    expect(h!.header('server')).toBe(`TestServer/1.0 Node/${process.versions.node}`);
    const date = h!.header('date')!;
    expect(date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
    expect(Math.abs(Date.parse(date) - t)).toBeLessThan(5000);
    expect(h!.body.length).toBe(0);
    const s = seen.at(-1)!;
    expect(s.command).toBe('GET');
    expect(s.path).toBe('/status?q=1');
    expect(s.requestVersion).toBe('HTTP/1.1');
    expect(s.scheme).toBe('http');
    expect(s.host).toBe(new URL(base).host);
    expect(s.server).toBe(server);
    expect(s.streamId).toBe(1);
    expect((s.clientAddress as [string, number])[0]).toBe('127.0.0.1');
    expect(s.headers).toEqual([['accept', '*/*'], ['user-agent', 'ua/1'], ['x-test', 'yes']]);
  });

  it('serverVersion and sysVersion work on the instance (python: self.server_version), the statics stay', async () => {
    const [h] = await urlfetch(`${base}/versions`, Collect);
    const s = seen.at(-1)!;
    expect(s.before).toEqual({ serverVersion: 'TestServer/1.0', sysVersion: `Node/${process.versions.node}` });
    expect(s.badSet).toBe('ArgumentError ERR_SPDYLAY_INVALID_ARG');
    expect(s.after).toEqual({ serverVersion: 'PerRequest/2', sysVersion: 'Runtime/9' });
    // the instance values are the ones sent: the server header and the error page
    expect(h!.header(':status')).toBe('404 Not Found');
    expect(h!.header('server')).toBe('PerRequest/2 Runtime/9');
    expect(h!.body.toString()).toContain('<address>PerRequest/2 at ');
    // statics unchanged; another request sees the class values again
    expect(Handler.serverVersion).toBe('TestServer/1.0');
    expect(BaseSPDYRequestHandler.serverVersion).toBe('Node-spdylay/0.1');
    expect(BaseSPDYRequestHandler.sysVersion).toBe(`Node/${process.versions.node}`);
    const [again] = await urlfetch(`${base}/plain`, Collect);
    expect(again!.header('server')).toBe(`TestServer/1.0 Node/${process.versions.node}`);
  });

  it('sendResponse(code, message) and the default phrase', async () => {
    const hs = await urlfetch([`${base}/custom`, `${base}/plain`], Collect);
    expect(hs[0]!.header(':status')).toBe('200 Fine Thanks');
    expect(hs[0]!.body.toString()).toBe('custom');
    expect(hs[1]!.header(':status')).toBe('200 OK');
  });

  it('sendError: the reference HTML page, content-type and content-length, escaped message', async () => {
    const [h] = await urlfetch(`${base}/error-msg`, Collect);
    expect(h!.header(':status')).toBe('403 No <way>');
    expect(h!.header('content-type')).toBe('text/html; charset=UTF-8');
    const page = h!.body.toString();
    expect(h!.header('content-length')).toBe(String(h!.body.length));
    const port = new URL(base).port;
    expect(page).toBe('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n' +
      '<title>403 No &lt;way&gt;</title>\n</head><body>\n<h1>No &lt;way&gt;</h1>\n' +
      `<p>${RESPONSES[403]![1]}</p>\n<hr>\n<address>TestServer/1.0 at ${os.hostname()} Port ${port}</address>\n</body></html>\n`);
  });

  it('a method without do_<METHOD> gets 501; a request without :method gets 400', async () => {
    const [h] = await urlfetch(`${base}/x`, Collect, { method: 'DELETE' });
    expect(h!.code).toBe(501);
    expect(h!.body.toString()).toContain('<h1>Unsupported method (DELETE)</h1>');
    const c = new RawSpdyClient(Number(new URL(base).port), PROTO_SPDY3);
    try {
      c.session.submitSynStream(1, 3, [[':path', '/'], [':version', 'HTTP/1.1'], [':host', 'x'], [':scheme', 'http']], 0, null);
      c.session.send();
      await new Promise((r) => setTimeout(r, 200));
      const reply = c.frames.find((f) => f.frameType === 2) as { nv: [string, string][] } | undefined;
      expect(reply?.nv.find(([n]) => n === ':status')?.[1]).toBe('400 Bad Request');
    } finally {
      c.socket.destroy();
    }
  });

  it('rfile streams request bodies for any method (GET, PATCH with for-await), 0 to 5 MiB', async () => {
    for (const size of [0, 1, 70_000, 5 * 1024 * 1024]) {
      const body = pattern(size, 3);
      const [g] = await urlfetch(`${base}/body`, Collect, { method: 'GET', body });
      expect(g!.header('x-len')).toBe(String(size));
      expect(g!.body.equals(body)).toBe(true);
      const [p] = await urlfetch(`${base}/x`, Collect, { method: 'PATCH', body });
      expect(p!.header('x-sha')).toBe(sha(body));
      expect(p!.body.toString()).toBe(String(size));
    }
  });

  it('wfile applies back-pressure: write() returns false past 64 KiB and drain follows', async () => {
    drainInfo = null;
    const [h] = await urlfetch(`${base}/pressure`, Collect);
    expect(h!.body.length).toBe(42 * 48 * 1024);
    expect(drainInfo).toEqual({ firstWriteOk: true, drained: true });
  });
});

// Per-stream flow control of request bodies: /slow opens its rfile but does
// not read it until /fast, uploaded on the same connection, has finished.
const flowLog: string[] = [];
let fastDone: (() => void) | null = null;
let slowBuffered = -1;
class FlowHandler extends BaseSPDYRequestHandler {
  async do_POST(): Promise<void> {
    if (this.path === '/slow') {
      const r = this.rfile; // created now: chunks past its high-water mark are held
      await new Promise<void>((res) => {
        const t = setTimeout(res, 3000);
        fastDone = () => { clearTimeout(t); res(); };
      });
      slowBuffered = r.readableLength;
      flowLog.push('slow reads');
    }
    const b = await this.readBody();
    if (this.path === '/fast') {
      flowLog.push('fast done');
      fastDone?.();
    }
    this.sendResponse(200);
    this.sendHeader('x-sha', sha(b));
    this.wfile.end(String(b.length));
  }
}

describe('request bodies: per-stream flow control', () => {
  it.each([[PROTO_SPDY3_1, 'spdy/3.1'], [PROTO_SPDY3, 'spdy/3'], [PROTO_SPDY2, 'spdy/2'], ['h2', 'h2c']] as const)(
    'a handler not reading its body holds back only its own stream (%s)', async (version, name) => {
      const srv = new ThreadedSPDYServer(['127.0.0.1', 0], FlowHandler, { plain: true });
      const port = (await srv.start()).port;
      try {
        flowLog.length = 0;
        fastDone = null;
        slowBuffered = -1;
        const body = pattern(2 * 1024 * 1024 + 3, 5);
        const t0 = Date.now();
        const hs = await urlfetch([`http://127.0.0.1:${port}/slow`, `http://127.0.0.1:${port}/fast`], Collect,
          { version, method: 'POST', body });
        expect(hs.map((h) => h.body.toString())).toEqual([String(body.length), String(body.length)]);
        expect(hs.map((h) => h.header('x-sha'))).toEqual([sha(body), sha(body)]);
        if (name === 'spdy/2') {
          // no flow control in SPDY/2: the socket pauses, so /fast waits for /slow
          expect(flowLog).toEqual(['slow reads', 'fast done']);
        } else {
          expect(flowLog).toEqual(['fast done', 'slow reads']);
          expect(Date.now() - t0).toBeLessThan(2500);
          // held back by its window: at most the high-water mark plus one 64 KiB window
          expect(slowBuffered).toBeGreaterThan(0);
          expect(slowBuffered).toBeLessThanOrEqual(136 * 1024);
        }
      } finally {
        await srv.close();
      }
    }, 20_000);
});

describe('idleTimeout', () => {
  it('ends idle SPDY, h2 and HTTP/1.1 connections; a silent handler still finishes its response', async () => {
    const srv = new ThreadedSPDYServer(['127.0.0.1', 0], LateHandler, { plain: true, idleTimeout: 300 });
    const port = (await srv.start()).port;
    try {
      for (const version of [PROTO_SPDY3_1, PROTO_SPDY2]) {
        const c = new RawSpdyClient(port, version);
        const st = c.request('GET', '/late');
        const t0 = Date.now();
        expect(await st.closed).toBe(0);
        expect(Buffer.concat(st.chunks).toString()).toBe('late but whole');
        await c.ended; // GOAWAY, then the server closes
        expect(c.goaway).toBeDefined();
        expect(Date.now() - t0).toBeLessThan(5000);
      }
      // h2 (prior knowledge) goes through the inner HTTP2Server
      const http2 = await import('node:http2');
      const h2 = http2.connect(`http://127.0.0.1:${port}`);
      let goaway = -1;
      h2.on('goaway', (code) => { goaway = code; });
      await new Promise<void>((resolve, reject) => {
        const req = h2.request({ ':path': '/late' });
        req.on('error', reject);
        req.resume();
        req.on('end', () => resolve());
      });
      await new Promise<void>((r) => h2.once('close', () => r()));
      expect(goaway).toBe(0);
      // HTTP/1.1 keep-alive socket: closed
      const net = await import('node:net');
      const sock = net.connect(port, '127.0.0.1');
      sock.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      sock.resume();
      await new Promise<void>((r) => sock.once('close', () => r()));
    } finally {
      await srv.close();
    }
    expect(() => new ThreadedSPDYServer(['127.0.0.1', 0], LateHandler, { plain: true, idleTimeout: NaN })).toThrow(TypeError);
  }, 20_000);
});

class LateHandler extends BaseSPDYRequestHandler {
  do_GET(): Promise<void> | void {
    if (this.path !== '/late') {
      this.sendResponse(200);
      this.wfile.end('ok');
      return;
    }
    return new Promise<void>((r) => setTimeout(() => {
      this.sendResponse(200);
      this.wfile.end('late but whole');
      r();
    }, 700));
  }
}

describe('construction and protocols', () => {
  it('TLS from certFile/keyFile, positionally as in python-spdylay; start() gives the bound port', async () => {
    const c = await testCert();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdy-cert-'));
    fs.writeFileSync(path.join(dir, 'k.pem'), c.key);
    fs.writeFileSync(path.join(dir, 'c.pem'), c.cert);
    const srv = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, path.join(dir, 'c.pem'), path.join(dir, 'k.pem'));
    try {
      const a = await srv.start();
      expect(a.port).toBeGreaterThan(0);
      expect(a.address).toBe('127.0.0.1');
      expect(srv.secure).toBe(true);
      expect(srv.alpnProtocols).toEqual(['spdy/3.1', 'spdy/3', 'spdy/2', 'h2', 'http/1.1']);
      const [h] = await urlfetch(`https://127.0.0.1:${a.port}/`, Collect, { ca: c.cert });
      expect(h!.body.toString()).toBe('ok');
    } finally {
      await srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => new ThreadedSPDYServer(['127.0.0.1', 0], Handler, {})).toThrow(TypeError);
    expect(() => new ThreadedSPDYServer(['127.0.0.1', 70000], Handler, { plain: true })).toThrow(TypeError);
  });

  it('cleartext sniffs SPDY/2, SPDY/3 and SPDY/3.1 (connection WINDOW_UPDATE first)', async () => {
    const protocols: string[] = [];
    const onConn = (c: SPDYConnection | unknown, p: string) => { void c; protocols.push(p); };
    server.on('connection', onConn);
    try {
      for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]) {
        const [h] = await urlfetch(`${base}/`, Collect, { version });
        expect(h!.body.toString()).toBe('ok');
      }
    } finally {
      server.off('connection', onConn);
    }
    expect(protocols).toEqual(['spdy/2', 'spdy/3', 'spdy/3.1']);
  });

  it('dateTimeString formats RFC 1123 dates', () => {
    expect(dateTimeString(Date.UTC(1994, 10, 6, 8, 49, 37))).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });
});
